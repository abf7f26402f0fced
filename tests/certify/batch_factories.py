"""Batch certificate snapshots for tests and previews, with the results file they name."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

from certify.batch_snapshot import BatchCertificateSnapshot
from certify.snapshot import new_number
from tests.certify.factories import GIVEN, ISSUED_AT, MIDDLE, SURNAMES

CRITERIA = ("debtor_name", "id_number", "chassis_number")


def results_file(rows: int) -> bytes:
    """A stand-in for the batch's JSON Lines export: one object per row."""
    lines = [json.dumps({"row": row, "status": "done"}, ensure_ascii=False)
             for row in range(2, rows + 2)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _line(i: int) -> dict[str, Any]:
    criterion = CRITERIA[i % 3]
    value = {"debtor_name": f"{SURNAMES[i % 11]} {MIDDLE[i % 8]} {GIVEN[i % 12]}",
             "id_number": f"0011900{i:05d}", "chassis_number": f"RL4B*29F3K5#{i:06d}"}[criterion]
    exact = i % 4  # 0..3 exact matches
    numbers = [f"2024-{1_000_000_000 + i * 10 + k:010d}" for k in range(exact)]
    return {"row": i + 2, "criterion": criterion, "value_as_entered": value,
            "party_type": "individual" if criterion == "debtor_name" else None,
            "exact_count": exact, "close_count": 0 if exact else 1 + i % 2,
            "exact_registrations": numbers, "exact_registrations_total": exact}


def batch_snapshot_dict(matched: int, rows: int | None = None, *, free: bool = False,
                        results: bytes | None = None) -> dict[str, Any]:
    """A batch of ``rows`` rows (default twice ``matched``) of which ``matched`` match."""
    rows = rows if rows is not None else max(2 * matched, 1)
    data = results if results is not None else results_file(rows)
    lines = [_line(i) for i in range(matched)]
    exact_rows = sum(1 for line in lines if line["exact_count"])
    tallies = []
    for criterion in CRITERIA:
        mine = [line for line in lines if line["criterion"] == criterion]
        with_exact = sum(1 for line in mine if line["exact_count"])
        extra = (rows - matched) if criterion == "debtor_name" else 0
        tallies.append({"criterion": criterion, "searched": len(mine) + extra,
                        "with_exact": with_exact, "close_only": len(mine) - with_exact,
                        "no_match": extra})
    return {
        "number": new_number(42, 2026),
        "issued_at": ISSUED_AT.isoformat(),
        "requester": {"account_id": "7", "display_name": "Ngân hàng TMCP Thử nghiệm",
                      "role": "agency" if free else "customer",
                      "agency_ground": "Tòa án" if free else None},
        "fee": ({"amount_vnd": 0, "free_ground": "Điều 59 khoản 2 Nghị định 102/2017/NĐ-CP"}
                if free else {"amount_vnd": 30_000}),
        "search_logic_version": "regsearch matching contract v1 (exact and close tiers)",
        "include_deleted": False,
        "batch": {"id": "5f0c6a53-2f6e-4a8e-9d7c-2d1b0c9e8a41", "file_name": "danh-sách.csv",
                  "file_format": "csv",
                  "submitted_at": (ISSUED_AT - timedelta(minutes=20)).isoformat(),
                  "finished_at": (ISSUED_AT - timedelta(minutes=5)).isoformat()},
        "registry_current_as_of": {
            "earliest": {"commit_time": (ISSUED_AT - timedelta(minutes=19)).isoformat(),
                         "lsn": "0/16B3748"},
            "latest": {"commit_time": (ISSUED_AT - timedelta(minutes=6)).isoformat(),
                       "lsn": "0/1A00000"},
            "chunks": 3},
        "counts": {"total": rows, "valid": rows, "invalid": 0, "duplicate": 0,
                   "searched": rows, "with_exact": exact_rows,
                   "close_only": matched - exact_rows, "no_match": rows - matched,
                   "errors": 0},
        "by_criterion": tallies,
        "rows_with_matches": lines,
        "results_file": {"name": "batch-5f0c6a53.jsonl", "media_type": "application/x-ndjson",
                         "size": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                         "lines": rows},
    }


def make_batch_snapshot(matched: int, rows: int | None = None, *, free: bool = False
                        ) -> tuple[BatchCertificateSnapshot, bytes]:
    """The snapshot and the results file it names."""
    rows = rows if rows is not None else max(2 * matched, 1)
    data = results_file(rows)
    raw = batch_snapshot_dict(matched, rows, free=free, results=data)
    return BatchCertificateSnapshot.model_validate(raw), data
