"""What an account's status allows.

- active: everything.
- suspended: the paid services (certificates, batch lookups and their certificates) are
  refused, quoting the reason stored with the status (the billing jobs write one naming
  the statement, the amount and how to pay; staff write their own). Uncertified searches
  stay open: a suspended customer's key still searches *as that user of that account*
  (free, as every uncertified search is, and in the ledger and audit trail under its
  name), so the registry still knows who searched. Reading what was already delivered
  (batch status and results, certificates issued) stays open too.
- closed: the account's keys stop working and its users cannot sign in
  (``callers.authenticate``, ``users.authenticate``); its records stay.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

from accounts import status
from accounts.callers import Caller

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class Refusal:
    code: str
    message_vi: str
    message_en: str


def suspension_refusal(record: status.StatusRecord) -> Refusal:
    """The refusal of a paid service while suspended, with the stored reason."""
    since = record.since.astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M")
    return Refusal(
        "account_suspended",
        "Tài khoản đang bị tạm ngừng các dịch vụ có thu phí (cấp giấy chứng nhận kết quả"
        f" tra cứu, tra cứu theo lô) từ {since} (giờ Việt Nam). Lý do: {record.reason_vi}"
        " Tra cứu không cấp giấy chứng nhận vẫn được sử dụng.",
        "The account's paid services (certificates of search results, batch lookups) are"
        f" suspended since {since} (Vietnam time). Reason: {record.reason_en}"
        " Searches without a certificate remain available.")


def paid_service_refusal(conn: psycopg.Connection[Any], caller: Caller) -> Refusal | None:
    """None when the caller's account may use a paid service now."""
    if caller.account_id is None:
        return None
    record = status.current(conn, caller.account_id)
    if record.status == "active":
        return None
    if record.status == "suspended":
        return suspension_refusal(record)
    return Refusal("account_closed",
                   f"Tài khoản đã bị đóng. Lý do: {record.reason_vi}",
                   f"The account is closed. Reason: {record.reason_en}")
