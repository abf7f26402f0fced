"""Hypothesis strategies for the exact tier's ground truth: small registries whose names
share words (namesakes, surnames, legal-form words inside names) and the queries asked of
them (registered values as typed differently, and values of their own)."""

from __future__ import annotations

from hypothesis import strategies as st
from unidecode import unidecode

from benchmarks.baselines.corpus import Asset, Party, Registration
from benchmarks.quality.streamed_truth import Wanted

#: Words of names: surnames, a legal-form word ("Công") and honorific-like ones ("Anh")
#: inside personal names, a legal form, a legacy (VNI) spelling of "Nguyễn".
WORDS = ["Nguyễn", "Nguyen", "Nguyeãn", "Văn", "Thị", "Công", "Vinh", "Anh", "An", "Hải",
         "Thanh", "Xuân", "Công ty", "TNHH", "Bình", "Hoa"]
NAMES = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join)
IDS = st.sampled_from(["079085001234", "0101234567", "0101234567001", "C1234567"])
SERIALS = st.sampled_from(["RLHJC5218", "rlhj-c52 18", "RLHJC52I8", "29A-123.45", "K15B"])
PARTY_TYPES = st.sampled_from(["individual", "organization"])
SERIAL_CRITERIA = ["chassis_number", "engine_number", "plate_number"]


@st.composite
def registrations(draw: st.DrawFn) -> list[Registration]:
    out = []
    for n in range(draw(st.integers(0, 12))):
        grantors = tuple(Party(draw(NAMES), draw(PARTY_TYPES), "cccd", draw(st.none() | IDS))
                         for _ in range(draw(st.integers(0, 2))))
        assets = tuple(Asset(draw(st.none() | SERIALS), draw(st.none() | SERIALS),
                             draw(st.none() | SERIALS)) for _ in range(draw(st.integers(0, 2))))
        out.append(Registration(f"2024-{n:08d}", "in_force", grantors, assets))
    return out


def _retyped(draw: st.DrawFn, name: str) -> str:
    """A registered name as a searcher may type it."""
    return draw(st.sampled_from([name, unidecode(name), name.upper(), f"  {name}.",
                                 name.replace(" ", ", "), f"Ông {name}"]))


@st.composite
def queries(draw: st.DrawFn, registered: list[Registration]) -> list[Wanted]:
    """Queries of every criterion: values of their own, and registered values retyped."""
    out = draw(st.lists(st.one_of(
        st.builds(Wanted, st.just("debtor_name"), NAMES, st.none() | PARTY_TYPES),
        st.builds(Wanted, st.just("id_number"), IDS, st.none()),
        st.builds(Wanted, st.sampled_from(SERIAL_CRITERIA), SERIALS, st.none()),
        st.builds(Wanted, st.just("registration_number"),
                  st.integers(0, 12).map(lambda n: f"2024-{n:08d}"), st.none()),
        st.just(Wanted("debtor_name", "Công ty TNHH", None))), max_size=4))
    names = [p for r in registered for p in r.grantors]
    for party in draw(st.lists(st.sampled_from(names), max_size=4)) if names else []:
        out.append(Wanted("debtor_name", _retyped(draw, party.name),
                          draw(st.sampled_from([None, party.party_type]))))
    return out
