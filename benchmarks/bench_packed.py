"""The packed doc value's two formats side by side: separators (until mapping v8) and orjson.

    .venv/bin/python -m benchmarks.bench_packed --count 100000 --rounds 8 --index-prefix <ns>

Both formats hold the same values of the same registrations (synthetic, seeded):

* **separators** (``mappings.packed`` until mapping v8, kept here to compare): UTF-8 text,
  fields split by US, items by RS, groups by GS; separators inside a value become spaces;
  the id and content hash read from the start of the value only;
* **orjson** (``mappings.packed`` since v9): ``[id, hash, number, kind, status,
  registered_at, [[party_type, name, id_number], ...], [[asset_type, chassis, engine,
  plate], ...]]``, absent values ``""``. Both base64-encoded, as Elasticsearch takes binary
  values.

Measured side by side, alternating the formats round by round (CPU time of this process
for the in-process costs, wall time for pages):

1. size of the doc value (base64 characters);
2. encoding one registration (the copy's cost per document);
3. decoding a candidate as the search does: unpack, then the criterion's values
   (``query.search.packed_values``), for debtor names, a page of 2,000 candidates at a
   time, with the garbage collector tuned as the API runs it (``core.gc_tuning``);
4. reading the id and content hash of a whole-registration hit (``packed.identity``);
5. Elasticsearch pages: a scratch index (``<prefix>-packed-bench``, deleted afterwards)
   holding both formats as binary doc values of the same documents; a term query returning
   2,000 candidates (the close-candidate page) or 150, sorted by registration id, fetching
   one format's doc value only, then decoding every hit.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import statistics
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from elasticsearch import Elasticsearch, helpers

from core import gc_tuning
from core.settings import get_settings
from indexer.documents import content_hash
from mappings import packed
from query.search import packed_values
from registry.synthetic.generator import iter_registrations

GRANTORS, ASSETS = packed.GRANTOR_FIELDS, packed.ASSET_FIELDS
#: Candidates decoded together: the close-candidate page of a search.
PAGE = 2000
T = TypeVar("T")


UNIT, RECORD, GROUP = "\x1f", "\x1e", "\x1d"
_SEPARATORS = str.maketrans({UNIT: " ", RECORD: " ", GROUP: " "})


def _sep_text(part: object) -> str:
    text = "" if part is None else part if isinstance(part, str) else str(part)
    if UNIT in text or RECORD in text or GROUP in text:
        return text.translate(_SEPARATORS)
    return text


def pack_separators(registration: Mapping[str, Any], registration_id: int, digest: str
                    ) -> str:
    """The separator format of mapping v8 (``mappings/packed.py`` at b44181a)."""
    def join(parts: Sequence[object]) -> str:
        return UNIT.join([_sep_text(p) for p in parts])

    def items(values: Sequence[Mapping[str, Any]], keys: tuple[str, ...]) -> str:
        return RECORD.join([join([item.get(k) for k in keys]) for item in values])

    summary = join([registration_id, digest,
                    *[registration.get(k) for k in packed.SUMMARY_FIELDS]])
    text = GROUP.join([summary, items(registration.get("grantors", ()), GRANTORS),
                       items(registration.get("assets", ()), ASSETS)])
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


@dataclass(slots=True)
class UnpackedV8:
    """``mappings.packed.Unpacked`` as it was in v8: items kept as packed strings."""

    registration_id: int
    content_hash: str
    summary: dict[str, Any]
    grantors: tuple[str, ...]
    assets: tuple[str, ...]


def unpack_separators(value: str) -> UnpackedV8:
    """v8's ``unpack``."""
    summary, grantors, assets = binascii.a2b_base64(value).decode("utf-8").split(GROUP)
    registration_id, digest, number, kind, status, registered_at = summary.split(UNIT)
    return UnpackedV8(int(registration_id), digest,
                      {"registration_number": number, "kind": kind, "status": status,
                       "registered_at": registered_at},
                      tuple(grantors.split(RECORD)) if grantors else (),
                      tuple(assets.split(RECORD)) if assets else ())


def _item_parts(items: Sequence[str]) -> Iterator[list[str]]:
    for item in items:
        yield item.split(UNIT)


#: v8's ``query.search._PACKED_AT`` entry for debtor names.
_NAME_AT = ("grantor", "name", "grantors", GRANTORS.index("name"), 0)


def separator_values(value: str) -> list[tuple[str, int, str, str, str | None]]:
    """v8's ``packed_values("debtor_name", unpack(value))``."""
    found = unpack_separators(value)
    role, field_name, list_name, at, type_at = _NAME_AT
    values = []
    items = found.grantors if list_name == "grantors" else found.assets
    for position, parts in enumerate(_item_parts(items)):
        if parts[at]:
            values.append((role, position, field_name, parts[at], parts[type_at] or None))
    return values


#: Base64 characters that hold v8's first two summary fields (85 bytes).
_IDENTITY_CHARS = 4 * -(-85 // 3)


def identity_separators(value: str) -> tuple[int, str]:
    head = binascii.a2b_base64(value[:_IDENTITY_CHARS])
    registration_id, digest, _ = head.split(UNIT.encode(), 2)
    return int(registration_id), digest.decode("ascii")


def pack_json(registration: Mapping[str, Any], registration_id: int, digest: str) -> str:
    return packed.pack(registration, registration_id, digest)[packed.FIELD]


def json_values(value: str) -> list[tuple[str, int, str, str, str | None]]:
    return packed_values("debtor_name", packed.unpack(value))


def corpus(count: int, seed: int) -> list[tuple[int, dict[str, Any], str]]:
    return [(i + 1, dict(r), content_hash(dict(r)))
            for i, r in enumerate(iter_registrations(count, seed))]


def _cpu(work: Callable[[], object]) -> float:
    started = time.process_time()
    work()
    return time.process_time() - started


def _paged(values: Sequence[T], work: Callable[[T], object]) -> Callable[[], object]:
    """``work`` over every value, a page of PAGE at a time, each page's results dropped
    before the next (as a search keeps one page of candidates)."""
    def run() -> None:
        for start in range(0, len(values), PAGE):
            [work(value) for value in values[start:start + PAGE]]
    return run


def in_process(items: Sequence[tuple[int, dict[str, Any], str]], rounds: int
               ) -> dict[str, dict[str, list[float]]]:
    """µs per registration, each format's rounds alternating with the other's."""
    sep = [pack_separators(r, i, h) for i, r, h in items]
    js = [pack_json(r, i, h) for i, r, h in items]
    n = len(items)
    costs: dict[str, dict[str, list[float]]] = {"separators": {}, "orjson": {}}
    stages: dict[str, tuple[Callable[[], object], Callable[[], object]]] = {
        "encode": (_paged(items, lambda x: pack_separators(x[1], x[0], x[2])),
                   _paged(items, lambda x: pack_json(x[1], x[0], x[2]))),
        "decode_and_values": (
            _paged(sep, separator_values), _paged(js, json_values)),
        "identity": (_paged(sep, identity_separators), _paged(js, packed.identity)),
    }
    for round_no in range(rounds):
        order = ("separators", "orjson") if round_no % 2 == 0 else ("orjson", "separators")
        for stage, (with_sep, with_json) in stages.items():
            for fmt in order:
                spent = _cpu(with_sep if fmt == "separators" else with_json)
                costs[fmt].setdefault(stage, []).append(spent / n * 1e6)
    costs["separators"]["size_chars"] = [statistics.fmean(len(v) for v in sep)]
    costs["orjson"]["size_chars"] = [statistics.fmean(len(v) for v in js)]
    return costs


def _actions(index: str, items: Sequence[tuple[int, dict[str, Any], str]], buckets: int
             ) -> Iterator[dict[str, Any]]:
    for reg_id, registration, digest in items:
        yield {"_index": index, "_id": str(reg_id),
               "_source": {"registration_id": reg_id, "bucket": str(reg_id % buckets),
                           "sep": pack_separators(registration, reg_id, digest),
                           "js": pack_json(registration, reg_id, digest)}}


def load_index(es: Elasticsearch, index: str,
               items: Sequence[tuple[int, dict[str, Any], str]], buckets: int) -> None:
    es.options(ignore_status=404).indices.delete(index=index)
    es.indices.create(index=index, settings={"number_of_shards": 1, "number_of_replicas": 0},
                      mappings={"_source": {"excludes": ["sep", "js"]}, "properties": {
                          "registration_id": {"type": "long"},
                          "bucket": {"type": "keyword"},
                          "sep": {"type": "binary", "doc_values": True},
                          "js": {"type": "binary", "doc_values": True}}})
    helpers.bulk(es.options(request_timeout=300), _actions(index, items, buckets),
                 chunk_size=2000)
    es.indices.refresh(index=index)
    es.options(request_timeout=600).indices.forcemerge(index=index, max_num_segments=1)


def _page(es: Elasticsearch, index: str, field: str, bucket: int, size: int) -> int:
    response = es.search(index=index, query={"term": {"bucket": str(bucket)}}, size=size,
                         sort=[{"registration_id": {"order": "asc"}}],
                         track_total_hits=False,
                         stored_fields="_none_", docvalue_fields=[{"field": field}],
                         filter_path=["hits.hits.fields"])
    hits = response.body.get("hits", {}).get("hits", ())
    for hit in hits:
        value = hit["fields"][field][0]
        if field == "sep":
            separator_values(value)
        else:
            json_values(value)
    return len(hits)


def pages(es: Elasticsearch, index: str, buckets: int, rounds: int, per_round: int,
          size: int) -> dict[str, list[float]]:
    """Median wall ms of a page (search + decoding every hit), per round, alternating."""
    out: dict[str, list[float]] = {"separators": [], "orjson": []}
    for round_no in range(rounds):
        order = ("sep", "js") if round_no % 2 == 0 else ("js", "sep")
        for field in order:
            times = []
            for k in range(per_round):
                started = time.perf_counter()
                _page(es, index, field, (round_no * per_round + k) % buckets, size)
                times.append((time.perf_counter() - started) * 1000)
            out["separators" if field == "sep" else "orjson"].append(statistics.median(times))
    return out


def _line(label: str, sep: Sequence[float], js: Sequence[float], unit: str) -> str:
    a, b = statistics.median(sep), statistics.median(js)
    return (f"| {label} | {a:.2f} {unit} ({min(sep):.2f}–{max(sep):.2f}) | "
            f"{b:.2f} {unit} ({min(js):.2f}–{max(js):.2f}) | {(b - a) / a * 100:+.1f}% |")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--es-url", default="http://127.0.0.1:9200")
    parser.add_argument("--index-prefix", default="bench")
    parser.add_argument("--pages-per-round", type=int, default=40)
    parser.add_argument("--no-es", action="store_true", help="in-process costs only")
    args = parser.parse_args(argv)
    items = corpus(args.count, args.seed)
    gc_tuning.tune(get_settings())  # as the API and the indexer run
    costs = in_process(items, args.rounds)
    sep, js = costs["separators"], costs["orjson"]
    print("| measure | separators (median, range) | orjson | orjson vs separators |")
    print("|---|---:|---:|---:|")
    print(_line("doc value size, base64 characters", sep["size_chars"], js["size_chars"], ""))
    for stage in ("encode", "decode_and_values", "identity"):
        print(_line(f"{stage}, CPU per registration", sep[stage], js[stage], "µs"))
    if args.no_es:
        return
    es = Elasticsearch(args.es_url, request_timeout=120)
    index = f"{args.index_prefix}-packed-bench"
    buckets = max(1, args.count // 2000)
    load_index(es, index, items, buckets)
    try:
        for size in (2000, 150):
            got = pages(es, index, buckets, args.rounds, args.pages_per_round, size)
            print(_line(f"page of {size} candidates, wall", got["separators"], got["orjson"],
                        "ms"))
    finally:
        es.options(ignore_status=404).indices.delete(index=index)


if __name__ == "__main__":
    main()
