"""Which sandbox an agentic suite runs in: Docker where an engine answers, else local.

`auto` picks Inspect's `docker` sandbox (built from the compose file and Dockerfile
shipped in `redline/evals/tasks/sandbox/`) when the `docker` command is on PATH and
its engine and compose plugin answer, and Inspect's `local` sandbox (a temporary
directory on the host, no isolation) otherwise. `docker` insists on Docker and fails
with a clear error when no engine answers; `local` never asks. The choice made, and
the digest of the container spec, enter the suite's comparability key.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any, Literal

from inspect_ai.util import SandboxEnvironmentSpec

from redline.errors import ConfigError

SandboxChoice = Literal["auto", "local", "docker"]
SANDBOX_CHOICES: tuple[str, ...] = ("auto", "local", "docker")
_SPEC_PACKAGE = "redline.evals.tasks"
_SPEC_FILES = ("compose.yaml", "Dockerfile")
DOCKER_PROBE_TIMEOUT = 15.0
"""Seconds the engine may take to answer `docker info` before it counts as absent."""


def docker_engine() -> tuple[bool, str]:
    """Whether a Docker engine and its compose plugin answer, and why not.

    Returns:
        (available, explanation): the explanation names what is missing.
    """
    docker = shutil.which("docker")
    if docker is None:
        return False, "no `docker` command on PATH"
    for args, what in (
        (["info", "--format", "{{.ServerVersion}}"], "the Docker engine"),
        (["compose", "version"], "the Docker compose plugin"),
    ):
        try:
            result = subprocess.run(
                [docker, *args],
                capture_output=True,
                text=True,
                timeout=DOCKER_PROBE_TIMEOUT,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as ex:
            return False, f"{what} did not answer ({type(ex).__name__})"
        if result.returncode != 0:
            detail = (result.stderr or result.stdout).strip().splitlines()
            return (
                False,
                f"{what} did not answer: {detail[0] if detail else 'exit ' + str(result.returncode)}",
            )
    return True, "the Docker engine and compose plugin answer"


def compose_file() -> Path:
    """Path of the shipped compose file (the Dockerfile sits beside it)."""
    resource = files(_SPEC_PACKAGE).joinpath("sandbox", "compose.yaml")
    with as_file(resource) as path:
        return Path(path)


def spec_digest() -> str:
    """sha256 over the shipped compose file and Dockerfile."""
    digest = hashlib.sha256()
    for name in _SPEC_FILES:
        digest.update(name.encode() + b"\0")
        digest.update(files(_SPEC_PACKAGE).joinpath("sandbox", name).read_bytes())
    return "sha256:" + digest.hexdigest()


def select_sandbox(choice: str) -> tuple[SandboxEnvironmentSpec, dict[str, Any]]:
    """The sandbox for an agentic suite, and what to record of it in task metadata.

    Args:
        choice: `auto`, `local` or `docker`.

    Returns:
        (Inspect sandbox spec, metadata with the choice, the sandbox used and,
        for Docker, the container spec's digest).

    Raises:
        ConfigError: An unknown choice, or `docker` when no engine answers.
    """
    if choice not in SANDBOX_CHOICES:
        raise ConfigError(
            f"sandbox must be one of {', '.join(SANDBOX_CHOICES)}, got {choice!r}"
        )
    if choice == "local":
        return SandboxEnvironmentSpec("local"), {"choice": choice, "type": "local"}
    available, why = docker_engine()
    if not available:
        if choice == "docker":
            raise ConfigError(
                f"sandbox 'docker' needs a running Docker engine, but {why}; "
                "start Docker or use sandbox 'local' (no isolation) or 'auto'"
            )
        return SandboxEnvironmentSpec("local"), {
            "choice": choice,
            "type": "local",
            "why": why,
        }
    return SandboxEnvironmentSpec("docker", str(compose_file())), {
        "choice": choice,
        "type": "docker",
        "spec_digest": spec_digest(),
    }
