"""The one settings module: every knob, env-overridable (prefix ``REGSEARCH_``).

Defaults work on a developer machine where ``regsearch services up`` started
the local stack.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REGSEARCH_", extra="ignore")

    # --- services -----------------------------------------------------------
    #: One URL, or several separated by commas (the nodes of a cluster: the client
    #: fails over between them, ``regsearch.elastic``).
    es_url: str = "http://127.0.0.1:9200"
    #: The registry (owned by the registration system; we only read and follow it).
    pg_dsn: str = "postgresql://regsearch@127.0.0.1:5432/registry"
    #: The search service's own database: accounts, usage ledger, certificates, batches.
    app_dsn: str = "postgresql://regsearch@127.0.0.1:5432/regsearch"
    redis_url: str = "redis://127.0.0.1:6379/0"

    # --- local stack (services/) -------------------------------------------
    state_dir: Path = Path("/var/lib/regsearch")
    service_user: str = "regsearch"
    es_version: str = "9.2.0"
    es_heap: str = "1g"
    #: Elasticsearch nodes ``regsearch services up`` starts: 1, the single node on
    #: ``es_port``; more, a local cluster on ``es_port``, ``es_port + 1``, ... with
    #: ``es_cluster_heap`` each (``services.es_cluster``).
    es_nodes: int = 1
    es_cluster_heap: str = "512m"
    pg_port: int = 5432
    es_port: int = 9200
    redis_port: int = 6379

    #: Allocations between young-generation collections in the API, batch workers and
    #: indexer (``regsearch.gc_tuning``; 0: CPython's default of 700).
    gc_young_threshold: int = 100_000

    # --- index and CDC -------------------------------------------------------
    index_alias: str = "registrations"
    #: Operational settings of the indices the indexer creates (``indexer.es``), in place
    #: of the mapping files' single-node defaults; they decide where documents live, not
    #: what they hold, so they are no part of the code fingerprint (``indexer.built_by``).
    #: Primary shards of a registrations index (fixed when it is created: changing it
    #: takes effect at the next copy, e.g. ``regsearch index rebuild``); docs/scaling.md.
    index_shards: int = 1
    #: Copies of each shard besides the primary (1 on a cluster: a node may be lost). The
    #: state index gets as many. Applied to existing indices at the indexer's start.
    index_replicas: int = 0
    #: How often new documents become searchable once the copy is done.
    index_refresh_interval: str = "1s"
    replication_slot: str = "regsearch_indexer"
    cdc_batch_changes: int = 20_000
    cdc_poll_interval_s: float = 0.05
    #: Processes building documents during a snapshot copy (0: build in the indexer
    #: itself), used when the registry holds at least ``copy_parallel_from`` registrations.
    copy_build_processes: int = 2
    copy_parallel_from: int = 50_000

    # --- API ------------------------------------------------------------------
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    max_query_length: int = 200
    close_tier_cap: int = 50
    #: Close candidates examined per search (the exact tier has no limit).
    close_candidate_limit: int = 5000
    #: Name searches find their page by registered value (``query.grouped``: two requests
    #: whatever the number of namesakes, close tier complete); False reads every candidate.
    grouped_name_search: bool = True
    #: A search may report an indexer state read this long ago (seconds; 0 = read it for
    #: every search). The watermark then understates freshness by at most this much.
    watermark_max_age_s: float = 0.25
    exact_page_size: int = 100
    ready_max_lag_s: float = 5.0
    #: CPU-heavy jobs (PDF render, sign, verify, upload parsing) running at once per API
    #: worker, off the event loop (``api.heavy``); the rest wait their turn.
    heavy_work_threads: int = 2

    # --- certificates ------------------------------------------------------------
    #: Base of the links printed on certificates (verification page, QR code).
    public_base_url: str = "http://127.0.0.1:8000"
    #: Signing key, its certificate and chain (PEM). Unset: a development CA in dev_ca_dir.
    signing_key_path: Path | None = None
    signing_cert_path: Path | None = None
    signing_chain_paths: list[Path] = []
    #: Certificates whose signatures `verify` accepts as genuine (PEM).
    trust_root_paths: list[Path] = []
    dev_ca_dir: Path = Path(".state/dev-ca")
    #: How long a certificate request may wait for the index to reflect every registry
    #: commit made before it; past this it is refused rather than certify stale data.
    certificate_freshness_wait_s: float = 10.0

    # --- accounts and fees -------------------------------------------------------
    #: Fee in VND for one certified search result (customers; agencies pay nothing).
    certificate_fee_vnd: int = 30_000
    #: Fee in VND per row of a batch lookup (customers).
    batch_row_fee_vnd: int = 0
    #: Fee in VND for one certificate covering a whole finished batch (customers), on top
    #: of the rows' fees; issuing it again for the same batch returns it without a charge.
    batch_certificate_fee_vnd: int = 30_000
    #: Anonymous (public) searches allowed per client address per minute.
    public_searches_per_minute: int = 30
    #: Certificate verifications (by number, page or upload) allowed per client address per
    #: minute without an API key (docs/certificates.md).
    public_verifications_per_minute: int = 30
    #: Largest PDF accepted by POST /v1/certificates/verify (refused with 413 before more is
    #: read). A one-search certificate is about 75 KB.
    verify_max_upload_bytes: int = 32 * 1024 * 1024
    #: Legal ground printed for free agency searches.
    agency_free_ground: str = "Điều 59 khoản 2 Nghị định 102/2017/NĐ-CP"

    # --- batch lookups (api/batch) ----------------------------------------------------
    #: Celery broker and result backend of the batch workers; empty: ``redis_url``.
    batch_broker_url: str = ""
    batch_queue: str = "regsearch-batch"
    #: Rows per chunk: one Celery task, one Elasticsearch multi-search, one transaction.
    batch_chunk_rows: int = 200
    #: Worker processes per ``celery worker`` (``--concurrency`` overrides it).
    batch_worker_concurrency: int = 2
    #: Seconds after which the broker gives a chunk whose worker died to another worker;
    #: must be longer than any chunk takes.
    batch_visibility_timeout_s: int = 600
    #: Seconds between the workers' checks for abandoned chunks.
    batch_restore_interval_s: float = 10.0
    #: Largest file accepted by POST /v1/batches.
    batch_max_upload_bytes: int = 64 * 1024 * 1024
    #: Days a finished batch (its rows, results and the borrowers' data in them) is kept
    #: before the workers delete it; 0 keeps every batch. A certified batch is kept.
    batch_retention_days: int = 90
    #: Seconds between the workers' deletions of batches past their retention.
    batch_purge_interval_s: float = 3600.0
    #: Batches of at most this many rows are certified in the request (201); bigger ones by
    #: a worker (202, then ``GET /v1/batches/{id}/certificate``): a 100,000-row batch's
    #: certificate takes minutes to render and sign.
    batch_certificate_inline_rows: int = 2000
    #: The API the ``regsearch batch`` client talks to; empty: http://api_host:api_port.
    api_url: str = ""

    # --- e-mail (monthly statements) ------------------------------------------------
    #: The SMTP server mail is handed to: the local Postfix of `regsearch services up`
    #: (services/postfix.py, delivers to a local mailbox), or the registry's real relay.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    #: STARTTLS before sending (and before authenticating); a real relay wants it.
    smtp_starttls: bool = False
    #: Empty: no authentication (the local Postfix accepts mail from 127.0.0.1).
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_timeout_s: float = 30.0
    mail_from: str = "Cục Đăng ký quốc gia giao dịch bảo đảm <no-reply@localhost>"
    # --- watch lists (watch/) ---------------------------------------------------
    #: The watch follower's logical replication slot on the registry.
    watch_slot: str = "regsearch_watch"
    #: Most entries one account may watch, and most rows one watch upload may hold.
    watch_max_entries: int = 500_000
    watch_max_upload_bytes: int = 64 * 1024 * 1024
    #: Webhook delivery: tries before the dead-letter state, first back-off, timeout.
    watch_webhook_attempts: int = 8
    watch_webhook_backoff_s: float = 2.0
    watch_webhook_timeout_s: float = 10.0
    #: Plain-HTTP webhook URLs are refused unless this is true (development only).
    watch_allow_http_webhooks: bool = False

    @property
    def es_urls(self) -> list[str]:
        """The Elasticsearch nodes of ``es_url``."""
        return [part.strip() for part in self.es_url.split(",") if part.strip()]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
