"""Query variants of numbers: identity and tax numbers, serials (chassis, engine, plate)
and registration numbers."""


import random
from typing import Final

from benchmarks.quality.forms import (
    CLOSE,
    EXACT,
    NONE,
    Variant,
    id_form,
    keep_checked,
    serial_form,
    within_one_edit,
)

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
        keep_checked(Variant(query, cls, tier), lambda: ok, out)

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
        keep_checked(Variant(query, cls, tier), checks[tier], out)

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
    keep_checked(Variant(form, "separators_ignored", EXACT), lambda: form != registered, out)
    digits = [k for k, c in enumerate(form) if c.isdigit()]
    if digits:
        k = rng.choice(digits)
        changed = form[:k] + _other_digit(form[k], rng) + form[k + 1:]
        out.append(Variant(changed, "digit_changed", NONE))  # numbers have no close tier
    return out
