"""``regsearch batch submit FILE --wait``: the report, a progress bar, the results saved."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from regsearch.batch_client import BatchClient, run_submit, wait
from tests.batch import files
from tests.batch.conftest import BatchStack

pytestmark = pytest.mark.services


def test_submit_and_wait_shows_progress_and_saves_results(
        batch_stack: BatchStack, fresh_broker: Any, tmp_path: Path) -> None:
    upload = tmp_path / "danh-sach.csv"
    upload.write_bytes(files.simple_csv(batch_stack.corpus, 250) + b"***,,\n")
    results = tmp_path / "ket-qua.csv"
    out = io.StringIO()
    fresh_broker("only")
    client = BatchClient(batch_stack.client, batch_stack.account())

    code = run_submit(client, upload, wait_for_end=True, validate_only=False,
                      include_deleted=False, results=results, out=out)

    printed = out.getvalue()
    assert code == 0, printed
    assert "không hợp lệ/invalid 1" in printed
    assert "dòng/row 252 [Tên bên bảo đảm]:" in printed
    progress = [line for line in printed.splitlines() if " dòng/rows (" in line]
    assert progress[-1].startswith("done: 250/250 dòng/rows (100.0%)")
    assert len(progress) >= 2  # a line each time the count of rows done moved
    lines = list(csv.reader(io.StringIO(results.read_text("utf-8-sig"))))
    assert {line[0] for line in lines[1:]} == {str(row) for row in range(2, 253)}

    on_a_terminal = io.StringIO()
    batch_id = printed.split("Mã lô / batch id: ")[1].split()[0]
    wait(client, batch_id, on_a_terminal, terminal=True)
    assert "Tra cứu / searching" in on_a_terminal.getvalue()
    assert "100%" in on_a_terminal.getvalue()


def test_validate_only_prints_the_report_and_creates_nothing(
        batch_stack: BatchStack, tmp_path: Path) -> None:
    upload = tmp_path / "danh-sach.csv"
    upload.write_bytes("Họ và tên,Loại chủ thể\nNguyễn Văn An,hộ gia đình\n".encode())
    out = io.StringIO()
    client = BatchClient(batch_stack.client, batch_stack.account())
    assert run_submit(client, upload, True, True, False, None, out) == 0
    assert "dòng/row 2 [Loại chủ thể]: Loại chủ thể “hộ gia đình” không rõ" in out.getvalue()
    assert "Mã lô" not in out.getvalue()
