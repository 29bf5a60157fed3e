"""Which sandbox an agentic suite runs in, and the bubblewrap sandbox itself.

Choices:
- `docker`: Inspect's `docker` sandbox, built from the compose file and Dockerfile
  shipped in `redline/evals/tasks/sandbox/`; an error when no engine answers.
- `bubblewrap`: `BubblewrapSandbox` below, which needs no container engine, only the
  `bwrap` command (Debian package `bubblewrap`); an error when it is missing.
- `local`: Inspect's `local` sandbox, a temporary folder on the host with no
  isolation. Chosen explicitly, it is accepted host execution, warned on every run.
- `auto`: docker when an engine answers, else bubblewrap when it works here, else --
  for the embedded default model only -- local with a warning on every run. For any
  other model `redline assess` refuses the agentic suites with one line saying how
  to proceed (`resolve_sandbox`): a frontier model gets no unannounced shell access
  to the host.

The sandbox used and the digest of its spec (container files, or the bubblewrap
arguments and limits) enter the suite's comparability key.
"""

from __future__ import annotations

import hashlib
import inspect
import os
import shutil
import subprocess
from dataclasses import dataclass
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any, Literal

from inspect_ai.util import (
    ExecResult,
    SandboxEnvironment,
    SandboxEnvironmentConfigType,
    SandboxEnvironmentSpec,
    sandboxenv,
)
from inspect_ai.util._sandbox.local import LocalSandboxEnvironment
from inspect_ai.util._subprocess import subprocess as inspect_subprocess
from typing_extensions import override

from redline.errors import ConfigError

SandboxChoice = Literal["auto", "docker", "bubblewrap", "local"]
SANDBOX_CHOICES: tuple[str, ...] = ("auto", "docker", "bubblewrap", "local")
BUBBLEWRAP = "bubblewrap"
"""Inspect sandbox type name of `BubblewrapSandbox`."""
EMBEDDED_MODEL_PROVIDER = "redline"
"""Models of this provider (the embedded default) may fall back to host execution."""
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


BWRAP_PROBE_TIMEOUT = 10.0
"""Seconds `bwrap` may take to start a trivial sandbox before it counts as unusable."""
MAX_PROCESSES = 256
"""Most processes the sandbox user may have at once (RLIMIT_NPROC): a fork bomb stops."""
MAX_CPU_SECONDS = 120
"""CPU seconds one command may use (RLIMIT_CPU), beside the tool's wall-clock timeout."""
MAX_FILE_BYTES = 256 * 1024 * 1024
"""Largest file one command may write (RLIMIT_FSIZE)."""
SANDBOX_USER = 65534
"""When Redline runs as root, commands run as `nobody`: the process limit does not
bind root, and model-written commands never need root."""


def _bwrap_args(workdir: str, cwd: str, env: dict[str, str]) -> list[str]:
    """Bubblewrap arguments: read-only host, private /tmp, no network, one writable folder.

    The environment is cleared so that no API key of the host reaches the model's
    commands; home folders are hidden behind empty ones.
    """
    args = [
        "--ro-bind",
        "/",
        "/",
        "--dev",
        "/dev",
        "--proc",
        "/proc",
        "--tmpfs",
        "/tmp",
        "--tmpfs",
        "/root",
        "--tmpfs",
        "/home",
        "--bind",
        workdir,
        workdir,
        "--chdir",
        cwd,
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
        "--clearenv",
    ]
    for key, value in {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": workdir,
        "TMPDIR": "/tmp",
        "LANG": "C.UTF-8",
        **env,
    }.items():
        args += ["--setenv", key, value]
    return args


def _limits() -> list[str]:
    return [
        "prlimit",
        f"--nproc={MAX_PROCESSES}",
        f"--cpu={MAX_CPU_SECONDS}",
        f"--fsize={MAX_FILE_BYTES}",
        "--",
    ]


def bubblewrap_spec_digest() -> str:
    """sha256 over the sandbox's arguments and limits: what a result was measured in."""
    template = _bwrap_args("<workdir>", "<cwd>", {}) + _limits()
    return "sha256:" + hashlib.sha256("\0".join(template).encode()).hexdigest()


def bubblewrap_available() -> tuple[bool, str]:
    """Whether `bwrap` is installed and can start a sandbox here, and why not."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return False, "bubblewrap is not installed (no `bwrap` on PATH)"
    try:
        result = subprocess.run(
            [bwrap, "--ro-bind", "/", "/", "--unshare-all", "--", "true"],
            capture_output=True,
            text=True,
            timeout=BWRAP_PROBE_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as ex:
        return False, f"bubblewrap did not start ({type(ex).__name__})"
    if result.returncode != 0:
        detail = result.stderr.strip().splitlines()
        return (
            False,
            f"bubblewrap cannot start a sandbox here: {detail[0] if detail else result.returncode}",
        )
    return True, "bubblewrap starts a sandbox"


@sandboxenv(name=BUBBLEWRAP)
class BubblewrapSandbox(LocalSandboxEnvironment):
    """A per-sample folder on the host, with every command run inside bubblewrap.

    Files go in and out as with Inspect's `local` sandbox (a temporary folder),
    but each command sees the host read-only, a private /tmp, no network, no host
    environment variables, and only that folder writable, under process, CPU-time
    and file-size limits; the tool's own timeout bounds wall-clock time.
    """

    @override
    @classmethod
    async def sample_init(
        cls,
        task_name: str,
        config: SandboxEnvironmentConfigType | None,
        metadata: dict[str, str],
    ) -> dict[str, SandboxEnvironment]:
        available, why = bubblewrap_available()
        if not available:
            raise RuntimeError(f"sandbox {BUBBLEWRAP}: {why}")
        environment = BubblewrapSandbox()
        if os.geteuid() == 0:
            os.chmod(environment.directory.name, 0o777)  # the sandbox user writes here
        return {"default": environment}

    @override
    async def write_file(self, file: str, contents: str | bytes) -> None:
        await super().write_file(file, contents)
        if os.geteuid() == 0:
            # Files Inspect places are the sandbox user's own: to change, and to
            # chmod (which only an owner may), as a task's own files would be.
            path = Path(self._resolve_file(file))
            os.chown(path, SANDBOX_USER, SANDBOX_USER)
            for parent in path.parents:
                if str(parent) == self.directory.name:
                    break
                os.chown(parent, SANDBOX_USER, SANDBOX_USER)

    @override
    async def exec(
        self,
        cmd: list[str],
        input: str | bytes | None = None,
        cwd: str | None = None,
        env: dict[str, str] | None = None,
        user: str | None = None,
        timeout: int | None = None,
        timeout_retry: bool = True,
        concurrency: bool = True,
    ) -> ExecResult[str]:
        if user is not None:
            raise ValueError(f"sandbox {BUBBLEWRAP} runs commands as one user only")
        workdir = self.directory.name
        final_cwd = Path(workdir if cwd is None else cwd)
        if not final_cwd.is_absolute():
            final_cwd = Path(workdir) / final_cwd
        drop = (
            [
                "setpriv",
                f"--reuid={SANDBOX_USER}",
                f"--regid={SANDBOX_USER}",
                "--clear-groups",
            ]
            if os.geteuid() == 0
            else []
        )
        args = [
            *drop,
            "bwrap",
            *_bwrap_args(workdir, str(final_cwd), env or {}),
            "--",
            *_limits(),
            *cmd,
        ]
        return await inspect_subprocess(
            args=args,
            input=input,
            cwd=workdir,
            timeout=timeout,
            output_limit=10 * 1024 * 1024,
            concurrency=concurrency,
        )


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
    if choice == BUBBLEWRAP:
        available, why = bubblewrap_available()
        if not available:
            raise ConfigError(
                f"sandbox '{BUBBLEWRAP}' is not usable: {why}; install it "
                "(apt-get install bubblewrap) or use sandbox 'docker' or 'local'"
            )
        return SandboxEnvironmentSpec(BUBBLEWRAP), {
            "choice": choice,
            "type": BUBBLEWRAP,
            "spec_digest": bubblewrap_spec_digest(),
        }
    available, why = docker_engine()
    if not available:
        if choice == "docker":
            raise ConfigError(
                f"sandbox 'docker' needs a running Docker engine, but {why}; "
                "start Docker or use sandbox 'bubblewrap', 'local' (no isolation) or 'auto'"
            )
        if bubblewrap_available()[0]:
            spec, metadata = select_sandbox(BUBBLEWRAP)
            return spec, {**metadata, "choice": choice, "why": why}
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


@dataclass(frozen=True)
class SandboxDecision:
    """The sandbox a run's agentic suites use, and the warning to print, if any."""

    sandbox: str
    """`docker`, `bubblewrap` or `local`."""
    warning: str | None = None
    """Said on every run that executes model-written commands on the host."""


def resolve_sandbox(
    choice: str, model: str, suites: str = "the agentic suites"
) -> SandboxDecision:
    """What `--sandbox CHOICE` means for `model`; see the module docstring.

    Raises:
        ConfigError: `auto` with no sandbox available and a model other than the
            embedded one, or a forced sandbox that is not available.
    """
    if choice == "local":
        return SandboxDecision(
            "local",
            f"Warning: --sandbox local: model-written shell commands of {suites} run "
            "on this host, without isolation, as the current user.",
        )
    if choice != "auto":
        select_sandbox(choice)  # raises when it is not available
        return SandboxDecision(choice)
    docker, docker_why = docker_engine()
    if docker:
        return SandboxDecision("docker")
    bwrap, bwrap_why = bubblewrap_available()
    if bwrap:
        return SandboxDecision(BUBBLEWRAP)
    if model.split("/")[0] == EMBEDDED_MODEL_PROVIDER:
        return SandboxDecision(
            "local",
            f"Warning: no sandbox here ({docker_why}; {bwrap_why}): the embedded "
            f"model's shell commands in {suites} run on this host without isolation. "
            "Install bubblewrap (apt-get install bubblewrap) to isolate them.",
        )
    raise ConfigError(
        f"{suites} run model-written shell commands, and no sandbox is available here "
        f"({docker_why}; {bwrap_why}): install bubblewrap (apt-get install bubblewrap) "
        "or a Docker engine, or pass --sandbox local to accept running them on this host"
    )


def uses_sandbox(suite: str) -> bool:
    """Whether a built-in suite runs tools in a sandbox (its task takes `sandbox`)."""
    from redline.evals import tasks as suite_tasks

    make = getattr(suite_tasks, suite, None)
    return make is not None and "sandbox" in inspect.signature(make).parameters
