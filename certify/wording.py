"""Vietnamese and English wording, loaded from ``certify/data/*.json``.

Nothing user-visible is written in code: labels, reason wording, search-logic
summaries and verification messages all live in the data files.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any, NamedTuple


class Bilingual(NamedTuple):
    vi: str
    en: str

    def format(self, **values: object) -> Bilingual:
        return Bilingual(self.vi.format(**values), self.en.format(**values))


def _load(name: str) -> dict[str, Any]:
    text = resources.files("certify").joinpath("data", name).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    for key in [k for k in data if k.startswith("_")]:  # comments
        del data[key]
    return data


@lru_cache(maxsize=1)
def _labels() -> dict[str, Any]:
    return _load("labels.json")


@lru_cache(maxsize=1)
def _reasons() -> dict[str, Any]:
    return _load("reasons.json")


def _pair(entry: Any, where: str) -> Bilingual:
    if not isinstance(entry, dict) or not {"vi", "en"} <= entry.keys():
        raise KeyError(f"wording {where} must have 'vi' and 'en'")
    return Bilingual(str(entry["vi"]), str(entry["en"]))


def label(group: str, key: str) -> Bilingual:
    """Wording of ``key`` in ``group`` of ``labels.json`` (e.g. ``label("kind", "mortgage")``)."""
    return _pair(_labels()[group][key], f"{group}.{key}")


def part_label(kind: str, part: str) -> Bilingual:
    """What ``part`` of a registration of ``kind`` is called: ``grantors``,
    ``secured_parties``, ``assets``, ``obligation``, ``signed_on`` or ``role_<role>``. A
    seizure notice's parties are a judgment debtor and an enforcement office, its
    obligation a seizure decision, never a grantor, a secured party or an agreement."""
    own = _labels()["parts_by_kind"].get(kind, {}).get(part)
    if own is not None:
        return _pair(own, f"parts_by_kind.{kind}.{part}")
    if part.startswith("role_"):
        return label("role", part.removeprefix("role_"))
    return label("parts", part)


def label_keys(group: str) -> frozenset[str]:
    return frozenset(_labels()[group])


def reason(code: str) -> Bilingual:
    """Wording of one reason code of the matching contract."""
    return _pair(_reasons()[code], f"reasons.{code}")


def reason_codes() -> frozenset[str]:
    return frozenset(_reasons())
