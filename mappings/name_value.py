"""The ``name_value`` keyword: one per grantor, its party type and its name as registered.

Name searches aggregate these over their candidates (``query.grouped``), so that each
distinct registered value is classified once, and then ask for the registrations holding
the values that match. The indexer and the query side both use the functions here.
"""

from __future__ import annotations

#: Between the party type and the name (a control character no valid name holds).
SEPARATOR = "\x1f"


def name_value(party_type: str | None, name: str) -> str:
    return f"{party_type or ''}{SEPARATOR}{name}"


def parse_name_value(value: str) -> tuple[str | None, str]:
    """(party type or None, name as registered)."""
    party_type, _, name = value.partition(SEPARATOR)
    return party_type or None, name
