"""Run options that `assess` and `campaign` share, and where their values become options.

Their values become `RunOptions` and `AssessOptions` in one place, `run_options` and
`assessment_options`, so the commands cannot drift in what an option means; `plan
create`, which words its options its own way, builds its `RunOptions` there too.

Each option is defined once here: its name, type, default, validation and help. A
command lists the ones it takes, in the order its `--help` shows them, and receives
their values as `**run: Unpack[RunParams]`. Where a command words an option's help
for its own case (a campaign's decisions, plural), it passes that line as `help=`;
everything else about the option stays this one definition.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import click
from typing_extensions import TypedDict

from redline._cli.common import stderr_console
from redline._cli.task_args import parse_task_args

if TYPE_CHECKING:
    from redline.assess import AssessOptions
    from redline.evals import RunOptions
    from redline.reports import Report

F = TypeVar("F", bound=Callable[..., Any])


class SharedOption(Protocol):
    """A shared option's decorator; `help` rewords its help line for one command."""

    def __call__(self, *, help: str | None = None) -> Callable[[F], F]: ...


class RunParams(TypedDict, total=False):
    """The shared options' values as click passes them; each command takes a subset."""

    model: str
    model_base_url: str | None
    limit: int | None
    temperature: float | None
    max_tokens: int | None
    task_args: tuple[str, ...]
    max_connections: int | None
    seed: int | None
    epochs: int | None
    max_retries: int
    timeout: int | None
    attempt_timeout: int | None
    display: str
    sequential: bool
    budget_samples: int | None
    budget_tokens: int | None
    budget_cost: float | None
    judge: str | None
    judge_validation: str | None
    sandbox: str
    data_dir: Path | None


def _shared(*decls: str, **attrs: Any) -> SharedOption:
    def option(*, help: str | None = None) -> Callable[[F], F]:
        return click.option(*decls, **{**attrs, "help": help or attrs["help"]})

    return option


model_option = _shared(
    "--model",
    default="redline/local",
    show_default=True,
    help="Inspect model string, e.g. openai/gpt-4o-mini or redline/local/<path.gguf>.",
)
model_base_url_option = _shared(
    "--model-base-url",
    default=None,
    help="Base URL of the model's API (for openai-api/... and similar).",
)
limit_option = _shared(
    "--limit",
    type=click.IntRange(min=1),
    default=None,
    help="Samples per suite: a smoke run of the setup, whose decision is no finding.",
)
temperature_option = _shared(
    "--temperature",
    type=click.FloatRange(min=0.0),
    default=None,
    help="Sampling temperature (default: each provider's).",
)
max_tokens_option = _shared(
    "--max-tokens",
    type=click.IntRange(min=1),
    default=None,
    help="Most tokens per model answer (default: each suite's own cap).",
)
task_args_option = _shared(
    "-T",
    "task_args",
    multiple=True,
    metavar="SUITE.ARG=VALUE",
    help="Argument of a suite's task, e.g. -T autonomy_proxy.max_turns=4 (repeatable; "
    "VALUE is read as YAML).",
)
max_connections_option = _shared(
    "--max-connections",
    type=click.IntRange(min=1),
    default=None,
    help="Concurrent model connections.",
)
seed_option = _shared("--seed", type=int, default=None, help="Generation seed.")
epochs_option = _shared(
    "--epochs",
    type=click.IntRange(min=1, max=100),
    default=None,
    help="Attempts per sample of every suite (default: what each rule asks, else 1); "
    "each rule's epochs_reducer (mean, or max: at least once in k) reduces them.",
)
max_retries_option = _shared(
    "--max-retries",
    type=click.IntRange(min=0),
    default=5,
    show_default=True,
    help="Retries of a failed model call before its sample is unscored.",
)
timeout_option = _shared(
    "--timeout",
    type=click.IntRange(min=1),
    default=None,
    help="Seconds a model call may take, retries included.",
)
attempt_timeout_option = _shared(
    "--attempt-timeout",
    type=click.IntRange(min=1),
    default=None,
    help="Seconds one attempt of a model call may take before it is retried.",
)
display_option = _shared(
    "--display",
    type=click.Choice(["rich", "plain", "full", "log", "none"]),
    default="rich",
    show_default=True,
    help="Progress display while suites run.",
)
sequential_option = _shared(
    "--sequential/--no-sequential",
    default=True,
    show_default=True,
    help="Stop each suite as soon as every rule it feeds is decided (anytime-valid tests).",
)
budget_samples_option = _shared(
    "--budget-samples",
    type=click.IntRange(min=1),
    default=None,
    help="Most samples per suite under sequential testing.",
)
budget_tokens_option = _shared(
    "--budget-tokens",
    type=click.IntRange(min=1),
    default=None,
    help="Most model tokens per suite under sequential testing.",
)
budget_cost_option = _shared(
    "--budget-cost",
    type=click.FloatRange(min=0.0, min_open=True),
    default=None,
    help="Most model cost (USD, needs cost data) per suite.",
)
judge_option = _shared(
    "--judge",
    default=None,
    metavar="MODEL",
    help="Inspect model string of an LLM judge that grades the refusal suites with a "
    "StrongREJECT-style rubric instead of the trained classifier; its failures are unscored.",
)
judge_validation_option = _shared(
    "--judge-validation",
    default=None,
    metavar="FILE|TP/POS,TN/NEG",
    help="The judge's measured error: a file from `redline scorer validate --judge` "
    "(each suite reads the entry of its own context), or counts with refused as "
    "positive, e.g. 90/100,85/100; verdicts then read the corrected rate.",
)
sandbox_option = _shared(
    "--sandbox",
    type=click.Choice(["auto", "docker", "bubblewrap", "local"]),
    default="auto",
    show_default=True,
    help="Sandbox of the agentic suites. auto: docker when an engine answers, else "
    "bubblewrap when installed, else (embedded model only) the host, with a warning. "
    "local: accept running model-written commands on this host.",
)
data_dir_option = _shared(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder that ${REDLINE_DATA} in rule arguments names (public benchmarks in "
    "their published layout).",
)
ray_option = _shared(
    "--ray",
    "ray_address",
    is_flag=False,
    flag_value="",
    default=None,
    metavar="[ADDRESS|auto]",
    help="Run the suites' samples as shards on a Ray cluster (pip install "
    "'redline[ray]'): a cluster address, auto (the one running here), or nothing "
    "(RAY_ADDRESS, else a local Ray).",
)
ray_shards_option = _shared(
    "--ray-shards",
    type=click.IntRange(min=1),
    default=None,
    help="With --ray: shards per suite (default: one per CPU of the cluster).",
)


def note(line: str) -> None:
    """One line of a run's progress on stderr, so stdout stays the command's output."""
    stderr_console().print(line, style="cyan", soft_wrap=True)


def _check_judge_validation(judge: str | None, judge_validation: str | None) -> None:
    """Refuse a bad `--judge-validation` before any model is loaded."""
    from redline.errors import ConfigError
    from redline.evals import read_validation_file
    from redline.stats import ClassifierError

    if judge_validation is None:
        return
    if judge is None:
        raise ConfigError("--judge-validation needs --judge")
    if judge_validation.endswith(".json") or Path(judge_validation).is_file():
        read_validation_file(Path(judge_validation))
        return
    try:
        ClassifierError.parse(judge_validation)
    except ValueError as ex:
        raise ConfigError(f"--judge-validation: {ex}") from None


def run_options(params: RunParams) -> RunOptions:
    """The `RunOptions` of a command's shared option values.

    A field whose option the command does not take keeps `RunOptions`' default, so
    `assess` and `campaign` mean the same by every option they both take.

    Raises:
        ConfigError: `--judge-validation` without `--judge`, or not a validation
            file or counts; a malformed `-T`.
    """
    # Imported here: Inspect takes seconds to import, `redline --help` not.
    from redline.evals import Budget, RunOptions

    _check_judge_validation(params.get("judge"), params.get("judge_validation"))
    given: dict[str, Any] = {
        field.name: params[field.name]  # type: ignore[literal-required]
        for field in fields(RunOptions)
        if field.name in params
    }
    if "task_args" in params:
        given["task_args"] = parse_task_args(params["task_args"])
    budget = Budget(
        samples=params.get("budget_samples"),
        tokens=params.get("budget_tokens"),
        cost=params.get("budget_cost"),
    )
    return RunOptions(**given, budget=budget)


def assessment_options(params: RunParams) -> AssessOptions:
    """The `AssessOptions` a command's shared option values fix.

    The command sets the rest (framework, out, ...) with `dataclasses.replace`.
    """
    from redline.assess import AssessOptions

    return AssessOptions(
        run=run_options(params), data_dir=params.get("data_dir"), notify=note
    )


def assessment_runner(
    address: str | None, shards: int | None
) -> Callable[[AssessOptions], Report]:
    """`assess` here, or the scale-out runner on Ray when `--ray` is given."""
    from redline.assess import assess

    if address is None:
        return assess
    # Imported only when asked for: it is the one path that needs `redline[ray]`.
    from redline.scale import RayOptions, run_assessment_on_ray

    ray = RayOptions(address=address or None, shards=shards)

    def run(options: AssessOptions) -> Report:
        return run_assessment_on_ray(options, ray)

    return run
