"""The registry loader against the real PostgreSQL: bad lines are reported with the
field and the rule, good lines are kept, amendments replace, deletions mark."""

from __future__ import annotations

import json
from typing import Any

import pytest

pytestmark = pytest.mark.services


def _line(number: str, name: str = "Trần Văn Bình", status: str = "in_force") -> str:
    return json.dumps({
        "registration_number": number, "kind": "mortgage",
        "registered_at": "2025-01-02T10:00:00+07:00", "status": status,
        "grantors": [{"party_type": "individual", "name": name, "id_type": "cccd",
                      "id_number": "079085001234"}],
        "assets": [{"asset_type": "motor_vehicle", "chassis_number": "RL4*ABC#123456"}],
    }, ensure_ascii=False)


def test_bad_lines_are_reported_and_good_lines_kept(fresh_registry: Any) -> None:
    from registry.db import connect
    from registry.loader import load_lines

    lines = [
        _line("2025-0000000001"),
        "{not json",
        json.dumps({"registration_number": "2025-0000000002", "kind": "pledge",
                    "registered_at": "2025-01-02T10:00:00+07:00",
                    "grantors": [{"party_type": "individual", "name": "A"}]}),
        json.dumps({"registration_number": "2025-0000000003", "kind": "mortgage",
                    "registered_at": "2025-01-02T10:00:00", "grantors": []}),
        _line("2025-0000000004", name="Lê\x07Văn"),
        _line("2025-0000000005"),
    ]
    with connect() as conn:
        report = load_lines(lines, conn, batch_size=10)
        rows = conn.execute(
            "SELECT registration_number FROM registrations ORDER BY 1").fetchall()
    assert [r[0] for r in rows] == ["2025-0000000001", "2025-0000000005"]
    assert report.accepted == 2 and report.rejected == 4
    text = "\n".join(report.problems)
    assert "line 2: not valid JSON" in text
    assert "line 3: kind:" in text
    assert "registered_at" in text and "time zone" in text
    assert "grantors" in text
    assert "line 5: grantors[0].name: Value error, must not contain control characters" in text


def test_amendment_replaces_and_deletion_marks(fresh_registry: Any) -> None:
    from registry.db import connect
    from registry.loader import load_lines

    with connect() as conn:
        load_lines([_line("2025-0000000009")], conn)
        load_lines([_line("2025-0000000009", name="Trần Văn Bính", status="deleted")], conn)
        rows = conn.execute(
            "SELECT r.status, p.name FROM registrations r JOIN parties p"
            " ON p.registration_id = r.id").fetchall()
    assert rows == [("deleted", "Trần Văn Bính")]
