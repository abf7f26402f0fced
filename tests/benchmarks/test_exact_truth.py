"""The ground truth's name prefilter reads names that mix Unicode and legacy words."""

from __future__ import annotations

from benchmarks.exact_truth import _name_keys, needle


def test_a_name_mixing_a_vni_word_and_unicode_words_is_read_word_by_word() -> None:
    # "Nguyeãn" is "Nguyễn" typed in VNI; decoding the whole name misreads "Hoàng" as "Hồng"
    keys = _name_keys("Nguyeãn Hoàng Hoa")
    assert needle("Nguyen Hoang Hoa") in keys
    assert "nguyenhonghoa" in keys  # the whole-name reading is kept too (a superset)


def test_unicode_and_ascii_names_have_one_key() -> None:
    assert _name_keys("Nguyễn Văn An") == ("nguyenvanan",)
    assert _name_keys("NGUYEN VAN AN") == ("nguyenvanan",)
