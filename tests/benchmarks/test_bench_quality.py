"""The quality benchmark's options: the ground truth from the registry is for ours alone."""

from __future__ import annotations

import pytest

from benchmarks.bench_quality import _arguments
from benchmarks.quality.streamed_truth import DEFAULT_BLOCK


def test_the_truth_from_the_registry_is_for_ours_alone(capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    args = _arguments(["--systems", "ours", "--truth-from-registry"])
    assert args.truth_from_registry and args.truth_block == DEFAULT_BLOCK
    assert _arguments(["--systems", "ours", "--truth-from-registry",
                       "--truth-block", "5000"]).truth_block == 5000
    assert not _arguments([]).truth_from_registry
    for systems in ([], ["--systems", "ours,simple"]):
        with pytest.raises(SystemExit):
            _arguments([*systems, "--truth-from-registry"])
        assert "--systems ours only" in capsys.readouterr().err
