"""The certificate's matches as ReportLab flowables: one block per registration found.

Only paragraphs (no tall table cells) carry registration details, so any number of
parties, assets or events flows across pages without overflow. Each part is named as the
registration's kind names it (``certify.wording.part_label``): a seizure notice shows a
judgment debtor, an enforcement office, a seizure decision and seized property.
"""

from __future__ import annotations

from datetime import datetime

from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Spacer

from certify.formatting import EN_GREY, bi, bi_label, esc, vn_date, vn_datetime
from certify.sections import Styles
from certify.snapshot import Asset, CertificateSnapshot, CertifiedMatch, Party, Registration
from certify.wording import Bilingual, label, part_label, reason
from query.criteria import FIELDS, SERIAL_CRITERIA

_DELETED_COLOUR = "#B00020"


def _party(party: Party, matched: bool, n: int, st: Styles) -> Paragraph:
    parts = [f"<b>{esc(party.name)}</b>", bi(label("party_type", party.party_type))]
    if party.id_number:
        id_label = label("id_type", party.id_type) if party.id_type else label("id_type", "other")
        parts.append(f"{esc(id_label.vi)}: <b>{esc(party.id_number)}</b>")
    if party.address:
        parts.append(f"{esc(label('text', 'address').vi)}: {esc(party.address)}")
    text = " — ".join(parts)
    return _item(n, text, matched, st)


def _asset(asset: Asset, matched: bool, n: int, st: Styles) -> Paragraph:
    parts = [f"<b>{bi(label('asset_type', asset.asset_type))}</b>"]
    if asset.description:
        parts.append(esc(asset.description))
    for field in (FIELDS[name].field for name in SERIAL_CRITERIA):
        value = getattr(asset, field)
        if value:
            name = label("field", field)
            parts.append(f"{esc(name.vi)} ({esc(name.en)}): <b>{esc(value)}</b>")
    return _item(n, " — ".join(parts), matched, st)


def _item(n: int, text: str, matched: bool, st: Styles) -> Paragraph:
    if matched:
        marker = label("text", "matched_marker")
        text += f' <font color="#7A5A00"><b>◄ {esc(marker.vi)}</b> ({esc(marker.en)})</font>'
        return Paragraph(f"{n}.&nbsp;{text}", st.item_matched)
    return Paragraph(f"{n}.&nbsp;{text}", st.item)


def _history(reg: Registration, st: Styles) -> list[Paragraph]:
    lines: list[tuple[datetime, Bilingual, str | None]] = [
        (reg.registered_at, label("event", "registration"), None)
    ]
    lines += [(e.at, label("event", e.type), e.summary) for e in reg.events]
    out = []
    for at, what, summary in lines:
        text = f"{vn_datetime(at, seconds=False)} — {bi(what)}"
        if summary:
            text += f": {esc(summary)}"
        out.append(Paragraph(f"•&nbsp;{text}", st.item))
    return out


def _bar(position: int, total: int, reg: Registration, st: Styles) -> Paragraph:
    result, reg_no = label("text", "result"), label("text", "registration_number")
    bar = (
        f"{esc(result.vi)} {position}/{total} · {esc(reg_no.vi)} "
        f'<font color="{EN_GREY}">({esc(reg_no.en)})</font>: {esc(reg.registration_number)}'
    )
    if reg.status == "deleted":
        deleted = label("text", "deleted_marker")
        bar += f' · <font color="{_DELETED_COLOUR}">{esc(deleted.vi)} ({esc(deleted.en)})</font>'
    bar_para = Paragraph(bar, st.bar_deleted if reg.status == "deleted" else st.bar)
    bar_para.keepWithNext = True
    return bar_para


def _summary(match: CertifiedMatch, st: Styles) -> list[Paragraph]:
    """Kind, time and status of the registration; where the match was found."""
    reg = match.registration
    status = bi(label("status", reg.status))
    if reg.status == "deleted":
        status = f'<font color="{_DELETED_COLOUR}"><b>{status}</b></font>'
    kind = label("kind", reg.kind)
    registered = vn_datetime(reg.registered_at, seconds=False)
    summary = (
        f"{bi_label(label('text', 'kind'))} <b>{esc(kind.vi)}</b> "
        f'<font color="{EN_GREY}">({esc(kind.en)})</font> · '
        f"{bi_label(label('text', 'registered_at'))} {registered}"
        f" · {bi_label(label('text', 'status'))} {status}"
    )
    m = match.matched
    field, role = label("field", m.field), part_label(reg.kind, f"role_{m.role}")
    matched_on = (
        f"{bi_label(label('text', 'matched_on'))} {esc(role.vi)} › {esc(field.vi)} "
        f'<font color="{EN_GREY}">({esc(role.en)} › {esc(field.en)})</font>: '
        f"<b>{esc(m.value_as_registered)}</b> · {bi(label('tier', match.tier))}"
    )
    return [Paragraph(summary, st.body), Paragraph(matched_on, st.body)]


def _reasons(match: CertifiedMatch, st: Styles) -> list[Paragraph]:
    if match.tier != "close" and not match.reasons:
        return []
    score, reasons = label("text", "score"), label("text", "reasons")
    score_para = Paragraph(
        f"{bi_label(score)} {match.score:.2f} · {bi_label(reasons)}"
        + ("" if match.reasons else f" {bi(label('text', 'none'))}"),
        st.body,
    )
    score_para.keepWithNext = True
    return [score_para, *(Paragraph(f"•&nbsp;{bi(reason(r))}", st.item) for r in match.reasons)]


def _part(name: Bilingual, items: list[Paragraph], st: Styles) -> list[Paragraph]:
    head = Paragraph(bi_label(name), st.body)
    head.keepWithNext = True
    return [head, *(items or [Paragraph(f"–&nbsp;{bi(label('text', 'none'))}", st.item)])]


def _obligation(reg: Registration, st: Styles) -> list[Paragraph]:
    ob = reg.obligation
    if ob is None or not (ob.contract_number or ob.signed_at):
        return []
    parts = []
    if ob.contract_number:
        parts.append(f"{esc(label('text', 'contract_number').vi)} {esc(ob.contract_number)}")
    if ob.signed_at:
        parts.append(f"{esc(part_label(reg.kind, 'signed_on').vi)} {vn_date(ob.signed_at)}")
    name = part_label(reg.kind, "obligation")
    return [Paragraph(f"{bi_label(name)} {', '.join(parts)}", st.body)]


def match_block(position: int, total: int, match: CertifiedMatch, st: Styles) -> list[Flowable]:
    """One registration found: bar, summary, reasons, its parts and its history."""
    reg, m = match.registration, match.matched
    grantors = [_party(p, m.role == "grantor" and m.index == i, i + 1, st)
                for i, p in enumerate(reg.grantors)]
    secured = [_party(p, False, i + 1, st) for i, p in enumerate(reg.secured_parties)]
    assets = [_asset(a, m.role == "asset" and m.index == i, i + 1, st)
              for i, a in enumerate(reg.assets)]
    return [
        _bar(position, total, reg, st), *_summary(match, st), *_reasons(match, st),
        *_part(part_label(reg.kind, "grantors"), grantors, st),
        *_part(part_label(reg.kind, "secured_parties"), secured, st),
        *_part(part_label(reg.kind, "assets"), assets, st),
        *_obligation(reg, st),
        *_part(label("text", "history"), _history(reg, st), st),
    ]


def matches(snapshot: CertificateSnapshot, st: Styles, tier: str) -> list[Flowable]:
    items = snapshot.exact if tier == "exact" else snapshot.close
    count = snapshot.exact_count if tier == "exact" else snapshot.close_count
    head = label("text", f"section_{tier}")
    heading_text = f"{bi(head)} — {count}"
    if len(items) < count:
        listed = label("text", "listed").format(shown=len(items))
        heading_text += f" · {bi(listed)}"
    heading_para = Paragraph(heading_text, st.heading)
    heading_para.keepWithNext = True
    flow: list[Flowable] = [CondPageBreak(80), heading_para]
    if not items:
        flow.append(Paragraph(bi(label("text", f"none_{tier}")), st.body))
    for position, match in enumerate(items, start=1):
        flow.extend(match_block(position, len(items), match, st))
    if tier == "close" and snapshot.close_left_out:
        left = label("text", "left_out").format(left=snapshot.close_left_out)
        flow.append(Spacer(1, 4))
        flow.append(Paragraph(f"<b>{bi(left)}</b>", st.body))
    return flow
