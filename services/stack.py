"""The local stack as a whole: ``up()``, ``down()``, ``status()`` (used by ``regsearch services``).

``up()`` installs what is missing (first time only: Debian packages, the service user,
Elasticsearch from Maven Central, the PostgreSQL cluster) and starts whatever is not running,
waiting for each with a deadline. When everything already runs it only checks, in seconds.
"""

from __future__ import annotations

import os
import pwd
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from psycopg.conninfo import conninfo_to_dict

from core.settings import Settings, get_settings
from services import elasticsearch as es
from services import es_cluster
from services import postfix as mta
from services import postgres as pg
from services import redis as rd
from services.system import (
    Context,
    Identity,
    ServiceError,
    check_reachable,
    ensure_dir,
    ensure_packages,
    find_java_home,
    is_root,
    locked,
    say,
    service_identity,
    wait_until,
)

LOOPBACK = ("127.0.0.1", "localhost")


def _line(name: str, version: str, url: str, state: str) -> str:
    return f"{name:<13} {version:<8} {url:<48} {state}"


def _existing_identity(settings: Settings) -> Identity:
    """Who the services run as, without creating anything (for status and down)."""
    if is_root():
        try:
            entry = pwd.getpwnam(settings.service_user)
        except KeyError:
            return Identity("root", 0, 0, switch=False)
        return Identity(entry.pw_name, entry.pw_uid, entry.pw_gid, switch=True)
    entry = pwd.getpwuid(os.geteuid())
    return Identity(entry.pw_name, entry.pw_uid, entry.pw_gid, switch=False)


@contextmanager
def _plain_errors(command: str) -> Iterator[None]:
    """Show a ServiceError as a plain message and exit non-zero, without a traceback."""
    try:
        yield
    except ServiceError as exc:
        print(f"regsearch services {command}: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(1) from exc


# --- up ----------------------------------------------------------------------------------------
def up(es_nodes: int | None = None) -> None:
    """Install (first time) and start Elasticsearch, PostgreSQL, Redis and Postfix on 127.0.0.1
    (``es_nodes`` > 1: a local Elasticsearch cluster, ``services.es_cluster``)."""
    with _plain_errors("up"):
        _up(_with_nodes(get_settings(), es_nodes))


def _with_nodes(settings: Settings, es_nodes: int | None) -> Settings:
    return settings if es_nodes is None else settings.model_copy(update={"es_nodes": es_nodes})


def _up(settings: Settings) -> None:
    began = time.monotonic()
    ident = service_identity(settings.service_user, say)
    ctx = Context(settings, ident)
    ensure_dir(ctx.state_dir, ident, mode=0o755)
    check_reachable(ctx.state_dir, ident)
    ensure_dir(ctx.run_dir, ident, mode=0o755)
    ensure_dir(ctx.logs_dir, ident, mode=0o755)
    with locked(ctx.run_dir / "stack.lock", ident):
        ensure_packages(ctx.install_log, say)

        # Elasticsearch is slow to boot: launch it first, start the others meanwhile.
        if not es.installed(ctx):
            es.install(ctx)
        if settings.es_nodes > 1:  # a local cluster instead of the single node
            _up_postgres(ctx)
            _up_redis(ctx)
            _up_mail(ctx)
            _up_cluster(ctx)
            return _finish_up(ctx, began)
        es_state = "running (already)"
        launcher = None
        es_pid = es.running_pid(ctx)
        if es_pid is not None and es.config_changed(ctx, es_pid):
            say("elasticsearch configuration or version changed; restarting it")
            es.stop(ctx)
            es_state = "running (restarted)"
        if es.running_pid(ctx) is None:
            launcher = es.launch(ctx, find_java_home(ctx.install_log, say))
            es_state = "running (started)" if es_state.endswith("(already)") else es_state

        _up_postgres(ctx)
        _up_redis(ctx)
        _up_mail(ctx)

        if launcher is not None:
            es.wait_started(ctx, launcher)
        elif not wait_until(lambda: es.answers(ctx), es.START_DEADLINE_S):
            raise ServiceError(
                f"elasticsearch is running (pid {es.running_pid(ctx)}) but {es.url(ctx)}"
                f"/_cluster/health does not answer green or yellow; see {es.paths(ctx).main_log}"
            )
        say(_line(es.NAME, settings.es_version, es.url(ctx), es_state))
    _finish_up(ctx, began)


def _up_mail(ctx: Context) -> None:
    if is_root():
        say(_line(mta.NAME, mta.version(), mta.url(ctx), mta.up(ctx)))
    else:
        say(_line(mta.NAME, mta.version(), mta.url(ctx), "not managed (needs root)"))


def _finish_up(ctx: Context, began: float) -> None:
    _check_app_settings(ctx)
    say(f"all services up in {time.monotonic() - began:.1f} s "
        f"(state: {ctx.state_dir}, logs: {ctx.logs_dir})")


def _up_cluster(ctx: Context) -> None:
    """Start the nodes of the local cluster not running; wait for yellow or green."""
    for line in es_cluster.start(ctx, find_java_home(ctx.install_log, say), wait_for="yellow"):
        say(_line(es.NAME, ctx.settings.es_version, line.split()[1], line))
    say(f"note: REGSEARCH_ES_URL={es_cluster.urls(ctx)} reaches every node")


def _up_postgres(ctx: Context) -> None:
    state = "running (already)"
    if not pg.initialized(ctx):
        say(f"postgresql: creating the cluster in {pg.paths(ctx).data}")
        pg.init(ctx)
    changed = pg.configure(ctx)
    if pg.running_pid(ctx) is not None and changed:
        say("postgresql configuration changed; restarting it")
        pg.stop(ctx)
        state = "running (restarted)"
    if pg.running_pid(ctx) is None:
        pg.start(ctx)
        state = "running (started)" if state.endswith("(already)") else state
    pg.ensure_role_and_database(ctx)
    version = pg.answers(ctx)
    if version is None:
        raise ServiceError(f"postgresql is running but {pg.url(ctx)} does not accept a "
                           f"connection; see {pg.paths(ctx).log}")
    say(_line(pg.NAME, version, pg.url(ctx), state))


def _up_redis(ctx: Context) -> None:
    state = "running (already)"
    changed = rd.configure(ctx)
    if rd.running_pid(ctx) is not None and changed:
        say("redis configuration changed; restarting it")
        rd.stop(ctx)
        state = "running (restarted)"
    if rd.running_pid(ctx) is None:
        rd.start(ctx)
        state = "running (started)" if state.endswith("(already)") else state
    version = rd.answers(ctx)
    if version is None:
        raise ServiceError(f"redis is running but {rd.url(ctx)} does not answer PING; "
                           f"see {rd.paths(ctx).log}")
    say(_line(rd.NAME, version, rd.url(ctx), state))


def _check_app_settings(ctx: Context) -> None:
    """Point out application URLs that do not lead to this stack (a common mix-up)."""
    s = ctx.settings
    es_url = urlsplit(s.es_urls[0] if s.es_urls else s.es_url)
    redis_url = urlsplit(s.redis_url)
    dsn = conninfo_to_dict(s.pg_dsn)
    checks: list[tuple[str, str | None, object, int]] = [
        ("REGSEARCH_ES_URL", es_url.hostname, es_url.port or 9200, s.es_port),
        ("REGSEARCH_PG_DSN", str(dsn.get("host") or ""), int(str(dsn.get("port") or 5432)),
         s.pg_port),
        ("REGSEARCH_REDIS_URL", redis_url.hostname, redis_url.port or 6379, s.redis_port),
    ]
    for name, host, port, local_port in checks:
        if host not in LOOPBACK or port != local_port:
            say(f"note: {name} points at {host}:{port}, not at this stack (127.0.0.1:{local_port})")


# --- down ------------------------------------------------------------------------------------
def down(es_nodes: int | None = None) -> None:
    """Stop the three services cleanly; their data is kept."""
    with _plain_errors("down"):
        settings = _with_nodes(get_settings(), es_nodes)
        ctx = Context(settings, _existing_identity(settings))
        if settings.es_nodes > 1:
            for line in es_cluster.stop(ctx):
                say(f"{es.NAME:<13} {line}")
        run_dir = ctx.run_dir
        stoppers: list[tuple[str, Callable[[Context], bool]]] = [
            (es.NAME, es.stop), (rd.NAME, rd.stop), (pg.NAME, pg.stop), (mta.NAME, mta.stop)]
        if settings.es_nodes > 1:  # the cluster's nodes are stopped; the single node stays
            stoppers = stoppers[1:]
        if not run_dir.exists():
            for name, _ in stoppers:
                say(f"{name:<13} not running")
            return
        with locked(run_dir / "stack.lock", ctx.ident):
            for name, stop in stoppers:
                say(f"{name:<13} {'stopped' if stop(ctx) else 'not running'}")


# --- status ----------------------------------------------------------------------------------
def status(es_nodes: int | None = None) -> bool:
    """Print one line per service; True when all three answer."""
    settings = _with_nodes(get_settings(), es_nodes)
    ctx = Context(settings, _existing_identity(settings))
    ok = True
    for node, pid, health in es_cluster.status(ctx) if settings.es_nodes > 1 else []:
        ok = ok and health is not None
        say(_line(es.NAME, settings.es_version, node.url,
                  f"{node.name} " + (f"running, cluster {health}" if health
                                     else f"not answering (pid {pid})" if pid else "stopped")))

    def state(answering: bool, pid: int | None) -> str:
        nonlocal ok
        ok = ok and answering
        if answering:
            return "running" if pid is not None else "answering (pid unknown)"
        return f"not answering (pid {pid})" if pid is not None else "stopped"

    if settings.es_nodes <= 1:
        es_ok = es.answers(ctx)
        say(_line(es.NAME, settings.es_version, es.url(ctx), state(es_ok, es.running_pid(ctx))))
    pg_version = pg.answers(ctx)
    say(_line(pg.NAME, pg_version or str(pg.MAJOR), pg.url(ctx),
              state(pg_version is not None, pg.running_pid(ctx))))
    rd_version = rd.answers(ctx)
    say(_line(rd.NAME, rd_version or "", rd.url(ctx),
              state(rd_version is not None, rd.running_pid(ctx))))
    say(_line(mta.NAME, mta.version(), mta.url(ctx),
              state(mta.answers(ctx) is not None, mta.running_pid(ctx))))
    return ok


def pids() -> dict[str, int | None]:
    """The pid of each service started by regsearch (None when not running)."""
    settings = get_settings()
    ctx = Context(settings, _existing_identity(settings))
    return {
        es.NAME: es.running_pid(ctx),
        pg.NAME: pg.running_pid(ctx),
        rd.NAME: rd.running_pid(ctx),
        mta.NAME: mta.running_pid(ctx),
    }


def stop_service(name: str) -> bool:
    """Stop one service (for fault tests and operators); ``up()`` starts it again."""
    settings = get_settings()
    ctx = Context(settings, _existing_identity(settings))
    stoppers: dict[str, Callable[[Context], bool]] = {
        es.NAME: es.stop, rd.NAME: rd.stop, pg.NAME: pg.stop}
    if name not in stoppers:
        raise ValueError(f"unknown service {name!r}; one of {', '.join(stoppers)}")
    with locked(ctx.run_dir / "stack.lock", ctx.ident):
        return stoppers[name](ctx)
