"""Reading this package's own reference data (``normalizers/data/``), at import only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"


def read_text(name: str) -> str:
    return (DATA_DIR / name).read_text(encoding="utf-8")


def read_json(name: str) -> Any:
    return json.loads(read_text(name))
