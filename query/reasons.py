"""Reason codes of the matching contract, their wording and their weight in the score.

Each code is spelled exactly as in the contract. ``vi`` and ``en`` are the
user-visible explanations (Vietnamese first, English alongside). ``penalty``
is how much the reason costs: a result's score is the product of
``1 - penalty`` over its reasons, so an exact match without reasons scores 1.0
and the score falls as reasons pile up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    vi: str
    en: str
    penalty: float


_REASONS: Final = (
    Reason("diacritics_differ", "Dấu tiếng Việt khác nhau",
           "Vietnamese diacritics differ", 0.10),
    Reason("token_order", "Các từ giống nhau nhưng khác thứ tự",
           "Same words in another order", 0.15),
    Reason("missing_token", "Thiếu một từ ở giữa tên",
           "One middle word of the name is missing", 0.20),
    Reason("extra_token", "Thừa một từ ở giữa tên",
           "One extra middle word in the name", 0.20),
    Reason("edit_distance", "Khác một ký tự (thêm, bớt, thay hoặc đảo hai ký tự liền nhau)",
           "One character differs (inserted, deleted, substituted or two adjacent swapped)",
           0.20),
    Reason("y_i_variant", "Viết \"y\" thay cho \"i\" hoặc ngược lại (Lý/Lí)",
           "\"y\" written for \"i\" or the other way round (Lý/Lí)", 0.05),
    Reason("joined_syllables", "Các âm tiết viết liền hoặc tách rời",
           "Syllables written together or apart", 0.10),
    Reason("legal_form_ignored", "Không xét loại hình doanh nghiệp (tra cứu không nêu)",
           "Legal form not considered (the search gave none)", 0.02),
    Reason("legal_form_differs", "Loại hình doanh nghiệp khác nhau",
           "Legal forms differ", 0.10),
    Reason("abbreviation", "Từ viết tắt hoặc \"&\"/\"và\"/\"and\" (TM = thương mại)",
           "Abbreviation or \"&\"/\"và\"/\"and\" (TM = thương mại)", 0.05),
    Reason("branch_of", "Mã số thuế của chi nhánh thuộc mã số tra cứu",
           "Branch tax code of the searched parent tax code", 0.05),
    Reason("leading_zeros", "Khác nhau ở các số 0 đứng đầu",
           "Differs in leading zeros", 0.10),
    Reason("separators_ignored", "Bỏ qua dấu cách, dấu chấm, gạch nối và ký tự đặc biệt",
           "Spaces, dots, hyphens and special characters ignored", 0.01),
    Reason("confusable_chars", "Coi O, Q là 0 và I là 1",
           "O and Q read as 0, I read as 1", 0.02),
    Reason("suffix_match", "Trùng với phần cuối của số",
           "Equals the tail of the number", 0.30),
)

#: Code -> reason, in the contract's order.
REASONS: Final = {reason.code: reason for reason in _REASONS}
REASON_CODES: Final = tuple(REASONS)
_RANK: Final = {code: rank for rank, code in enumerate(REASON_CODES)}

DIACRITICS_DIFFER: Final = "diacritics_differ"
TOKEN_ORDER: Final = "token_order"
MISSING_TOKEN: Final = "missing_token"
EXTRA_TOKEN: Final = "extra_token"
EDIT_DISTANCE: Final = "edit_distance"
Y_I_VARIANT: Final = "y_i_variant"
JOINED_SYLLABLES: Final = "joined_syllables"
LEGAL_FORM_IGNORED: Final = "legal_form_ignored"
LEGAL_FORM_DIFFERS: Final = "legal_form_differs"
ABBREVIATION: Final = "abbreviation"
BRANCH_OF: Final = "branch_of"
LEADING_ZEROS: Final = "leading_zeros"
SEPARATORS_IGNORED: Final = "separators_ignored"
CONFUSABLE_CHARS: Final = "confusable_chars"
SUFFIX_MATCH: Final = "suffix_match"


def ordered(codes: Iterable[str]) -> tuple[str, ...]:
    """Codes without repeats, in the contract's order."""
    return tuple(sorted(set(codes), key=_RANK.__getitem__))


def score(codes: Iterable[str]) -> float:
    """Product of ``1 - penalty`` over the reasons, in [0, 1]."""
    value = 1.0
    for code in set(codes):
        value *= 1.0 - REASONS[code].penalty
    return round(value, 4)
