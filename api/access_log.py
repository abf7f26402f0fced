"""Which requests uvicorn's access log writes a line for (``settings.api_access_log``).

The usage ledger is the record of every search, certificate and batch answered; the
access log's job is then the answers that went wrong. A line per request cost about 6%
of the API's time on ID searches (formatting and writing it, in the request's worker).
"""

from __future__ import annotations

import logging
from typing import Literal

#: uvicorn's access logger; its records' arguments are (client, method, path, HTTP
#: version, status).
ACCESS_LOGGER = "uvicorn.access"
_STATUS = 4

Mode = Literal["all", "problems", "off"]


class ProblemsOnly(logging.Filter):
    """Keeps the lines of answers with a status of 400 or more (and any line it cannot
    read a status from)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if not isinstance(args, tuple) or len(args) <= _STATUS:
            return True
        status = args[_STATUS]
        return not isinstance(status, int) or status >= 400


def install(mode: Mode) -> None:
    """Set uvicorn's access logger of this process to ``mode`` (again: replaces)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    for old in [f for f in logger.filters if isinstance(f, ProblemsOnly)]:
        logger.removeFilter(old)
    logger.disabled = mode == "off"
    if mode == "problems":
        logger.addFilter(ProblemsOnly())
