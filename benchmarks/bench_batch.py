"""Batch lookups end to end: N rows against whatever corpus is loaded, real workers.

    set -a; . benchmarks/bench.env; set +a
    .venv/bin/python -m benchmarks.bench_batch --rows 100000 [--workers 2]

Samples registrations from the index (the settings' alias), writes a CSV of N rows
as a bank would send (a name with its party type, an ID number, a chassis number or
a plate; one to three criteria a row; a few duplicates), creates a customer account,
starts the workers (``celery -A batch.worker worker --concurrency 1``, one process
each) and the API (``regsearch api``, one uvicorn worker, on its own port), uploads the
file over HTTP (upload, validation, queueing), follows the batch to the end and
downloads the results as CSV into a file, as a bank's client would; with
``--certificate``, then asks for the batch's certificate and waits until a worker has
issued it. The API must find the
index ready (``/readyz``): run the benchmark indexer (``regsearch indexer`` with the same
profile) beside it. Prints rows per second and the time of each stage. The workers use
their own queue (``--queue``) so that a worker already running elsewhere does not take
part.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import psycopg
from elasticsearch import Elasticsearch

from core.settings import Settings, get_settings
from mappings import registration_json

PARTY_TYPE_TEXT = {"individual": "Cá nhân", "organization": "Tổ chức"}
HEADER = ["Họ và tên", "Loại chủ thể", "Số giấy tờ", "Số khung", "Biển số"]


def sample_registrations(es: Elasticsearch, alias: str, count: int, seed: int
                         ) -> list[dict[str, Any]]:
    """``count`` distinct registrations (or all there are): read in order from a random
    registration id, wrapping around at the end, then shuffled."""
    rng = random.Random(seed)
    total = es.count(index=alias)["count"]
    if total == 0:
        raise SystemExit("the index is empty: load a corpus first (benchmarks.corpus)")
    top = es.search(index=alias, size=0, aggs={"top": {"max": {"field": "registration_id"}}})
    after: list[Any] = [rng.randint(0, int(top["aggregations"]["top"]["value"]))]
    found: list[dict[str, Any]] = []
    wrapped = False
    while len(found) < min(count, total):
        hits = es.search(index=alias, size=1000, sort=[{"registration_id": "asc"}],
                         search_after=after, source=False,
                         docvalue_fields=[{"field": registration_json.FIELD}])["hits"]["hits"]
        if not hits:
            if wrapped:
                break
            wrapped, after = True, [-1]
            continue
        found += [registration_json.decode(hit["fields"][registration_json.FIELD][0])
                  for hit in hits]
        after = hits[-1]["sort"]
    sample = found[:min(count, total)]
    rng.shuffle(sample)
    return sample


def _row(registration: dict[str, Any], rng: random.Random) -> list[str]:
    grantor = rng.choice(registration["grantors"])
    cells = [""] * len(HEADER)
    draw = rng.random()
    if draw < 0.7:
        cells[0] = grantor["name"].upper() if rng.random() < 0.2 else grantor["name"]
        cells[1] = PARTY_TYPE_TEXT.get(grantor.get("party_type", ""), "")
    if draw < 0.4 or draw >= 0.7:
        cells[2] = grantor.get("id_number", "")
    assets = [a for a in registration.get("assets", []) if a.get("chassis_number")]
    if assets and (draw >= 0.85 or rng.random() < 0.2):
        cells[3] = assets[0]["chassis_number"]
        cells[4] = assets[0].get("plate_number", "") if rng.random() < 0.3 else ""
    if not any(cells):
        cells[0] = grantor["name"]
    return cells


def write_file(path: Path, registrations: list[dict[str, Any]], rows: int, seed: int) -> None:
    rng = random.Random(seed)
    written: list[list[str]] = []
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for _ in range(rows):
            if written and rng.random() < 0.02:
                row = rng.choice(written)  # the same borrower twice in a portfolio
            else:
                row = _row(registrations[len(written) % len(registrations)], rng)
            written.append(row)
            writer.writerow(row)


def start_workers(count: int, queue: str, log_dir: Path, concurrency: int = 1
                  ) -> list[subprocess.Popen[bytes]]:
    celery = str(Path(sys.executable).parent / "celery")
    env = {**os.environ, "REGSEARCH_BATCH_QUEUE": queue}
    workers = []
    for number in range(count):
        with (log_dir / f"worker-{number}.log").open("wb") as log:
            workers.append(subprocess.Popen(
                [celery, "-A", "batch.worker", "worker", "--concurrency", str(concurrency),
                 "--loglevel", "WARNING", "--hostname", f"bench{number}@%h", "-Q", queue,
                 "--without-gossip", "--without-mingle", "--without-heartbeat"],
                stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True))
    return workers


def stop_workers(workers: list[subprocess.Popen[bytes]]) -> None:
    for worker in workers:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)


def _account_key(settings: Settings, rows: int) -> str:
    import accounts
    from migrations import runner

    runner.upgrade(settings.app_dsn)  # as `make services` does: `regsearch db upgrade`
    with psycopg.connect(settings.app_dsn, autocommit=True) as conn:
        account_id = accounts.create_account(conn, "Ngân hàng đo tốc độ / benchmark bank",
                                             "customer", max_batch_rows=rows,
                                             max_open_batches=100)
        return accounts.issue_key(conn, account_id)


def run(rows: int, workers: int, seed: int, queue: str, poll_s: float,
        concurrency: int = 1, port: int = 8120, keep: bool = False,
        certificate: bool = False) -> None:
    from benchmarks.latency_load import Api

    os.environ["REGSEARCH_BATCH_QUEUE"] = queue  # the API started here publishes there
    settings = get_settings().model_copy(update={"batch_queue": queue})
    es = Elasticsearch(settings.es_url, request_timeout=120)
    corpus = es.count(index=settings.index_alias)["count"]
    work = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    started = time.perf_counter()
    registrations = sample_registrations(es, settings.index_alias, rows, seed)
    upload = work / "portfolio.csv"
    write_file(upload, registrations, rows, seed)
    built = time.perf_counter()
    key = _account_key(settings, rows)
    children = start_workers(workers, queue, work, concurrency)
    saved = work / "results.csv"
    try:
        with Api(1, port, work / "api.log") as api, httpx.Client(
                base_url=api.url, headers={"x-api-key": key}, timeout=600) as client:
            built = time.perf_counter()  # the API's start-up is not the batch's time
            with upload.open("rb") as handle:
                response = client.post("/v1/batches",
                                       files={"file": (upload.name, handle, "text/csv")})
            if response.status_code != 202:
                raise SystemExit(f"upload refused: {response.status_code} {response.text[:500]}")
            accepted = time.perf_counter()
            batch = response.json()["batch"]
            status = batch
            last = -1
            while status["status"] not in ("done", "failed", "cancelled"):
                time.sleep(poll_s)
                status = client.get(f"/v1/batches/{batch['id']}").json()
                if status["rows"]["done"] != last:
                    last = status["rows"]["done"]
                    print(f"  {last}/{status['rows']['valid']} rows,"
                          f" {status['progress']['rows_per_second']} rows/s", flush=True)
                if any(child.poll() is not None for child in children):
                    raise SystemExit(f"a worker stopped; logs in {work}")
            finished = time.perf_counter()
            with client.stream("GET", f"/v1/batches/{batch['id']}/results",
                               params={"format": "csv"}) as download, saved.open("wb") as out:
                download.raise_for_status()
                for part in download.iter_bytes():
                    out.write(part)
            exported = time.perf_counter()
            if certificate:
                issued = _certificate(client, batch["id"], children, work)
    finally:
        stop_workers(children)
    with saved.open(encoding="utf-8-sig", newline="") as handle:
        lines = sum(1 for _ in csv.reader(handle)) - 1
    valid = status["rows"]["valid"]
    print(f"workers: {workers} x {concurrency} processes; API: 1 uvicorn worker on port {port};"
          f" corpus: {corpus:,} registrations in {settings.index_alias}; machine: "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores;"
          f" {settings.batch_chunk_rows} rows a chunk")
    print(f"rows: {rows:,} ({valid:,} valid, {status['rows']['duplicate']:,} duplicates),"
          f" status {status['status']}")
    print(f"build file {built - started:.1f} s (with the API's start); upload + validation"
          f" {accepted - built:.1f} s; search {finished - accepted:.1f} s; CSV export"
          f" {exported - finished:.1f} s ({lines:,} lines, {saved.stat().st_size:,} bytes)")
    print(f"rows/second: {valid / (finished - accepted):.1f} searching,"
          f" {rows / (finished - built):.1f} upload to done")
    print(f"end to end, upload to CSV saved: {exported - built:.1f} s")
    saved.unlink()
    if certificate:
        print(f"certificate: {issued['number']}, {issued['rows_listed']:,} rows listed;"
              f" request answered in {issued['answer_s']:.2f} s (HTTP {issued['status']}),"
              f" issued by a worker {issued['issued_s']:.1f} s after the request, signed PDF"
              f" {issued['pdf_bytes']:,} bytes; peak memory of a worker process"
              f" {issued['worker_peak_mb']:,} MB")
    if certificate:  # certificates are never deleted, nor the batch they refer to
        print(f"the certified batch {batch['id']} stays in the service database")
    elif not keep:
        _delete_job(settings, batch["id"])


def _peak_rss_mb(workers: list[subprocess.Popen[bytes]]) -> int:
    """The largest peak resident memory (VmHWM) of the workers' pool processes."""
    peak = 0
    for worker in workers:
        children = subprocess.run(["pgrep", "-P", str(worker.pid)], capture_output=True,
                                  text=True, check=False).stdout.split()
        for pid in children:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) // 1024)
    return peak


def _certificate(client: httpx.Client, job_id: str, workers: list[subprocess.Popen[bytes]],
                 work: Path) -> dict[str, Any]:
    """Ask for the batch's certificate as a bank's client does (POST, then GET until it is
    there), download the signed PDF; the times, its size and the workers' peak memory."""
    path = f"/v1/batches/{job_id}/certificate"
    asked = time.perf_counter()
    response = client.post(path)
    answered = time.perf_counter()
    status = response.status_code
    while response.status_code == 202:
        time.sleep(1.0)
        response = client.get(path)
    if response.status_code not in (200, 201):
        raise SystemExit(f"certificate refused: {response.status_code} {response.text[:500]}")
    issued = time.perf_counter()
    body: dict[str, Any] = response.json()
    pdf = client.get(f"/v1/certificates/{body['number']}.pdf")
    pdf.raise_for_status()
    (work / "certificate.pdf").write_bytes(pdf.content)
    return {**body, "status": status, "answer_s": answered - asked, "issued_s": issued - asked,
            "pdf_bytes": len(pdf.content), "worker_peak_mb": _peak_rss_mb(workers)}


def _delete_job(settings: Settings, job_id: str) -> None:
    """The benchmark's job leaves the service database (its rows, chunks, lookups and
    results go with it): each run starts from the same batch store. Measured: with four
    earlier 100,000-row jobs kept, the same run took 180-184 s instead of 143-157 s."""
    with psycopg.connect(settings.app_dsn, autocommit=True) as conn:
        conn.execute("DELETE FROM batch_jobs WHERE id = %s", (job_id,))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=1,
                        help="Processes per worker (celery --concurrency).")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--queue", default="regsearch-batch-bench")
    parser.add_argument("--poll", type=float, default=2.0, help="Seconds between status polls.")
    parser.add_argument("--port", type=int, default=8120, help="Port of the API started here.")
    parser.add_argument("--keep", action="store_true",
                        help="Keep the job in the service database afterwards.")
    parser.add_argument("--certificate", action="store_true",
                        help="Then ask for the batch's certificate and wait until it is issued.")
    args = parser.parse_args()
    run(args.rows, args.workers, args.seed, args.queue, args.poll, args.concurrency, args.port,
        args.keep, args.certificate)


if __name__ == "__main__":
    main()
