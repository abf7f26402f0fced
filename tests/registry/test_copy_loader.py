"""The bulk path (COPY) against the real PostgreSQL: it writes exactly the rows the loader
writes for the same registrations, text of any kind round-trips, and a number already in
the registry fails the whole call."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.services

_DUMP = {
    "registrations": "SELECT id, registration_number, kind, registered_at, status, obligation"
                     " FROM registrations ORDER BY id",
    "parties": "SELECT * FROM parties ORDER BY registration_id, role, position",
    "assets": "SELECT * FROM assets ORDER BY registration_id, position",
    "events": "SELECT * FROM events ORDER BY registration_id, position",
}


def _dump(conn: psycopg.Connection[Any]) -> dict[str, list[tuple[Any, ...]]]:
    return {table: conn.execute(sql).fetchall() for table, sql in _DUMP.items()}


def _empty(conn: psycopg.Connection[Any]) -> None:
    conn.execute("TRUNCATE registrations, parties, assets, events RESTART IDENTITY")
    conn.commit()


def _awkward(number: str, text: str) -> dict[str, Any]:
    """A registration whose free text holds what COPY's text format must escape."""
    return {
        "registration_number": number, "kind": "mortgage",
        "registered_at": "2025-01-02T10:00:00+07:00",
        "grantors": [{"party_type": "individual", "name": f"Nguyễn {text}",
                      "id_type": "cccd", "id_number": "079085001234", "address": text}],
        "secured_parties": [{"party_type": "organization", "name": "Ngân hàng \\N"}],
        "assets": [{"asset_type": "goods", "description": text}],
        "obligation": {"contract_number": text},
        "events": [{"type": "amendment", "at": "2025-02-03T09:00:00+07:00", "summary": text}],
    }


def test_copy_writes_what_the_loader_writes(fresh_registry: Any) -> None:
    from registry.copy_loader import copy_registrations
    from registry.db import connect
    from registry.format import parse_registration
    from registry.loader import load_lines
    from registry.synthetic import generator

    stream = list(generator.iter_registrations(600, seed=7))
    stream += [_awkward(f"2099-00000000{i}", text) for i, text in enumerate(
        ["tab\there", "back\\slash", "\\N", "quote \" ' ,;|", "Đường Lê Lợi, Q.1"])]
    lines = [generator.to_line(r) for r in stream]
    with connect() as conn:
        report = load_lines(lines, conn, batch_size=100)
        assert report.rejected == 0 and report.accepted == len(stream)
        by_loader = _dump(conn)
        _empty(conn)
        regs = [parse_registration(r) for r in stream]
        for start in range(0, len(regs), 250):
            with conn.transaction(), conn.cursor() as cur:
                copy_registrations(cur, regs[start:start + 250])
        by_copy = _dump(conn)
    assert len(by_copy["registrations"]) == len(stream)
    assert len(by_copy["parties"]) > len(stream) and by_copy["events"]
    for table in _DUMP:
        assert by_copy[table] == by_loader[table], table


def test_given_ids_and_the_sequence_after_them(fresh_registry: Any) -> None:
    from registry.copy_loader import advance_sequence, copy_registrations
    from registry.db import connect
    from registry.format import parse_registration
    from registry.loader import write_registration

    regs = [parse_registration(_awkward(f"2099-1{i}", "x")) for i in range(3)]
    with connect() as conn:
        with conn.transaction(), conn.cursor() as cur:
            assert copy_registrations(cur, regs[1:], ids=[12, 11]) == [12, 11]
            advance_sequence(cur)
            assert write_registration(cur, regs[0]) == 13
        rows = conn.execute("SELECT id, registration_number FROM registrations"
                            " ORDER BY id").fetchall()
    assert rows == [(11, "2099-12"), (12, "2099-11"), (13, "2099-10")]


def test_a_number_already_registered_fails_the_whole_call(fresh_registry: Any) -> None:
    from registry.copy_loader import copy_registrations
    from registry.db import connect
    from registry.format import parse_registration

    first = parse_registration(_awkward("2099-1", "x"))
    second = parse_registration(_awkward("2099-2", "y"))
    with connect() as conn:
        with conn.transaction(), conn.cursor() as cur:
            copy_registrations(cur, [first])
        with pytest.raises(psycopg.errors.UniqueViolation), conn.transaction(), \
                conn.cursor() as cur:
            copy_registrations(cur, [second, first])
        count = conn.execute("SELECT count(*) FROM registrations").fetchone()
    assert count == (1,)


_TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00"),
                min_size=1, max_size=40)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_TEXT)
def test_any_text_round_trips(fresh_registry: Any, text: str) -> None:
    from pydantic import ValidationError

    from registry.copy_loader import copy_registrations
    from registry.db import connect
    from registry.format import parse_registration

    try:
        reg = parse_registration(_awkward("2099-7", text))
    except ValidationError:
        return  # the registry's own rules refuse it (control characters, blank names)
    with connect() as conn:
        _empty(conn)
        with conn.transaction(), conn.cursor() as cur:
            copy_registrations(cur, [reg])
        party = conn.execute("SELECT name, address FROM parties WHERE role = 'grantor'"
                             ).fetchone()
        asset = conn.execute("SELECT description FROM assets").fetchone()
        event = conn.execute("SELECT summary FROM events").fetchone()
        obligation = conn.execute("SELECT obligation FROM registrations").fetchone()
    assert party == (f"Nguyễn {text}", text)
    assert asset == (text,) and event == (text,)
    assert obligation == ({"contract_number": text},)
