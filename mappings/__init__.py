"""Index definitions (versioned JSON) and their names."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

REGISTRATIONS_VERSION = 9
STATE_VERSION = 1
STATE_INDEX = f"regsearch-state-v{STATE_VERSION}"


def load(name: str, version: int) -> dict[str, Any]:
    """The body (settings and mappings) of ``<name>.v<version>.json``, without comments."""
    text = resources.files("mappings").joinpath(f"{name}.v{version}.json").read_text("utf-8")
    body: dict[str, Any] = json.loads(text)
    body.pop("_comment", None)
    return body


def registrations_index_name(alias: str, suffix: str) -> str:
    """A concrete index behind the alias, e.g. ``registrations-v9-20261206t2300``."""
    return f"{alias}-v{REGISTRATIONS_VERSION}-{suffix}"
