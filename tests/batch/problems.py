"""The check every batch error response gets: status, code, both languages, no trace."""

from __future__ import annotations

from typing import Any


def error_of(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == code
    assert error["message_vi"] and error["message_en"]
    assert error["message_vi"] != error["message_en"]
    assert "Traceback" not in response.text
    return error
