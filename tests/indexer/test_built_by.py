"""The fingerprint of the code that builds documents (pure functions)."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from indexer import built_by

SOURCE = b'"""A module."""\n\nX = 1\n\n\ndef f(a):\n    """Doc."""\n    return a + X\n'


def _print(files: list[tuple[str, bytes]], unidecode: str = "1.3.8") -> str:
    return built_by.fingerprint_of(files, {"unidecode": unidecode, "unicode": "15.0.0"})


def test_comments_docstrings_and_layout_do_not_count() -> None:
    edited = (b"# a comment\nX = 1  # one\n\ndef f(a):\n    '''Another text.'''\n"
              b"    return (a +\n            X)\n")
    assert _print([("n/m.py", SOURCE)]) == _print([("n/m.py", edited)])


def test_a_function_whose_body_is_only_its_docstring_still_parses_the_same() -> None:
    assert _print([("m.py", b'def f():\n    """Doc."""\n')]) == \
        _print([("m.py", b"def f():\n    pass\n")])


def test_any_change_of_code_data_file_name_or_component_counts() -> None:
    base = _print([("n/m.py", SOURCE), ("n/data/forms.json", b'{"tnhh": 1}')])
    assert base != _print([("n/m.py", SOURCE.replace(b"X = 1", b"X = 2")),
                           ("n/data/forms.json", b'{"tnhh": 1}')])
    assert base != _print([("n/m.py", SOURCE), ("n/data/forms.json", b'{"tnhh": 2}')])
    assert base != _print([("n/m2.py", SOURCE), ("n/data/forms.json", b'{"tnhh": 1}')])
    assert base != _print([("n/m.py", SOURCE), ("n/data/forms.json", b'{"tnhh": 1}')],
                          unidecode="1.4.0")


@given(st.lists(st.tuples(st.text(min_size=1, max_size=8).map(lambda s: s + ".txt"),
                          st.binary(max_size=40)), max_size=5, unique_by=lambda f: f[0]))
def test_the_order_files_are_read_in_does_not_count(files: list[tuple[str, bytes]]) -> None:
    assert _print(files) == _print(list(reversed(files)))


def test_this_code_is_fingerprinted_from_the_normalisers_and_the_document_builder() -> None:
    names = [name for name, _ in built_by._source_files()]
    for needed in ("normalizers/keys.py", "normalizers/text.py", "normalizers/data/tcvn3.tsv",
                   "indexer/documents.py", "mappings/packed.py", "mappings/name_value.py",
                   "mappings/registration_json.py"):
        assert needed in names
    assert not any("__pycache__" in name for name in names)
    assert re.fullmatch(r"[0-9a-f]{16}", built_by.this_code())
    assert built_by.this_code() == built_by.fingerprint_of(built_by._source_files(),
                                                           built_by.component_versions())


def test_a_changed_normaliser_changes_the_fingerprint() -> None:
    files = [(name, content + b"\nKEYS_CHANGED = True\n" if name == "normalizers/keys.py"
              else content) for name, content in built_by._source_files()]
    assert built_by.fingerprint_of(files, built_by.component_versions()) != built_by.this_code()
