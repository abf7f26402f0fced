"""Speed of the normalisers and the pair classifier (a measurement, not a test).

    .venv/bin/python -m benchmarks.bench_normalizers [--seconds 2]

Single process, single thread; rates are per second of this process's CPU
time (``time.process_time``), so a busy shared machine slows them less than
wall-clock rates. Names come from the shared name list when it is
present (``/work/shared/data/vi-names/full_names.txt``), else from a built-in
generator. Two figures per operation:

* **cold**: the string-level caches (N0/N1/tokens/parsed names/prepared
  queries) are cleared before every pass, so each name is normalised from
  scratch; the syllable-level caches stay warm, as in a running server;
* **all caches cleared**: word-level caches cleared too (the worst case);
* **warm**: the same values again (the caches answer), as when the re-ranker
  meets a registered value it has seen before.

"classify a pair" runs ``classify()`` on every pair of the mix, each with its
own query; "re-rank" prepares one query (``matcher``) and classifies 50
registered values with it, as ``query.search`` does with its candidates.
"""

from __future__ import annotations

import argparse
import platform
import random
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from normalizers import (
    identifiers,
    keys,
    legacy,
    organization,
    person,
    serials,
    syllables,
    text,
    tones,
)
from normalizers.person import parse_person
from query import classify as classify_module
from query import verdict as verdict_module
from query.classify import classify, matcher

SHARED_NAMES = Path("/work/shared/data/vi-names/full_names.txt")
_SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
             "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
_MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Thanh", "Minh", "Ngọc", "Quốc", "Như", "Hoài"]
_GIVEN = ["Tú", "Anh", "Hùng", "Lan", "Quỳnh", "Thủy", "Hòa", "Tuấn", "Dũng", "Hương", "Mỹ",
          "Khoa", "Long", "Phương", "Trang", "Bảo", "Nam", "Sơn", "Hải", "Linh"]


def load_names(rng: random.Random) -> list[str]:
    if SHARED_NAMES.exists():
        names = [line.strip() for line in SHARED_NAMES.read_text("utf-8").splitlines()
                 if line.strip()]
        if names:
            return names
    return [f"{rng.choice(_SURNAMES)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"
            for _ in range(5000)]


def _swap(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


def make_pairs(names: Sequence[str], rng: random.Random) -> list[tuple[str, str, str, str | None]]:
    """A realistic mix: mostly names (as a re-ranker sees them), some numbers."""
    pairs: list[tuple[str, str, str, str | None]] = []
    for name in names:
        words = name.split()
        kind = rng.random()
        if kind < 0.25:
            query = text.n2(name).upper()
        elif kind < 0.40:
            query = " ".join(words[1:] + words[:1])
        elif kind < 0.55:
            query = " ".join([*words[:-1], _swap(words[-1], rng)])
        elif kind < 0.65:
            query = "Ông " + name
        elif kind < 0.75:
            query = " ".join(words[:1] + words[2:]) if len(words) > 2 else name
        else:
            query = rng.choice(names)
        pairs.append(("debtor_name", name, query, rng.choice([None, "individual"])))
    for _ in range(len(names) // 5):
        number = "".join(rng.choice("0123456789") for _ in range(12))
        pairs.append(("id_number", number, number[:6] + " " + number[6:], None))
        vin = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ0123456789") for _ in range(17))
        pairs.append(("chassis_number", vin, vin[-8:], None))
    org_cores = ["Thương mại Đông Á", "Xây dựng Hòa Bình", "Dịch vụ Ánh Dương", "Cơ khí Sài Gòn"]
    for core in org_cores * (len(names) // 40):
        pairs.append(("debtor_name", "Công ty TNHH " + core, "Cty TNHH " + core,
                      "organization"))
    rng.shuffle(pairs)
    return pairs


def clear_string_caches() -> None:
    for cached in (text.n0, text.n1, text.fold, legacy.repair_legacy, person.name_tokens,
                   person.query_readings, organization.parse_organization,
                   classify_module.matcher):
        cached.cache_clear()


def clear_all_caches() -> None:
    """Every cache of normalizers and the classifier, word-level ones too."""
    modules = (text, legacy, person, organization, classify_module, verdict_module, tones,
               syllables, identifiers, serials)
    for module in modules:
        for value in vars(module).values():
            clear = getattr(value, "cache_clear", None)
            if callable(clear):
                clear()


def rate(label: str, items: int, run: Callable[[], None], seconds: float,
         clear: Callable[[], None] | None) -> float:
    """Operations per second of ``run`` (which does ``items`` operations)."""
    done = 0
    spent = 0.0
    while spent < seconds:
        if clear is not None:
            clear()
        start = time.process_time()
        run()
        spent += time.process_time() - start
        done += items
    ops = done / spent
    print(f"{label:<62} {ops:>12,.0f} ops/s")
    return ops


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    rng = random.Random(1)
    names = load_names(rng)
    pairs = make_pairs(names, rng)
    print(f"python {platform.python_version()}, {len(names)} names, {len(pairs)} pairs")

    def normalise_all() -> None:
        for name in names:
            parse_person(name)

    def index_keys_all() -> None:
        for name in names:
            keys.name_index_keys(name, "individual")

    def classify_all() -> None:
        for criterion, registered, query, party in pairs:
            classify(criterion, registered, query, party)

    groups = [(pairs[i][0], pairs[i][2], pairs[i][3],
               [p[1] for p in pairs[i:i + 50] if p[0] == pairs[i][0]])
              for i in range(0, len(pairs) - 50, 50)]
    reranked = sum(len(group[3]) for group in groups)

    def rerank_all() -> None:
        for criterion, query, party, registered_values in groups:
            prepared = matcher(criterion, query, party)
            for registered in registered_values:
                prepared.classify(registered)

    modes: list[tuple[str, Callable[[], None] | None]] = [
        ("cold", clear_string_caches), ("all caches cleared", clear_all_caches),
        ("warm", None)]
    for mode, clear in modes:
        rate(f"normalise a person name ({mode})", len(names), normalise_all, args.seconds, clear)
        rate(f"classify a pair ({mode})", len(pairs), classify_all, args.seconds, clear)
        rate(f"re-rank: prepared query, 50 values ({mode})", reranked, rerank_all,
             args.seconds, clear)
        rate(f"name index keys ({mode})", len(names), index_keys_all, args.seconds, clear)


if __name__ == "__main__":
    main()
