"""The cheap anonymous view (``api.privacy``) gives exactly what the view it replaced gave
(``benchmarks.privacy_before``, the oracle), and nothing in it gives an individual's
number or address back (docs/privacy.md)."""

from __future__ import annotations

import json
import re
from itertools import islice
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from api.privacy import AnonymousView, anonymous_view
from benchmarks.privacy_before import anonymous_view_before
from query.search import Match

_SEPARATORS = " .-/"
#: Characters of numbers: the oracle used the number as ``re.sub``'s replacement, so a
#: backslash in its last four characters was read as an escape (or failed); see
#: ``test_a_backslash_in_a_number_is_masked_as_written``.
_NUMBER_CHARS = "0123456789ABCDEFGHKLMNPabc -./_"
_WORDS = ["Số", "nhà", "12", "ngõ", "34/5", "Phường", "Bến", "Nghé", "Quận", "1", "TP.",
          "Hồ", "Chí", "Minh", "Thôn", "Đông", "xã", "An", "Khánh", "huyện", "Hoài", "Đức"]

numbers = st.one_of(
    st.text("0123456789", min_size=9, max_size=12),  # CMND, CCCD
    st.builds(lambda letter, rest: letter + rest,  # passport
              st.sampled_from("BCN"), st.text("0123456789", min_size=7, max_size=7)),
    st.text(_NUMBER_CHARS, min_size=1, max_size=16),  # anything a clerk typed
)
addresses = st.one_of(
    st.lists(st.sampled_from(_WORDS), min_size=1, max_size=8).map(" ".join),
    st.text(min_size=0, max_size=12).filter(lambda text: "\\" not in text),
    st.none(),
)


@st.composite
def individuals(draw: st.DrawFn) -> dict[str, Any]:
    party: dict[str, Any] = {"party_type": "individual", "name": "Nguyễn Văn An",
                             "id_type": draw(st.sampled_from(["cccd", "cmnd", "passport"])),
                             "id_number": draw(numbers)}
    address = draw(addresses)
    if address is not None:
        party["address"] = address
    return party


organisations = st.fixed_dictionaries({
    "party_type": st.just("organization"), "name": st.just("Ngân hàng TMCP Á Châu"),
    "id_type": st.just("tax_code"), "id_number": st.text("0123456789-", min_size=10,
                                                         max_size=14),
    "address": st.lists(st.sampled_from(_WORDS), min_size=1, max_size=6).map(" ".join)})


def spread(number: str, draw: st.DrawFn) -> str:
    """The number's word characters with at most one separator between any two, and its
    letters in either case: how the rule says it may be written elsewhere."""
    text = re.sub(r"\W", "", number)
    out = []
    for ch in text:
        out.append(ch.swapcase() if draw(st.booleans()) else ch)
        out.append(draw(st.sampled_from(["", "", *_SEPARATORS])))
    return "".join(out)


@st.composite
def free_text(draw: st.DrawFn, parties: list[dict[str, Any]]) -> str:
    """A string of the registration: noise, and perhaps the parties' secrets in it."""
    pieces = draw(st.lists(st.text(max_size=8), max_size=3))
    for party in parties:
        number = str(party.get("id_number") or "")
        choice = draw(st.sampled_from(["none", "as written", "spread", "address", "part"]))
        if choice == "as written":
            pieces.append(number)
        elif choice == "spread":
            pieces.append(spread(number, draw))
        elif choice == "address":
            pieces.append(str(party.get("address") or ""))
        elif choice == "part":
            pieces.append(number[: draw(st.integers(0, len(number)))])
    pieces = draw(st.permutations(pieces))
    return draw(st.sampled_from(["", " ", ", ", "\n"])).join(pieces)


@st.composite
def registrations(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    grantors = draw(st.lists(st.one_of(individuals(), organisations), min_size=1,
                             max_size=3))
    secured = draw(st.lists(st.one_of(organisations, individuals()), min_size=1, max_size=2))
    parties = grantors + secured
    texts = free_text(parties)
    registration: dict[str, Any] = {
        "registration_number": "2403123456789", "kind": "mortgage", "status": "in_force",
        "grantors": grantors, "secured_parties": secured,
        "assets": [{"type": "vehicle", "description": draw(texts),
                    "serials": draw(st.lists(texts, max_size=2)), "year": 2019}],
        "obligation": {"contract_number": draw(texts), "amount": None},
        "events": [{"type": "correction", "summary": draw(texts)}
                   for _ in range(draw(st.integers(0, 2)))],
        "notes": (draw(texts), draw(texts)),  # a tuple: neither view looks inside
    }
    return registration, draw(texts)


def _match(registration: dict[str, Any], value: str) -> Match:
    return Match("exact", 1.0, (), "grantor", 0, "id_number", value, 7, registration)


def _both(registration: dict[str, Any], value: str) -> tuple[AnonymousView, AnonymousView]:
    match = _match(registration, value)
    return anonymous_view(match), anonymous_view_before(match)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []  # a tuple too: registrations come from JSON, neither view looks inside one


@settings(max_examples=400)
@given(registrations())
def test_the_view_is_the_one_it_replaced(case: tuple[dict[str, Any], str]) -> None:
    """The same view, except where the view before still showed a number: it replaced
    each occurrence once, so a string holding a number twice, overlapping (``000000000``
    in a run of 14 zeros: the mask keeps the last four characters, which with the text
    after them write the number again), kept it; the view now replaces until none is
    left."""
    registration, value = case
    before = json.dumps(registration, ensure_ascii=False)
    new, old = _both(registration, value)
    if new != old:
        assert _shown_numbers(old, registration), (new, old)
        assert not _shown_numbers(new, registration)
    assert json.dumps(registration, ensure_ascii=False) == before  # the original untouched


def _people(registration: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in registration["grantors"] + registration["secured_parties"]
            if p["party_type"] == "individual"]


def _shown_numbers(view: AnonymousView, registration: dict[str, Any]) -> list[str]:
    """The strings of ``view`` that show an individual's number (8 characters or more) as
    written or however separated."""
    shown = _strings([view.registration, view.value_as_registered])
    found = []
    for party in _people(registration):
        number = party["id_number"]
        text = re.sub(r"\W", "", number)
        pattern = re.compile("[ ./-]?".join(map(re.escape, text)), re.IGNORECASE)
        found += [string for string in shown if (len(number) >= 8 and number in string)
                  or (len(text) >= 8 and pattern.search(string))]
    return found


@settings(max_examples=300)
@given(registrations())
def test_no_individual_number_or_address_comes_back(case: tuple[dict[str, Any], str]) -> None:
    registration, value = case
    view, _ = _both(registration, value)
    assert not _shown_numbers(view, registration)
    shown = _strings([view.registration, view.value_as_registered])
    for party in _people(registration):
        address = str(party.get("address") or "").strip()
        if len(address) >= 8:  # not a word that could be part of a mask or of the text
            assert not any(address in string for string in shown)  # replacing an address
    assert "address" not in view.registration["grantors"][0] or (
        registration["grantors"][0]["party_type"] != "individual")


def test_a_backslash_in_a_number_is_masked_as_written() -> None:
    """The oracle used the mask as ``re.sub``'s replacement template: a number ending in a
    backslash raised ``re.error`` (a 500), ``\\n`` became a line break. The view hides it
    as written."""
    number = "0123456789\\n"
    registration = {"grantors": [{"party_type": "individual", "id_number": number}],
                    "events": [{"summary": f"CCCD {number}"}]}
    view = anonymous_view(_match(registration, number))
    assert view.value_as_registered == "********89\\n"
    assert view.registration["events"][0]["summary"] == "CCCD ********89\\n"
    trailing = "012345678\\"
    view = anonymous_view(_match(
        {"grantors": [{"party_type": "individual", "id_number": trailing}]}, trailing))
    assert view.value_as_registered == "******678\\"


def test_synthetic_registrations_are_shown_as_before() -> None:
    """Registrations from the synthetic generator (as the index holds them), matched on the
    grantor's number and on the grantor's name, with the number and address in a summary."""
    from registry.synthetic.generator import iter_registrations

    individuals_seen = 0
    for registration in islice(iter_registrations(count=400, seed=13), 400):
        grantor = registration["grantors"][0]
        individuals_seen += grantor["party_type"] == "individual"
        leaky = {**registration, "events": [*registration["events"], {
            "type": "correction",
            "summary": f"Sửa {grantor['id_number']} / {grantor.get('address', '')}"}]}
        for value in (grantor["id_number"], grantor["name"]):
            new, old = _both(leaky, value)
            assert new == old
    assert individuals_seen > 100


def test_a_number_spread_by_a_control_character_is_still_found() -> None:
    """``\\x1c`` is a separator (``\\s``) that JSON writes ``\\u001c``: digits the quick
    look at the registration's JSON must not trust."""
    number = "001190012345"
    for spread_out in ("001\x1c190\x0b012345", "001 190.012-345", "0011\ud80090012345"):
        registration = {"grantors": [{"party_type": "individual", "id_number": number,
                                      "address": "Thôn \ud800 Đông"}],
                        "events": [{"summary": f"CCCD {spread_out}; Thôn \ud800 Đông"}]}
        view, old = _both(registration, "Nguyễn Văn An")
        assert view == old
        summary = view.registration["events"][0]["summary"]
        assert "Thôn \ud800 Đông" not in summary
        assert ("12345" in summary) == ("\ud800" in spread_out)  # no separator: not a spread
