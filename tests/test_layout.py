"""Each folder imports only what ``docs/DEVELOPING.md``'s layout table says it may.

Data flows one way: the registry is followed by the indexer, which writes Elasticsearch
and publishes its watermark; queries and the API read. Imports are read from the source
(every ``import`` and ``from … import``, inside functions too), so a new dependency
between folders shows up here before it shows up in a review.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = {"normalizers", "mappings", "registry", "indexer", "query", "certify", "api",
        "services", "benchmarks", "regsearch", "migrations", "watch"}
#: The one settings module, the one way to make an Elasticsearch client, and the
#: garbage-collector settings of long-running processes.
_COMMON = {"regsearch.settings", "regsearch.elastic", "regsearch.gc_tuning"}
#: What each folder may import of ours besides itself (a module and all below it).
#: ``benchmarks``, ``regsearch`` (the command) and ``tests`` may import everything.
ALLOWED: dict[str, set[str]] = {
    "normalizers": set(),
    "mappings": set(),
    "registry": {"regsearch.settings"},
    "services": {"regsearch.settings"},
    # the service database's schema: Alembic revisions (plain SQL) and their runner
    "migrations": {"regsearch.settings"},
    "indexer": {"normalizers", "mappings"} | _COMMON,
    "query": {"normalizers", "mappings"} | _COMMON,
    "certify": {"query", "registry.format"},
    # the indexer's published side only: its state document (the watermark), positions,
    # and the fingerprint of the code that builds documents
    "api": {"query", "certify", "normalizers", "indexer.state", "indexer.lsn",
            "indexer.slot", "indexer.built_by", "migrations.runner", "watch"} | _COMMON,
    # watch lists: the indexer's stream machinery (slot, decoder, read-back, lock), the
    # normalisers' keys and the search's classifier, in reverse
    "watch": {"normalizers", "query", "indexer.slot", "indexer.source", "indexer.locks",
              "indexer.lsn", "indexer.pgoutput"} | _COMMON,
}


def imported(path: Path) -> set[str]:
    """Modules of ours that ``path`` imports (``from a import b`` counts as ``a.b``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.split(".")[0] in OURS}


def _within(name: str, allowed: set[str]) -> bool:
    return any(name == a or name.startswith(a + ".") for a in allowed)


@pytest.mark.parametrize("folder", sorted(ALLOWED))
def test_a_folder_imports_only_what_it_may(folder: str) -> None:
    wrong = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in sorted((ROOT / folder).rglob("*.py"))
        for name in imported(path)
        if name.split(".")[0] != folder and not _within(name, ALLOWED[folder])
    }
    assert not wrong, f"{folder}/ may import only {sorted(ALLOWED[folder])}: {sorted(wrong)}"


def test_only_the_command_and_benchmarks_import_the_api() -> None:
    importers = {
        str(path.relative_to(ROOT))
        for folder in OURS - {"api"}
        for path in (ROOT / folder).rglob("*.py")
        if any(name.split(".")[0] == "api" for name in imported(path))
    }
    assert {p.split("/")[0] for p in importers} <= {"regsearch", "benchmarks"}, importers


def test_the_rules_see_imports_inside_functions(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from indexer import runner\n    import query.search\n"
                      "from . import sibling\nimport os\n", encoding="utf-8")
    assert imported(module) == {"indexer.runner", "query.search"}
    assert not _within("indexer.runner", ALLOWED["api"])
    assert _within("indexer.state", ALLOWED["api"])
