"""A registration system at work: registrations, amendments and deletions, one
transaction each, at a sustained rate.

New registrations come from any iterator of interchange-format objects (the
benchmarks' generator, a fixture file); amendments add an asset or correct an
address of a registration written earlier; deletions mark one deleted. Every
commit is reported with the registry position after it, so a caller can time
how long until the change is searchable.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import psycopg

from registry.format import Registration, parse_registration
from registry.loader import write_registration


@dataclass(frozen=True)
class Commit:
    change: str  # "registration" | "amendment" | "deletion"
    registration_number: str
    lsn: str
    committed_at: float  # time.time() just after COMMIT returned
    chassis_number: str | None = None


@dataclass
class Mix:
    registration: float = 0.6
    amendment: float = 0.3
    deletion: float = 0.1


_VIETNAM = timezone(timedelta(hours=7))


def _now_vietnam() -> str:
    return datetime.now(_VIETNAM).isoformat(timespec="seconds")


def _amend(rng: random.Random, reg: Registration, serial: int) -> tuple[Registration, str]:
    data: dict[str, Any] = reg.model_dump(mode="json", exclude_none=True)
    at = _now_vietnam()
    chassis = f"RLSIM{serial:012d}"
    if rng.random() < 0.7:
        data["assets"] = [*data["assets"], {
            "asset_type": "motor_vehicle", "description": "Xe ô tô bổ sung (mô phỏng)",
            "chassis_number": chassis}]
        summary = "Bổ sung tài sản bảo đảm"
    else:
        data["grantors"][0]["address"] = f"Số {serial % 500 + 1} đường Lê Lợi, Huế"
        summary = "Sửa đổi địa chỉ bên bảo đảm"
        chassis = ""
    data["events"] = [*data["events"], {"type": "amendment", "at": at, "summary": summary}]
    return parse_registration(data), chassis


def _delete(reg: Registration) -> Registration:
    data: dict[str, Any] = reg.model_dump(mode="json", exclude_none=True)
    at = _now_vietnam()
    data["status"] = "deleted"
    data["events"] = [*data["events"], {"type": "deletion", "at": at}]
    return parse_registration(data)


def simulate(
    conn: psycopg.Connection[Any],
    new_registrations: Iterator[dict[str, Any]],
    changes: int,
    rate_per_s: float | None = None,
    mix: Mix | None = None,
    seed: int = 1,
    on_commit: Callable[[Commit], None] | None = None,
    stop: Callable[[], bool] | None = None,
) -> list[Commit]:
    """Write ``changes`` transactions (fewer if ``stop()`` turns true); return them."""
    rng = random.Random(seed)
    mix = mix or Mix()
    in_force: dict[str, Registration] = {}
    done: list[Commit] = []
    started = time.monotonic()
    for n in range(changes):
        if stop is not None and stop():
            break
        if rate_per_s:
            wait = started + n / rate_per_s - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        roll = rng.random()
        chassis: str | None = None
        if not in_force or roll < mix.registration:
            reg = parse_registration(next(new_registrations))
            change = "registration"
        elif roll < mix.registration + mix.amendment:
            number = rng.choice(list(in_force))
            reg, chassis = _amend(rng, in_force[number], n)
            change = "amendment"
        else:
            number = rng.choice(list(in_force))
            reg = _delete(in_force[number])
            change = "deletion"
        with conn.transaction(), conn.cursor() as cur:
            write_registration(cur, reg)
        committed_at = time.time()
        row = conn.execute("SELECT pg_current_wal_lsn()::text").fetchone()
        if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            conn.commit()
        if reg.status == "in_force":
            in_force[reg.registration_number] = reg
        else:
            in_force.pop(reg.registration_number, None)
        commit = Commit(change, reg.registration_number, str(row[0]) if row else "0/0",
                        committed_at, chassis or None)
        done.append(commit)
        if on_commit is not None:
            on_commit(commit)
    return done
