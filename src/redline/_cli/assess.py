"""`redline assess`: run a whole safety assessment and print the decision."""

from __future__ import annotations

import contextlib
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from click.core import ParameterSource

from redline._cli.common import (
    EXIT_GATE,
    EXIT_MODEL_UNAVAILABLE,
    stderr_console,
    stdout_console,
)
from redline._cli.run_options import (
    RunParams,
    assessment_options,
    assessment_runner,
    attempt_timeout_option,
    budget_cost_option,
    budget_samples_option,
    budget_tokens_option,
    data_dir_option,
    display_option,
    epochs_option,
    judge_option,
    judge_validation_option,
    limit_option,
    max_connections_option,
    max_retries_option,
    max_tokens_option,
    model_base_url_option,
    model_option,
    ray_option,
    ray_shards_option,
    sandbox_option,
    seed_option,
    sequential_option,
    task_args_option,
    temperature_option,
    timeout_option,
)
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

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from redline.assess import AssessOptions


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


# `RunOptions` fields a plan fixes, by the option that sets each.
_PLANNED_OPTIONS = {
    "model": "model",
    "model_base_url": "model_base_url",
    "seed": "seed",
    "limit": "limit",
    "epochs": "epochs",
    "temperature": "temperature",
    "max_tokens": "max_tokens",
    "timeout": "timeout",
    "task_args": "task_args",
    "sequential": "sequential",
    "budget_samples": "budget",
    "budget_tokens": "budget",
    "budget_cost": "budget",
    "judge": "judge",
    "judge_validation": "judge_validation",
    "sandbox": "sandbox",
}


def _given(name: str) -> bool:
    # A value from redline.toml is a default, not a choice made for this run.
    source = click.get_current_context().get_parameter_source(name)
    return source in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)


def _planned(plan_path: Path, options: AssessOptions) -> AssessOptions:
    """The framework, suites and run options of a plan, where not given explicitly."""
    from redline.planning import run_options_of
    from redline.plans import read_plan_file

    plan = read_plan_file(plan_path)[0].plan
    given = {field for name, field in _PLANNED_OPTIONS.items() if _given(name)}
    return replace(
        options,
        framework=options.framework
        if _given("framework")
        else plan.framework.source or plan.framework.id,
        suites=options.suites or tuple(task.suite for task in plan.tasks),
        run=run_options_of(plan, options.run, given),
    )


@click.command("assess")
@model_option()
@model_base_url_option()
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
@limit_option()
@temperature_option()
@max_tokens_option()
@task_args_option()
@max_connections_option()
@seed_option()
@epochs_option()
@max_retries_option()
@timeout_option()
@attempt_timeout_option()
@display_option()
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
@sequential_option()
@budget_samples_option()
@budget_tokens_option()
@budget_cost_option()
@judge_option()
@judge_validation_option()
@sandbox_option()
@data_dir_option()
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
    "--plan",
    "plan_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Run exactly this signed plan (`redline plan create`); options given as well "
    "override it and are recorded as deviations (needs --allow-deviation).",
)
@click.option(
    "--allow-deviation",
    is_flag=True,
    help="With --plan: run even when the run departs from the plan (changed "
    "framework or data, other settings), recording every deviation in the report.",
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
@ray_option()
@ray_shards_option()
def assess_command(
    framework: str,
    out: Path | None,
    suites: tuple[str, ...],
    model_card: Path | None,
    attestations: Path | None,
    from_logs: tuple[Path, ...],
    plan_path: Path | None,
    allow_deviation: bool,
    explain: bool,
    gate: bool,
    as_json: bool,
    table_format: str,
    ray_address: str | None,
    ray_shards: int | None,
    **run: Unpack[RunParams],
) -> None:
    """Assess a model against a safety framework and print the deployment decision."""
    model_given = (
        click.get_current_context().get_parameter_source("model")
        is not click.core.ParameterSource.DEFAULT
    )
    notes = stderr_console()
    options = replace(
        assessment_options(run),
        framework=framework,
        out=out,
        from_logs=from_logs,
        logs_model=run.get("model") if model_given else None,
        suites=suites,
        model_card=load_model_card(model_card) if model_card else None,
        attestations=tuple(load_attestations(attestations)) if attestations else (),
        plan=plan_path,
        allow_deviation=allow_deviation,
    )
    if plan_path is not None:
        options = _planned(plan_path, options)
    # Inspect's progress display writes to stdout; keep stdout for the JSON report.
    with (
        contextlib.redirect_stdout(sys.stderr) if as_json else contextlib.nullcontext()
    ):
        report = assessment_runner(ray_address, ray_shards)(options)
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
