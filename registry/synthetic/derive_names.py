"""Derive the name frequency tables (``data/names.json``) from the vietnamese-namedb sample.

Usage::

    python -m registry.synthetic.derive_names ../shared/data/vi-names \\
        > registry/synthetic/data/names.json

The folder must hold ``full_names.txt``, ``boy.txt``, ``girl.txt`` and ``LICENSE``. Lines are
repaired when they are legacy-encoded (VNI read as Windows-1252: "Buøi" = "Bùi"; UTF-8 read
as ISO-8859-2: "BĂši" = "Bùi"), and skipped when a word is still not a Vietnamese syllable
(typos, wrong tone placement such as "Hòang", ethnic-minority names our syllable check does
not know, stray words such as "Student"). Only the derived counts are written out; the
generator never needs the source folder.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final

from registry.synthetic import vni
from registry.synthetic.vietnamese import is_name_syllable

# Commonly cited national surname shares (e.g. Wikipedia, "Vietnamese name"); the 5,320-name
# sample over-represents the south and under-represents Nguyễn (27 % in the sample).
# Paired spellings (Hoàng/Huỳnh, Vũ/Võ) share one figure, split by their sample counts.
NATIONAL_SHARES: Final = (
    (("Nguyễn",), 0.384), (("Trần",), 0.121), (("Lê",), 0.095), (("Phạm",), 0.070),
    (("Hoàng", "Huỳnh"), 0.051), (("Phan",), 0.045), (("Vũ", "Võ"), 0.039),
    (("Đặng",), 0.021), (("Bùi",), 0.020), (("Đỗ",), 0.014), (("Hồ",), 0.013),
    (("Ngô",), 0.013), (("Dương",), 0.010), (("Lý",), 0.005),
)
LIST_WEIGHT: Final = 0.25  # a name listed once in boy.txt/girl.txt counts as 1/4 of a sighting
MALE_MARKERS: Final = frozenset({"Văn"})
FEMALE_MARKERS: Final = frozenset({"Thị"})


def _utf8_read_as_latin2(text: str) -> str | None:
    """Undo UTF-8 bytes that were decoded as ISO-8859-2 ("BĂši" for "Bùi")."""
    try:
        return text.encode("iso-8859-2").decode("utf-8")
    except UnicodeError:
        return None


def _repairs(word: str) -> set[str]:
    """Readings of a word under each legacy encoding that give a Vietnamese syllable."""
    readings = {vni.decode(word), _utf8_read_as_latin2(word)}
    return {
        unicodedata.normalize("NFC", r) for r in readings
        if r is not None and r != word and is_name_syllable(unicodedata.normalize("NFC", r))
    }


def clean_name(line: str) -> tuple[list[str] | None, str]:
    """Return (words, how) where how is "ok", "repaired" or "skipped".

    Repairs go word by word, because lines mix legacy words with Unicode ones
    ("Hoà Hoàng Dieäu", "BĂši Quang Tiến"). A word that reads as a syllable both as it is and
    once repaired ("Hoà": Hòa in Unicode, Hồ in VNI) makes the line ambiguous: skipped.
    """
    text = unicodedata.normalize("NFC", line.strip().replace("Ð", "Đ").replace("ð", "đ"))
    # Split on spaces and tabs only: no-break spaces are bytes of UTF-8 mojibake ("ToĂ\xa0n").
    words = [w for w in re.split(r"[ \t]+", text) if w]
    legacy_line = any(not is_name_syllable(w) for w in words)
    out: list[str] = []
    for word in words:
        readings = _repairs(word)
        if is_name_syllable(word) and not (legacy_line and readings):
            out.append(word)
        elif len(readings) == 1 and not is_name_syllable(word):
            out.extend(readings)
        else:
            return None, "skipped"
    if not out:
        return None, "skipped"
    return out, "repaired" if legacy_line else "ok"


def _read_lines(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _gender(middle: list[str], given: str, boys: set[str], girls: set[str]) -> str | None:
    if FEMALE_MARKERS & set(middle):
        return "female"
    if MALE_MARKERS & set(middle):
        return "male"
    if given in boys and given not in girls:
        return "male"
    if given in girls and given not in boys:
        return "female"
    return None


def _table(sample: Counter[str], listed: Counter[str], key: str) -> list[dict[str, Any]]:
    names = set(sample) | set(listed)
    weights = {n: round(sample[n] + LIST_WEIGHT * listed[n], 4) for n in names}
    return [
        {key: n, "count": sample[n], "list_count": listed[n], "weight": weights[n]}
        for n in sorted(names, key=lambda n: (-weights[n], n))
    ]


def _surnames(sample: Counter[str]) -> list[dict[str, Any]]:
    fixed: dict[str, float] = {}
    for group, share in NATIONAL_SHARES:
        in_sample = sum(sample[s] for s in group) or len(group)
        for s in group:
            fixed[s] = share * (sample[s] or 1) / in_sample
    rest_total = sum(c for s, c in sample.items() if s not in fixed)
    rest_share = 1.0 - sum(fixed.values())
    if rest_total == 0:  # a sample with national surnames only: scale those to the whole
        fixed = {s: share / (1.0 - rest_share) for s, share in fixed.items()}
    shares = {
        s: round(fixed[s] if s in fixed else rest_share * sample[s] / rest_total, 6)
        for s in set(sample) | set(fixed)
    }
    return [
        {"surname": s, "count": sample[s], "share": shares[s], "national_estimate": s in fixed}
        for s in sorted(shares, key=lambda s: (-shares[s], s))
    ]


def derive(folder: Path) -> dict[str, Any]:
    stats: Counter[str] = Counter()
    skipped: list[str] = []
    full: list[list[str]] = []
    for line in _read_lines(folder / "full_names.txt"):
        words, how = clean_name(line)
        stats[how] += 1
        if words is None or len(words) < 2:
            skipped.append(line)
            continue
        full.append(words)

    listed: dict[str, list[list[str]]] = {}
    for sex, file in (("male", "boy.txt"), ("female", "girl.txt")):
        listed[sex] = []
        for line in _read_lines(folder / file):
            words, how = clean_name(line)
            stats[f"{file}:{how}"] += 1
            if words is not None:
                listed[sex].append(words)
    boys = {w[-1] for w in listed["male"]}
    girls = {w[-1] for w in listed["female"]}

    surnames: Counter[str] = Counter(w[0] for w in full)
    word_counts: Counter[int] = Counter(len(w) for w in full)
    middles = {"male": Counter[str](), "female": Counter[str]()}
    givens = {"male": Counter[str](), "female": Counter[str]()}
    genders: Counter[str] = Counter()
    for words in full:
        gender = _gender(words[1:-1], words[-1], boys, girls)
        genders[gender or "unknown"] += 1
        if gender is None:
            continue
        givens[gender][words[-1]] += 1
        if len(words) > 2:
            middles[gender][" ".join(words[1:-1])] += 1
    listed_middles = {g: Counter(" ".join(w[:-1]) for w in rows if len(w) > 1)
                      for g, rows in listed.items()}
    listed_givens = {g: Counter(w[-1] for w in rows) for g, rows in listed.items()}

    total = sum(word_counts.values())
    return {
        "source": {
            "data_set": "vietnamese-namedb by Van-Duyet Le (full_names.txt, boy.txt, girl.txt)",
            "licence": "MIT",
            "licence_text": (folder / "LICENSE").read_text(encoding="utf-8").strip(),
            "derived_by": "python -m registry.synthetic.derive_names <vi-names folder>",
        },
        "notes": [
            "Counts are derived facts (frequencies), not the source lists.",
            "surnames[].share blends commonly cited national estimates (national_estimate: "
            "true; paired spellings Hoàng/Huỳnh and Vũ/Võ split by sample counts) with the "
            "sample's counts for every other surname, scaled to the remaining share.",
            f"weight = count in full_names.txt + {LIST_WEIGHT} x count in boy.txt/girl.txt; "
            "middle names are whole sequences ('Thị Ngọc'), gendered by Thị/Văn or by "
            "a given name listed for one gender only.",
            "Legacy-encoded lines (VNI, UTF-8 read as ISO-8859-2) were repaired; lines with a "
            "word that is still not a Vietnamese syllable were skipped (see cleaning).",
        ],
        "cleaning": {
            "full_names_read": sum(v for k, v in stats.items() if ":" not in k),
            "as_is": stats["ok"], "repaired": stats["repaired"], "skipped": len(skipped),
            "skipped_lines": skipped,
            "given_lists": {k: v for k, v in sorted(stats.items()) if ":" in k},
            "gender_of_full_names": dict(sorted(genders.items())),
        },
        "word_count_share": {str(n): round(c / total, 6) for n, c in sorted(word_counts.items())},
        "surnames": _surnames(surnames),
        "middle_names": {g: _table(middles[g], listed_middles[g], "name") for g in middles},
        "given_names": {g: _table(givens[g], listed_givens[g], "name") for g in givens},
    }


def main(argv: Iterable[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m registry.synthetic.derive_names <vi-names folder>",
              file=sys.stderr)
        return 2
    json.dump(derive(Path(args[0])), sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
