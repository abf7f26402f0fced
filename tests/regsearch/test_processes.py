"""supervisord's configuration for ``make run`` (``regsearch.processes``), as text."""

from __future__ import annotations

import configparser
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from core.settings import Settings
from regsearch import processes


def _parsed(tmp_path: Path) -> configparser.RawConfigParser:
    text = processes.config_text(Settings(batch_queue="q-test"), tmp_path / ".state", tmp_path)
    parser = configparser.RawConfigParser()
    parser.read_string(text)
    return parser


def test_every_process_a_user_needs_is_restarted_and_stopped_with_its_group(
        tmp_path: Path) -> None:
    conf = _parsed(tmp_path)
    names = [s.removeprefix("program:") for s in conf.sections() if s.startswith("program:")]
    assert names == ["api", "indexer", "watch", "watch-delivery", "worker", "scheduler",
                     "billing"]
    for name in names:
        section = conf[f"program:{name}"]
        assert section["autorestart"] == "true"
        assert section["stopasgroup"] == "true" and section["killasgroup"] == "true"
        assert section["stdout_logfile"] == str(tmp_path / ".state" / "logs" / f"{name}.log")
        assert section["directory"] == str(tmp_path)
    assert "-Q q-test" in conf["program:worker"]["command"]
    assert " beat " in conf["program:scheduler"]["command"]
    # the scheduler sends the billing jobs, the billing worker consumes their queue
    assert "-A billing.schedule beat" in conf["program:scheduler"]["command"]
    billing = conf["program:billing"]["command"]
    assert "-A billing.schedule worker" in billing and "-Q regsearch-billing" in billing
    assert conf["program:indexer"]["stopsignal"] == "INT"
    assert conf["supervisord"]["nodaemon"] == "true"


@given(st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=30))
def test_an_argument_survives_supervisord_quoting(arg: str) -> None:
    import shlex

    quoted = processes._quote(arg)
    # supervisord: %-expansion first (%% -> %), then shlex.split
    assert shlex.split(quoted.replace("%%", "%")) == [arg]
