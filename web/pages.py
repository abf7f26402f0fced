"""Rendering a page: the one Jinja2 environment of ``web/templates`` and its helpers.

Every template sees ``view`` (the search page's wording), ``csrf_field(request)`` (the
hidden field every state-changing form carries, ``web.session``) and
``signed_in(request)`` (the user the page was made for, or None: the header shows them and
a sign-out button).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from web import session, view
from web.cards import cards

HERE = Path(__file__).resolve().parent


def vnd(amount: object) -> str:
    """Đồng as Vietnam writes them: ``30.000 ₫``."""
    return f"{amount:,} ₫".replace(",", ".") if isinstance(amount, int) else "—"


templates = Jinja2Templates(directory=HERE / "templates")
templates.env.globals.update(view=view, csrf_field=session.csrf_field,
                             csrf_token=session.csrf_token, signed_in=session.shown_user,
                             vnd=vnd, cards=cards)


def page(request: Request, template: str, status: int = 200,
         headers: dict[str, str] | None = None, **context: Any) -> HTMLResponse:
    """``template`` rendered for ``request`` with ``context``."""
    return templates.TemplateResponse(request, template, context, status_code=status,
                                      headers=headers)
