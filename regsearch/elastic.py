"""The one way this project makes an Elasticsearch client, and the searches of the hot path.

Responses are decoded with orjson (``OrjsonSerializer``): the standard library's
``json`` was a quarter of a batch worker's time, decoding thousands of candidates.

``search`` and ``msearch`` send a search straight to the client's node and take the
answer when Elasticsearch says 200: the client's full path (parameter rewriting, header
objects, retry bookkeeping, response wrapping) cost about 0.3 ms of CPU a request more,
and a name search makes two. Over plain HTTP they go by ``regsearch.http_wire`` (a
keep-alive connection per thread, about 0.15 ms less again than urllib3), over HTTPS
through the client's own urllib3 pool. Anything else (another status, a connection that
fails) is sent again through the client, which answers or raises exactly as it always
does, so errors and retries stay the client's. The client's default headers (its
authentication) go with every request.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from elasticsearch import Elasticsearch
from elasticsearch.serializer import OrjsonSerializer
from urllib3.exceptions import HTTPError

from regsearch import http_wire

_JSON = {"content-type": "application/json", "accept": "application/json"}
_NDJSON = {"content-type": "application/x-ndjson", "accept": "application/json"}


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


def _direct(es: Elasticsearch, path: str, body: bytes, headers: dict[str, str]
            ) -> dict[str, Any] | None:
    """Elasticsearch's JSON answer when it is a 200, else None."""
    node = es.transport.node_pool.get()
    pool = getattr(node, "pool", None)
    if pool is None:  # not the urllib3 node: the client's path
        return None
    # the client's own default headers carry its authentication (``basic_auth``,
    # ``api_key``), so an authenticated cluster is not asked twice each time
    sent = {**node.headers, **getattr(es, "_headers", {}), **headers}
    config = node.config
    if config.scheme == "http":
        answered = http_wire.post(config.host, config.port, node.path_prefix + path, body,
                                  sent, config.request_timeout)
        if answered is None or answered[0] != 200:
            return None
        found: dict[str, Any] = orjson.loads(answered[1])
        return found
    try:
        response = pool.urlopen("POST", node.path_prefix + path, body=body, headers=sent,
                                retries=False, timeout=config.request_timeout)
    except (HTTPError, OSError):
        return None
    if response.status != 200:
        return None
    answer: dict[str, Any] = orjson.loads(response.data)
    return answer


def _query_string(filter_path: Sequence[str] | None) -> str:
    return f"?filter_path={','.join(filter_path)}" if filter_path else ""


def search(es: Elasticsearch, index: str, body: dict[str, Any],
           filter_path: Sequence[str] | None = None) -> dict[str, Any]:
    """``es.search(index=index, **body, filter_path=filter_path).body``, faster."""
    found = _direct(es, f"/{index}/_search{_query_string(filter_path)}", orjson.dumps(body),
                    _JSON)
    if found is not None:
        return found
    answer: dict[str, Any] = es.search(index=index, **body, filter_path=filter_path).body
    return answer


def msearch(es: Elasticsearch, index: str, searches: list[dict[str, Any]],
            filter_path: Sequence[str] | None = None) -> dict[str, Any]:
    """``es.msearch(index=index, searches=searches, filter_path=filter_path).body``, faster
    (``searches``: header and body by turns, as the client takes them)."""
    body = b"".join(orjson.dumps(part) + b"\n" for part in searches)
    found = _direct(es, f"/{index}/_msearch{_query_string(filter_path)}", body, _NDJSON)
    if found is not None:
        return found
    answer: dict[str, Any] = es.msearch(index=index, searches=searches,
                                        filter_path=filter_path).body
    return answer
