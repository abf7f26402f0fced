"""Realistic synthetic registrations in the JSON Lines interchange format.

``iter_registrations(count, seed)`` yields registrations in time order; ``write_jsonl``
writes them, on several processes when there are many (the output is the same). The same
(count, seed) always gives the same output, byte for byte.

Shares (of registrations unless stated):

- kind: mortgage 82 %, seizure_notice 6 %, financial_lease 5 %, enforcement_notice 2.5 %,
  retention_of_title 2 %, lease 1.5 %, receivables_assignment 1 %;
- grantors: individuals ~75 % (by kind, ``INDIVIDUAL_SHARE``), a spouse as second grantor
  in 12 % of individual registrations; organisations ~25 %, 4 % of them branches;
- repeat grantors: 18 % of individual and 35 % of organisation registrations reuse a
  grantor of an earlier registration (same name, same numbers); 1 % of new people take a
  name from a small per-seed pool of common full names (forced namesakes, different ids);
- status: deleted ~25 %, more likely the older the registration (``DELETED_*``); ~12 %
  have amendments (more of the older ones), 3 % a correction, 1 % of mortgages an
  enforcement notice; events are filed in office hours, in time order, deletion last;
- names as declared (``people.declared_name``): 15 % upper case, 1 % the other tone-mark
  style, and deliberately rare legacy forms the engine must read: 0.2 % NFD (not NFC) and
  0.1 % VNI-Windows text read as Windows-1252 ("Nguyeãn"). Every other string is NFC.
"""

from __future__ import annotations

import json
import math
import os
import random
import sys
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

from registry.synthetic import assets, ids, organizations, people, places
from registry.synthetic.names import tables
from registry.synthetic.sampling import Weighted, between, choice, digits
from registry.synthetic.timeline import Timeline, end_of_data

Registration = dict[str, Any]

KINDS: Final = Weighted((
    ("mortgage", 82), ("seizure_notice", 6), ("financial_lease", 5),
    ("enforcement_notice", 2.5), ("retention_of_title", 2), ("lease", 1.5),
    ("receivables_assignment", 1),
))
INDIVIDUAL_SHARE: Final = {
    "mortgage": 0.77, "financial_lease": 0.45, "retention_of_title": 0.7, "lease": 0.2,
    "receivables_assignment": 0.0, "seizure_notice": 0.85, "enforcement_notice": 0.75,
}
REPEAT_PERSON: Final = 0.18
REPEAT_ORGANISATION: Final = 0.35
SPOUSE_SHARE: Final = 0.12
NAMESAKE_SHARE: Final = 0.01
NAMESAKE_POOL: Final = 200
DELETED_MAX: Final = 0.40  # share deleted among the oldest registrations
DELETED_SCALE_YEARS: Final = 3.5
CHUNK: Final = 2000  # registrations per unit of parallel work

# Salts that keep the random streams of people, spouses, organisations apart.
_PERSON, _SPOUSE, _ORGANISATION, _BRANCH = 1, 2, 3, 4

_AMENDMENTS: Final = (
    "Bổ sung tài sản bảo đảm", "Rút bớt tài sản bảo đảm", "Thay đổi bên nhận bảo đảm",
    "Thay đổi tên bên bảo đảm", "Thay đổi thông tin về tài sản bảo đảm",
    "Bổ sung bên bảo đảm", "Thay đổi địa chỉ bên bảo đảm",
)
_CORRECTIONS: Final = (
    "Sửa chữa sai sót số khung", "Sửa chữa sai sót tên bên bảo đảm", "Sửa chữa sai sót số máy",
    "Sửa chữa sai sót số giấy tờ xác định tư cách pháp lý của bên bảo đảm",
)
_DELETIONS: Final = (
    "Xóa đăng ký biện pháp bảo đảm", "Xóa đăng ký do đã hoàn thành nghĩa vụ được bảo đảm",
    "Xóa đăng ký do tài sản bảo đảm đã được xử lý",
)
_CONTRACT_CODES: Final = {
    "mortgage": "HĐTC", "financial_lease": "HĐCTTC", "retention_of_title": "HĐMB",
    "lease": "HĐTTS", "receivables_assignment": "HĐBTT", "enforcement_notice": "HĐTC",
}


def _key(seed: int, index: int, salt: int) -> random.Random:
    """The random stream that defines one person, spouse, organisation or branch."""
    return random.Random((seed * 0x1_0000_0000_0000 + index) * 8 + salt)


class _Stream:
    """Everything registration i needs that does not depend on the other registrations."""

    def __init__(self, count: int, seed: int) -> None:
        self.count, self.seed = count, seed
        self.timeline = Timeline(count, seed)
        self.numbering = ids.Numbering(key=seed)
        self.end = end_of_data()
        pool = random.Random(f"namesakes:{seed}")
        self.namesakes = [
            (tables().full_name(pool, female), female)
            for female in (pool.random() < people.FEMALE_SHARE for _ in range(NAMESAKE_POOL))
        ]

    # --- parties -------------------------------------------------------------------
    def person(self, j: int) -> people.Person:
        """The person first introduced by registration j (deterministic in j)."""
        rng = _key(self.seed, j, _PERSON)
        year = self.timeline.year_of(j)
        if rng.random() < NAMESAKE_SHARE:
            name, female = choice(rng, self.namesakes)
            return people.make_person(rng, year, self.numbering, j, female=female, name=name)
        return people.make_person(rng, year, self.numbering, j)

    def spouse(self, j: int, person: people.Person) -> people.Person:
        return people.spouse_of(person, _key(self.seed, j, _SPOUSE), self.timeline.year_of(j),
                                self.numbering, j)

    def organisation(self, j: int) -> organizations.Organization:
        return organizations.make_organization(_key(self.seed, j, _ORGANISATION),
                                               self.numbering, j)

    def grantors(self, i: int, rng: random.Random, kind: str, year: int) -> list[dict[str, Any]]:
        if rng.random() < INDIVIDUAL_SHARE[kind]:
            j = _earlier(i, rng) if i and rng.random() < REPEAT_PERSON else i
            person = self.person(j)
            rows = [_individual(person, rng, year)]
            if rng.random() < SPOUSE_SHARE:
                rows.append(_individual(self.spouse(j, person), rng, year))
            return rows
        j = _earlier(i, rng) if i and rng.random() < REPEAT_ORGANISATION else i
        org = self.organisation(j)
        if rng.random() < organizations.BRANCH_SHARE:
            number = between(rng, 1, 12)
            org = organizations.branch_of(org, number, _key(self.seed, j * 16 + number, _BRANCH))
        identity = org.identity(rng)
        name = org.name.upper() if rng.random() < 0.08 else org.name
        return [{"party_type": "organization", "name": name, "id_type": identity[0],
                 "id_number": _declared_id(identity[1], rng), "address": org.address}]

    def secured_parties(self, i: int, rng: random.Random, kind: str,
                        when: datetime) -> list[dict[str, Any]]:
        if kind == "seizure_notice":
            party = organizations.enforcement_office(rng, when)
        elif kind == "financial_lease":
            party = organizations.LEASING_BOOK.pick(rng, when, branch_share=0.2)
        elif kind in ("retention_of_title", "lease"):
            trades = (organizations.SELLER_TRADES if kind == "retention_of_title"
                      else organizations.LESSOR_TRADES)
            party = organizations.trading_company(rng, trades, self.numbering, i)
        elif kind == "receivables_assignment" or rng.random() < 0.86:
            party = organizations.BANK_BOOK.pick(rng, when, branch_share=0.55)
        elif rng.random() < 0.85:
            party = organizations.FINANCE_BOOK.pick(rng, when, branch_share=0.1)
        else:  # a private lender: someone who borrowed elsewhere in the data set
            lender = self.person(_earlier(i, rng))
            identity = lender.identity(when.year)
            return [{"party_type": "individual", "name": lender.name, "id_type": identity[0],
                     "id_number": identity[1], "address": lender.address}]
        return [{"party_type": "organization", "name": party.name, "id_type": party.id_type,
                 "id_number": party.id_number}]

    # --- a registration ------------------------------------------------------------
    def registration(self, i: int, rng: random.Random) -> Registration:
        when = self.timeline.at(i)
        kind = KINDS.pick(rng)
        grantors = self.grantors(i, rng, kind, when.year)
        plate_code = places.BY_ACTIVITY.pick(rng).plates[0]
        organisation = grantors[0]["party_type"] == "organization"
        status, events = self.events(rng, when, kind)
        return {
            "registration_number": self.timeline.registration_number(i, when.year),
            "kind": kind,
            "registered_at": when.isoformat(),
            "status": status,
            "grantors": grantors,
            "secured_parties": self.secured_parties(i, rng, kind, when),
            "assets": assets.make_assets(rng, kind, when.year, plate_code, organisation),
            "obligation": _obligation(rng, kind, when),
            "events": events,
        }

    def events(self, rng: random.Random, when: datetime,
               kind: str) -> tuple[str, list[dict[str, str]]]:
        span = (self.end - when).total_seconds()
        age_years = span / (365.25 * 86400)
        deleted = rng.random() < DELETED_MAX * (1 - math.exp(-age_years / DELETED_SCALE_YEARS))
        horizon = span * rng.betavariate(1.6, 2.2) if deleted else span
        horizon = max(horizon, min(span, 86400.0))

        def at(fraction: float) -> datetime:
            moment = when + timedelta(seconds=int(horizon * fraction))
            office = moment.replace(hour=7, minute=30, second=0) + timedelta(
                seconds=int(rng.random() * 10 * 3600))  # filed between 7:30 and 17:30
            if office <= when:
                office = when + timedelta(minutes=between(rng, 5, 90))
            return min(office, self.end)

        found: list[tuple[datetime, str, str]] = []
        if rng.random() < 0.06 + 0.015 * age_years:
            for _ in range(1 + (rng.random() < 0.25) + (rng.random() < 0.08)):
                found.append((at(rng.uniform(0.02, 1.0)), "amendment", choice(rng, _AMENDMENTS)))
        if rng.random() < 0.03:
            found.append((at(rng.uniform(0.0, min(1.0, 20 * 86400 / horizon))), "correction",
                          choice(rng, _CORRECTIONS)))
        if kind == "mortgage" and age_years > 0.5 and rng.random() < 0.01:
            found.append((at(rng.uniform(0.3, 1.0)), "enforcement_notice",
                          "Đăng ký văn bản thông báo về việc xử lý tài sản bảo đảm"))
        found.sort(key=lambda e: e[0])
        if deleted:
            summary = ("Xóa đăng ký thông báo kê biên" if kind == "seizure_notice"
                       else choice(rng, _DELETIONS))
            moment = at(1.0)
            if found and moment <= found[-1][0]:
                moment = min(found[-1][0] + timedelta(minutes=between(rng, 5, 120)), self.end)
            found.append((moment, "deletion", summary))
        events = [{"type": t, "at": moment.isoformat(), "summary": s} for moment, t, s in found]
        return ("deleted" if deleted else "in_force"), events


def _earlier(i: int, rng: random.Random) -> int:
    """An earlier registration whose grantor comes back. P(j) grows with j (density 2j/i²),
    which gives every grantor the same expected number of returns wherever it first appears
    (a uniform j would pile the returns onto the first few grantors of the stream)."""
    return int(i * math.sqrt(rng.random()))


def _individual(person: people.Person, rng: random.Random, year: int) -> dict[str, Any]:
    id_type, number = person.identity(year)
    return {"party_type": "individual", "name": people.declared_name(person.name, rng),
            "id_type": id_type, "id_number": _declared_id(number, rng),
            "address": person.address}


def _declared_id(number: str, rng: random.Random) -> str:
    """Numbers as typed: a branch tax code without its dash, rarely digits in groups."""
    roll = rng.random()
    if "-" in number and roll < 0.2:
        return number.replace("-", "")
    if roll > 0.995 and number.isdigit() and len(number) == 12:
        return f"{number[:3]} {number[3:6]} {number[6:9]} {number[9:]}"
    return number


def _obligation(rng: random.Random, kind: str, when: datetime) -> dict[str, str]:
    signed = (when - timedelta(days=int(rng.expovariate(1 / 2.5)))).date()
    n = between(rng, 1, 3000)
    if kind == "seizure_notice":
        number = f"{n}/QĐ-CCTHADS"
    else:
        code = _CONTRACT_CODES[kind]
        roll = rng.random()
        if roll < 0.55:
            number = f"{n}/{signed.year}/{code}"
        elif roll < 0.8:
            number = f"{code}-{signed.year}-{n:05d}"
        else:
            number = f"LD{signed.year % 100:02d}{digits(rng, 8)}"
    return {"contract_number": number, "signed_at": signed.isoformat()}


@lru_cache(maxsize=4)
def _stream(count: int, seed: int) -> _Stream:
    return _Stream(count, seed)


def _chunk_rng(seed: int, chunk: int) -> random.Random:
    return random.Random(f"chunk:{seed}:{chunk}")


def _chunk(count: int, seed: int, chunk: int) -> Iterator[Registration]:
    stream = _stream(count, seed)
    rng = _chunk_rng(seed, chunk)
    for i in range(chunk * CHUNK, min(count, (chunk + 1) * CHUNK)):
        yield stream.registration(i, rng)


def chunk_count(count: int) -> int:
    """How many chunks of ``CHUNK`` registrations ``count`` registrations make."""
    return (count + CHUNK - 1) // CHUNK


def iter_chunk(count: int, seed: int, chunk: int) -> Iterator[Registration]:
    """Registrations ``chunk * CHUNK`` onwards (at most ``CHUNK``) of the stream for
    (``count``, ``seed``): the same in any process, so chunks can be made in parallel."""
    return _chunk(count, seed, chunk)


def iter_registrations(count: int, seed: int) -> Iterator[Registration]:
    """Yield ``count`` registrations for ``seed``, oldest first, one at a time."""
    for chunk in range((count + CHUNK - 1) // CHUNK):
        yield from _chunk(count, seed, chunk)


_ENCODER: Final = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def to_line(registration: Registration) -> str:
    return _ENCODER.encode(registration) + "\n"


def _chunk_text(count: int, seed: int, chunk: int) -> str:
    return "".join(to_line(r) for r in _chunk(count, seed, chunk))


def write_jsonl(count: int, seed: int, out: Path, workers: int | None = None) -> None:
    """Write ``count`` registrations as JSON Lines to ``out`` ('-' for standard output).

    ``workers``: processes to use (default: the CPUs available, for large counts); the bytes
    written are the same for any number of workers.
    """
    chunks = (count + CHUNK - 1) // CHUNK
    if workers is None:
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        workers = (cpus or 1) if count >= 20 * CHUNK else 1
    stdout = str(out) == "-"
    handle = sys.stdout if stdout else open(out, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
    try:
        if workers <= 1 or chunks <= 1:
            for chunk in range(chunks):
                handle.write(_chunk_text(count, seed, chunk))
        else:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                pending: deque[Future[str]] = deque()
                for chunk in range(chunks):
                    pending.append(pool.submit(_chunk_text, count, seed, chunk))
                    if len(pending) >= 2 * workers:  # bounded: never hold the whole output
                        handle.write(pending.popleft().result())
                for future in pending:
                    handle.write(future.result())
        handle.flush()
    except BrokenPipeError:  # "regsearch generate | head": the reader has had enough
        if stdout:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    finally:
        if not stdout:
            handle.close()
