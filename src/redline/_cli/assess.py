"""`redline assess`: run a whole safety assessment and print the decision."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Any

import click

from redline._cli.common import (
    EXIT_GATE,
    EXIT_MODEL_UNAVAILABLE,
    stderr_console,
    stdout_console,
)
from redline._cli.task_args import parse_task_args
from redline.frameworks import (
    DEFAULT_FRAMEWORK,
    Decision,
    load_attestations,
    load_model_card,
)
from redline.reports import (
    TABLE_FORMATS,
    decision_label,
    render_summary,
    render_verdicts,
)


class _DirsOption(click.Option):
    """`--from-logs DIR [DIR ...]`: the option takes every folder that follows it."""

    def add_to_parser(self, parser: Any, ctx: click.Context) -> None:
        super().add_to_parser(parser, ctx)
        for name in self.opts:
            option = parser._long_opt.get(name) or parser._short_opt.get(name)
            if option is None:
                continue
            process = option.process

            def greedy(value: Any, state: Any, process: Any = process) -> None:
                process(value, state)
                while state.rargs and not state.rargs[0].startswith("-"):
                    process(state.rargs.pop(0), state)

            option.process = greedy


@click.command("assess")
@click.option(
    "--model",
    default="redline/local",
    show_default=True,
    help="Inspect model string, e.g. openai/gpt-4o-mini or redline/local/<path.gguf>.",
)
@click.option(
    "--model-base-url",
    default=None,
    help="Base URL of the model's API (for openai-api/... and similar).",
)
@click.option(
    "--framework",
    default=DEFAULT_FRAMEWORK,
    show_default=True,
    help="Built-in framework id or path to a framework YAML file.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Run folder. Default: runs/<timestamp>, or the newest unfinished matching run there.",
)
@click.option(
    "--suite",
    "suites",
    multiple=True,
    metavar="NAME",
    help="Run only this suite of the framework's (repeatable); thresholds read from "
    "other suites stay inconclusive.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=None,
    help="Samples per suite: a smoke run of the setup, whose decision is no finding.",
)
@click.option(
    "--temperature",
    type=click.FloatRange(min=0.0),
    default=None,
    help="Sampling temperature (default: each provider's).",
)
@click.option(
    "--max-tokens",
    type=click.IntRange(min=1),
    default=None,
    help="Most tokens per model answer (default: each suite's own cap).",
)
@click.option(
    "-T",
    "task_args",
    multiple=True,
    metavar="SUITE.ARG=VALUE",
    help="Argument of a suite's task, e.g. -T autonomy_proxy.max_turns=4 (repeatable; "
    "VALUE is read as YAML).",
)
@click.option(
    "--max-connections",
    type=click.IntRange(min=1),
    default=None,
    help="Concurrent model connections.",
)
@click.option("--seed", type=int, default=None, help="Generation seed.")
@click.option(
    "--max-retries",
    type=click.IntRange(min=0),
    default=5,
    show_default=True,
    help="Retries of a failed model call before its sample is unscored.",
)
@click.option(
    "--timeout",
    type=click.IntRange(min=1),
    default=None,
    help="Seconds a model call may take, retries included.",
)
@click.option(
    "--attempt-timeout",
    type=click.IntRange(min=1),
    default=None,
    help="Seconds one attempt of a model call may take before it is retried.",
)
@click.option(
    "--display",
    type=click.Choice(["rich", "plain", "full", "log", "none"]),
    default="rich",
    show_default=True,
    help="Progress display while suites run.",
)
@click.option(
    "--model-card",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="YAML/JSON model card whose declared properties (e.g. training_compute_flop) rules read.",
)
@click.option(
    "--attestations",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="YAML list of attestations (safeguard, document, attested_by) that safeguards are in place.",
)
@click.option(
    "--sequential/--no-sequential",
    default=True,
    show_default=True,
    help="Stop each suite as soon as every rule it feeds is decided (anytime-valid tests).",
)
@click.option(
    "--budget-samples",
    type=click.IntRange(min=1),
    default=None,
    help="Most samples per suite under sequential testing.",
)
@click.option(
    "--budget-tokens",
    type=click.IntRange(min=1),
    default=None,
    help="Most model tokens per suite under sequential testing.",
)
@click.option(
    "--budget-cost",
    type=click.FloatRange(min=0.0, min_open=True),
    default=None,
    help="Most model cost (USD, needs cost data) per suite.",
)
@click.option(
    "--judge",
    default=None,
    metavar="MODEL",
    help="Inspect model string of an LLM judge that grades the refusal suites with a "
    "StrongREJECT-style rubric instead of the trained classifier; its failures are unscored.",
)
@click.option(
    "--judge-validation",
    default=None,
    metavar="FILE|TP/POS,TN/NEG",
    help="The judge's measured error: a file from `redline scorer validate --judge` "
    "(each suite reads the entry of its own context), or counts with refused as "
    "positive, e.g. 90/100,85/100; verdicts then read the corrected rate.",
)
@click.option(
    "--sandbox",
    type=click.Choice(["auto", "docker", "bubblewrap", "local"]),
    default="auto",
    show_default=True,
    help="Sandbox of the agentic suites. auto: docker when an engine answers, else "
    "bubblewrap when installed, else (embedded model only) the host, with a warning. "
    "local: accept running model-written commands on this host.",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder that ${REDLINE_DATA} in rule arguments names (public benchmarks in "
    "their published layout).",
)
@click.option(
    "--from-logs",
    "from_logs",
    cls=_DirsOption,
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR [DIR ...]",
    help="Read the evidence from Inspect logs already run in these folders; no model "
    "is loaded or called. With --model, only that model's logs are accepted.",
)
@click.option(
    "--explain", is_flag=True, help="Print every threshold's reasoning trail."
)
@click.option(
    "--gate",
    is_flag=True,
    help="Exit with code 3 unless the decision is 'deploy' (for CI pipelines).",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the report as JSON on stdout (progress goes to stderr).",
)
@click.option(
    "--format",
    "table_format",
    type=click.Choice(TABLE_FORMATS),
    default="table",
    show_default=True,
    help="How to print the verdicts: a rich table with the decision, or the verdict "
    "rows as markdown, csv or json.",
)
@click.option(
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
@click.option(
    "--ray-shards",
    type=click.IntRange(min=1),
    default=None,
    help="With --ray: shards per suite (default: one per CPU of the cluster).",
)
def assess_command(
    model: str,
    model_base_url: str | None,
    framework: str,
    out: Path | None,
    suites: tuple[str, ...],
    limit: int | None,
    temperature: float | None,
    max_tokens: int | None,
    task_args: tuple[str, ...],
    max_connections: int | None,
    seed: int | None,
    max_retries: int,
    timeout: int | None,
    attempt_timeout: int | None,
    display: str,
    sequential: bool,
    budget_samples: int | None,
    budget_tokens: int | None,
    budget_cost: float | None,
    model_card: Path | None,
    attestations: Path | None,
    judge: str | None,
    judge_validation: str | None,
    sandbox: str,
    data_dir: Path | None,
    from_logs: tuple[Path, ...],
    explain: bool,
    gate: bool,
    as_json: bool,
    table_format: str,
    ray_address: str | None,
    ray_shards: int | None,
) -> None:
    """Assess a model against a safety framework and print the deployment decision."""
    # Imported here: Inspect and llama.cpp take seconds to import, `redline --help` not.
    from redline.assess import AssessOptions, assess
    from redline.errors import ConfigError
    from redline.evals import Budget, RunOptions, read_validation_file
    from redline.stats import ClassifierError

    if judge_validation is not None:
        if judge is None:
            raise ConfigError("--judge-validation needs --judge")
        if judge_validation.endswith(".json") or Path(judge_validation).is_file():
            read_validation_file(Path(judge_validation))
        else:
            try:
                ClassifierError.parse(judge_validation)
            except ValueError as ex:
                raise ConfigError(f"--judge-validation: {ex}") from None

    model_given = (
        click.get_current_context().get_parameter_source("model")
        is not click.core.ParameterSource.DEFAULT
    )
    notes = stderr_console()
    options = AssessOptions(
        framework=framework,
        out=out,
        data_dir=data_dir,
        from_logs=from_logs,
        logs_model=model if model_given else None,
        suites=suites,
        notify=lambda line: notes.print(line, style="cyan", soft_wrap=True),
        model_card=load_model_card(model_card) if model_card else None,
        attestations=tuple(load_attestations(attestations)) if attestations else (),
        run=RunOptions(
            model=model,
            model_base_url=model_base_url,
            limit=limit,
            max_connections=max_connections,
            seed=seed,
            temperature=temperature,
            max_tokens=max_tokens,
            task_args=parse_task_args(task_args),
            max_retries=max_retries,
            timeout=timeout,
            attempt_timeout=attempt_timeout,
            display=display,  # type: ignore[arg-type]
            sequential=sequential,
            budget=Budget(
                samples=budget_samples, tokens=budget_tokens, cost=budget_cost
            ),
            judge=judge,
            judge_validation=judge_validation,
            sandbox=sandbox,
        ),
    )
    # Inspect's progress display writes to stdout; keep stdout for the JSON report.
    with (
        contextlib.redirect_stdout(sys.stderr) if as_json else contextlib.nullcontext()
    ):
        if ray_address is None:
            report = assess(options)
        else:
            from redline.scale import RayOptions, run_assessment_on_ray

            ray = RayOptions(address=ray_address or None, shards=ray_shards)
            report = run_assessment_on_ray(options, ray)
    for line in report.run.no_evidence:
        click.echo(line, err=True)
    if as_json:
        click.echo(report.model_dump_json(indent=2))
    elif table_format != "table":
        click.echo(render_verdicts(report, table_format), nl=False)  # type: ignore[arg-type]
    else:
        console = stdout_console()
        console.print(render_summary(report, explain=explain))
        console.print(
            f"Report: {Path(report.run.out_dir) / 'report.json'} and report.html"
        )
        if not from_logs:
            console.print(f"Logs:   inspect view --log-dir {report.run.log_dir}")
    if report.run.failure is not None:
        if as_json or table_format != "table":
            notes.print(f"Run failed: {report.run.failure.message}", soft_wrap=True)
        sys.exit(EXIT_MODEL_UNAVAILABLE)
    if gate and report.decision is not Decision.DEPLOY:
        why = "; ".join(report.reasons[:1])
        notes.print(
            f"Gate failed: decision is '{decision_label(report.decision)}', "
            f"not 'deploy'" + (f" ({why})" if why else ""),
            soft_wrap=True,
        )
        sys.exit(EXIT_GATE)
