"""`redline assess`: run a whole safety assessment and print the decision."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click

from redline._cli.common import stdout_console
from redline.frameworks import (
    DEFAULT_FRAMEWORK,
    Decision,
    load_attestations,
    load_model_card,
)
from redline.reports import render_summary

EXIT_GATE = 3


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
    "--limit", type=click.IntRange(min=1), default=None, help="Samples per suite."
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
    type=click.Choice(["auto", "local", "docker"]),
    default="auto",
    show_default=True,
    help="Sandbox of the agentic suites: docker when an engine answers (auto), or forced.",
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
def assess_command(
    model: str,
    model_base_url: str | None,
    framework: str,
    out: Path | None,
    limit: int | None,
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
    explain: bool,
    gate: bool,
    as_json: bool,
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

    options = AssessOptions(
        framework=framework,
        out=out,
        model_card=load_model_card(model_card) if model_card else None,
        attestations=tuple(load_attestations(attestations)) if attestations else (),
        run=RunOptions(
            model=model,
            model_base_url=model_base_url,
            limit=limit,
            max_connections=max_connections,
            seed=seed,
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
        report = assess(options)
    if as_json:
        click.echo(report.model_dump_json(indent=2))
    else:
        console = stdout_console()
        console.print(render_summary(report, explain=explain))
        console.print(
            f"Report: {Path(report.run.out_dir) / 'report.json'} and report.html"
        )
        console.print(f"Logs:   inspect view --log-dir {report.run.log_dir}")
    if gate and report.decision is not Decision.DEPLOY:
        sys.exit(EXIT_GATE)
