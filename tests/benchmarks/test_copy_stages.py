"""The copy-stages benchmark indexes the same documents with and without candidate keys."""

from __future__ import annotations

import orjson
from hypothesis import given
from hypothesis import strategies as st

from benchmarks.bench_copy_stages import hashed_close_keys, short_hash, without_keys

FIELD = st.text(alphabet="abcdefghij_", min_size=1, max_size=8)


VALUE = st.one_of(st.integers(-(2**63), 2**63 - 1), st.lists(st.text(max_size=5)))


@given(st.dictionaries(FIELD, VALUE, max_size=8),
       st.frozensets(FIELD, max_size=4))
def test_only_the_keys_are_left_out(document: dict[str, object], keys: frozenset[str]) -> None:
    kept = orjson.loads(without_keys(orjson.dumps(document), keys))
    assert kept == {k: v for k, v in document.items() if k not in keys}


@given(st.lists(st.text(max_size=30), max_size=6), st.lists(st.text(max_size=30), max_size=6))
def test_close_keys_become_short_hashes_and_the_rest_stays(close: list[str],
                                                           exact: list[str]) -> None:
    document = {"id_close": close, "id_exact": exact, "registration_id": 7}
    changed = orjson.loads(hashed_close_keys(orjson.dumps(document)))
    assert changed["id_exact"] == exact and changed["registration_id"] == 7
    assert changed["id_close"] == [short_hash(key) for key in close]
    assert all(len(key) == 11 for key in changed["id_close"])
    # equal keys stay equal, so matching candidates still share a term
    assert len(set(changed["id_close"])) == len(set(close))
