"""Read an uploaded file without reading past a size limit.

FastAPI parses a ``File(...)`` parameter's whole multipart body before the endpoint runs,
so a limit checked there comes after the upload has been read (a 60 MB upload held the
event loop for 10 s). Here the endpoint parses the form itself, through Starlette's parser,
from a stream that refuses a declared ``Content-Length`` over the limit before reading a
byte, and stops counting bytes as they arrive at the limit.
"""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.types import Message

from api.errors import ApiProblemError


class _TooLargeError(Exception):
    pass


def too_large(limit: int) -> ApiProblemError:
    mib = f"{limit / (1 << 20):.1f} MiB"
    return ApiProblemError(
        413, "file_too_large",
        f"Tệp tải lên quá lớn: tối đa {limit} byte ({mib}).",
        f"The uploaded file is too large: at most {limit} bytes ({mib}).")


def _bad_form(field: str) -> ApiProblemError:
    return ApiProblemError(
        422, "file_missing",
        f"Cần gửi một tệp PDF trong trường biểu mẫu '{field}' (multipart/form-data).",
        f"Send one PDF file in the form field '{field}' (multipart/form-data).")


async def read_one_file(request: Request, field: str, limit: int) -> bytes:
    """The bytes of the file in form field ``field``; 413 past ``limit`` bytes of body
    (the multipart framing counts: a few hundred bytes), 422 without such a file."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large(limit)
    received = 0

    async def receive() -> Message:
        nonlocal received
        message = await request.receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise _TooLargeError
        return message

    limited = Request(request.scope, receive)
    try:
        form = await limited.form(max_files=1, max_fields=4)
    except _TooLargeError as exc:
        raise too_large(limit) from exc
    except Exception as exc:  # untrusted input: any parse failure is the sender's
        raise _bad_form(field) from exc
    try:
        upload = form.get(field)
        if not isinstance(upload, UploadFile):
            raise _bad_form(field)
        return await upload.read()
    finally:
        await form.close()
