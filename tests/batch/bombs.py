"""Hostile spreadsheets, built the way an attacker builds them (issue 19, item 5)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

from openpyxl import Workbook

#: Uncompressed size of the whitespace bomb's sheet (about 1 MB once deflated).
WHITESPACE_BYTES = 1024 * 1024 * 1024
#: Cells in the header row of the wide bomb.
HEADER_CELLS = 2_000_000


def _template() -> dict[str, bytes]:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Số CCCD/CMND"])
    sheet.append(["001085012345"])
    out = io.BytesIO()
    book.save(out)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _bomb(sheet_parts: Iterator[bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in _template().items():
            if name != "xl/worksheets/sheet1.xml":
                archive.writestr(name, data)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for part in sheet_parts:
                sheet.write(part)
    return out.getvalue()


_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
         b'<sheetData>')
_TAIL = b"</sheetData></worksheet>"


def whitespace_bomb() -> bytes:
    """A workbook whose one data cell holds 1 GiB of spaces (about 1 MB on the wire)."""
    def parts() -> Iterator[bytes]:
        yield _HEAD + b'<row r="1"><c r="A1" t="inlineStr"><is><t>so_giay_to</t></is></c></row>'
        yield b'<row r="2"><c r="A2" t="inlineStr"><is><t>001085012345'
        block = b" " * (1 << 20)
        for _ in range(WHITESPACE_BYTES >> 20):
            yield block
        yield b"</t></is></c></row>" + _TAIL
    return _bomb(parts())


def wide_bomb() -> bytes:
    """A workbook whose header row has 2 million text cells (about 220 KB on the wire)."""
    def parts() -> Iterator[bytes]:
        yield _HEAD + b'<row r="1"><c t="inlineStr"><is><t>so_giay_to</t></is></c>'
        cell = b'<c t="inlineStr"><is><t>x</t></is></c>'
        for _ in range(HEADER_CELLS // 10_000):
            yield cell * 10_000
        yield b"</row>" + _TAIL
    return _bomb(parts())
