"""Watch lists over HTTP (issue 24): entries, alerts, the webhook.

* ``POST /v1/watch/entries``: one entry (the criteria of a search, an optional
  ``client_reference``, ``alert_on_deletion``); 201.
* ``POST /v1/watch/entries/upload?mode=add|replace|remove``: a CSV, XLSX or JSONL file
  checked row by row by the batch checker (``batch``: same columns, same report); each
  criterion of a row is one entry with the row's ``client_reference``. Any invalid row,
  or more entries than the account's limit: 422 with the report, nothing written.
* ``GET /v1/watch/entries``, ``DELETE /v1/watch/entries/{id}``.
* ``GET /v1/watch/alerts?unread=true``; ``POST /v1/watch/alerts/read``.
* ``PUT|GET|DELETE /v1/watch/webhook``: the account's HTTPS callback; PUT returns the
  signing secret once.
* ``PUT|GET|DELETE /v1/watch/digest``: where the alerts' e-mail digests go (``billing.
  digests``): the addresses given (``[]``: none), or after DELETE the account's contacts.

An account sees and changes only its own entries and alerts (others: 404 or nothing).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

import accounts
from accounts.validate import emails as checked_emails
from api import watch_file
from api.batch_routes import _problem as batch_problem
from api.batch_routes import spooled_upload
from api.deps import AccountDep, ResourcesDep
from api.errors import ApiProblemError, InvalidQueryError, error_response
from api.openapi import refusals
from api.resources import Resources
from batch.limits import FileProblemError
from batch.report import FileReport, TooManyRowsError
from billing import digests
from core.webhooks import MAX_URL_LENGTH
from query.criteria import WatchableCriterion
from query.problems import Problem, problem
from query.request import ClientReference, has_control_characters
from watch import alerts, entries, webhooks

#: Every refusal of these routes: no key, an unknown entry or webhook, a file too large,
#: invalid input or over the limit (nothing written), the database unreachable.
REFUSALS = refusals(400, 401, 403, 404, 413, 422, 503)
router = APIRouter(tags=["watch"])


class EntryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    criterion: WatchableCriterion
    value: str = Field(min_length=1, max_length=200)
    party_type: Literal["individual", "organization"] | None = None
    client_reference: ClientReference = None
    alert_on_deletion: bool = False

    @field_validator("value")
    @classmethod
    def _no_control(cls, value: str) -> str:
        """A search's rule (a NUL byte cannot even be stored: it was a 500)."""
        if has_control_characters(value):
            raise PydanticCustomError("no_control_characters", "control", {"field": "value"})
        return value


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(min_length=1, max_length=MAX_URL_LENGTH)


class DigestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    emails: list[str] = Field(max_length=20)


class ReadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ids: list[int] | None = Field(default=None, max_length=10_000)
    up_to: int | None = None


def _account(caller: accounts.Caller) -> int:
    assert caller.account_id is not None  # require_account
    return caller.account_id


def _limit_problem(exc: entries.LimitError, field: str = "file") -> ApiProblemError:
    return ApiProblemError(
        422, "watch_limit",
        f"Danh sách theo dõi đã có {exc.existing} mục; thêm {exc.adding} mục sẽ vượt giới "
        f"hạn {exc.limit} mục của tài khoản. Không mục nào được ghi.",
        f"The watch list holds {exc.existing} entries; adding {exc.adding} would pass the "
        f"account's limit of {exc.limit}. Nothing was written.", field=field)


@router.post("/v1/watch/entries", status_code=201, responses=REFUSALS)
def add_entry(body: EntryIn, resources: ResourcesDep,
              caller: AccountDep) -> dict[str, Any]:
    """Theo dõi một giá trị / watch one value."""
    try:
        prepared = entries.prepare(entries.NewEntry(
            body.criterion, body.value, body.party_type, body.client_reference,
            body.alert_on_deletion))
    except entries.NothingToWatchError as exc:
        raise InvalidQueryError(
            Problem("value", "no_watchable_characters", *watch_file.NOTHING)) from exc
    with resources.pool.connection() as conn:
        try:
            (entry_id,) = entries.add(conn, _account(caller), [prepared],
                                      resources.settings.watch_max_entries)
        except entries.LimitError as exc:
            raise _limit_problem(exc, "value") from exc
    return {"id": entry_id, "criterion": body.criterion, "value": body.value,
            "party_type": prepared.entry.party_type, "normalised": prepared.normalised,
            "client_reference": body.client_reference,
            "alert_on_deletion": body.alert_on_deletion}


@router.get("/v1/watch/entries", responses=REFUSALS)
def list_entries(resources: ResourcesDep, caller: AccountDep,
                 after: Annotated[int, Query(ge=0)] = 0,
                 limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
    """Danh sách theo dõi / the account's watch entries, by id."""
    with resources.pool.connection() as conn:
        found = entries.listing(conn, _account(caller), after, limit)
        total = entries.count(conn, _account(caller))
    return {"total": total, "entries": found,
            "next_after": found[-1]["id"] if len(found) == limit else None}


@router.delete("/v1/watch/entries/{entry_id}", status_code=204, responses=REFUSALS)
def delete_entry(entry_id: int, resources: ResourcesDep,
                 caller: AccountDep) -> None:
    """Bỏ theo dõi / stop watching one entry."""
    with resources.pool.connection() as conn:
        if not entries.delete(conn, _account(caller), entry_id):
            raise ApiProblemError(404, "watch_entry_not_found",
                                  "Không có mục theo dõi này.", "No such watch entry.",
                                  field="entry_id")


def _report_error(report: FileReport) -> JSONResponse:
    return error_response(
        422, "watch_file_invalid",
        f"Tệp có {report.invalid} dòng không hợp lệ; không mục nào được ghi.",
        f"The file has {report.invalid} invalid rows; nothing was written.",
        field="file", report=report.as_dict())


@router.post("/v1/watch/entries/upload", responses=REFUSALS)
def upload_entries(
    file: Annotated[UploadFile, File(description="CSV, XLSX or JSONL: the batch columns")],
    resources: ResourcesDep, caller: AccountDep,
    mode: Annotated[Literal["add", "replace", "remove"], Query()] = "add",
    validate_only: Annotated[bool, Query()] = False,
) -> Any:
    """Theo dõi theo tệp / add, replace or remove watch entries from a file."""
    settings = resources.settings
    source, head = spooled_upload(file, settings.watch_max_upload_bytes)
    try:
        report, prepared = watch_file.check(source, head, file.filename, file.content_type,
                                            settings)
    except FileProblemError as exc:
        raise batch_problem(422, exc.code, field="file", **exc.context) from exc
    except TooManyRowsError as exc:
        raise _limit_problem(entries.LimitError(exc.limit, 0, exc.limit + 1)) from exc
    if report.invalid or not prepared:
        return _report_error(report)
    result: dict[str, Any] = {"mode": mode, "entries": len(prepared),
                              "report": report.as_dict()}
    if validate_only:
        return result
    with resources.pool.connection() as conn:
        if mode == "remove":
            result["removed"] = entries.remove_matching(conn, _account(caller), prepared)
            return result
        try:
            ids = entries.add(conn, _account(caller), prepared, settings.watch_max_entries,
                              replace=mode == "replace")
        except entries.LimitError as exc:
            raise _limit_problem(exc) from exc
    result["added"] = len(ids)
    return result


@router.get("/v1/watch/alerts", responses=REFUSALS)
def list_alerts(resources: ResourcesDep, caller: AccountDep, unread: bool = False,
                after: Annotated[int, Query(ge=0)] = 0,
                limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
    """Cảnh báo / the account's alerts, oldest first from ``after``."""
    with resources.pool.connection() as conn:
        found = alerts.listing(conn, _account(caller), unread_only=unread, after=after,
                               limit=limit)
        count = alerts.unread_count(conn, _account(caller))
    return {"unread": count, "alerts": found,
            "next_after": found[-1]["id"] if len(found) == limit else None}


@router.post("/v1/watch/alerts/read", responses=REFUSALS)
def read_alerts(body: ReadIn, resources: ResourcesDep,
                caller: AccountDep) -> dict[str, int]:
    """Đánh dấu đã đọc / mark alerts read (the ids given, all up to ``up_to``, or all)."""
    with resources.pool.connection() as conn:
        return {"marked": alerts.mark_read(conn, _account(caller), body.ids, body.up_to)}


@router.put("/v1/watch/webhook", responses=REFUSALS)
def put_webhook(body: WebhookIn, resources: ResourcesDep,
                caller: AccountDep) -> dict[str, Any]:
    """Đặt webhook / set the account's alert callback; the secret is shown only here."""
    code = webhooks.url_problem(body.url, resources.settings.watch_allow_http_webhooks)
    if code is not None:
        raise InvalidQueryError(problem("url", code, limit=MAX_URL_LENGTH))
    with resources.pool.connection() as conn:
        secret = webhooks.set_url(conn, _account(caller), body.url)
    return {"url": body.url, "secret": secret, "signature_header": webhooks.SIGNATURE_HEADER}


@router.get("/v1/watch/webhook", responses=REFUSALS)
def get_webhook(resources: ResourcesDep,
                caller: AccountDep) -> dict[str, Any]:
    with resources.pool.connection() as conn:
        found = webhooks.get(conn, _account(caller))
    if found is None:
        raise ApiProblemError(404, "webhook_not_set", "Chưa đặt webhook.", "No webhook is set.",
                             field="url")
    return found


@router.delete("/v1/watch/webhook", status_code=204, responses=REFUSALS)
def delete_webhook(resources: ResourcesDep,
                   caller: AccountDep) -> None:
    with resources.pool.connection() as conn:
        webhooks.remove(conn, _account(caller))


def _digest_to(resources: Resources, caller: accounts.Caller) -> dict[str, Any]:
    with resources.pool.connection() as conn:
        return {"emails": list(digests.recipients(conn, _account(caller))),
                "own_list": digests.recipients_set(conn, _account(caller)),
                "interval_minutes": resources.settings.watch_digest_interval_minutes}


@router.put("/v1/watch/digest", responses=REFUSALS)
def put_digest(body: DigestIn, resources: ResourcesDep, caller: AccountDep) -> dict[str, Any]:
    """Nơi nhận bản tin cảnh báo / where the alerts' e-mail digests go (``[]``: nowhere)."""
    found = checked_emails(body.emails, "emails")
    with resources.pool.connection() as conn:
        digests.set_recipients(conn, _account(caller), found)
    return _digest_to(resources, caller)


@router.get("/v1/watch/digest", responses=REFUSALS)
def get_digest(resources: ResourcesDep, caller: AccountDep) -> dict[str, Any]:
    """Where the digests go: the account's list, else its contact e-mails."""
    return _digest_to(resources, caller)


@router.delete("/v1/watch/digest", responses=REFUSALS)
def delete_digest(resources: ResourcesDep, caller: AccountDep) -> dict[str, Any]:
    """Back to the account's contact e-mails."""
    with resources.pool.connection() as conn:
        digests.set_recipients(conn, _account(caller), None)
    return _digest_to(resources, caller)
