"""How long a statement of fees takes to render, and how big it is, by its number of lines.

    .venv/bin/python -m benchmarks.bench_statement --lines 100 1000 10000

A bank's month is a few hundred to a few thousand certificates; the monthly job renders
one statement per account inside the account's transaction (``billing.statements``).
"""

from __future__ import annotations

import argparse
import re
import time
from datetime import date, datetime, timedelta

from billing.model import AccountBlock, Line, StatementSnapshot
from billing.periods import VN_TZ
from billing.render import render_pdf


def snapshot(lines: int) -> StatementSnapshot:
    start = datetime(2026, 11, 1, 8, tzinfo=VN_TZ)
    users = [(f"Người dùng số {n}", f"user{n}@bank.example") for n in range(12)]
    items = tuple(Line(ledger_id=i, at=start + timedelta(seconds=2500 * i / max(lines, 1) * 1000),
                       user=users[i % 12][0], user_email=users[i % 12][1], kind="certificate",
                       criterion=("debtor_name", "id_number", "chassis_number")[i % 3],
                       reference=f"CN-2026-{i:08d}", rows=1, fee_vnd=30_000)
                  for i in range(lines))
    total = 30_000 * lines
    return StatementSnapshot(
        number="TBP-2026-11-000001",
        account=AccountBlock(id=1, code="KH000001", name="Ngân hàng TMCP Thử nghiệm"),
        period_year=2026, period_month=11, issued_at=datetime(2026, 12, 1, tzinfo=VN_TZ),
        due_on=date(2026, 12, 31), lines=items, payments=(), brought_forward_vnd=0,
        charges_vnd=total, payments_vnd=0, amount_due_vnd=total, pay_to="Kho bạc Nhà nước")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, nargs="+", default=[100, 1000, 10000])
    args = parser.parse_args()
    render_pdf(snapshot(1))  # fonts registered once, as in a running worker
    print("| lines | seconds (wall) | seconds (CPU) | bytes | pages |")
    print("|---:|---:|---:|---:|---:|")
    for n in args.lines:
        s = snapshot(n)
        wall, cpu = time.perf_counter(), time.process_time()
        pdf = render_pdf(s)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        pages = len(re.findall(rb"/Type /Page\b(?!s)", pdf))
        print(f"| {n:,} | {wall:.2f} | {cpu:.2f} | {len(pdf):,} | {pages} |")


if __name__ == "__main__":
    main()
