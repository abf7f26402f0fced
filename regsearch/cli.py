"""The ``regsearch`` command. Each sub-command delegates to the package that owns the job."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from regsearch import accounts_cli, billing_cli
from regsearch.watch_cli import watch_app

app = typer.Typer(
    no_args_is_help=True, add_completion=False, help="regsearch: registry search engine"
)
services_app = typer.Typer(no_args_is_help=True,
                           help="Local Elasticsearch, PostgreSQL, Redis and Postfix.")
registry_app = typer.Typer(no_args_is_help=True, help="The stand-in registration system.")
index_app = typer.Typer(no_args_is_help=True, help="The search index.")
app.add_typer(services_app, name="services")
app.add_typer(registry_app, name="registry")
app.add_typer(index_app, name="index")
app.add_typer(accounts_cli.app, name="accounts")
batch_app = typer.Typer(no_args_is_help=True, help="Batch lookups (tra cứu theo lô) via the API.")
app.add_typer(batch_app, name="batch")
db_app = typer.Typer(no_args_is_help=True,
                     help="Lược đồ cơ sở dữ liệu của dịch vụ / the service database's schema.")
app.add_typer(db_app, name="db")
app.add_typer(billing_cli.app, name="billing")
app.add_typer(watch_app, name="watch")


def _fail(message: str) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code=2)


# --- services ----------------------------------------------------------------
_ES_NODES = typer.Option(
    None, "--es-nodes", min=1,
    help="Số nút Elasticsearch (>1: cụm cục bộ trên es_port, es_port+1, ...) / Elasticsearch "
         "nodes (>1: a local cluster on es_port, es_port+1, ...); default REGSEARCH_ES_NODES.")


@services_app.command("up")
def services_up(es_nodes: int | None = _ES_NODES) -> None:
    """Install (first time) and start Elasticsearch, PostgreSQL, Redis and Postfix on 127.0.0.1."""
    from services import stack

    stack.up(es_nodes)


@services_app.command("down")
def services_down(es_nodes: int | None = _ES_NODES) -> None:
    """Stop the local services (data is kept)."""
    from services import stack

    stack.down(es_nodes)


@services_app.command("status")
def services_status(es_nodes: int | None = _ES_NODES) -> None:
    """Show whether each local service answers."""
    from services import stack

    ok = stack.status(es_nodes)
    raise typer.Exit(code=0 if ok else 1)


# --- db ------------------------------------------------------------------------
@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument(
        "head", help="Phiên bản đích / target revision.")) -> None:
    """Cập nhật lược đồ lên phiên bản mới nhất / migrate the schema to the newest revision."""
    from core.settings import get_settings
    from migrations import runner

    runner.upgrade(get_settings().app_dsn, revision)
    typer.echo(f"lược đồ / schema: {runner.head() if revision == 'head' else revision}")


def _schema_current(conn: Any) -> None:
    """Stop with the bilingual hint when ``db upgrade`` has not been run."""
    from migrations import runner

    try:
        runner.check(conn)
    except runner.SchemaNotCurrentError as exc:
        _fail(str(exc))


# --- registry -----------------------------------------------------------------
@registry_app.command("init")
def registry_init() -> None:
    """Create the registry schema (idempotent)."""
    from registry import schema

    schema.ensure_schema()


@registry_app.command("load")
def registry_load(
    file: Path = typer.Argument(..., help="JSON Lines registrations, - for standard input"),
    batch_size: int = typer.Option(1, min=1, help="Lines per transaction."),
) -> None:
    """Write registrations, amendments and deletions from a JSONL file into the registry."""
    from registry import loader

    ok = loader.load_file(file, batch_size=batch_size)
    if not ok:
        raise typer.Exit(code=1)


# --- index ---------------------------------------------------------------------
@app.command("indexer")
def indexer_run(
    once: bool = typer.Option(False, help="Apply what is pending, then exit."),
) -> None:
    """Follow the registry by logical replication and keep Elasticsearch current."""
    from indexer import runner

    runner.run(once=once)


@index_app.command("rebuild")
def index_rebuild(cancel: bool = typer.Option(
        False, help="Drop a pending handover (its slot, index and state) instead.")) -> None:
    """Build a new index version from a snapshot and swap the alias when caught up."""
    from indexer import rebuild

    if cancel:
        rebuild.cancel()
        return
    rebuild.rebuild()


@index_app.command("verify")
def index_verify(repair: bool = typer.Option(False, help="Repair the differences found.")) -> None:
    """Compare the registry with the index and print the differences."""
    from indexer import verify

    differences = verify.verify(repair=repair)
    # keys built by other code are not repaired here: the indexer copies afresh
    repaired = repair and verify.keys_built_by_this_code()
    raise typer.Exit(code=0 if differences == 0 or repaired else 1)


# --- batch lookups ----------------------------------------------------------------
_API_URL = typer.Option(None, help="API base URL (default: settings api_url or api_host:port).")
_API_KEY = typer.Option(None, envvar="REGSEARCH_API_KEY", help="A customer or agency API key.")


def _batch_client(api_url: str | None, api_key: str | None) -> Any:
    import httpx

    from core.settings import get_settings
    from regsearch.batch_client import BatchClient

    if not api_key:
        _fail("Cần khóa API (--api-key hoặc REGSEARCH_API_KEY) / "
              "an API key is required (--api-key or REGSEARCH_API_KEY)")
    settings = get_settings()
    url = api_url or settings.api_url or f"http://{settings.api_host}:{settings.api_port}"
    return BatchClient(httpx.Client(base_url=url, timeout=60), str(api_key))


@batch_app.command("submit")
def batch_submit(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV, XLSX or JSONL."),
    wait: bool = typer.Option(False, "--wait", help="Show progress until the batch is done."),
    validate_only: bool = typer.Option(False, "--validate-only", help="Only check the rows."),
    include_deleted: bool = typer.Option(False, help="Also match deleted registrations."),
    results: Path | None = typer.Option(None, help="With --wait: save the results here "
                                                   "(.csv, .xlsx or .jsonl)."),
    api_url: str | None = _API_URL,
    api_key: str | None = _API_KEY,
    client_reference: str | None = typer.Option(None, help="Your own reference for the batch."),
    callback_url: str | None = typer.Option(None, help="HTTPS URL called when it finishes."),
) -> None:
    """Upload a file of lookups; print the validation report (and progress with --wait)."""
    from regsearch.batch_client import run_submit

    options = {name: value for name, value in (("client_reference", client_reference),
                                               ("callback_url", callback_url)) if value}
    code = run_submit(_batch_client(api_url, api_key), file, wait, validate_only,
                      include_deleted, results, sys.stdout, options)
    raise typer.Exit(code=code)


@batch_app.command("status")
def batch_status(batch_id: str = typer.Argument(...), api_url: str | None = _API_URL,
                 api_key: str | None = _API_KEY) -> None:
    """A batch's status and progress."""
    from regsearch.batch_client import BatchApiError, summary_line

    try:
        typer.echo(summary_line(_batch_client(api_url, api_key).status(batch_id)))
    except BatchApiError as exc:
        _fail(str(exc))


@batch_app.command("results")
def batch_results(batch_id: str = typer.Argument(...),
                  out: Path = typer.Option(..., help="File to write: .csv, .xlsx or .jsonl"),
                  api_url: str | None = _API_URL, api_key: str | None = _API_KEY) -> None:
    """Save a batch's results."""
    from regsearch.batch_client import BatchApiError

    try:
        _batch_client(api_url, api_key).save_results(batch_id, out)
    except BatchApiError as exc:
        _fail(str(exc))
    typer.echo(str(out))


@batch_app.command("cancel")
def batch_cancel(batch_id: str = typer.Argument(...), api_url: str | None = _API_URL,
                 api_key: str | None = _API_KEY) -> None:
    """Cancel a batch: the remaining rows are not searched."""
    from regsearch.batch_client import BatchApiError, summary_line

    try:
        typer.echo(summary_line(_batch_client(api_url, api_key).cancel(batch_id)))
    except BatchApiError as exc:
        _fail(str(exc))


@batch_app.command("certificate")
def batch_certificate(
    batch_id: str = typer.Argument(...),
    out: Path | None = typer.Option(None, help="Where to save the PDF (default NUMBER.pdf)."),
    api_url: str | None = _API_URL, api_key: str | None = _API_KEY,
) -> None:
    """One signed certificate for a whole finished batch; saves the PDF (issuing it again
    returns the same certificate, not charged twice)."""
    from regsearch.batch_client import run_certificate

    raise typer.Exit(code=run_certificate(_batch_client(api_url, api_key), batch_id, out,
                                          sys.stdout))


# --- API -----------------------------------------------------------------------
@app.command("api")
def api_serve(
    host: str | None = typer.Option(None), port: int | None = typer.Option(None),
    workers: int = typer.Option(1, min=1, help="uvicorn worker processes."),
) -> None:
    """Serve the HTTP API."""
    import psycopg

    from core.settings import get_settings
    from server.serve import ListenError, serve

    settings = get_settings()
    try:
        with psycopg.connect(settings.app_dsn, connect_timeout=10) as conn:
            _schema_current(conn)  # said plainly here; each worker would say it in a trace
    except psycopg.OperationalError:
        pass  # the database unreachable: the workers report it (and /readyz) as before
    try:
        serve(host or settings.api_host, port or settings.api_port, workers)
    except ListenError as exc:
        _fail(f"Không mở được địa chỉ để phục vụ API / cannot listen for the API on {exc}")


# --- matching --------------------------------------------------------------------
@app.command("classify")
def classify() -> None:
    """Classify JSON Lines pairs from standard input (see shared eval format)."""
    from query import classify_stream

    classify_stream.run(sys.stdin, sys.stdout)


@app.command("generate")
def generate(
    count: int = typer.Option(10_000, min=1, help="How many registrations."),
    seed: int = typer.Option(1, help="Random seed (same seed, same output)."),
    out: Path = typer.Option(Path("-"), help="Output JSONL file, '-' for standard output."),
) -> None:
    """Generate realistic synthetic registrations in the interchange format."""
    from registry.synthetic import generator

    generator.write_jsonl(count=count, seed=seed, out=out)


@app.command("demo")
def demo(count: int = typer.Option(10_000, min=1, help="Demo registrations to load.")) -> None:
    """Load the demo registry (first time), then run the API, the indexer, the batch worker
    and the scheduler, restarted when one dies, all stopped by Ctrl-C."""
    from regsearch import demo as demo_runner

    demo_runner.run(count)


if __name__ == "__main__":  # pragma: no cover
    app()
