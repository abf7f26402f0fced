"""Long-running processes collect young objects less often; 0 keeps CPython's defaults."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from core import gc_tuning
from core.settings import Settings


@pytest.fixture()
def restored_gc() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)
    gc.unfreeze()


def test_the_threshold_is_applied(restored_gc: None) -> None:
    gc_tuning.tune(Settings(gc_young_threshold=50_000))
    assert gc.get_threshold()[0] == 50_000
    assert gc.get_freeze_count() > 0


def test_zero_leaves_the_defaults(restored_gc: None) -> None:
    gc.set_threshold(700, 10, 10)
    gc_tuning.tune(Settings(gc_young_threshold=0))
    assert gc.get_threshold() == (700, 10, 10)
