"""Deriving the name tables: repairs, skips, and the committed output file."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from registry.synthetic.derive_names import clean_name, derive


def test_clean_lines_pass_unchanged() -> None:
    assert clean_name("Nguyễn Thị Như Quỳnh") == (["Nguyễn", "Thị", "Như", "Quỳnh"], "ok")


def test_vni_and_mojibake_words_are_repaired_word_by_word() -> None:
    assert clean_name("Ngoâ Thieân Töù") == (["Ngô", "Thiên", "Tứ"], "repaired")
    assert clean_name("BĂši Quang Tiến") == (["Bùi", "Quang", "Tiến"], "repaired")
    assert clean_name("Nguyễn Bắc ToĂ\xa0n") == (["Nguyễn", "Bắc", "Toàn"], "repaired")


def test_ambiguous_and_broken_lines_are_skipped() -> None:
    # "Hoà" is Hòa in Unicode but Hồ in VNI, and the line is VNI: cannot tell.
    assert clean_name("Hoà Thieän Tính") == (None, "skipped")
    assert clean_name("Laâm Tröôøng Sôn") == (None, "skipped")  # Sôn, or Sơn in VNI
    assert clean_name("Trần Hòai Nhi") == (None, "skipped")  # tone on the wrong vowel
    assert clean_name("Student") == (None, "skipped")


def test_derive_on_a_small_folder(tmp_path: Path) -> None:
    (tmp_path / "full_names.txt").write_text(
        "Nguyễn Văn An\nTrần Thị Bình\nLê Văn Cường\nBuøi Minh Lan\nStudent\n", encoding="utf-8")
    (tmp_path / "boy.txt").write_text("Văn An\nMinh Cường\n", encoding="utf-8")
    (tmp_path / "girl.txt").write_text("Thị Bình\nNgọc Lan\n", encoding="utf-8")
    (tmp_path / "LICENSE").write_text("MIT License\n", encoding="utf-8")
    data = derive(tmp_path)
    assert data["cleaning"]["repaired"] == 1 and data["cleaning"]["skipped"] == 1
    assert {r["surname"] for r in data["surnames"]} >= {"Nguyễn", "Trần", "Lê", "Bùi"}
    assert abs(sum(r["share"] for r in data["surnames"]) - 1) < 1e-3
    assert {r["name"] for r in data["given_names"]["female"]} >= {"Bình", "Lan"}
    assert data["word_count_share"] == {"3": 1.0}


def test_committed_tables_name_their_source_and_licence() -> None:
    text = resources.files("registry.synthetic").joinpath("data/names.json").read_text("utf-8")
    data = json.loads(text)
    assert data["source"]["licence"] == "MIT"
    assert "Van-Duyet Le" in data["source"]["licence_text"]
    assert data["surnames"][0]["surname"] == "Nguyễn"
    assert 0.3 < data["surnames"][0]["share"] < 0.45
    shares = data["word_count_share"]
    assert set(shares) == {"2", "3", "4", "5"} and abs(sum(shares.values()) - 1) < 1e-3
