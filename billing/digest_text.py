"""A watch digest's e-mail text: every alert it took, in Vietnamese with English alongside,
in the words the certificates use (``certify.wording``: criteria, the parts of a
registration of its kind, tiers, reasons). Pure: the same digest gives the same text, which
is stored in the outbox row when the digest is made."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from billing.wording import label
from certify.formatting import vn_datetime
from certify.wording import Bilingual, part_label, reason
from certify.wording import label as certify_label

#: ``grantors[0].name``, ``assets[1].chassis_number``: the part, its index, the field.
_FIELD = re.compile(r"^(?P<part>[a-z_]+)\[(?P<index>\d+)\]\.(?P<leaf>[a-z_]+)$")


@dataclass(frozen=True, slots=True)
class DigestAlert:
    """One alert as a digest lists it (the columns of ``watch_alerts`` it shows)."""

    id: int
    entry_id: int
    client_reference: str | None
    registration_number: str
    committed_at: datetime
    event: str
    criterion: str
    watched_value: str
    field: str
    registered_value: str
    tier: str
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DigestHead:
    number: str
    account_name: str
    account_code: str
    made_at: datetime


def _or_code(find: Callable[..., Bilingual], *args: str) -> Bilingual:
    """The wording, or the code itself in both languages when there is none."""
    try:
        return find(*args)
    except KeyError:
        return Bilingual(args[-1], args[-1])


def _pair(pair: Bilingual) -> str:
    return pair.vi if pair.vi == pair.en else f"{pair.vi} / {pair.en}"


def field_words(event: str, field: str) -> Bilingual:
    """``grantors[0].name`` of a seizure notice: ``Người phải thi hành án 1 — Tên`` /
    ``Judgment debtors 1 — name``."""
    found = _FIELD.match(field)
    if found is None:
        return Bilingual(field, field)
    kind = "seizure_notice" if event == "seizure_notice" else "mortgage"
    part = _or_code(part_label, kind, found["part"])
    leaf = _or_code(certify_label, "field", found["leaf"])
    n = int(found["index"]) + 1
    return Bilingual(f"{part.vi} {n} — {leaf.vi}", f"{part.en} {n} — {leaf.en}")


def subject(head: DigestHead, count: int) -> str:
    words = label("digest", "subject").format(count=count, number=head.number)
    return f"{words.vi} / {words.en}"


def _line(key: str, value: str) -> str:
    return f"   {_pair(label('digest', key))}: {value}"


def alert_text(n: int, a: DigestAlert) -> str:
    """One alert: a numbered block, a seizure notice labelled first."""
    event = (label("digest", "seizure") if a.event == "seizure_notice"
             else _or_code(label, "digest_event", a.event))
    lines = [f"{n}. {_pair(event)}", _line("registration", a.registration_number),
             _line("event", vn_datetime(a.committed_at))]
    criterion = _or_code(certify_label, "criterion", a.criterion)
    lines.append(_line("entry", f"#{a.entry_id} — {_pair(criterion)}: {a.watched_value}"))
    if a.client_reference:
        lines.append(_line("client_reference", a.client_reference))
    lines.append(_line("matched", f"{_pair(field_words(a.event, a.field))}: "
                                  f"{a.registered_value}"))
    lines.append(_line("tier", _pair(_or_code(certify_label, "tier", a.tier))))
    lines.append(f"   {_pair(label('digest', 'reasons'))}:")
    for code in a.reasons or ():
        words = _or_code(reason, code)
        lines += [f"     - {words.vi}", f"       {words.en}"]
    if not a.reasons:
        lines.append(f"     - {_pair(label('digest', 'no_reasons'))}")
    lines.append(_line("alert_id", str(a.id)))
    return "\n".join(lines)


def body(head: DigestHead, alerts: list[DigestAlert]) -> str:
    """The whole message: the greeting in both languages, every alert, the footer."""
    greeting = label("digest", "greeting").format(
        name=head.account_name, code=head.account_code, count=len(alerts),
        number=head.number, made_at=vn_datetime(head.made_at))
    footer = label("digest", "footer")
    parts = [greeting.vi, greeting.en, *(alert_text(n, a) for n, a in enumerate(alerts, 1)),
             footer.vi, footer.en]
    return "\n\n".join(parts) + "\n"
