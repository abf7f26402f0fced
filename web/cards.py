"""One result of the search page as HTML: a registration's card, written in Python.

Why not a Jinja macro: a page of 20 exact and 50 close results took 24 ms p50 to render
as the macro ``result.html`` (``benchmarks/bench_page_render.py`` at 1,000,000
registrations, load average 19 on the shared 2 cores): 90% of it in Jinja's calling
machinery (``Context.call``, the sandbox-free ``getattr`` and per-expression
``Markup``), a few hundred calls a card. The same HTML from f-strings with each value
escaped once (``markupsafe.escape``) renders the card in a fraction of that (the figures:
``benchmarks/HISTORY.md``, "Search page rendering"). The layout stays the template's
(``search.html``); only the card, repeated up to 70 times a page, is here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from markupsafe import Markup, escape

from web.view import bi, bi_label, is_notice, local_time, reasons_of, role_heading

_SERIALS = ("chassis_number", "engine_number", "plate_number")
_NOTICE_BADGE = ' <span class="badge notice-badge">Thông báo kê biên <span lang="en">' \
                'Seizure notice</span></span>'
_DELETED_BADGE = ' <span class="badge deleted">Đã xóa <span lang="en">Deleted</span></span>'
_ADDRESS = 'Địa chỉ <span class="en" lang="en">Address</span>'
_SPECIAL = re.compile(r"[&<>\"']")


def _e(value: object) -> str:
    """``value`` escaped for HTML; most values have nothing to escape, and a regex search
    is cheaper than making a ``Markup`` of each (a card has about 30 values)."""
    text = value if isinstance(value, str) else str(value)
    return str(escape(text)) if _SPECIAL.search(text) else text


def cards(results: Iterable[dict[str, Any]]) -> Markup:
    """The cards of a tier's results, in order."""
    return Markup("".join([card(r) for r in results]))


def card(result: dict[str, Any]) -> str:
    """One result: the registration's number, kind, status, time and what matched; a
    close result's reasons in words; its parties and assets under their own headings."""
    reg: dict[str, Any] = result.get("registration") or {}
    notice = is_notice(reg)
    matched: dict[str, Any] = result.get("matched") or {}
    parts = [
        f'<li class="result{" notice" if notice else ""}">\n  <h3>Số đăng ký <span class="en"'
        f' lang="en">Registration no.</span> <span class="regno">'
        f'{_e(reg.get("registration_number") or "")}</span>'
        f'{_NOTICE_BADGE if notice else ""}'
        f'{_DELETED_BADGE if reg.get("status") == "deleted" else ""}</h3>\n'
        '  <dl class="facts">\n'
        f'    <dt>Loại <span class="en" lang="en">Kind</span></dt>'
        f'<dd>{bi_label("kind", reg.get("kind"))}</dd>\n'
        f'    <dt>Tình trạng <span class="en" lang="en">Status</span></dt>'
        f'<dd>{bi_label("status", reg.get("status"))}</dd>\n'
        f'    <dt>Thời điểm đăng ký <span class="en" lang="en">Registered at</span></dt>'
        f'<dd>{_e(local_time(reg.get("registered_at")))}</dd>\n'
        f'    <dt>Khớp với <span class="en" lang="en">Matched</span></dt>\n'
        f'    <dd>{bi_label("role", matched.get("role"))} · '
        f'{bi_label("field", matched.get("field"))}: '
        f'<strong>{_e(matched.get("value_as_registered") or "")}</strong></dd>\n'
        '  </dl>']
    if result.get("tier") == "close":
        parts.append(_reasons(result))
    for side in ("grantors", "secured_parties"):
        if reg.get(side):
            parts.append(_parties(reg, side))
    if reg.get("assets"):
        parts.append(_assets(reg))
    parts.append("\n</li>")
    return "".join(parts)


def _reasons(result: dict[str, Any]) -> str:
    worded = reasons_of(result)
    items = ([f"\n      <li>{bi(reason)}</li>" for reason in worded] if worded else
             [f"\n      <li>{_e(', '.join(map(str, result.get('reasons') or [])))}</li>"])
    return ('\n  <div class="reasons">\n    <h4>Lý do gần đúng <span class="en" lang="en">Why '
            f'it is close</span></h4>\n    <ul>{"".join(items)}\n    </ul>\n  </div>')


def _parties(reg: dict[str, Any], side: str) -> str:
    items = []
    for party in reg[side]:
        line = f"\n    <li><strong>{_e(party.get('name') or '')}</strong>"
        if party.get("party_type"):
            line += f" · {bi_label('party_type', party['party_type'])}"
        if party.get("id_number"):
            line += f"<br>{bi_label('id_type', party.get('id_type'))}: {_e(party['id_number'])}"
        if party.get("address"):
            line += f"<br>{_ADDRESS}: {_e(party['address'])}"
        items.append(line + "</li>")
    return (f"\n  <h4>{bi(role_heading(reg, side))}</h4>\n  <ul class=\"parties\">"
            f"{''.join(items)}\n  </ul>")


def _assets(reg: dict[str, Any]) -> str:
    items = []
    for asset in reg["assets"]:
        line = f"\n    <li>{bi_label('asset_type', asset.get('asset_type'))}"
        if asset.get("description"):
            line += f": {_e(asset['description'])}"
        for key in _SERIALS:
            if asset.get(key):
                line += f"<br>{bi_label('field', key)}: {_e(asset[key])}"
        items.append(line + "</li>")
    return (f"\n  <h4>{bi(role_heading(reg, 'assets'))}</h4>\n  <ul class=\"assets\">"
            f"{''.join(items)}\n  </ul>")
