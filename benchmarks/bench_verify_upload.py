"""How ``/healthz`` answers while anonymous clients upload certificates to verify.

Against a running API (``--url``): N clients each upload the same signed certificate PDF
to ``POST /v1/certificates/verify`` in a loop, while one more client asks ``/healthz``
every 50 ms; prints the uploads done and the ``/healthz`` latency p50/p99/max.

    python -m benchmarks.bench_verify_upload --url http://127.0.0.1:8130 --clients 4
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time

import httpx


def signed_pdf() -> bytes:
    """A signed certificate of 3 matches (about the size of a bank's usual one)."""
    from certify.render import render_pdf
    from certify.signer import load_signer
    from certify.signing import sign_with
    from core.settings import get_settings
    from tests.certify.factories import make_snapshot

    return sign_with(render_pdf(make_snapshot(3)), load_signer(get_settings()).key)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    pdf = signed_pdf()
    stop = threading.Event()
    uploads: list[int] = []

    def upload() -> None:
        with httpx.Client(base_url=args.url, timeout=120) as client:
            while not stop.is_set():
                answer = client.post("/v1/certificates/verify",
                                     files={"file": ("c.pdf", pdf, "application/pdf")})
                uploads.append(answer.status_code)

    threads = [threading.Thread(target=upload) for _ in range(args.clients)]
    for thread in threads:
        thread.start()
    health: list[float] = []
    with httpx.Client(base_url=args.url, timeout=120) as client:
        end = time.monotonic() + args.seconds
        while time.monotonic() < end:
            started = time.perf_counter()
            client.get("/healthz").raise_for_status()
            health.append(time.perf_counter() - started)
            time.sleep(0.05)
    stop.set()
    for thread in threads:
        thread.join()
    health.sort()
    print(f"pdf {len(pdf)} bytes, {args.clients} clients, {args.seconds:.0f} s: "
          f"{len(uploads)} uploads ({uploads.count(200)} answered 200); /healthz n={len(health)} "
          f"p50 {statistics.median(health) * 1000:.1f} ms "
          f"p99 {health[int(len(health) * 0.99)] * 1000:.1f} ms max {health[-1] * 1000:.1f} ms")


if __name__ == "__main__":
    main()
