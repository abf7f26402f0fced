"""The pgoutput decoder on messages built by hand from the protocol's layout."""

from __future__ import annotations

import struct

import pytest

from indexer.pgoutput import DecodeError, Decoder


def _relation(oid: int, name: str, columns: list[str]) -> bytes:
    body = b"R" + struct.pack("!I", oid) + b"public\x00" + name.encode() + b"\x00" + b"d"
    body += struct.pack("!h", len(columns))
    for column in columns:
        body += b"\x00" + column.encode() + b"\x00" + struct.pack("!Ii", 23, -1)
    return body


def _tuple(values: list[str | None]) -> bytes:
    out = struct.pack("!h", len(values))
    for value in values:
        if value is None:
            out += b"n"
        else:
            raw = value.encode()
            out += b"t" + struct.pack("!i", len(raw)) + raw
    return out


def _begin(xid: int) -> bytes:
    return b"B" + struct.pack("!QqI", 100, 0, xid)


def _commit(lsn: int, end: int, micros: int) -> bytes:
    return b"C" + b"\x00" + struct.pack("!QQq", lsn, end, micros)


def test_transactions_name_the_registrations_they_touch() -> None:
    decoder = Decoder()
    messages = [
        _begin(7),
        _relation(1, "registrations", ["id", "registration_number", "status"]),
        _relation(2, "parties", ["registration_id", "role", "position", "name"]),
        _relation(3, "assets", ["registration_id", "position"]),
        b"I" + struct.pack("!I", 1) + b"N" + _tuple(["41", "2024-1", "in_force"]),
        b"I" + struct.pack("!I", 2) + b"N" + _tuple(["41", "grantor", "0", "Tú"]),
        b"D" + struct.pack("!I", 3) + b"K" + _tuple(["42", "0"]),
        _commit(0x1924D10, 0x1924E48, 86_400_000_000),
        _begin(8),
        b"U" + struct.pack("!I", 1) + b"N" + _tuple(["43", "2024-3", "deleted"]),
        _commit(0x1925000, 0x1925100, 0),
    ]
    done = decoder.feed(messages)
    assert [t.xid for t in done] == [7, 8]
    assert done[0].registration_ids == {41, 42}
    assert done[0].commit_lsn == 0x1924D10 and done[0].end_lsn == 0x1924E48
    assert done[0].commit_time.isoformat() == "2000-01-02T00:00:00+00:00"
    assert done[1].registration_ids == {43}


def test_a_change_before_its_relation_is_an_error() -> None:
    with pytest.raises(DecodeError):
        Decoder().feed([_begin(1), b"I" + struct.pack("!I", 9) + b"N" + _tuple(["1"])])
