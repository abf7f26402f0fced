"""The copy-stages benchmark indexes the same documents with and without candidate keys."""

from __future__ import annotations

import orjson
from hypothesis import given
from hypothesis import strategies as st

from benchmarks.bench_copy_stages import without_keys

FIELD = st.text(alphabet="abcdefghij_", min_size=1, max_size=8)


VALUE = st.one_of(st.integers(-(2**63), 2**63 - 1), st.lists(st.text(max_size=5)))


@given(st.dictionaries(FIELD, VALUE, max_size=8),
       st.frozensets(FIELD, max_size=4))
def test_only_the_keys_are_left_out(document: dict[str, object], keys: frozenset[str]) -> None:
    kept = orjson.loads(without_keys(orjson.dumps(document), keys))
    assert kept == {k: v for k, v in document.items() if k not in keys}
