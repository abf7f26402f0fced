"""Certifying needs an index whose keys this code built (pure part; the refusal end to end
is in test_certificates)."""

from __future__ import annotations

import pytest

from batch.process import is_transient
from freshness import guarantee
from freshness.errors import RegistryNotCurrentError
from indexer import built_by
from indexer.state import IndexerState


def _state(built: str) -> IndexerState:
    return IndexerState(slot="s", index="i", snapshot_done=True, documents_built_by=built)


def test_keys_of_other_code_refuse_and_a_batch_chunk_waits_for_them() -> None:
    for other in ("0123456789abcdef", "", f"{built_by.this_code()}+0123456789abcdef"):
        with pytest.raises(RegistryNotCurrentError) as refused:
            guarantee.require_keys_of_this_code(_state(other))
        assert "chuẩn hóa" in refused.value.message_vi
        assert is_transient(refused.value)  # a batch chunk is retried, not failed


def test_keys_of_this_code_or_no_index_yet_pass() -> None:
    guarantee.require_keys_of_this_code(_state(built_by.this_code()))
    guarantee.require_keys_of_this_code(None)  # "being built" is said elsewhere
