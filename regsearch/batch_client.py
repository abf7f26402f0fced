"""The ``regsearch batch`` commands: a client of the batch API over HTTP.

``submit FILE --wait`` uploads the file, prints the validation summary, shows a
progress bar until the batch has finished and can save the results.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

import httpx
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

FINISHED = ("done", "failed", "cancelled")
#: Seconds a batch may stay ``queued`` before ``wait`` says that no worker has taken it.
NO_WORKER_AFTER_S = 15.0


def no_worker_message(seconds: float) -> str:
    return (f"Chưa có tiến trình xử lý lô nào nhận lô này sau {seconds:.0f} giây; "
            "`celery worker` có đang chạy không? Xem `make run`. / "
            f"No batch worker has taken this job after {seconds:.0f} s; is `celery worker` "
            "running? See `make run`.")
_UPLOAD_TYPES = {".csv": "text/csv", ".tsv": "text/tab-separated-values",
                 ".jsonl": "application/x-ndjson", ".ndjson": "application/x-ndjson",
                 ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class BatchApiError(Exception):
    """The API refused; the message is its bilingual explanation."""

    def __init__(self, status: int, body: Any) -> None:
        error = body.get("error", {}) if isinstance(body, dict) else {}
        text = (f"{error.get('message_vi', '')} / {error.get('message_en', '')}"
                if error else f"HTTP {status}")
        super().__init__(text)
        self.status, self.body = status, body


def _json(response: httpx.Response) -> Any:
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code >= 400:
        raise BatchApiError(response.status_code, body)
    return body


class BatchClient:
    def __init__(self, http: httpx.Client, api_key: str, poll_s: float | None = None) -> None:
        self.http = http
        self.headers = {"x-api-key": api_key}
        #: Seconds between checks of a certificate a worker issues; None: the API's
        #: ``Retry-After``.
        self.poll_s = poll_s

    def submit(self, path: Path, validate_only: bool = False,
               include_deleted: bool = False, options: dict[str, str] | None = None
               ) -> dict[str, Any]:
        """``options``: more parameters (``client_reference``, ``callback_url``)."""
        content_type = _UPLOAD_TYPES.get(path.suffix.lower(), "application/octet-stream")
        with path.open("rb") as handle:
            response = self.http.post(
                "/v1/batches", headers=self.headers,
                params={"validate_only": str(validate_only).lower(),
                        "include_deleted": str(include_deleted).lower(), **(options or {})},
                files={"file": (path.name, handle, content_type)}, timeout=600)
        body: dict[str, Any] = _json(response)
        return body

    def status(self, batch_id: str) -> dict[str, Any]:
        body: dict[str, Any] = _json(self.http.get(f"/v1/batches/{batch_id}",
                                                   headers=self.headers))
        return body

    def cancel(self, batch_id: str) -> dict[str, Any]:
        body: dict[str, Any] = _json(self.http.post(f"/v1/batches/{batch_id}/cancel",
                                                    headers=self.headers))
        return body

    def certificate(self, batch_id: str, wait_s: float = 3600) -> tuple[dict[str, Any], bool]:
        """Issue the batch's certificate (or get the one issued before): its description,
        and whether it was issued for this request (charged now). A big batch's is issued
        by a worker: the API answers 202 and this asks again until it is there."""
        path = f"/v1/batches/{batch_id}/certificate"
        response = self.http.post(path, headers=self.headers, timeout=600)
        body: dict[str, Any] = _json(response)
        if response.status_code != 202:
            return body, not body["existing"]
        deadline = time.monotonic() + wait_s
        while response.status_code == 202:
            if time.monotonic() > deadline:
                raise BatchApiError(504, {"error": {
                    "message_vi": f"Văn bản chứng nhận chưa được cấp sau {wait_s:.0f} giây; "
                                  "hãy chạy lại lệnh sau.",
                    "message_en": f"The certificate was not issued within {wait_s:.0f} s; run "
                                  "the command again later."}})
            time.sleep(self.poll_s if self.poll_s is not None
                       else float(response.headers.get("Retry-After", "5")))
            response = self.http.get(path, headers=self.headers, timeout=600)
            body = _json(response)
        return body, True

    def save_certificate(self, number: str, out: Path) -> Path:
        """The signed PDF of certificate ``number``, written to ``out``."""
        response = self.http.get(f"/v1/certificates/{number}.pdf", headers=self.headers,
                                 timeout=600)
        if response.status_code >= 400:
            _json(response)
        out.write_bytes(response.content)
        return out

    def save_results(self, batch_id: str, out: Path, kind: str | None = None) -> Path:
        kind = kind or out.suffix.lstrip(".").lower() or "jsonl"
        with self.http.stream("GET", f"/v1/batches/{batch_id}/results", headers=self.headers,
                              params={"format": kind}, timeout=600) as response:
            if response.status_code >= 400:
                response.read()
                _json(response)
            with out.open("wb") as handle:
                for chunk in response.iter_bytes():
                    handle.write(chunk)
        return out


def summary_line(status: dict[str, Any]) -> str:
    rows, progress = status["rows"], status["progress"]
    rate = progress["rows_per_second"]
    left = progress["estimated_seconds_left"]
    return (f"{status['status']}: {rows['done']}/{rows['valid']} dòng/rows"
            f" ({progress['percent']}%), {rate if rate is not None else '-'} dòng/giây rows/s,"
            f" còn/left {left if left is not None else '-'} s")


class _NoWorkerNotice:
    """Says once, plainly, when the batch is still queued ``after_s`` after the wait began."""

    def __init__(self, console: Console, clock: Callable[[], float], after_s: float) -> None:
        self.console, self.clock, self.after_s = console, clock, after_s
        self.began, self.said = clock(), False

    def check(self, status: dict[str, Any]) -> None:
        if (not self.said and status["status"] == "queued"
                and self.clock() - self.began >= self.after_s):
            self.console.print(no_worker_message(self.after_s))
            self.said = True


def wait(client: BatchClient, batch_id: str, out: TextIO | None = None,
         poll_s: float = 1.0, sleep: Callable[[float], None] = time.sleep,
         terminal: bool | None = None, clock: Callable[[], float] = time.monotonic,
         no_worker_after_s: float = NO_WORKER_AFTER_S) -> dict[str, Any]:
    """Follow the batch until it has finished: a progress bar on a terminal, otherwise a
    line whenever the count of rows done changes; a plain notice when no worker has taken
    it after ``no_worker_after_s``. Its last status."""
    console = Console(file=out, highlight=False, force_terminal=terminal)
    status = client.status(batch_id)
    notice = _NoWorkerNotice(console, clock, no_worker_after_s)
    if not console.is_terminal:
        printed = -1
        while True:
            notice.check(status)
            if status["rows"]["done"] != printed or status["status"] in FINISHED:
                console.print(summary_line(status))
                printed = status["rows"]["done"]
            if status["status"] in FINISHED:
                return status
            sleep(poll_s)
            status = client.status(batch_id)
    with Progress(TextColumn("{task.description}"), BarColumn(bar_width=30),
                  TaskProgressColumn(), TextColumn("{task.fields[speed]}"),
                  console=console) as bar:
        task = bar.add_task("Tra cứu / searching", total=max(status["rows"]["valid"], 1),
                            speed="")
        while True:
            notice.check(status)
            rate = status["progress"]["rows_per_second"]
            left = status["progress"]["estimated_seconds_left"]
            bar.update(task, completed=status["rows"]["done"],
                       speed=f"{rate or 0:.0f} dòng/s rows/s, còn/left {left or 0:.0f} s")
            if status["status"] in FINISHED:
                break
            sleep(poll_s)
            status = client.status(batch_id)
    console.print(summary_line(status))
    return status


def report_lines(report: dict[str, Any], limit: int = 20) -> list[str]:
    """The validation report, short: counts and the first problems."""
    rows = report["rows"]
    lines = [f"Dòng/rows: {rows['total']}, hợp lệ/valid {rows['valid']}, "
             f"không hợp lệ/invalid {rows['invalid']}, trùng/duplicate {rows['duplicate']}"]
    for found in report["invalid_rows"][:limit]:
        for problem in found["problems"]:
            field = f" [{problem['field']}]" if problem.get("field") else ""
            lines.append(f"  dòng/row {found['row']}{field}: {problem['message_vi']} / "
                         f"{problem['message_en']}")
    if len(report["invalid_rows"]) > limit:
        lines.append(f"  … {len(report['invalid_rows']) - limit} dòng khác / more rows")
    return lines


def run_submit(client: BatchClient, path: Path, wait_for_end: bool, validate_only: bool,
               include_deleted: bool, results: Path | None, out: TextIO,
               options: dict[str, str] | None = None) -> int:
    """``regsearch batch submit``: 0 when the batch was accepted (and, waiting, is done)."""
    try:
        body = client.submit(path, validate_only=validate_only, include_deleted=include_deleted,
                             options=options)
    except BatchApiError as exc:
        error = exc.body.get("error", {}) if isinstance(exc.body, dict) else {}
        if "report" in error:
            out.write("\n".join(report_lines(error["report"])) + "\n")
        out.write(f"{exc}\n")
        return 2
    out.write("\n".join(report_lines(body["report"])) + "\n")
    if validate_only:
        return 0
    batch_id = body["batch"]["id"]
    out.write(f"Mã lô / batch id: {batch_id}\n")
    if body.get("callback"):
        out.write("Khóa ký của lời gọi lại (chỉ hiện lần này) / callback signing secret (shown"
                  f" only now): {body['callback']['secret']}\n")
    if not wait_for_end:
        return 0
    status = wait(client, batch_id, out)
    if results is not None:
        client.save_results(batch_id, results)
        out.write(f"Kết quả / results: {results}\n")
    return 0 if status["status"] == "done" else 1


def run_certificate(client: BatchClient, batch_id: str, out: Path | None, stream: TextIO) -> int:
    """``regsearch batch certificate``: issue (or fetch) the certificate and save its PDF."""
    try:
        body, issued_now = client.certificate(batch_id)
        path = client.save_certificate(body["number"], out or Path(f"{body['number']}.pdf"))
    except BatchApiError as exc:
        stream.write(f"{exc}\n")
        return 2
    rows = body["rows"]
    fee = ("miễn phí / free" if body["fee_vnd"] == 0 else f"{body['fee_vnd']} VND")
    issued = (f"phí / fee: {fee}" if issued_now
              else "đã cấp trước đó, không tính phí lại / issued before, not charged again")
    stream.write(
        f"Văn bản chứng nhận / certificate: {body['number']} ({issued})\n"
        f"Dòng/rows: {rows['total']}, khớp chính xác/exact {rows['with_exact']}, "
        f"chỉ gần đúng/close only {rows['close_only']}, không khớp/no match "
        f"{rows['no_match']}, lỗi/errors {rows['errors']}\n"
        f"Dữ liệu đăng ký tính đến / registry current as of: "
        f"{body['registry_current_as_of']}\n"
        f"Mã băm nội dung / content hash: {body['content_hash']}\n"
        f"Tệp / file: {path}\n")
    return 0
