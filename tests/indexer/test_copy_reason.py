"""When the indexer copies the registry afresh at start, and why."""

from __future__ import annotations

import mappings
from indexer import built_by
from indexer.snapshot_copy import copy_reason
from indexer.state import IndexerState

CURRENT = f"registrations-v{mappings.REGISTRATIONS_VERSION}-20261123t0100"


def _state(index: str = CURRENT, done: bool = True, built: str | None = None
           ) -> IndexerState:
    return IndexerState(slot="regsearch_indexer", index=index, stream_slot="regsearch_indexer",
                        snapshot_done=done,
                        documents_built_by=built_by.this_code() if built is None else built)


def test_an_index_of_this_version_with_its_slot_streams_on() -> None:
    assert copy_reason(_state(), slot_exists=True, index_exists=True) is None


def test_every_reason_to_copy_is_named() -> None:
    assert copy_reason(None, slot_exists=False, index_exists=False) == "first start"
    assert "did not finish" in str(copy_reason(_state(done=False), slot_exists=True,
                                               index_exists=True))
    assert "slot" in str(copy_reason(_state(), slot_exists=False, index_exists=True))
    assert "is gone" in str(copy_reason(_state(), slot_exists=True, index_exists=False))


def test_an_index_of_an_older_mapping_version_is_copied() -> None:
    reason = copy_reason(_state("registrations-v1-20261123t0100"), slot_exists=True,
                         index_exists=True)
    assert reason is not None and "another mapping version" in reason


def test_an_index_built_by_other_normaliser_code_is_copied() -> None:
    reason = copy_reason(_state(built="0123456789abcdef"), slot_exists=True,
                         index_exists=True, code="fedcba9876543210")
    assert reason is not None and "other normaliser" in reason
    assert "0123456789abcdef" in reason and "fedcba9876543210" in reason
    assert "not recorded" in str(copy_reason(_state(built=""), slot_exists=True,
                                             index_exists=True, code="fedcba9876543210"))
    assert copy_reason(_state(built="fedcba9876543210"), slot_exists=True, index_exists=True,
                       code="fedcba9876543210") is None
