"""Baseline (b): Elasticsearch ``match`` with ``fuzziness: AUTO`` on the ``standard`` analyzer.

Its own index, ``baseline-fuzzy``: one document per registration (``_id`` = its position in
the corpus file), ``text`` fields with the ``standard`` analyzer for grantor names, identity
numbers, chassis, engine and plate numbers and the registration number. A query is one
``match`` on the criterion's field with ``fuzziness: "AUTO"``; ``operator: and`` for names
(every word must match, within its fuzziness: ``or`` would return most of the corpus for
``Nguyễn Văn …``), the default ``or`` for numbers (the standard analyzer splits
``0100150619-007`` or ``41A-382.56`` into several tokens). The answer is the top 50 by score
and the total hit count; there is no exact/close distinction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Final

from elasticsearch import Elasticsearch, helpers

from benchmarks.baselines.corpus import Registration, serial_values

INDEX: Final = "baseline-fuzzy"
TOP: Final = 50
FIELDS: Final = {"debtor_name": "names", "id_number": "ids", "chassis_number": "chassis",
                 "engine_number": "engine", "plate_number": "plate",
                 "registration_number": "registration_number"}
_TEXT: Final = {"type": "text", "analyzer": "standard"}
MAPPING: Final = {"dynamic": "strict",
                  "properties": {field_name: _TEXT for field_name in FIELDS.values()}}


def document(registration: Registration) -> dict[str, Any]:
    return {
        "names": [p.name for p in registration.grantors if p.name],
        "ids": [p.id_number for p in registration.grantors if p.id_number],
        "chassis": list(serial_values(registration, "chassis_number")),
        "engine": list(serial_values(registration, "engine_number")),
        "plate": list(serial_values(registration, "plate_number")),
        "registration_number": registration.number,
    }


def index_ready(es: Elasticsearch, expected: int) -> bool:
    if not es.indices.exists(index=INDEX):
        return False
    es.indices.refresh(index=INDEX)
    return int(es.count(index=INDEX)["count"]) == expected


def build(es: Elasticsearch, registrations: Iterable[Registration], chunk_size: int = 5000
          ) -> int:
    """(Re)create the index and bulk-load it; returns the number of documents."""
    if es.indices.exists(index=INDEX):
        es.indices.delete(index=INDEX)
    es.indices.create(index=INDEX, mappings=MAPPING, settings={
        "number_of_shards": 1, "number_of_replicas": 0, "refresh_interval": "-1"})

    def actions() -> Iterator[dict[str, Any]]:
        for position, registration in enumerate(registrations):
            yield {"_index": INDEX, "_id": str(position), "_source": document(registration)}

    loaded, _ = helpers.bulk(es, actions(), chunk_size=chunk_size, request_timeout=300,
                             stats_only=True)
    es.indices.put_settings(index=INDEX, settings={"refresh_interval": "1s"})
    es.indices.refresh(index=INDEX)
    return int(loaded)


def search(es: Elasticsearch, criterion: str, value: str) -> tuple[list[int], int]:
    """(corpus positions of the top 50, total hits)."""
    operator = "and" if criterion == "debtor_name" else "or"
    response = es.search(
        index=INDEX, size=TOP, source=False, track_total_hits=True,
        query={"match": {FIELDS[criterion]: {"query": value, "fuzziness": "AUTO",
                                             "operator": operator}}})
    hits = response["hits"]
    return [int(hit["_id"]) for hit in hits["hits"]], int(hits["total"]["value"])
