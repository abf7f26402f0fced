"""What every request may use: settings, Elasticsearch, the service's own database
pool, Redis and the metrics. Created once per application."""

from __future__ import annotations

from dataclasses import dataclass

import redis
from elasticsearch import Elasticsearch
from fastapi import Request
from psycopg_pool import ConnectionPool

from api.metrics import Metrics
from api.search_ledger import SearchLedger
from certify.signer import Signer, load_signer
from core import elastic
from core.settings import Settings
from migrations import runner


@dataclass
class Resources:
    settings: Settings
    es: Elasticsearch
    pool: ConnectionPool
    redis: redis.Redis
    metrics: Metrics
    search_ledger: SearchLedger
    _signer: Signer | None = None

    def signer(self) -> Signer:
        """The certificate signing key and trust roots, loaded on first use."""
        if self._signer is None:
            self._signer = load_signer(self.settings)
        return self._signer

    @classmethod
    def create(cls, settings: Settings) -> Resources:
        pool = ConnectionPool(settings.app_dsn, min_size=1, max_size=8, open=False,
                              kwargs={"autocommit": True}, timeout=5)
        return cls(
            settings=settings,
            es=elastic.client(settings.es_url, request_timeout=10, max_retries=0),
            pool=pool,
            redis=redis.Redis.from_url(settings.redis_url, socket_timeout=2,
                                       socket_connect_timeout=2),
            metrics=Metrics(),
            search_ledger=SearchLedger(pool),
        )

    def open(self) -> None:
        self.pool.open(wait=False)
        with self.pool.connection() as conn:
            # The tables are made by `regsearch db upgrade`, never here: without them the
            # API does not start, and says what to run (SchemaNotCurrentError).
            runner.check(conn)

    def close(self) -> None:
        self.search_ledger.close()
        self.pool.close()
        self.es.close()
        self.redis.close()


async def get_resources(request: Request) -> Resources:
    """An accessor, so ``async``: FastAPI runs a plain ``def`` dependency in its thread
    pool, a hop per request for nothing."""
    resources: Resources = request.app.state.resources
    return resources
