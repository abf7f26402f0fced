"""Vietnamese personal names drawn from the derived frequency tables in ``data/names.json``."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from registry.synthetic.sampling import Weighted

SEXES = ("male", "female")


@dataclass(frozen=True)
class NameTables:
    surnames: Weighted[str]
    word_counts: Weighted[int]
    # (sex, number of middle words) -> middle-name sequences
    middles: dict[tuple[str, int], Weighted[str]]
    givens: dict[str, Weighted[str]]

    def full_name(self, rng: random.Random, female: bool) -> str:
        sex = SEXES[female]
        middle_words = self.word_counts.pick(rng) - 2
        while middle_words > 0 and (sex, middle_words) not in self.middles:
            middle_words -= 1
        parts = [self.surnames.pick(rng)]
        if middle_words:
            middle = self.middles[sex, middle_words].pick(rng)
            if middle.split()[0] == parts[0]:  # no "Hồ Hồ Thị …": draw the surname again
                parts[0] = self.surnames.pick(rng)
            parts.append(middle)
        parts.append(self.givens[sex].pick(rng))
        return " ".join(parts)


def _load_json() -> dict[str, Any]:
    text = resources.files("registry.synthetic").joinpath("data/names.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def tables() -> NameTables:
    data = _load_json()
    middles: dict[tuple[str, int], list[tuple[str, float]]] = {}
    for sex in SEXES:
        for row in data["middle_names"][sex]:
            middles.setdefault((sex, len(row["name"].split())), []).append(
                (row["name"], row["weight"]))
    return NameTables(
        surnames=Weighted((r["surname"], r["share"]) for r in data["surnames"]),
        word_counts=Weighted((int(k), v) for k, v in data["word_count_share"].items()),
        middles={key: Weighted(rows) for key, rows in middles.items()},
        givens={sex: Weighted((r["name"], r["weight"]) for r in data["given_names"][sex])
                for sex in SEXES},
    )
