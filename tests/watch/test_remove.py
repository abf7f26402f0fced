"""Bulk removal by normal form against the real service database: a file listing a name
without diacritics, an ID number without its leading zeros and a chassis number between
``*`` removes the entries added with diacritics, zeros and no stars; nothing else."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

pytestmark = pytest.mark.services

HEADER = "Tên bên bảo đảm,Loại chủ thể,Số CCCD,Số khung,Mã hồ sơ\n"


@pytest.fixture()
def client(app_database: str) -> Iterator[tuple[Any, dict[str, str]]]:
    import os

    from fastapi.testclient import TestClient

    import accounts
    from core.settings import Settings
    from server.app import create_app

    with psycopg.connect(os.environ["REGSEARCH_APP_DSN"], autocommit=True) as conn:
        bank = accounts.create_account(conn, "Ngân hàng Xóa Hàng Loạt", "customer")
        key = accounts.issue_key(conn, bank)
    with TestClient(create_app(Settings())) as found:
        yield found, {"X-API-Key": key}


def _upload(client: Any, headers: dict[str, str], mode: str, *rows: str) -> Any:
    text = HEADER + "\n".join(rows) + "\n"
    answer = client.post("/v1/watch/entries/upload", headers=headers, params={"mode": mode},
                         files={"file": ("book.csv", text.encode(), "text/csv")})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_remove_matches_entries_by_their_normal_forms(client: Any) -> None:
    http, headers = client
    added = _upload(http, headers, "add",
                    "Nguyễn Văn Hùng,cá nhân,,,HS-1", "Nguyễn Văn Hưng,cá nhân,,,HS-2",
                    ",,001190012345,,HS-3", ",,001190012346,,HS-4",
                    ",,,RLHJC5218HY012345,HS-5", ",,,RLHJC5218HY012346,HS-6")
    assert added["added"] == 6
    precise = _upload(http, headers, "remove", "Nguyễn Văn Hùng,,,,")
    assert precise["removed"] == 1  # with its diacritics a name names one entry
    removed = _upload(http, headers, "remove", "NGUYEN VAN HUNG,,,,", ",,1190012345,,",
                      ",,,*RLHJC5218HY012345*,")
    # without them it names every entry it folds to (Hưng, and Hùng were it still there)
    assert removed["removed"] == 3
    left = http.get("/v1/watch/entries", headers=headers).json()["entries"]
    assert sorted(e["client_reference"] for e in left) == ["HS-4", "HS-6"]
    again = _upload(http, headers, "remove", "NGUYEN VAN HUNG,,,,", ",,1190012345,,")
    assert again["removed"] == 0


def test_a_control_character_is_refused_naming_the_field(client: Any) -> None:
    http, headers = client
    # a client reference's own rule (letters, digits and a few signs) refuses it first
    for body, field, rule in (
            ({"criterion": "debtor_name", "value": "Nguyen\x00Van"}, "value",
             "no_control_characters"),
            ({"criterion": "id_number", "value": "001190012345",
              "client_reference": "HS\x07-1"}, "client_reference",
             "client_reference_characters")):
        answer = http.post("/v1/watch/entries", headers=headers, json=body)
        assert answer.status_code == 422, answer.text
        [found] = answer.json()["error"]["problems"]
        assert (found["field"], found["rule"]) == (field, rule)
        assert found["message_vi"] and found["message_en"]
    assert http.get("/v1/watch/entries", headers=headers).json()["total"] == 0
