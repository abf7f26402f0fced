"""Query variants of person names, and the contract's person-name rules as the benchmark
reads them (``name_exact``, ``name_reachable``)."""


import random
import unicodedata
from collections.abc import Callable, Sequence
from typing import Final

from benchmarks.quality.forms import (
    CLOSE,
    EXACT,
    NONE,
    Variant,
    canonical,
    keep_checked,
    n2,
    osa,
    within_one_edit,
    words,
)
from registry.synthetic import vni
from registry.synthetic.names import tables
from registry.synthetic.vietnamese import (
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

# --- person names -------------------------------------------------------------------------

def token_exact(registered: str, query: str) -> bool:
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
    return any(len(q) == len(reg) and all(map(token_exact, reg, q))
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


def edited_word(word: str, rng: random.Random, operation: str) -> str | None:
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
        first = edited_word(word, rng, rng.choice(("substitute", "insert", "swap")))
        second = first and edited_word(first, rng, rng.choice(("substitute", "insert", "delete")))
        if second and osa(n2(second), n2(word)) == 2:
            return second
    return None


def different_word(pool: Sequence[str], old: str, rng: random.Random) -> str | None:
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
        keep_checked(Variant(query, cls, EXACT), lambda: name_exact(base, query), out)

    def close(query: str, cls: str) -> None:
        keep_checked(Variant(query, cls, CLOSE),
                     lambda: not name_exact(base, query) and name_reachable(base, query), out)

    def none(query: str, cls: str) -> None:
        keep_checked(Variant(query, cls, NONE), lambda: not name_reachable(base, query), out)

    _exact_person(ws, rng, exact)
    _close_person(ws, rng, close)
    _none_person(ws, rng, none)
    return out


_Add = Callable[[str, str], None]


def _long_words(ws: list[str]) -> list[int]:
    """Positions of the words an edit may touch (4 or more letters in N2)."""
    return [k for k, w in enumerate(ws) if len(n2(w)) >= 4 and n2(w).isalpha()]


def _exact_person(ws: list[str], rng: random.Random, exact: _Add) -> None:
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


def _close_person(ws: list[str], rng: random.Random, close: _Add) -> None:
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
    long_words = _long_words(ws)
    for operation in ("substitute", "insert", "delete", "swap"):
        if not long_words:
            break
        k = rng.choice(long_words)
        edited = edited_word(ws[k], rng, operation)
        if edited:
            close(" ".join([*ws[:k], edited, *ws[k + 1:]]), f"edit_distance:{operation}")
    for k in reversed(range(len(ws))):  # the given name first: Lý/Lí, Mỹ/Mĩ, Thy/Thi
        swapped = _y_i_swapped(ws[k])
        if swapped:
            close(" ".join([*ws[:k], swapped, *ws[k + 1:]]), "y_i_variant")
            break


def _none_person(ws: list[str], rng: random.Random, none: _Add) -> None:
    names = tables()
    if len(ws) > 1:
        given = different_word([*names.givens["male"].values, *names.givens["female"].values],
                           ws[-1], rng)
        if given:
            none(" ".join([*ws[:-1], given]), "different_given_name")
        surname = different_word(names.surnames.values, ws[0], rng)
        if surname:
            none(" ".join([surname, *ws[1:]]), "different_surname")
        none(ws[0], "surname_only")
    long_words = _long_words(ws)
    if long_words:
        k = rng.choice(long_words)
        twice = _two_edits(ws[k], rng)
        if twice:
            none(" ".join([*ws[:k], twice, *ws[k + 1:]]), "two_edits")
    if len(ws) > 2:
        none(" ".join([ws[-1], *ws[:1]]), "two_structural")


def spelling_variants(name: str, rng: random.Random) -> list[Variant]:
    """Case, diacritics and spacing: exact for any name, whatever its structure."""
    out: list[Variant] = []
    ws = words(name)
    for query, cls in ((name.upper() if name != name.upper() else name.lower(), "case"),
                       (fold(name), "diacritics_dropped"),
                       (f"  {rng.choice(('-', ', ', '  ')).join(ws)} ", "spacing_punctuation")):
        if name_exact(name, query):
            out.append(Variant(query, cls, EXACT))
    return out
