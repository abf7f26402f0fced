"""The pages' Jinja2 environment and the one way a route answers a page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from web import view
from web.cards import cards

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.globals.update(view=view, cards=cards)


def page(request: Request, template: str, status: int = 200,
         headers: dict[str, str] | None = None, **context: Any) -> HTMLResponse:
    """``template`` rendered with ``context`` (and ``request``) as an HTML answer."""
    return templates.TemplateResponse(request, template, context, status_code=status,
                                      headers=headers)
