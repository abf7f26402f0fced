"""The one way this project makes an Elasticsearch client.

Responses are decoded with orjson (``OrjsonSerializer``): the standard library's
``json`` was a quarter of a batch worker's time, decoding thousands of candidates.
"""

from __future__ import annotations

from typing import Any

from elasticsearch import Elasticsearch
from elasticsearch.serializer import OrjsonSerializer


def client(url: str, **options: Any) -> Elasticsearch:
    return Elasticsearch(url, serializer=OrjsonSerializer(), **options)
