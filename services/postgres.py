"""PostgreSQL 15 (Debian's binaries) with its own cluster under ``state_dir/postgres``.

Logical replication is on (``wal_level=logical``) for the indexer's ``pgoutput`` stream.
Authentication is ``trust`` on 127.0.0.1 and the unix socket: local development only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from services.system import (
    PG_BIN,
    Context,
    ServiceError,
    ensure_dir,
    pid_alive,
    port_in_use,
    read_pid,
    run_as,
    tail,
    wait_until,
)

NAME = "postgresql"
MAJOR = 15
BOOTSTRAP_USER = "postgres"
START_DEADLINE_S = 90
STOP_DEADLINE_S = 90
INCLUDE_LINE = "include_if_exists = 'regsearch.conf'"
DEBIAN_CLUSTER_PIDS = (Path("/var/lib/postgresql/15/main/postmaster.pid"),
                       Path("/var/run/postgresql/15-main.pid"))


@dataclass(frozen=True)
class Paths:
    data: Path
    socket_dir: Path
    log: Path


def paths(ctx: Context) -> Paths:
    return Paths(
        data=ctx.state_dir / "postgres",
        socket_dir=ctx.run_dir,
        log=ctx.logs_dir / "postgres.log",
    )


@dataclass(frozen=True)
class Target:
    """The role and database the application's DSN names."""

    user: str
    dbname: str


def target(ctx: Context) -> Target:
    parts = conninfo_to_dict(ctx.settings.pg_dsn)
    user = str(parts.get("user") or "regsearch")
    return Target(user=user, dbname=str(parts.get("dbname") or user))


def url(ctx: Context) -> str:
    t = target(ctx)
    return f"postgresql://{t.user}@127.0.0.1:{ctx.settings.pg_port}/{t.dbname}"


# --- cluster ----------------------------------------------------------------------------------
def initialized(ctx: Context) -> bool:
    return (paths(ctx).data / "PG_VERSION").exists()


def init(ctx: Context) -> None:
    """initdb a fresh cluster (UTF8) owned by the service user."""
    p = paths(ctx)
    ensure_dir(p.data, ctx.ident, mode=0o700)
    if any(p.data.iterdir()):
        raise ServiceError(
            f"postgresql: {p.data} is not empty but holds no cluster (no PG_VERSION), probably "
            "from an interrupted first start. Remove that directory and run "
            "`regsearch services up`."
        )
    code = run_as(
        [str(PG_BIN / "initdb"), "-D", str(p.data), "-U", BOOTSTRAP_USER, "-E", "UTF8",
         "--locale=C.UTF-8", "--auth=trust"],
        ctx.ident, env=ctx.env(), cwd=ctx.state_dir, log_file=ctx.install_log, timeout=300,
    )
    if code != 0:
        raise ServiceError(
            f"postgresql: initdb failed (exit code {code}); see {ctx.install_log}\n"
            + tail(ctx.install_log)
        )


def _conf(ctx: Context) -> str:
    return "\n".join([
        "# Written by `regsearch services up`; edits here are overwritten.",
        "listen_addresses = '127.0.0.1'",
        f"port = {ctx.settings.pg_port}",
        f"unix_socket_directories = '{paths(ctx).socket_dir}'",
        "wal_level = logical",
        "max_replication_slots = 40",
        "max_wal_senders = 40",
        "fsync = on",
        "",
    ])


HBA = """# Written by `regsearch services up`: trust on loopback only (local development).
# TYPE  DATABASE     USER  ADDRESS        METHOD
local   all          all                  trust
host    all          all   127.0.0.1/32   trust
local   replication  all                  trust
host    replication  all   127.0.0.1/32   trust
"""


def configure(ctx: Context) -> bool:
    """Write our settings and pg_hba.conf; True when something changed."""
    data = paths(ctx).data
    main = data / "postgresql.conf"
    text = main.read_text()
    if INCLUDE_LINE not in text.splitlines():
        main.write_text(text.rstrip("\n") + "\n\n" + INCLUDE_LINE + "\n")
    changed = False
    for name, content in (("regsearch.conf", _conf(ctx)), ("pg_hba.conf", HBA)):
        path = data / name
        if not path.exists() or path.read_text() != content:
            path.write_text(content)
            changed = True
        if ctx.ident.switch:
            os.chown(path, ctx.ident.uid, ctx.ident.gid)
    return changed


def running_pid(ctx: Context) -> int | None:
    pid = read_pid(paths(ctx).data / "postmaster.pid")
    return pid if pid_alive(pid, "postgres") else None


def _pg_ctl(ctx: Context, *args: str, timeout: float) -> int:
    p = paths(ctx)
    return run_as([str(PG_BIN / "pg_ctl"), "-D", str(p.data), *args], ctx.ident,
                  env=ctx.env(), cwd=ctx.state_dir, log_file=p.log, timeout=timeout)


def start(ctx: Context) -> None:
    p = paths(ctx)
    port = ctx.settings.pg_port
    if port_in_use(port):
        hint = ""
        if any(pidfile.exists() for pidfile in DEBIAN_CLUSTER_PIDS):
            hint = (" It is Debian's default cluster (/var/lib/postgresql/15/main): stop it with "
                    "`pg_ctlcluster 15 main stop`, or")
        raise ServiceError(
            f"postgresql: port {port} on 127.0.0.1 is already taken by another program "
            f"(not our cluster in {p.data}).{hint or ' Stop that program, or'} set "
            "REGSEARCH_PG_PORT and REGSEARCH_PG_DSN to a free port."
        )
    ensure_dir(p.socket_dir, ctx.ident, mode=0o755)
    code = _pg_ctl(ctx, "-l", str(p.log), "-w", "-t", str(START_DEADLINE_S), "start",
                   timeout=START_DEADLINE_S + 30)
    if code != 0:
        raise ServiceError(
            f"postgresql failed to start (pg_ctl exit code {code}); see {p.log}\n" + tail(p.log)
        )
    if not wait_until(lambda: _connect_ok(ctx, BOOTSTRAP_USER, "postgres"), START_DEADLINE_S):
        raise ServiceError(
            f"postgresql started but 127.0.0.1:{port} does not accept connections; see {p.log}"
        )


def stop(ctx: Context) -> bool:
    """Fast shutdown (data kept). True if it was running."""
    if running_pid(ctx) is None:
        return False
    code = _pg_ctl(ctx, "-m", "fast", "-w", "-t", str(STOP_DEADLINE_S), "stop",
                   timeout=STOP_DEADLINE_S + 30)
    if code != 0:
        raise ServiceError(
            f"postgresql did not stop (pg_ctl exit code {code}); see {paths(ctx).log}"
        )
    return True


# --- role, database, health ----------------------------------------------------------------------
def _connect(ctx: Context, user: str, dbname: str) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(host="127.0.0.1", port=ctx.settings.pg_port, user=user,
                           dbname=dbname, connect_timeout=3, autocommit=True)


def _connect_ok(ctx: Context, user: str, dbname: str) -> bool:
    try:
        with _connect(ctx, user, dbname) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error:
        return False
    return True


def ensure_role_and_database(ctx: Context) -> None:
    """Create the DSN's role (LOGIN SUPERUSER REPLICATION) and the registry's and the
    service's own databases, if missing."""
    t = target(ctx)
    app_db = str(conninfo_to_dict(ctx.settings.app_dsn).get("dbname") or "regsearch")
    with _connect(ctx, BOOTSTRAP_USER, "postgres") as conn:
        role = sql.Identifier(t.user)
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (t.user,)).fetchone()
        verb = "ALTER" if exists else "CREATE"
        conn.execute(sql.SQL(verb + " ROLE {} LOGIN SUPERUSER REPLICATION").format(role))
        for dbname in dict.fromkeys((t.dbname, app_db)):
            if not conn.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone():
                conn.execute(sql.SQL("CREATE DATABASE {} OWNER {} ENCODING 'UTF8'").format(
                    sql.Identifier(dbname), role))


def answers(ctx: Context) -> str | None:
    """The server version when the DSN's role can log into its database, else None."""
    t = target(ctx)
    try:
        with _connect(ctx, t.user, t.dbname) as conn:
            row = conn.execute("SHOW server_version").fetchone()
    except psycopg.Error:
        return None
    return str(row[0]).split()[0] if row else None


def wal_level(ctx: Context) -> str | None:
    t = target(ctx)
    try:
        with _connect(ctx, t.user, t.dbname) as conn:
            row = conn.execute("SHOW wal_level").fetchone()
    except psycopg.Error:
        return None
    return str(row[0]) if row else None
