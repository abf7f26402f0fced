"""The key guarantees, by property: derive query variants of each contract class
from a registered value, classify the pair, and check that the keys (or the
documented Elasticsearch query) would retrieve it.

* exact pair  -> ``index.exact & query.exact``;
* close pair  -> ``index.exact & query.exact`` or ``index.close & query.close``, or
  for serial numbers the ``prefix`` / tails lookups of ``normalizers.keys``.
"""

from __future__ import annotations

import unicodedata

from hypothesis import event, given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import OSA

from normalizers.alphabet import COMPOSE, DECOMPOSE
from normalizers.keys import (
    MIN_CLOSE_ID,
    MIN_CLOSE_SERIAL,
    MIN_SUFFIX,
    id_index_keys,
    id_query_keys,
    name_index_keys,
    name_query_keys,
    serial_index_keys,
    serial_query_keys,
)
from normalizers.text import n2
from query.classify import classify
from tests.normalizers.strategies import HONORIFICS, capitalised, person_names, syllables

_EXAMPLES = 250
_LETTERS = "abcdeghiklmnopqrstuvxyăâêôơưđáàảãạ"
_Y_TO_I = str.maketrans("yýỳỷỹỵYÝỲỶỸỴ", "iíìỉĩịIÍÌỈĨỊ")
_I_TO_Y = str.maketrans("iíìỉĩịIÍÌỈĨỊ", "yýỳỷỹỵYÝỲỶỸỴ")


def _retone(word: str, tone: int) -> str:
    out = []
    for letter in word:
        parts = DECOMPOSE.get(letter)
        out.append(COMPOSE[(parts[0], tone)] if parts and parts[1] else letter)
    changed = "".join(out)
    if changed != word:
        return changed
    for index, letter in enumerate(word):
        parts = DECOMPOSE.get(letter)
        if parts:
            return word[:index] + COMPOSE[(parts[0], tone)] + word[index + 1:]
    return word


def _edit(word: str, data: st.DataObject) -> str:
    kind = data.draw(st.sampled_from(["insert", "delete", "substitute", "swap"]))
    position = data.draw(st.integers(0, max(len(word) - 1, 0)))
    letter = data.draw(st.sampled_from(_LETTERS))
    if kind == "insert":
        return word[:position] + letter + word[position:]
    if kind == "delete" and len(word) > 1:
        return word[:position] + word[position + 1:]
    if kind == "swap" and position + 1 < len(word):
        return word[:position] + word[position + 1] + word[position] + word[position + 2:]
    return word[:position] + letter + word[position + 1:]


def _vary_words(words: list[str], data: st.DataObject) -> list[str]:
    op = data.draw(st.sampled_from([
        "same", "upper", "ascii", "nfd", "reorder", "drop", "add", "edit", "yi", "iy",
        "join", "split", "honorific", "retone", "other"]))
    words = list(words)
    size = len(words)
    if op == "upper":
        return [w.upper() for w in words]
    if op == "ascii":
        return [n2(w) for w in words]
    if op == "nfd":
        return [unicodedata.normalize("NFD", w) for w in words]
    if op == "reorder":
        return list(data.draw(st.permutations(words)))
    if op == "drop" and size >= 3:
        del words[data.draw(st.integers(1, size - 2))]
        return words
    if op == "add" and size >= 2:
        words.insert(data.draw(st.integers(1, size - 1)), capitalised(data.draw(syllables())))
        return words
    if op == "edit":
        index = data.draw(st.integers(0, size - 1))
        words[index] = _edit(words[index], data)
        return words
    if op == "yi":
        return [w.translate(_Y_TO_I) for w in words]
    if op == "iy":
        return [w.translate(_I_TO_Y) for w in words]
    if op == "join" and size >= 2:
        start = data.draw(st.integers(0, size - 2))
        end = data.draw(st.integers(start + 2, size))
        return [*words[:start], "".join(words[start:end]), *words[end:]]
    if op == "split":
        index = data.draw(st.integers(0, size - 1))
        word = words[index]
        if len(word) >= 2:
            cut = data.draw(st.integers(1, len(word) - 1))
            return [*words[:index], word[:cut], word[cut:], *words[index + 1:]]
    if op == "honorific":
        return [data.draw(st.sampled_from(HONORIFICS)), *words]
    if op == "retone":
        index = data.draw(st.integers(0, size - 1))
        words[index] = _retone(words[index], data.draw(st.integers(0, 5)))
        return words
    if op == "other":
        return data.draw(person_names())
    return words


def _check_name(registered: str, query: str, registered_type: str | None,
                query_type: str | None) -> None:
    if registered_type and query_type and registered_type != query_type:
        return  # the search skips such pairs
    verdict = classify("debtor_name", registered, query, registered_type or query_type)
    index = name_index_keys(registered, registered_type)
    asked = name_query_keys(query, query_type)
    event(f"{verdict.tier} {' '.join(verdict.reasons)}")
    if verdict.tier == "exact":
        assert index.exact & asked.exact, (registered, query, verdict)
    elif verdict.tier == "close":
        assert index.exact & asked.exact or index.close & asked.close, (
            registered, query, verdict)


_PERSON_TYPES = st.sampled_from([None, "individual"])


@settings(max_examples=_EXAMPLES, deadline=None)
@given(person_names(), _PERSON_TYPES, _PERSON_TYPES, st.data())
def test_person_name_keys_cover_exact_and_close(
        words: list[str], registered_type: str | None, query_type: str | None,
        data: st.DataObject) -> None:
    query_words = _vary_words(words, data)
    if data.draw(st.booleans()):
        query_words = _vary_words(query_words, data)
    _check_name(" ".join(words), " ".join(query_words), registered_type, query_type)


_LEGAL_FORMS = [
    ("Công ty TNHH ", ""), ("Cty TNHH ", ""), ("CÔNG TY TRÁCH NHIỆM HỮU HẠN ", ""),
    ("", " Co., Ltd"), ("Công ty Cổ phần ", ""), ("CTCP ", ""), ("", " JSC"),
    ("Công ty TNHH MTV ", ""), ("Công ty TNHH một thành viên ", ""), ("DNTN ", ""),
    ("Hợp tác xã ", ""), ("Chi nhánh Công ty TNHH ", ""), ("Công ty ", ""), ("", ""),
    ("Ngân hàng TMCP ", ""),
]
_TRADE = [("Thương mại", "TM"), ("Dịch vụ", "DV"), ("Xây dựng", "XD"), ("Sản xuất", "SX"),
          ("Xuất nhập khẩu", "XNK"), ("Đầu tư", "ĐT"), ("Phát triển", "PT"), ("và", "&")]


@st.composite
def organization_cores(draw: st.DrawFn) -> list[str]:
    parts: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        if draw(st.booleans()):
            full, short = draw(st.sampled_from(_TRADE))
            parts.append(short if draw(st.booleans()) else full)
        else:
            parts.append(capitalised(draw(syllables())))
    return " ".join(parts).split()


def _vary_core(words: list[str], data: st.DataObject) -> list[str]:
    op = data.draw(st.sampled_from(["same", "abbreviate", "expand", "words", "connector"]))
    text = " ".join(words)
    if op == "abbreviate":
        for full, short in _TRADE:
            text = text.replace(full, short)
        return text.split()
    if op == "expand":
        for full, short in _TRADE:
            text = " ".join(full if w == short else w for w in text.split())
        return text.split()
    if op == "connector":
        return [w for w in words if w not in ("và", "&")] or words
    if op == "words":
        return _vary_words(words, data)
    return words


_ORG_TYPES = st.sampled_from([None, "organization"])


@settings(max_examples=_EXAMPLES, deadline=None)
@given(organization_cores(), st.sampled_from(_LEGAL_FORMS), st.sampled_from(_LEGAL_FORMS),
       _ORG_TYPES, _ORG_TYPES, st.data())
def test_organization_name_keys_cover_exact_and_close(
        core: list[str], registered_form: tuple[str, str], query_form: tuple[str, str],
        registered_type: str | None, query_type: str | None, data: st.DataObject) -> None:
    query_core = _vary_core(core, data)
    if data.draw(st.booleans()):
        query_core = _vary_core(query_core, data)
    registered = registered_form[0] + " ".join(core) + registered_form[1]
    query = query_form[0] + " ".join(query_core) + query_form[1]
    _check_name(registered, query, registered_type, query_type)


def _fuzzy_hits(value: str, terms: frozenset[str]) -> bool:
    """What Elasticsearch's ``fuzzy`` (fuzziness 1, transpositions) would find."""
    return any(OSA.distance(value, term) <= 1 for term in terms)


@settings(max_examples=_EXAMPLES, deadline=None)
@given(st.text("0123456789AC", min_size=MIN_CLOSE_SERIAL, max_size=18), st.data())
def test_deletion_keys_find_everything_fuzzy_found(form: str, data: st.DataObject) -> None:
    """Serial keys reach every form one edit away, as the ``fuzzy`` query they replace
    did; identity keys every form one substitution or adjacent swap away."""
    kind = data.draw(st.sampled_from(["insert", "delete", "substitute", "swap"]))
    at = data.draw(st.integers(0, len(form) - 1))
    char = data.draw(st.sampled_from("0123456789AC"))
    other = {"insert": form[:at] + char + form[at:], "delete": form[:at] + form[at + 1:],
             "substitute": form[:at] + char + form[at + 1:],
             "swap": form[:at] + form[at + 1:at + 2] + form[at:at + 1] + form[at + 2:]}[kind]
    event(f"{kind}, osa {OSA.distance(form, other)}")
    if OSA.distance(form, other) <= 1 and len(other) >= MIN_CLOSE_SERIAL:
        assert _fuzzy_hits(other, frozenset({form}))
        assert serial_index_keys(form).close & serial_query_keys(other).close
        if len(other) == len(form) and len(form) >= MIN_CLOSE_ID:
            assert id_index_keys(form).close & id_query_keys(other).close


@st.composite
def numbers(draw: st.DrawFn) -> str:
    length = draw(st.sampled_from([7, 8, 9, 10, 12, 13, 11, 14]))
    digits = draw(st.text(alphabet="0123456789", min_size=length, max_size=length))
    if draw(st.integers(0, 5)) == 0:
        return "C" + digits[:7]
    return digits


def _vary_number(value: str, data: st.DataObject) -> str:
    op = data.draw(st.sampled_from([
        "same", "separators", "strip_zeros", "add_zeros", "substitute", "swap", "parent",
        "branch", "other"]))
    if op == "separators":
        return " ".join(value[i:i + 3] for i in range(0, len(value), 3)).lower()
    if op == "strip_zeros":
        return value.lstrip("0") or value
    if op == "add_zeros":
        return "0" * data.draw(st.integers(1, 3)) + value
    if op in ("substitute", "swap") and len(value) >= 2:
        index = data.draw(st.integers(0, len(value) - 2))
        if op == "swap":
            return value[:index] + value[index + 1] + value[index] + value[index + 2:]
        return value[:index] + data.draw(st.sampled_from("0123456789")) + value[index + 1:]
    if op == "parent":
        return value[:10]
    if op == "branch":
        return value + "-" + data.draw(st.sampled_from(["001", "002", "010"]))
    if op == "other":
        return data.draw(numbers())
    return value


@settings(max_examples=_EXAMPLES, deadline=None)
@given(numbers(), st.data())
def test_id_keys_cover_exact_and_close(registered: str, data: st.DataObject) -> None:
    query = _vary_number(registered, data)
    if data.draw(st.booleans()):
        registered, query = query, registered
    verdict = classify("id_number", registered, query)
    index, asked = id_index_keys(registered), id_query_keys(query)
    event(f"{verdict.tier} {' '.join(verdict.reasons)}")
    if verdict.tier == "exact":
        assert index.exact & asked.exact
    elif verdict.tier == "close":
        assert index.close & asked.close, (registered, query, verdict)


_SERIAL_ALPHABET = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789OIQ"


@st.composite
def serials(draw: st.DrawFn) -> str:
    return draw(st.text(alphabet=_SERIAL_ALPHABET, min_size=5, max_size=17))


def _vary_serial(value: str, data: st.DataObject) -> str:
    op = data.draw(st.sampled_from([
        "same", "separators", "confusables", "edit", "tail", "extend", "other"]))
    if op == "separators":
        cut = data.draw(st.integers(0, len(value)))
        return (value[:cut] + data.draw(st.sampled_from(["-", " ", "*", "#", "."]))
                + value[cut:]).lower()
    if op == "confusables":
        return value.translate(str.maketrans("0OI1", "O0LI"))
    if op == "edit":
        return _edit(value, data).upper()
    if op == "tail":
        return value[data.draw(st.integers(1, max(1, len(value) - 1))):]
    if op == "extend":
        return data.draw(serials()) + value
    if op == "other":
        return data.draw(serials())
    return value


@settings(max_examples=_EXAMPLES, deadline=None)
@given(serials(), st.sampled_from(["chassis_number", "engine_number", "plate_number"]),
       st.data())
def test_serial_keys_cover_exact_and_close(registered: str, criterion: str,
                                           data: st.DataObject) -> None:
    query = _vary_serial(registered, data)
    if data.draw(st.booleans()):
        registered, query = query, registered
    verdict = classify(criterion, registered, query)
    index, asked = serial_index_keys(registered), serial_query_keys(query)
    event(f"{verdict.tier} {' '.join(verdict.reasons)}")
    if verdict.tier == "exact":
        assert index.exact & asked.exact
    elif verdict.tier == "close":
        form = asked.normalised
        keys = bool(index.close & asked.close)
        prefix = len(form) >= MIN_SUFFIX and any(
            reversed_form.startswith(form[::-1]) for reversed_form in index.reversed)
        tails = bool(set(asked.tails) & index.exact)
        assert keys or prefix or tails, (registered, query, verdict)
