"""When the indexer copies the registry afresh at start, and why."""

from __future__ import annotations

import mappings
from indexer.runner import copy_reason
from indexer.state import IndexerState

CURRENT = f"registrations-v{mappings.REGISTRATIONS_VERSION}-20261123t0100"


def _state(index: str = CURRENT, done: bool = True) -> IndexerState:
    return IndexerState(slot="regsearch_indexer", index=index, stream_slot="regsearch_indexer",
                        snapshot_done=done)


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
