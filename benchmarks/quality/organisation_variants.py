"""Query variants of organisation names, and the contract's organisation rules as the
benchmark reads them (``organisation_exact``, ``organisation_reachable``)."""


import random
import re
import unicodedata
from collections.abc import Callable
from typing import Final

from benchmarks.quality.forms import (
    _WORD,
    CLOSE,
    EXACT,
    NONE,
    Variant,
    keep_checked,
    n2,
    within_one_edit,
    words,
)
from benchmarks.quality.person_variants import (
    different_word,
    edited_word,
    spelling_variants,
    token_exact,
)
from registry.synthetic.vietnamese import (
    TONES,
    fold,
    parse,
    retone,
    split_tone,
)

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
    return len(rw) == len(qw) and all(map(token_exact, rw, qw))


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
        return spelling_variants(name, rng)
    family, core = parts
    out: list[Variant] = []

    def exact(query: str, cls: str) -> None:
        keep_checked(Variant(query, cls, EXACT),
                     lambda: organisation_exact(registered, query), out)

    def close(query: str, cls: str) -> None:
        keep_checked(Variant(query, cls, CLOSE),
                     lambda: not organisation_exact(registered, query)
                     and organisation_reachable(registered, query), out)

    def none(query: str, cls: str) -> None:
        keep_checked(Variant(query, cls, NONE),
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
    _abbreviation_variants(form_spelling, core, close)

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
        edited = edited_word(cw[k], rng, rng.choice(("substitute", "insert", "swap")))
        if edited:
            close(f"{form_spelling} {' '.join([*cw[:k], edited, *cw[k + 1:]])}", "edit_distance")
    if len(cw) > 1 and not branch:  # the distinctive part first: "Đông Á Thương mại"
        brand = min(2, len(cw) - 1)
        close(f"{form_spelling} {' '.join(cw[-brand:] + cw[:-brand])}", "token_order")

    if not branch and len(cw) > 1:
        replacement = different_word(_BRAND_WORDS, cw[-1], rng)
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


def _abbreviation_variants(form_spelling: str, core: str,
                           close: Callable[[str, str], None]) -> None:
    """Trade words abbreviated or expanded, and "và" / "&" exchanged (all close)."""
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
