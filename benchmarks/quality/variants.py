"""Query variants for the matching-quality benchmark, labelled with the tier they must get.

``variants_for(criterion, registered, party_type, rng)`` takes a registered value and
returns queries a searcher might type for it, each with its variant class and the tier the
matching contract (/work/shared/spec/matching.md) promises: ``exact``, ``close`` or ``none``.

This module is an independent check of the engine, so it reads the contract itself and
imports nothing from ``normalizers/`` or ``query/``. Each variant is built to belong to its
class, then checked by small predicates over the contract's normal forms before it is kept:

- an ``exact`` variant must satisfy the exact rule (``name_exact`` etc.);
- a ``close`` variant must not satisfy the exact rule;
- a ``none`` variant must not even be *reachable*: no reading of the contract's close rules,
  taken generously (any single one-edit, order, missing/extra or joined difference on the
  folded forms), may connect it to the registered value.

A variant that fails its check is dropped, never relabelled.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from benchmarks.synthetic import vni
from benchmarks.synthetic.names import tables
from benchmarks.synthetic.vietnamese import (
    HONORIFICS,
    TONES,
    fold,
    has_diacritic,
    is_name_syllable,
    parse,
    restyle_tone,
    retone,
    split_tone,
)

EXACT, CLOSE, NONE = "exact", "close", "none"


@dataclass(frozen=True)
class Variant:
    query: str
    variant_class: str
    expected_tier: str  # exact | close | none


# --- shared forms -------------------------------------------------------------------------

_WORD: Final = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    """The words of a value: runs of letters and digits (N1 splits on everything else)."""
    return _WORD.findall(unicodedata.normalize("NFC", text))


@lru_cache(maxsize=1 << 16)
def n2(word: str) -> str:
    return fold(word).lower()


@lru_cache(maxsize=1 << 16)
def canonical(word: str) -> str:
    """N1 of one word: lower case, NFC, the tone mark in one fixed place (Hoà = Hòa)."""
    word = unicodedata.normalize("NFC", word).lower()
    restyled = restyle_tone(word)
    return min(word, restyled) if restyled else word


def osa(a: str, b: str) -> int:
    """Edit distance with insert, delete, substitute and adjacent swap (each costs one)."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1,
                         rows[-1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def within_one_edit(a: str, b: str) -> bool:
    """osa(a, b) <= 1, in linear time."""
    if a == b:
        return True
    if len(a) < len(b):
        a, b = b, a
    if len(a) - len(b) > 1:
        return False
    i = next((k for k, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), len(b))
    if len(a) != len(b):
        return a[i + 1:] == b[i:]  # one deletion
    return a[i + 1:] == b[i + 1:] or (a[i:i + 2] == b[i:i + 2][::-1] and a[i + 2:] == b[i + 2:])


def id_form(text: str) -> str:
    return "".join(c for c in fold(text).upper() if c.isascii() and c.isalnum())


def serial_form(text: str) -> str:
    return id_form(text).replace("O", "0").replace("Q", "0").replace("I", "1")


def _keep(variant: Variant, check: Callable[[], bool], out: list[Variant]) -> None:
    if variant.query and check():
        out.append(variant)


# --- person names -------------------------------------------------------------------------

def _token_exact(registered: str, query: str) -> bool:
    if has_diacritic(query):
        return canonical(query) == canonical(registered)
    return n2(query) == n2(registered)


def _readings(query: list[str]) -> list[list[str]]:
    """The query as typed and, when it opens with an honorific, without it."""
    if len(query) > 1 and n2(query[0]) in HONORIFICS:
        return [query, query[1:]]
    return [query]


def name_exact(registered: str, query: str) -> bool:
    """The contract's exact rule for names (token count, order, per-token N1/N2)."""
    reg = words(registered)
    return any(len(q) == len(reg) and all(map(_token_exact, reg, q))
               for q in _readings(words(query)))


def name_reachable(registered: str, query: str) -> bool:
    """Generous over-approximation of exact-or-close on folded words (used for negatives)."""
    reg = [n2(w) for w in words(registered)]
    for q in _readings([n2(w) for w in words(query)]):
        if sorted(q) == sorted(reg):
            return True  # equal, diacritics only, or token order
        for short, long in ((q, reg), (reg, q)):
            if len(long) == len(short) + 1:
                for k in range(len(long)):
                    if long[:k] + long[k + 1:] == short:
                        return True  # a missing or extra word
                    if k + 1 < len(long) and [*long[:k], long[k] + long[k + 1], *long[k + 2:]] \
                            == short:
                        return True  # joined syllables
        if len(q) == len(reg):
            differing = [(a, b) for a, b in zip(reg, q, strict=True) if a != b]
            if len(differing) == 1 and within_one_edit(*differing[0]):
                return True  # one edit, y/i
    return False


_YI_ONSETS: Final = frozenset(
    {"b", "d", "đ", "h", "k", "l", "m", "n", "s", "t", "v", "x", "ph", "th", "tr", "ch", "kh"})
_EXTRA_MIDDLES: Final = ("Văn", "Thị", "Ngọc", "Minh", "Hữu", "Thanh", "Đức", "Kim")


def _match_case(word: str, like: str) -> str:
    return word.upper() if like.isupper() and len(like) > 1 else word


def _y_i_swapped(word: str) -> str | None:
    toneless, tone, _ = split_tone(word)
    low = toneless.lower()
    syllable = parse(low)
    if syllable is None or syllable.onset not in _YI_ONSETS or syllable.rhyme not in ("y", "i"):
        return None
    swapped = low[:-1] + ("i" if low[-1] == "y" else "y")
    swapped = toneless[:-1] + (swapped[-1].upper() if toneless[-1].isupper() else swapped[-1])
    return unicodedata.normalize("NFC", swapped + tone) if tone else swapped


def _edit(word: str, rng: random.Random, operation: str) -> str | None:
    """One edit of a word's folded letters; None when the operation cannot apply."""
    letters = n2(word)
    if not letters.isalpha() or len(letters) < 4:
        return None
    k = rng.randrange(len(letters))
    alphabet = "abcdeghiklmnopqrstuvxy"
    if operation == "substitute":
        out = letters[:k] + rng.choice(alphabet.replace(letters[k], "")) + letters[k + 1:]
    elif operation == "insert":
        out = letters[:k] + rng.choice(alphabet) + letters[k:]
    elif operation == "delete":
        if len(letters) < 5:
            return None  # keep both words at 4 letters or more
        out = letters[:k] + letters[k + 1:]
    else:  # adjacent swap
        pairs = [i for i in range(len(letters) - 1) if letters[i] != letters[i + 1]]
        if not pairs:
            return None
        i = rng.choice(pairs)
        out = letters[:i] + letters[i + 1] + letters[i] + letters[i + 2:]
    out = out.capitalize() if word[:1].isupper() else out
    return _match_case(out, word)


def _two_edits(word: str, rng: random.Random) -> str | None:
    for _ in range(10):
        first = _edit(word, rng, rng.choice(("substitute", "insert", "swap")))
        second = first and _edit(first, rng, rng.choice(("substitute", "insert", "delete")))
        if second and osa(n2(second), n2(word)) == 2:
            return second
    return None


def _different(pool: Sequence[str], old: str, rng: random.Random) -> str | None:
    """A word from ``pool`` at least two edits from ``old`` and not an honorific."""
    for _ in range(50):
        candidate = rng.choice(pool)
        if not within_one_edit(n2(candidate), n2(old)) and n2(candidate) not in HONORIFICS:
            return _match_case(candidate, old)
    return None


def _base_name(registered: str) -> str:
    """The registered name in clean Unicode (legacy VNI text decoded), for building on."""
    text = unicodedata.normalize("NFC", registered)
    if all(is_name_syllable(w.capitalize()) for w in words(text)):
        return text
    decoded = vni.decode(text)
    if decoded and all(is_name_syllable(w.capitalize()) for w in words(decoded)):
        return decoded
    return text


def person_variants(registered: str, rng: random.Random) -> list[Variant]:
    base = _base_name(registered)
    ws = words(base)
    if not ws:
        return []
    out: list[Variant] = []

    # Checked against the clean reading: the engine reads legacy text as Unicode (N0).
    def exact(query: str, cls: str) -> None:
        _keep(Variant(query, cls, EXACT), lambda: name_exact(base, query), out)

    def close(query: str, cls: str) -> None:
        _keep(Variant(query, cls, CLOSE),
              lambda: not name_exact(base, query) and name_reachable(base, query), out)

    def none(query: str, cls: str) -> None:
        _keep(Variant(query, cls, NONE), lambda: not name_reachable(base, query), out)

    joined = " ".join(ws)
    exact(joined.upper() if joined != joined.upper() else joined.lower(), "case")
    exact(fold(joined), "diacritics_dropped")
    if unicodedata.normalize("NFD", joined) != joined:
        exact(unicodedata.normalize("NFD", joined), "nfd")
    separator = rng.choice(("-", ", ", ".", "  ", " \t"))
    exact(f"  {separator.join(ws)} ", "spacing_punctuation")
    exact(f"{rng.choice(('Ông', 'Bà', 'Anh', 'Chị', 'Mr', 'Ms'))} {joined}", "honorific")
    restyled = [restyle_tone(w) or w for w in ws]
    if restyled != ws:
        exact(" ".join(restyled), "tone_placement")
    marked = [k for k, w in enumerate(ws) if has_diacritic(w)]
    if len(marked) > 1:
        drop = set(rng.sample(marked, rng.randrange(1, len(marked))))
        exact(" ".join(fold(w) if k in drop else w for k, w in enumerate(ws)),
              "diacritics_partial")

    def retoned(k: int) -> list[str] | None:
        _, tone, _ = split_tone(ws[k])
        new = retone(ws[k], rng.choice([t for t in TONES if t != tone]))
        return None if new is None else [*ws[:k], new, *ws[k + 1:]]

    changed = retoned(rng.randrange(len(ws)))
    if changed:
        close(" ".join(changed), "diacritics_differ")
    if len(ws) > 1:
        turn = rng.randrange(1, len(ws))
        rotated = ws[turn:] + ws[:turn]
        if n2(rotated[0]) not in HONORIFICS:
            close(" ".join(rotated), "token_order")
            if changed:
                close(" ".join(changed[turn:] + changed[:turn]), "token_order+diacritics_differ")
    if len(ws) > 2:
        k = rng.randrange(1, len(ws) - 1)
        close(" ".join(ws[:k] + ws[k + 1:]), "missing_token")
        close(" ".join([*ws[:-2], _match_case(n2(ws[-2]).capitalize() + n2(ws[-1]), ws[-1])]),
              "joined_syllables")
    if len(ws) > 1:  # between the surname and the given name, both kept
        k = rng.randrange(1, len(ws))
        extra = [m for m in _EXTRA_MIDDLES if n2(m) not in {n2(w) for w in ws}]
        close(" ".join([*ws[:k], _match_case(rng.choice(extra), ws[0]), *ws[k:]]), "extra_token")
    long_words = [k for k, w in enumerate(ws) if len(n2(w)) >= 4 and n2(w).isalpha()]
    for operation in ("substitute", "insert", "delete", "swap"):
        if not long_words:
            break
        k = rng.choice(long_words)
        edited = _edit(ws[k], rng, operation)
        if edited:
            close(" ".join([*ws[:k], edited, *ws[k + 1:]]), f"edit_distance:{operation}")
    for k in reversed(range(len(ws))):  # the given name first: Lý/Lí, Mỹ/Mĩ, Thy/Thi
        swapped = _y_i_swapped(ws[k])
        if swapped:
            close(" ".join([*ws[:k], swapped, *ws[k + 1:]]), "y_i_variant")
            break

    names = tables()
    if len(ws) > 1:
        given = _different([*names.givens["male"].values, *names.givens["female"].values],
                           ws[-1], rng)
        if given:
            none(" ".join([*ws[:-1], given]), "different_given_name")
        surname = _different(names.surnames.values, ws[0], rng)
        if surname:
            none(" ".join([surname, *ws[1:]]), "different_surname")
        none(ws[0], "surname_only")
    if long_words:
        k = rng.choice(long_words)
        twice = _two_edits(ws[k], rng)
        if twice:
            none(" ".join([*ws[:k], twice, *ws[k + 1:]]), "two_edits")
    if len(ws) > 2:
        none(" ".join([ws[-1], *ws[:1]]), "two_structural")
    return out


def _spelling_variants(name: str, rng: random.Random) -> list[Variant]:
    """Case, diacritics and spacing: exact for any name, whatever its structure."""
    out: list[Variant] = []
    ws = words(name)
    for query, cls in ((name.upper() if name != name.upper() else name.lower(), "case"),
                       (fold(name), "diacritics_dropped"),
                       (f"  {rng.choice(('-', ', ', '  ')).join(ws)} ", "spacing_punctuation")):
        if name_exact(name, query):
            out.append(Variant(query, cls, EXACT))
    return out


# --- organisation names -------------------------------------------------------------------

# Legal forms by family, in the Vietnamese spellings the contract lists (a legal form opens
# the name); the first spelling of each family is the one used for "a different form".
LEGAL_FORMS: Final = {
    "tnhh_mtv": ("Công ty TNHH MTV", "Công ty TNHH một thành viên", "Cty TNHH MTV",
                 "Công ty trách nhiệm hữu hạn một thành viên"),
    "tnhh": ("Công ty TNHH", "Công ty trách nhiệm hữu hạn", "Cty TNHH"),
    "cp": ("Công ty Cổ phần", "CTCP", "Cty CP", "Công ty CP"),
    "dntn": ("Doanh nghiệp tư nhân", "DNTN"),
    "htx": ("Hợp tác xã", "HTX"),
}
_FORM_WORDS: Final = sorted(
    ((family, [n2(w) for w in words(spelling)]) for family, spellings in LEGAL_FORMS.items()
     for spelling in spellings),
    key=lambda item: -len(item[1]),
)
ABBREVIATIONS: Final = {
    "Thương mại": "TM", "Dịch vụ": "DV", "Xây dựng": "XD", "Sản xuất": "SX",
    "Xuất nhập khẩu": "XNK", "Đầu tư": "ĐT", "Phát triển": "PT",
}
_ABBREVIATION_N2: Final = {
    " ".join(n2(w) for w in words(full)): n2(short) for full, short in ABBREVIATIONS.items()
}


def split_organisation(name: str) -> tuple[str, str] | None:
    """(legal-form family, core name as written) for a name that opens with a legal form."""
    matches = list(_WORD.finditer(unicodedata.normalize("NFC", name)))
    folded = [n2(m.group()) for m in matches]
    for family, form in _FORM_WORDS:
        if folded[:len(form)] == form and len(matches) > len(form):
            return family, unicodedata.normalize("NFC", name)[matches[len(form)].start():]
    return None


def _core_words(core: str) -> list[str]:
    """Folded core words with abbreviations expanded and & / và / and made one word."""
    text = " " + " ".join(n2(w) for w in words(core.replace("&", " va "))) + " "
    text = text.replace(" and ", " va ")
    for full, short in _ABBREVIATION_N2.items():
        text = text.replace(f" {short} ", f" {full} ")
    return text.split()


def organisation_exact(registered: str, query: str) -> bool:
    """Exact for organisations: same legal form (or none given) and exact core words."""
    reg, q = split_organisation(registered), split_organisation(query)
    if reg is None:
        return False
    if q is None:
        q = ("", query)  # no legal form in the query: legal_form_ignored
    elif q[0] != reg[0]:
        return False
    rw, qw = words(reg[1]), words(q[1])
    return len(rw) == len(qw) and all(map(_token_exact, rw, qw))


def organisation_reachable(registered: str, query: str) -> bool:
    """Generous over-approximation of exact-or-close for organisations (for negatives)."""
    reg = split_organisation(registered)
    q = split_organisation(query)
    if reg is None:
        return True  # not understood: never claim a negative
    rw, qw = _core_words(reg[1]), _core_words(q[1] if q else query)
    if sorted(rw) == sorted(qw):
        return True
    if len(rw) == len(qw):
        differing = [(a, b) for a, b in zip(rw, qw, strict=True) if a != b]
        return len(differing) == 1 and within_one_edit(*differing[0])
    return False


def organisation_variants(registered: str, rng: random.Random) -> list[Variant]:
    name = unicodedata.normalize("NFC", registered)
    parts = split_organisation(name)
    if parts is None:  # "Chi nhánh Công ty …", or no legal form: spelling variants only
        return _spelling_variants(name, rng)
    family, core = parts
    out: list[Variant] = []

    def exact(query: str, cls: str) -> None:
        _keep(Variant(query, cls, EXACT), lambda: organisation_exact(registered, query), out)

    def close(query: str, cls: str) -> None:
        _keep(Variant(query, cls, CLOSE),
              lambda: not organisation_exact(registered, query)
              and organisation_reachable(registered, query), out)

    def none(query: str, cls: str) -> None:
        _keep(Variant(query, cls, NONE),
              lambda: not organisation_reachable(registered, query), out)

    exact(name.upper() if name != name.upper() else name.lower(), "case")
    exact(fold(name), "diacritics_dropped")
    exact(re.sub(r"\s+", "  ", f" {name} "), "spacing_punctuation")
    branch = any(n2(w) == "nhanh" for w in words(core))  # "… - Chi nhánh …" keeps its marker
    form_spelling = name[: len(name) - len(core)].strip()
    spelled = [n2(w) for w in words(form_spelling)]
    others = [s for s in LEGAL_FORMS[family] if [n2(w) for w in words(s)] != spelled]
    if others:
        exact(f"{rng.choice(others)} {core}", "legal_form_respelled")
    if not branch:
        exact(core, "legal_form_ignored")
    groups = {"tnhh": "llc", "tnhh_mtv": "llc", "cp": "cp", "dntn": "dntn", "htx": "htx"}
    foreign = [f for f in LEGAL_FORMS if groups[f] != groups[family] and f != "tnhh_mtv"]
    close(f"{LEGAL_FORMS[rng.choice(foreign)][0]} {core}", "legal_form_differs")

    cw = words(core)
    for full, short in ABBREVIATIONS.items():
        pattern = re.compile(rf"\b{full}\b", re.IGNORECASE)
        if pattern.search(core):
            close(f"{form_spelling} {pattern.sub(short, core, count=1)}", "abbreviation")
            break
    for full, short in ABBREVIATIONS.items():
        pattern = re.compile(rf"(?<!\w){short}(?!\w)")
        if pattern.search(core):
            close(f"{form_spelling} {pattern.sub(full, core, count=1)}", "abbreviation:expanded")
            break
    conjunction = re.compile(r"\bvà\b", re.IGNORECASE)
    if conjunction.search(core):
        close(f"{form_spelling} {conjunction.sub('&', core, count=1)}", "abbreviation:ampersand")
    elif "&" in core:
        close(f"{form_spelling} {core.replace('&', 'và', 1)}", "abbreviation:ampersand")

    syllables = [k for k, w in enumerate(cw) if parse(split_tone(w.lower())[0]) is not None]
    if syllables:
        k = rng.choice(syllables)
        _, tone, _ = split_tone(cw[k])
        new = retone(cw[k], rng.choice([t for t in TONES if t != tone]))
        if new:
            close(f"{form_spelling} {' '.join([*cw[:k], new, *cw[k + 1:]])}",
                  "diacritics_differ")
    long_words = [k for k, w in enumerate(cw) if len(n2(w)) >= 4 and n2(w).isalpha()]
    if long_words:
        k = rng.choice(long_words)
        edited = _edit(cw[k], rng, rng.choice(("substitute", "insert", "swap")))
        if edited:
            close(f"{form_spelling} {' '.join([*cw[:k], edited, *cw[k + 1:]])}", "edit_distance")
    if len(cw) > 1 and not branch:  # the distinctive part first: "Đông Á Thương mại"
        brand = min(2, len(cw) - 1)
        close(f"{form_spelling} {' '.join(cw[-brand:] + cw[:-brand])}", "token_order")

    if not branch and len(cw) > 1:
        replacement = _different(_BRAND_WORDS, cw[-1], rng)
        if replacement:
            none(f"{form_spelling} {' '.join([*cw[:-1], replacement])}", "different_brand")
        for full in ABBREVIATIONS:
            trade = re.compile(rf"\b{full}\b\s*(và\s+|&\s+)?", re.IGNORECASE)
            dropped = trade.sub("", core, count=1).strip()
            if dropped != core and dropped:
                none(f"{form_spelling} {dropped}", "trade_word_dropped")
                break
    return out


_BRAND_WORDS: Final = ("Tây", "Bắc", "Nam", "Sơn", "Minh", "Phát", "Thịnh", "Hưng", "Việt",
                       "Toàn", "Quang", "Hải", "Thành", "Kim", "Ngọc", "Bảo", "Gia", "Tín")


# --- numbers -------------------------------------------------------------------------------

def id_reachable(registered: str, query: str) -> bool:
    """Generous over-approximation of exact-or-close for identity numbers."""
    r, q = id_form(registered), id_form(query)
    if r == q or r.lstrip("0") == q.lstrip("0"):
        return True
    if (len(r) == 13 and q == r[:10]) or (len(q) == 13 and r == q[:10]):
        return True
    return within_one_edit(r, q)


def _other_digit(digit: str, rng: random.Random) -> str:
    return rng.choice("0123456789".replace(digit, ""))


def id_variants(registered: str, rng: random.Random) -> list[Variant]:
    form = id_form(registered)
    if not form:
        return []
    out: list[Variant] = []

    def add(query: str, cls: str, tier: str) -> None:
        q = id_form(query)
        branch_parent = len(form) == 13 and q == form[:10]
        ok = {EXACT: q == form or branch_parent,
              CLOSE: q != form and not branch_parent and id_reachable(registered, query),
              NONE: not id_reachable(registered, query)}[tier]
        _keep(Variant(query, cls, tier), lambda: ok, out)

    if len(form) == 13:
        groups = [form[:10], form[10:]]  # a branch tax code: parent, branch
    else:
        groups = [form[k:k + 3] for k in range(0, len(form), 3)]
    add(rng.choice((" ", ".", "-")).join(groups), "separators_ignored", EXACT)
    if form != form.lower():
        add(form.lower(), "case", EXACT)
    if len(form) == 13 and form.isdigit():
        add(form[:10], "branch_of", EXACT)
    if len(form) >= 8:
        stripped = form.lstrip("0")
        if stripped != form and len(stripped) >= 8:
            add(stripped, "leading_zeros", CLOSE)
        digit_positions = [k for k, c in enumerate(form) if c.isdigit()]
        k = rng.choice(digit_positions)
        add(form[:k] + _other_digit(form[k], rng) + form[k + 1:], "edit_distance:substitute",
            CLOSE)
        pairs = [k for k in range(len(form) - 1) if form[k] != form[k + 1]]
        if pairs:
            k = rng.choice(pairs)
            add(form[:k] + form[k + 1] + form[k] + form[k + 2:], "edit_distance:swap", CLOSE)
        if len(digit_positions) >= 4:
            a, b = sorted(rng.sample(digit_positions, 2))
            if b - a > 1:
                two = list(form)
                two[a], two[b] = _other_digit(form[a], rng), _other_digit(form[b], rng)
                add("".join(two), "two_digits_changed", NONE)
    if form.isdigit() and len(form) == 9:
        add(f"0{rng.randrange(1, 97):02d}{rng.randrange(4)}{rng.randrange(100):02d}"
            f"{rng.randrange(10**6):06d}", "cmnd_vs_cccd", NONE)
    elif form.isdigit() and len(form) == 12:
        add(f"{rng.randrange(10, 39):02d}{rng.randrange(10**7):07d}", "cccd_vs_cmnd", NONE)
    return out


def serial_reachable(registered: str, query: str) -> bool:
    """Generous over-approximation of exact-or-close for chassis, engine and plate numbers."""
    r, q = serial_form(registered), serial_form(query)
    if within_one_edit(r, q):
        return True
    return (len(q) >= 8 and r.endswith(q)) or (len(r) >= 8 and q.endswith(r))


_SERIAL_CHARS: Final = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"


def serial_variants(registered: str, rng: random.Random) -> list[Variant]:
    form = id_form(registered)
    serial = serial_form(registered)
    if len(serial) < 2:
        return []
    out: list[Variant] = []

    def add(query: str, cls: str, tier: str) -> None:
        checks = {
            EXACT: lambda: serial_form(query) == serial,
            CLOSE: lambda: serial_form(query) != serial and serial_reachable(registered, query),
            NONE: lambda: not serial_reachable(registered, query),
        }
        _keep(Variant(query, cls, tier), checks[tier], out)

    cut = rng.randrange(1, len(form))
    add(f"{form[:cut]}{rng.choice(('-', ' ', '.'))}{form[cut:]}", "separators_ignored", EXACT)
    add(rng.choice((f"*{form}*", f"{form[:cut]}#{form[cut:]}", f"#{form}")),
        "separators_ignored:stamp", EXACT)
    add(form.lower(), "case", EXACT)
    confusable = {"0": "O", "1": "I", "O": "0", "I": "1"}
    spots = [k for k, c in enumerate(form) if c in confusable]
    if spots:
        k = rng.choice(spots)
        add(form[:k] + confusable[form[k]] + form[k + 1:], "confusable_chars", EXACT)
    if len(serial) >= 6:
        k = rng.randrange(len(serial))
        replacement = rng.choice(_SERIAL_CHARS.replace(serial[k], ""))
        add(serial[:k] + replacement + serial[k + 1:], "edit_distance:substitute", CLOSE)
        add(serial[:k] + rng.choice(_SERIAL_CHARS) + serial[k:], "edit_distance:insert", CLOSE)
        if len(serial) >= 7:
            add(serial[:k] + serial[k + 1:], "edit_distance:delete", CLOSE)
        pairs = [k for k in range(len(serial) - 1) if serial[k] != serial[k + 1]]
        if pairs:
            k = rng.choice(pairs)
            add(serial[:k] + serial[k + 1] + serial[k] + serial[k + 2:], "edit_distance:swap",
                CLOSE)
    if len(serial) >= 10:
        add(serial[-rng.randrange(8, len(serial) - 1):], "suffix_match", CLOSE)
        add(serial[-rng.randrange(4, 8):], "short_tail", NONE)
    if len(serial) >= 6:
        two = list(serial)
        a, b = rng.sample(range(len(serial)), 2)
        for k in (a, b):
            two[k] = rng.choice(_SERIAL_CHARS.replace(serial[k], ""))
        add("".join(two), "two_edits", NONE)
    return out


def registration_number_variants(registered: str, rng: random.Random) -> list[Variant]:
    form = id_form(registered)
    out: list[Variant] = []
    _keep(Variant(form, "separators_ignored", EXACT), lambda: form != registered, out)
    digits = [k for k, c in enumerate(form) if c.isdigit()]
    if digits:
        k = rng.choice(digits)
        changed = form[:k] + _other_digit(form[k], rng) + form[k + 1:]
        out.append(Variant(changed, "digit_changed", NONE))  # numbers have no close tier
    return out


# --- entry point --------------------------------------------------------------------------

def variants_for(criterion: str, registered: str, party_type: str | None,
                 rng: random.Random) -> list[Variant]:
    """Query variants for one registered value under one search criterion.

    ``criterion``: debtor_name, id_number, chassis_number, engine_number, plate_number or
    registration_number. ``party_type`` (individual / organization) selects the name rules;
    None reads a name that opens with a legal form as an organisation.
    """
    if criterion == "debtor_name":
        organisation = party_type == "organization" or (
            party_type is None and split_organisation(registered) is not None)
        if organisation:
            return organisation_variants(registered, rng)
        return person_variants(registered, rng)
    if criterion == "id_number":
        return id_variants(registered, rng)
    if criterion in ("chassis_number", "engine_number", "plate_number"):
        return serial_variants(registered, rng)
    if criterion == "registration_number":
        return registration_number_variants(registered, rng)
    raise ValueError(f"unknown criterion: {criterion}")
