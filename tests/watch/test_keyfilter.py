"""The follower's key filter (``watch.keyfilter``): it reads back every stored key, and a
refresh finds the keys of entries whose transaction was still open at the last look."""

from __future__ import annotations

import os

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from watch import entries
from watch.keyfilter import KeyFilter, parse_keys
from watch.keys import stored

_KEYS = st.lists(st.integers(-(2**63), 2**63 - 1), max_size=60)


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(_KEYS, st.lists(st.integers(1, 40), max_size=30))
def test_parse_keys_whatever_the_chunks(keys: list[int], cuts: list[int]) -> None:
    text = b"".join(b"%d\n" % k for k in keys)
    chunks, at = [], 0
    for cut in cuts:
        chunks.append(memoryview(text[at:at + cut]))
        at += cut
    chunks.append(memoryview(text[at:]))
    assert list(parse_keys(chunks)) == keys


def _keys_of(value: str) -> list[int]:
    prepared = entries.prepare(entries.NewEntry("debtor_name", value, "individual"))
    return sorted(set(map(stored, prepared.keys)))


@pytest.mark.services
def test_refresh_finds_an_entry_whose_transaction_was_open(app_database: str) -> None:
    import accounts

    dsn = os.environ["REGSEARCH_APP_DSN"]
    with psycopg.connect(dsn, autocommit=True) as app, psycopg.connect(dsn) as writer:
        account = accounts.create_account(app, "Ngân hàng Bộ lọc", "customer")
        other = accounts.create_account(app, "Ngân hàng Khác", "customer")
        before = entries.prepare(entries.NewEntry("debtor_name", "Đoàn Thị Xuân Yến"))
        entries.add(app, account, [before], limit=1_000_000)
        found = KeyFilter(app)
        assert all(k in found for k in _keys_of("Đoàn Thị Xuân Yến"))
        late = "Khúc Hạo Nhiên Vỹ"
        assert not all(k in found for k in _keys_of(late))
        with writer.transaction():  # open while the filter looks
            entries.add(writer, account, [entries.prepare(
                entries.NewEntry("debtor_name", late, "individual"))], limit=1_000_000)
            found.refresh(app)
            assert not all(k in found for k in _keys_of(late))
            # a later transaction commits first: it moves nothing past the open one
            entries.add(app, other, [entries.prepare(  # another account: not locked
                entries.NewEntry("debtor_name", "Lò Văn Páo"))], limit=1_000_000)
            found.refresh(app)
            assert all(k in found for k in _keys_of("Lò Văn Páo"))
        found.refresh(app)
        assert all(k in found for k in _keys_of(late))
        assert found.refresh(app) == 0  # each logged range read once
