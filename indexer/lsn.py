"""PostgreSQL log sequence numbers: text form ``X/Y`` and the 64-bit integer."""

from __future__ import annotations


def lsn_to_int(lsn: str) -> int:
    high, _, low = lsn.partition("/")
    return (int(high, 16) << 32) | int(low, 16)


def int_to_lsn(value: int) -> str:
    return f"{value >> 32:X}/{value & 0xFFFFFFFF:X}"
