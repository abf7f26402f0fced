"""Billing's Vietnamese and English wording, loaded from ``billing/data/labels.json``."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from certify.wording import Bilingual


@lru_cache(maxsize=1)
def _labels() -> dict[str, Any]:
    text = resources.files("billing").joinpath("data", "labels.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return {key: value for key, value in data.items() if not key.startswith("_")}


def label(group: str, key: str) -> Bilingual:
    """Wording of ``key`` in ``group`` (e.g. ``label("statement", "amount_due")``)."""
    entry = _labels()[group][key]
    return Bilingual(str(entry["vi"]), str(entry["en"]))


def label_keys(group: str) -> frozenset[str]:
    return frozenset(_labels()[group])
