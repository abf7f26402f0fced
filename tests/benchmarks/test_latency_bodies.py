"""The latency benchmark's request bodies: seeded, one criterion each, as the API takes them."""

from __future__ import annotations

from pathlib import Path

from benchmarks.latency_bodies import CRITERIA, make_bodies
from registry.synthetic import generator


def test_the_bodies_are_seeded_and_ask_one_criterion_each(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    generator.write_jsonl(count=300, seed=7, out=corpus, workers=1)
    for name, (criterion, party_type) in CRITERIA.items():
        bodies = make_bodies(corpus, name, 20, 2026)
        assert bodies == make_bodies(corpus, name, 20, 2026), name
        assert len(bodies) == 20, name
        for body in bodies:
            assert set(body) == ({criterion, "party_type"} if party_type else {criterion})
            assert body.get("party_type") == party_type
            assert body[criterion] and not any(ord(ch) < 32 for ch in body[criterion])
