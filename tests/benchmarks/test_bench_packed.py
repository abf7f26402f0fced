"""The packed-format benchmark compares like with like: both formats give back the same
values, ids and hashes of the same registrations."""

from __future__ import annotations

from benchmarks.bench_packed import (
    corpus,
    identity_separators,
    json_values,
    pack_json,
    pack_separators,
    separator_values,
)
from mappings import packed


def test_both_formats_hold_the_same_values() -> None:
    for reg_id, registration, digest in corpus(300, seed=3):
        sep = pack_separators(registration, reg_id, digest)
        js = pack_json(registration, reg_id, digest)
        assert separator_values(sep) == json_values(js)
        assert identity_separators(sep) == packed.identity(js) == (reg_id, digest)
