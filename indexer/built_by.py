"""Which code built an index's documents: a fingerprint of everything that decides them.

A document's candidate keys, normal forms and packed values come from the normalisers
(``normalizers/``, their data files, ``unidecode`` and Python's Unicode tables) and the
document builder (``indexer/documents.py``, ``mappings/name_value.py``,
``mappings/packed.py``, ``mappings/registration_json.py``). A query is keyed by the same
functions at search time, so an index built by other versions of them can miss a
registration the contract calls exact.

The indexer records the fingerprint of the code that built an index in its state (the
copy sets it), copies the registry afresh at start when its own differs, and `/readyz`
and `regsearch index verify` report an index built by other code. Python sources are
fingerprinted by their syntax tree without docstrings, so comments, docstrings and
layout do not count; any other change does (rebuilding needlessly is safe, a stale key
is not).
"""

from __future__ import annotations

import ast
import hashlib
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import metadata
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent
#: Files and folders (every file below them) whose contents decide a document.
SOURCES = ("normalizers", "indexer/documents.py", "mappings/name_value.py",
           "mappings/packed.py", "mappings/registration_json.py")
#: Distributions whose versions decide a document.
DISTRIBUTIONS = ("unidecode",)
#: Length of the fingerprint in hex digits.
LENGTH = 16


def _without_docstrings(tree: ast.AST) -> ast.AST:
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if (body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                    and isinstance(body[0].value.value, str)):
                node.body = body[1:] or [ast.Pass()]
    return tree


def significant_text(name: str, content: bytes) -> bytes:
    """What of a file counts: a Python source's syntax tree without docstrings (so not its
    comments, docstrings or layout); any other file's bytes."""
    if not name.endswith(".py"):
        return content
    tree = _without_docstrings(ast.parse(content, filename=name))
    return ast.dump(tree, annotate_fields=False, include_attributes=False).encode("utf-8")


def fingerprint_of(files: Iterable[tuple[str, bytes]], versions: Mapping[str, str]) -> str:
    """The fingerprint of these files (relative name, content) and component versions."""
    digest = hashlib.sha256()
    for name, content in sorted(files):
        text = significant_text(name, content)
        digest.update(f"{name}\0{len(text)}\0".encode())
        digest.update(text)
    for component, version in sorted(versions.items()):
        digest.update(f"{component}\0{version}\0".encode())
    return digest.hexdigest()[:LENGTH]


def _source_files() -> list[tuple[str, bytes]]:
    found: list[tuple[str, bytes]] = []
    for source in SOURCES:
        path = _ROOT / source
        paths = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in paths:
            if "__pycache__" in file.parts or file.suffix == ".pyc":
                continue
            found.append((file.relative_to(_ROOT).as_posix(), file.read_bytes()))
    return found


def component_versions() -> dict[str, str]:
    versions = {name: metadata.version(name) for name in DISTRIBUTIONS}
    versions["unicode"] = unicodedata.unidata_version
    return versions


@lru_cache(maxsize=1)
def this_code() -> str:
    """The fingerprint of the code running here."""
    return fingerprint_of(_source_files(), component_versions())
