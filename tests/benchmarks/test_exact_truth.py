"""The ground truth's prefilter keeps every exact match, and reads names that mix Unicode
and legacy words."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.baselines.corpus import Party, Registration
from benchmarks.exact_truth import ExactTruth, _is_exact, _name_keys, needle, readings, runs
from tests.benchmarks import truth_cases


def test_a_name_mixing_a_vni_word_and_unicode_words_is_read_word_by_word() -> None:
    # "Nguyeãn" is "Nguyễn" typed in VNI; decoding the whole name misreads "Hoàng" as "Hồng"
    keys = _name_keys("Nguyeãn Hoàng Hoa")
    assert needle("Nguyen Hoang Hoa") in keys
    assert "nguyenhonghoa" in keys  # the whole-name reading is kept too (a superset)


def test_a_query_typed_in_vni_finds_the_name_registered_in_unicode() -> None:
    # found by hypothesis in CI: the query was folded as written ("nguyean") and missed "Nguyễn"
    truth = ExactTruth()
    registered = [Registration("2024-00000000", "in_force",
                               (Party("Nguyễn", "individual", "cccd", None),), ())]
    truth.add(0, registered[0])
    truth.freeze()
    assert readings("Nguyeãn") == ["Nguyeãn", "Nguyễn"]
    assert truth.exact_set("debtor_name", "Nguyeãn", None, registered) == {0}


def test_unicode_and_ascii_names_have_one_key() -> None:
    assert _name_keys("Nguyễn Văn An") == ("nguyenvanan",)
    assert _name_keys("NGUYEN VAN AN") == ("nguyenvanan",)


def test_every_run_of_words_outside_the_skip_words_longest_first() -> None:
    assert runs("Ông Nguyễn Công Vinh") == ["nguyen", "vinh"]
    assert runs("Công ty TNHH Thương mại Tín Nghĩa") == ["tinnghia"]
    assert runs("Nguyễn Văn An") == ["nguyenvanan"]
    assert runs("Công ty") == [] and needle("Công ty") == ""
    assert needle("An Công Bình") == "binh"  # the longest; the first of equal length


@settings(max_examples=150, deadline=None)
@given(st.data(), truth_cases.registrations())
def test_the_prefilter_keeps_every_exact_match(data: st.DataObject,
                                               registrations: list[Registration]) -> None:
    """``exact_set`` is what the contract's classifier says of every registration."""
    truth = ExactTruth()
    for index, registration in enumerate(registrations):
        truth.add(index, registration)
    truth.freeze()
    for criterion, text, party_type in data.draw(truth_cases.queries(registrations)):
        found = truth.exact_set(criterion, text, party_type, registrations)
        if found is not None:
            assert found == {i for i, r in enumerate(registrations)
                             if _is_exact(criterion, text, party_type, r)}
