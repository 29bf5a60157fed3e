"""What a run starts beside the model, checked on real runs of the embedded model.

Inspect's control endpoint (`inspect ctl`) is an HTTP app per run; an assessment
starts it only when the user asks with Inspect's own `INSPECT_EVAL_CTL_SERVER`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from inspect_ai._control.discovery import discovery_file_path

from redline.evals import RunOptions, run_suites

_OPTIONS = RunOptions(limit=1, display="none", sequential=False)


def _control_endpoint_seen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Run one sample of a suite and watch, meanwhile, for this process's endpoint."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    endpoint = discovery_file_path(os.getpid())
    assert str(tmp_path) in str(endpoint), "the endpoint must be looked for in tmp"
    seen = threading.Event()
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            if endpoint.exists():
                seen.set()
            done.wait(0.01)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        complete, logs = run_suites(["over_refusal"], tmp_path / "logs", _OPTIONS)
    finally:
        done.set()
        watcher.join()
    assert complete
    assert logs[0].status == "success"
    return seen.is_set()


def test_no_control_endpoint_unless_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("INSPECT_EVAL_CTL_SERVER", raising=False)
    assert not _control_endpoint_seen(tmp_path, monkeypatch)


def test_inspects_own_switch_turns_the_control_endpoint_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Also shows the watcher above would see an endpoint, were one started.
    monkeypatch.setenv("INSPECT_EVAL_CTL_SERVER", "true")
    assert _control_endpoint_seen(tmp_path, monkeypatch)


def test_assess_loads_only_its_own_command() -> None:
    # A fresh interpreter, as `redline assess` starts: the other command groups'
    # modules (the registry service, the incident database) stay unimported.
    probe = (
        "import sys\n"
        "from redline._cli.main import cli\n"
        "cli.get_command(None, 'assess')\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('redline.'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    loaded = set(result.stdout.split())
    assert "redline._cli.assess" in loaded
    for other in ("redline.registry", "redline.incidents", "redline._cli.registry"):
        assert other not in loaded, f"{other} is imported by `redline assess`"
