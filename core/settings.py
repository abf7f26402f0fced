"""The one settings module: every knob, env-overridable (prefix ``REGSEARCH_``).

Defaults work on a developer machine where ``regsearch services up`` started
the local stack.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REGSEARCH_", extra="ignore")

    #: ``development`` accepts what only a developer's machine may use: the development
    #: signing CA, services reached without a password, default secrets. Anything else is
    #: refused at start (``check``); ``make run`` and ``make test`` set ``development``.
    env: Literal["development", "production"] = "production"

    # --- services -----------------------------------------------------------
    #: One URL, or several separated by commas (the nodes of a cluster: the client
    #: fails over between them, ``core.elastic``).
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
    #: indexer (``core.gc_tuning``; 0: CPython's default of 700).
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
    #: Addresses of reverse proxies whose ``X-Forwarded-For`` / ``X-Forwarded-Proto`` are
    #: believed (uvicorn's ProxyHeadersMiddleware: IPs, CIDR networks or ``*``); empty:
    #: none, the client is always the socket's peer (rate limits, usage ledger).
    trusted_proxies: list[str] = []
    #: Largest request body of a route without an upload (JSON searches, certificates),
    #: refused with 413 before more is read (``api.body_limit``).
    max_json_body_bytes: int = 64 * 1024

    # --- web sign-in (web/session.py) ----------------------------------------------
    #: Signs the pages' session cookie (Starlette's SessionMiddleware, itsdangerous); set a
    #: long random value outside development (the default is refused there).
    session_secret: SecretStr = SecretStr("development session secret, never in production")
    #: A session ends this long after sign-in (seconds), whatever is done meanwhile.
    session_max_age_s: int = 8 * 3600
    #: Sign-in attempts allowed per minute per client address, and per e-mail address.
    signin_attempts_per_minute: int = 10

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
    #: An uploaded XLSX is refused when its parts' declared uncompressed sizes add up to
    #: more than this (checked before it is opened: zip bombs) ...
    xlsx_max_uncompressed_bytes: int = 160 * 1024 * 1024
    #: ... or its shared strings (held in memory whole by openpyxl) declare more than this,
    xlsx_max_shared_strings_bytes: int = 48 * 1024 * 1024
    #: ... or its first sheet has more cells than this or a row with more cells than
    #: ``xlsx_max_columns`` (counted by a streaming pass before openpyxl reads a row).
    xlsx_max_cells: int = 2_000_000
    xlsx_max_columns: int = 256
    #: Notes about the file as a whole listed one by one (e.g. ignored columns); the rest
    #: are counted in one note.
    batch_max_file_notes: int = 20
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

    # --- billing (billing/: statements of fees, payments, dunning) -------------------
    #: The Celery queue of the billing jobs (``billing.schedule``; its own worker program).
    billing_queue: str = "regsearch-billing"
    #: Days after its date a statement is due; unpaid then, the account is suspended.
    billing_due_days: int = 30
    #: Months an account stays suspended for unpaid fees before it is closed.
    billing_close_after_months: int = 3
    #: Where customers pay (payee, account number, bank), printed as it is in both
    #: languages on statements, e-mails and suspension notices: set the real account.
    billing_pay_to: str = "Cục Đăng ký quốc gia giao dịch bảo đảm, Kho bạc Nhà nước Hà Nội"
    #: Attempts at sending a statement's e-mail before the outbox gives up on it.
    billing_mail_max_attempts: int = 10

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


class UnsafeSettingsError(SystemExit):
    """Settings only a development machine may use, outside ``REGSEARCH_ENV=development``:
    the process refuses to start (exit status 1) with a bilingual message."""

    def __init__(self, problems: list[tuple[str, str, str]]) -> None:
        self.problems = problems
        lines = [f"- {name}: {vi} / {en}" for name, vi, en in problems]
        super().__init__(
            "Cấu hình chỉ dùng cho máy phát triển, không được dùng khi vận hành "
            "(REGSEARCH_ENV=production); sửa các mục sau hoặc đặt REGSEARCH_ENV=development.\n"
            "Settings fit only for a development machine are refused in production "
            "(REGSEARCH_ENV=production); fix these, or set REGSEARCH_ENV=development:\n"
            + "\n".join(lines))


def _dsn_without_password(dsn: str) -> bool:
    """A PostgreSQL connection string naming no password, password file nor client
    certificate: the server must trust whoever connects (``trust`` authentication)."""
    from psycopg.conninfo import conninfo_to_dict

    given = conninfo_to_dict(dsn)
    if any(given.get(key) for key in ("password", "passfile", "sslcert")):
        return False
    if os.environ.get("PGPASSWORD") or os.environ.get("PGPASSFILE"):
        return False
    return not (Path.home() / ".pgpass").is_file()


def production_problems(settings: Settings) -> list[tuple[str, str, str]]:
    """(setting, Vietnamese, English) for each setting a production service must not use."""
    found: list[tuple[str, str, str]] = []
    if settings.signing_key_path is None or settings.signing_cert_path is None:
        found.append(("signing_key_path", "chưa đặt khóa ký; CA phát triển không được dùng "
                      "để ký văn bản chứng nhận", "unset: the development CA must not sign "
                      "certificates"))
    for name in ("pg_dsn", "app_dsn"):
        if _dsn_without_password(getattr(settings, name)):
            found.append((name, "kết nối không có mật khẩu (xác thực trust)",
                          "connects without a password (trust authentication)"))
    for name in ("redis_url", "batch_broker_url"):
        url = getattr(settings, name)
        if url and not urlsplit(url).password:
            found.append((name, "kết nối Redis không có mật khẩu",
                          "connects to Redis without a password"))
    if "*" in settings.trusted_proxies:
        found.append(("trusted_proxies", "tin X-Forwarded-For của mọi bên gọi",
                      "believes every caller's X-Forwarded-For"))
    for name, field in type(settings).model_fields.items():
        if field.annotation is SecretStr and getattr(settings, name) == field.default and (
                name != "smtp_password" or settings.smtp_username):
            found.append((name, "mật khẩu/bí mật để giá trị mặc định",
                          "secret left at its default"))
    return found


def check(settings: Settings) -> None:
    """Refuse (``UnsafeSettingsError``) a development setting outside development."""
    if settings.env != "development":
        problems = production_problems(settings)
        if problems:
            raise UnsafeSettingsError(problems)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings, checked (``check``): every entry point reads them through here."""
    settings = Settings()
    check(settings)
    return settings
