"""JSON Lines classification stream."""

from __future__ import annotations

import io
import json

from query.classify_stream import run


def _run(lines: list[str]) -> list[dict[str, object]]:
    out = io.StringIO()
    run(io.StringIO("".join(line + "\n" for line in lines)), out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_one_result_per_line_in_order() -> None:
    results = _run([
        json.dumps({"criterion": "debtor_name", "registered": "Nguyễn Văn Tú",
                    "query": "NGUYEN VAN TU", "party_type": "individual"}),
        json.dumps({"criterion": "id_number", "registered": "0101234567-001",
                    "query": "0101234567", "expect": "exact", "note": "ignored"}),
        json.dumps({"criterion": "chassis_number", "registered": "RLHJC5218HY012345",
                    "query": "Y012345", "party_type": None}),
    ])
    assert results == [
        {"tier": "exact", "reasons": [], "score": 1.0},
        {"tier": "exact", "reasons": ["branch_of"], "score": 0.95},
        {"tier": None, "reasons": [], "score": 0.0},
    ]


def test_malformed_lines_give_errors_and_the_run_goes_on() -> None:
    results = _run([
        "not json",
        "[1, 2]",
        json.dumps({"criterion": "colour", "registered": "a", "query": "b"}),
        json.dumps({"criterion": "id_number", "registered": "a"}),
        json.dumps({"criterion": "id_number", "registered": 5, "query": "b"}),
        json.dumps({"criterion": "debtor_name", "registered": "a", "query": "a",
                    "party_type": "robot"}),
        "",
        json.dumps({"criterion": "registration_number", "registered": "2024-1",
                    "query": "20241"}),
    ])
    assert [result.get("line") for result in results] == [1, 2, 3, 4, 5, 6, 7, None]
    messages = [str(result.get("error", "")) for result in results]
    assert "not valid JSON" in messages[0]
    assert "JSON object" in messages[1]
    assert "\"criterion\" must be one of" in messages[2]
    assert "\"query\" is missing" in messages[3]
    assert "\"registered\" must be a string" in messages[4]
    assert "\"party_type\" must be null or one of" in messages[5]
    assert "empty line" in messages[6]
    assert results[7] == {"tier": "exact", "reasons": ["separators_ignored"], "score": 0.99}
