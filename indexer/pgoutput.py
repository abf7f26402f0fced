"""Decode the messages of PostgreSQL's built-in ``pgoutput`` plugin (protocol 1).

Only what the indexer needs: transaction boundaries with their commit LSN and
time, and for each row change the table and the registration it belongs to.
Message layout: PostgreSQL docs, "Logical Replication Message Formats".
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

_PG_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)

#: The column that names the registration, per replicated table.
REGISTRATION_KEY_COLUMN: dict[str, str] = {
    "registrations": "id",
    "parties": "registration_id",
    "assets": "registration_id",
    "events": "registration_id",
}


@dataclass
class Relation:
    name: str
    columns: list[str]


@dataclass
class Transaction:
    """One committed registry transaction and the registrations it touched."""

    xid: int
    commit_lsn: int = 0
    end_lsn: int = 0
    commit_time: datetime = _PG_EPOCH
    registration_ids: set[int] = field(default_factory=set)
    #: Registrations whose row was inserted (new registrations; the watch follower's
    #: "registration" event, where an amendment rewrites an existing one).
    inserted_ids: set[int] = field(default_factory=set)
    truncated_tables: list[str] = field(default_factory=list)


class DecodeError(ValueError):
    pass


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, fmt: str) -> tuple[int, ...]:
        size = struct.calcsize(fmt)
        values = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += size
        return values

    def byte(self) -> int:
        value = self.data[self.pos]
        self.pos += 1
        return value

    def cstring(self) -> str:
        end = self.data.index(b"\x00", self.pos)
        text = self.data[self.pos : end].decode("utf-8")
        self.pos = end + 1
        return text

    def tuple_data(self) -> list[str | None]:
        (ncols,) = self.take("!h")
        values: list[str | None] = []
        for _ in range(ncols):
            kind = chr(self.byte())
            if kind in ("n", "u"):
                values.append(None)
            elif kind in ("t", "b"):
                (length,) = self.take("!i")
                raw = self.data[self.pos : self.pos + length]
                self.pos += length
                values.append(raw.decode("utf-8") if kind == "t" else raw.hex())
            else:
                raise DecodeError(f"unknown tuple column kind {kind!r}")
        return values


def _time(microseconds: int) -> datetime:
    return _PG_EPOCH + timedelta(microseconds=microseconds)


class Decoder:
    """Stateful decoder: relations are remembered across messages of one session."""

    def __init__(self) -> None:
        self.relations: dict[int, Relation] = {}
        self._current: Transaction | None = None

    def feed(self, messages: Iterable[bytes]) -> list[Transaction]:
        """Decode messages; return the transactions whose commit was seen, in order."""
        done: list[Transaction] = []
        for message in messages:
            txn = self._one(bytes(message))
            if txn is not None:
                done.append(txn)
        return done

    def _registration_id(self, oid: int, values: list[str | None]) -> int | None:
        relation = self.relations.get(oid)
        if relation is None:
            raise DecodeError(f"change for unknown relation oid {oid}")
        column = REGISTRATION_KEY_COLUMN.get(relation.name)
        if column is None:
            return None
        value = values[relation.columns.index(column)]
        return int(value) if value is not None else None

    def _touch(self, oid: int, values: list[str | None]) -> None:
        if self._current is None:
            raise DecodeError("row change outside a transaction")
        reg_id = self._registration_id(oid, values)
        if reg_id is not None:
            self._current.registration_ids.add(reg_id)

    def _note_insert(self, oid: int, values: list[str | None]) -> None:
        if self._current is not None and self.relations[oid].name == "registrations":
            reg_id = self._registration_id(oid, values)
            if reg_id is not None:
                self._current.inserted_ids.add(reg_id)

    def _one(self, data: bytes) -> Transaction | None:
        reader = _Reader(data)
        tag = chr(reader.byte())
        if tag == "B":
            _final_lsn, commit_us, xid = reader.take("!QqI")
            self._current = Transaction(xid=xid, commit_time=_time(commit_us))
        elif tag == "C":
            _flags = reader.byte()
            commit_lsn, end_lsn, commit_us = reader.take("!QQq")
            txn = self._current
            if txn is None:
                raise DecodeError("commit without begin")
            txn.commit_lsn, txn.end_lsn, txn.commit_time = commit_lsn, end_lsn, _time(commit_us)
            self._current = None
            return txn
        elif tag == "R":
            (oid,) = reader.take("!I")
            reader.cstring()  # namespace
            name = reader.cstring()
            reader.byte()  # replica identity
            (ncols,) = reader.take("!h")
            columns = []
            for _ in range(ncols):
                reader.byte()  # flags
                columns.append(reader.cstring())
                reader.take("!Ii")  # type oid, typmod
            self.relations[oid] = Relation(name, columns)
        elif tag == "I":
            (oid,) = reader.take("!I")
            reader.byte()  # 'N'
            values = reader.tuple_data()
            self._touch(oid, values)
            self._note_insert(oid, values)
        elif tag == "U":
            (oid,) = reader.take("!I")
            marker = chr(reader.byte())
            if marker in ("K", "O"):
                self._touch(oid, reader.tuple_data())
                reader.byte()  # 'N'
            self._touch(oid, reader.tuple_data())
        elif tag == "D":
            (oid,) = reader.take("!I")
            reader.byte()  # 'K' or 'O'
            self._touch(oid, reader.tuple_data())
        elif tag == "T":
            (nrels,) = reader.take("!i")
            reader.byte()  # options
            oids = reader.take(f"!{nrels}I")
            if self._current is not None:
                self._current.truncated_tables.extend(
                    self.relations[o].name for o in oids if o in self.relations
                )
        # 'Y' (type), 'O' (origin), 'M' (message): nothing the index needs.
        return None
