"""Sandbox selection for agentic suites: docker, else bubblewrap, else (embedded) local.

No mocks of the selection code: the `docker` command it runs is either the real
one (this machine has no engine, or no `docker` at all) or a small executable
placed first on PATH that answers like an engine would; `bwrap` is the real one
(.ci/run installs it), or absent from a PATH that lacks it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from redline.errors import ConfigError
from redline.evals._sandbox import (
    bubblewrap_available,
    bubblewrap_spec_digest,
    docker_engine,
    resolve_sandbox,
    select_sandbox,
    spec_digest,
)
from redline.evals.tasks import autonomy_proxy


def _path_without_bwrap(tmp_path: Path) -> str:
    """PATH entries that hold no `bwrap`, with `docker` answering as a down engine."""
    keep = [
        folder
        for folder in os.environ["PATH"].split(os.pathsep)
        if folder and not (Path(folder) / "bwrap").exists()
    ]
    return os.pathsep.join([str(_fake_docker(tmp_path / "down", 1)), *keep])


def _fake_docker(folder: Path, exit_code: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "docker"
    script.write_text(
        "#!/bin/sh\n"
        f'if [ {exit_code} -ne 0 ]; then echo "Cannot connect to the Docker daemon" >&2; fi\n'
        'echo "27.0.0"\n'
        f"exit {exit_code}\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return folder


@pytest.fixture
def no_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "PATH", f"{_fake_docker(tmp_path / 'down', 1)}{os.pathsep}{os.environ['PATH']}"
    )


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "PATH", f"{_fake_docker(tmp_path / 'up', 0)}{os.pathsep}{os.environ['PATH']}"
    )


def test_bubblewrap_is_installed_and_starts_here() -> None:
    # .ci/run installs it: a missing bubblewrap fails here rather than skipping.
    assert bubblewrap_available() == (True, "bubblewrap starts a sandbox")


@pytest.mark.usefixtures("no_engine")
def test_engine_down_auto_uses_bubblewrap() -> None:
    available, why = docker_engine()
    assert not available
    assert "Cannot connect to the Docker daemon" in why
    task = autonomy_proxy()
    assert task.sandbox is not None
    assert task.sandbox.type == "bubblewrap"
    assert (task.metadata or {})["sandbox"] == {
        "choice": "auto",
        "type": "bubblewrap",
        "spec_digest": bubblewrap_spec_digest(),
        "why": why,
    }
    assert resolve_sandbox("auto", "openai/gpt-4o").sandbox == "bubblewrap"
    assert resolve_sandbox("auto", "openai/gpt-4o").warning is None


def test_no_engine_and_no_bubblewrap_auto_is_local_for_the_embedded_model_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", _path_without_bwrap(tmp_path))
    assert not bubblewrap_available()[0]
    embedded = resolve_sandbox("auto", "redline/local", "autonomy_proxy")
    assert embedded.sandbox == "local"
    assert embedded.warning is not None
    assert "run on this host without isolation" in embedded.warning
    assert "apt-get install bubblewrap" in embedded.warning

    with pytest.raises(ConfigError) as refused:
        resolve_sandbox("auto", "openai-api/acme/frontier", "autonomy_proxy")
    message = str(refused.value)
    assert "\n" not in message
    for fragment in (
        "autonomy_proxy run model-written shell commands",
        "install bubblewrap",
        "Docker engine",
        "--sandbox local",
    ):
        assert fragment in message

    accepted = resolve_sandbox("local", "openai-api/acme/frontier", "autonomy_proxy")
    assert accepted.sandbox == "local"
    assert accepted.warning is not None
    assert "--sandbox local" in accepted.warning

    with pytest.raises(ConfigError, match="bubblewrap is not installed"):
        select_sandbox("bubblewrap")


@pytest.mark.usefixtures("no_engine")
def test_explicit_docker_without_an_engine_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="needs a running Docker engine") as info:
        autonomy_proxy(sandbox="docker")
    assert "\n" not in str(info.value)


def test_no_docker_command_at_all(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert docker_engine() == (False, "no `docker` command on PATH")
    with pytest.raises(ConfigError, match="no `docker` command on PATH"):
        select_sandbox("docker")


@pytest.mark.usefixtures("engine")
def test_an_answering_engine_gets_the_shipped_compose_spec() -> None:
    task = autonomy_proxy()
    assert task.sandbox is not None
    assert task.sandbox.type == "docker"
    compose = Path(str(task.sandbox.config))
    assert compose.name == "compose.yaml"
    assert (compose.parent / "Dockerfile").is_file()
    assert "network_mode: none" in compose.read_text()
    assert (task.metadata or {})["sandbox"] == {
        "choice": "auto",
        "type": "docker",
        "spec_digest": spec_digest(),
    }
    # `local` never asks the engine.
    local = autonomy_proxy(sandbox="local")
    assert local.sandbox is not None
    assert local.sandbox.type == "local"


def test_unknown_choice() -> None:
    with pytest.raises(
        ConfigError, match="sandbox must be one of auto, docker, bubblewrap, local"
    ):
        autonomy_proxy(sandbox="vm")


def test_the_sandbox_used_enters_the_comparability_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keys differ between docker and local, and not between auto-fallback and local."""
    from inspect_ai.log import EvalConfig, EvalDataset, EvalLog, EvalSpec

    from redline.evals._evidence import comparability_components

    def components(metadata: dict[str, object]) -> dict[str, object]:
        log = EvalLog(
            eval=EvalSpec(
                created="2026-01-01T00:00:00+00:00",
                task="redline/autonomy_proxy",
                dataset=EvalDataset(),
                model="x/y",
                config=EvalConfig(),
                # Recorded, as every suite records it, so no samples are read.
                metadata={"dataset_digest": "sha256:items", **metadata},
            )
        )
        return comparability_components(log)

    down = components({"sandbox": {"choice": "auto", "type": "local", "why": "x"}})
    local = components({"sandbox": {"choice": "local", "type": "local"}})
    docker = components(
        {"sandbox": {"choice": "auto", "type": "docker", "spec_digest": spec_digest()}}
    )
    bwrap = components(
        {
            "sandbox": {
                "choice": "auto",
                "type": "bubblewrap",
                "spec_digest": bubblewrap_spec_digest(),
            }
        }
    )
    assert down == local
    assert docker != local
    assert bwrap not in (local, docker)
    assert docker["sandbox"] == {"type": "docker", "spec_digest": spec_digest()}


def test_the_cli_rejects_docker_without_an_engine(
    no_engine: None, tmp_path: Path
) -> None:
    from test_cli_errors import assert_clean_failure, run_cli

    framework = tmp_path / "auto.yaml"
    framework.write_text(
        "id: auto\nname: Autonomy\nversion: '1'\ndomains:\n  - {id: autonomy}\n"
        "thresholds:\n  - id: A-1\n    domain: autonomy\n    name: autonomy\n"
        "    severity: requires_safeguards\n"
        "    rules: [{suite: autonomy_proxy, metric: success_rate, comparator: '>', cutoff: 0.5}]\n"
    )
    result = run_cli(
        "assess",
        "--framework",
        str(framework),
        "--sandbox",
        "docker",
        "--out",
        str(tmp_path / "run"),
        env=dict(os.environ),
    )
    assert_clean_failure(result, "needs a running Docker engine")
