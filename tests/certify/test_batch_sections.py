"""The rows table of a batch certificate: cells are plain strings wherever the text
breaks at spaces (fast to lay out), paragraphs otherwise; no text is lost either way."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph

from certify.batch_render import render_batch_pdf
from certify.batch_sections import _broken, _line_cells
from certify.batch_snapshot import BatchCertificateSnapshot, RowLine
from certify.fonts import register_fonts
from certify.sections import make_styles
from tests.certify.batch_factories import batch_snapshot_dict, results_file
from tests.certify.conftest import pdftotext

FONTS = register_fonts()
STYLES = make_styles(FONTS)
WORDS = st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyÁÀẢÃẠỨỪỬỮỰ0123456789-*#&<>",
                min_size=1, max_size=30)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(WORDS, min_size=1, max_size=8), min_size=1, max_size=3),
       st.sampled_from([FONTS.regular, FONTS.bold]), st.sampled_from([56.0, 108.0, 200.0]))
def test_broken_text_keeps_every_word_and_fits_or_says_it_cannot(
        paragraphs: list[list[str]], font: str, width: float) -> None:
    text = "\n".join(" ".join(words) for words in paragraphs)
    found = _broken(text, font, 8.0, width)
    if found is None:  # some word alone is wider than the cell
        assert any(stringWidth(word, font, 8.0) > width for words in paragraphs
                   for word in words)
        return
    assert found.split() == text.split()
    assert all(stringWidth(line, font, 8.0) <= width for line in found.split("\n"))


def _line(value: str, numbers: list[str], total: int | None = None) -> RowLine:
    total = total if total is not None else len(numbers)
    return RowLine(row=7, criterion="debtor_name", value_as_entered=value,
                   party_type="organization", exact_count=total, close_count=0,
                   exact_registrations=tuple(numbers), exact_registrations_total=total)


def test_a_value_with_a_word_too_wide_for_its_cell_is_a_paragraph() -> None:
    long_word = "CÔNGTYTNHHTHƯƠNGMẠIDỊCHVỤXUẤTNHẬPKHẨUĐÔNGÁ" * 2
    cells = _line_cells(_line(long_word, ["2024-0000000001"]), STYLES)
    assert isinstance(cells[2], Paragraph)
    plain = _line_cells(_line("Công ty TNHH Đông Á", ["2024-0000000001"]), STYLES)
    assert all(isinstance(cell, str) for cell in plain)
    assert plain[0] == "7" and plain[3] == "1" and plain[4] == "0"


def test_markup_characters_and_more_numbers_are_printed_as_written() -> None:
    raw = batch_snapshot_dict(0, 3)
    numbers = [f"2024-{n:010d}" for n in range(10)]
    raw["rows_with_matches"] = [
        {**_line("Cty <TNHH> A & B", numbers, total=14).model_dump()},
        {**_line("X" * 90, [], total=0).model_dump(), "row": 8, "exact_count": 0,
         "close_count": 1}]
    raw["counts"].update(with_exact=1, close_only=1, no_match=1)
    raw["by_criterion"] = [{"criterion": "debtor_name", "searched": 3, "with_exact": 1,
                            "close_only": 1, "no_match": 1}]
    data = results_file(3)
    snapshot = BatchCertificateSnapshot.model_validate(raw)
    text = unicodedata.normalize("NFC", " ".join(pdftotext(render_batch_pdf(snapshot, data))
                                                 .split()))
    assert "Cty <TNHH> A & B" in text
    assert "và 4 số khác (xem tệp đính kèm) (and 4 more (see the attached file))" in text
    assert all(number in text for number in numbers)
    assert "X" * 40 in text.replace(" ", "")
