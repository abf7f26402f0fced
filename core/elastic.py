"""The one way this project makes an Elasticsearch client, and the searches of the hot path.

Responses are decoded with orjson (``OrjsonSerializer``): the standard library's
``json`` was a quarter of a batch worker's time, decoding thousands of candidates.

``search`` and ``msearch`` go through the official client (``Elasticsearch.search`` and
``Elasticsearch.msearch``), so errors, retries, authentication and TLS are the client's.
Until 2026-12 they went by a hand-written keep-alive HTTP/1.1 POST (``http_wire``) that
read the client's private internals and pinned it below 9.3. Measured side by side at 8
clients on 1,000,000 registrations (6 alternating rounds of names), the official client
served 245.6 req/s summed over the rounds against the hand-written path's 217.4, at about
1 ms more API CPU per search: not the 15% less throughput that would have kept it
(``benchmarks/RESULTS.md``, "Hand-written infrastructure: decisions").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from elasticsearch import Elasticsearch
from elasticsearch.serializer import OrjsonSerializer


def client(url: str | Sequence[str], **options: Any) -> Elasticsearch:
    """A client of one node, or of a cluster's nodes (``url``: several URLs separated by
    commas, or a list). With several nodes, a request whose node does not answer (refused,
    reset; a timeout too with ``retry_on_timeout``) goes to the next live node of the
    client's pool, which leaves the dead node aside for a while: ``max_retries`` is then at
    least one less than the nodes, whatever the caller asked (a caller's ``max_retries=0``
    means "do not insist on the one node", not "give up failing over")."""
    listed = url.split(",") if isinstance(url, str) else list(url)
    nodes = list(dict.fromkeys(part.strip() for part in listed if part.strip()))
    if len(nodes) > 1:
        options["max_retries"] = max(int(options.get("max_retries", 3)), len(nodes) - 1)
    return Elasticsearch(nodes, serializer=OrjsonSerializer(), **options)


def search(es: Elasticsearch, index: str, body: dict[str, Any],
           filter_path: Sequence[str] | None = None) -> dict[str, Any]:
    """``es.search(index=index, **body, filter_path=filter_path).body``."""
    answer: dict[str, Any] = es.search(index=index, **body, filter_path=filter_path).body
    return answer


def msearch(es: Elasticsearch, index: str, searches: list[dict[str, Any]],
            filter_path: Sequence[str] | None = None) -> dict[str, Any]:
    """``es.msearch(index=index, searches=searches, filter_path=filter_path).body``
    (``searches``: header and body by turns, as the client takes them)."""
    answer: dict[str, Any] = es.msearch(index=index, searches=searches,
                                        filter_path=filter_path).body
    return answer
