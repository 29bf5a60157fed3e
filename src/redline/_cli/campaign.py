"""`redline campaign`: every model under every framework, and a table across them."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.table import Table

from redline._cli.common import (
    EXIT_ERROR,
    EXIT_MODEL_UNAVAILABLE,
    stderr_console,
    stdout_console,
)

if TYPE_CHECKING:
    from redline.assess import AssessOptions
    from redline.campaign import CampaignSummary, Runner
    from redline.reports import Report

_DECISION_STYLE = {
    "deploy": "green",
    "deploy with safeguards": "yellow",
    "do not deploy": "red",
    "halt development": "bold red",
}


def _runner(address: str | None, shards: int | None) -> Runner:
    """`assess` here, or the scale-out runner on Ray when `--ray` is given."""
    from redline.assess import assess

    if address is None:
        return assess
    # Imported only when asked for: it is the one path that needs `redline[ray]`.
    from redline.scale import RayOptions, run_assessment_on_ray

    ray_options = RayOptions(address=address or None, shards=shards)

    def run(options: AssessOptions) -> Report:
        return run_assessment_on_ray(options, ray_options)

    return run


def campaign_table(summary: CampaignSummary) -> Table:
    """One row per (model, framework): decision and verdict counts."""
    table = Table(title="Campaign", title_justify="left")
    counts = ("crossed", "approaching", "below", "inconclusive")
    for column in ("model", "framework", "decision", *counts, "status", "run folder"):
        # Fold, never cut: a model string or folder name is read to be typed again.
        table.add_column(
            column, justify="right" if column in counts else "left", overflow="fold"
        )
    for pair in summary.pairs:
        decision = pair.decision or "-"
        if pair.smoke_run and pair.decision:
            decision += " (smoke run)"
        table.add_row(
            pair.model,
            pair.framework,
            f"[{_DECISION_STYLE.get(pair.decision or '', 'white')}]{decision}[/]",
            str(pair.crossed),
            str(pair.approaching),
            str(pair.below),
            str(pair.inconclusive),
            pair.status if not pair.error else f"{pair.status}: {pair.error}",
            pair.folder,
        )
    return table


@click.command("campaign")
@click.option(
    "--model",
    "models",
    multiple=True,
    required=True,
    metavar="MODEL",
    help="Inspect model string (repeatable), e.g. redline/local or openai-api/<provider>/<model>; "
    "an openai-api model's URL and key come from <PROVIDER>_BASE_URL and <PROVIDER>_API_KEY.",
)
@click.option(
    "--framework",
    "frameworks",
    multiple=True,
    required=True,
    metavar="FRAMEWORK",
    help="Built-in framework id or path to a framework YAML file (repeatable).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Campaign folder. Default: runs/campaign-<timestamp>, or the newest unfinished "
    "campaign there with the same models, frameworks and settings.",
)
@click.option(
    "--ray",
    "ray_address",
    is_flag=False,
    flag_value="",
    default=None,
    metavar="[ADDRESS|auto]",
    help="Run each assessment's suites on a Ray cluster (pip install 'redline[ray]'): "
    "ray://head:10001, auto (the one running here), or nothing (RAY_ADDRESS, else a "
    "local Ray).",
)
@click.option(
    "--ray-shards",
    type=click.IntRange(min=1),
    default=None,
    help="With --ray: shards per suite (default: one per CPU of the cluster).",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=None,
    help="Samples per suite: a smoke run of the setup, whose decisions are no finding.",
)
@click.option("--seed", type=int, default=None, help="Generation seed.")
@click.option(
    "--temperature",
    type=click.FloatRange(min=0.0),
    default=None,
    help="Sampling temperature.",
)
@click.option(
    "--max-tokens",
    type=click.IntRange(min=1),
    default=None,
    help="Most tokens per answer.",
)
@click.option(
    "--max-connections",
    type=click.IntRange(min=1),
    default=None,
    help="Concurrent model connections.",
)
@click.option(
    "--max-retries",
    type=click.IntRange(min=0),
    default=5,
    show_default=True,
    help="Retries of a failed model call before its sample is unscored.",
)
@click.option(
    "--sequential/--no-sequential",
    default=True,
    show_default=True,
    help="Stop each suite as soon as every rule it feeds is decided.",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder that ${REDLINE_DATA} in rule arguments names.",
)
@click.option(
    "--display",
    type=click.Choice(["rich", "plain", "full", "log", "none"]),
    default="rich",
    show_default=True,
    help="Progress display while suites run.",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print campaign.json's content on stdout."
)
def campaign_command(
    models: tuple[str, ...],
    frameworks: tuple[str, ...],
    out: Path | None,
    ray_address: str | None,
    ray_shards: int | None,
    limit: int | None,
    seed: int | None,
    temperature: float | None,
    max_tokens: int | None,
    max_connections: int | None,
    max_retries: int,
    sequential: bool,
    data_dir: Path | None,
    display: str,
    as_json: bool,
) -> None:
    """Assess every --model under every --framework; one run folder and report each."""
    import contextlib

    from redline.assess import AssessOptions
    from redline.campaign import (
        CAMPAIGN_CSV,
        CAMPAIGN_FILE,
        CampaignOptions,
        run_campaign,
    )
    from redline.evals import RunOptions

    notes = stderr_console()
    options = CampaignOptions(
        models=models,
        frameworks=frameworks,
        out=out,
        notify=lambda line: notes.print(line, style="cyan", soft_wrap=True),
        assessment=AssessOptions(
            data_dir=data_dir,
            notify=lambda line: notes.print(line, style="cyan", soft_wrap=True),
            run=RunOptions(
                limit=limit,
                seed=seed,
                temperature=temperature,
                max_tokens=max_tokens,
                max_connections=max_connections,
                max_retries=max_retries,
                sequential=sequential,
                display=display,  # type: ignore[arg-type]
            ),
        ),
    )
    # Inspect's progress display writes to stdout; keep stdout for the JSON summary.
    with (
        contextlib.redirect_stdout(sys.stderr) if as_json else contextlib.nullcontext()
    ):
        campaign = run_campaign(options, _runner(ray_address, ray_shards))
    summary = campaign.summary
    if as_json:
        click.echo(summary.model_dump_json(indent=2))
    else:
        console = stdout_console()
        console.print(campaign_table(summary))
        console.print(
            f"Summary: {campaign.folder / CAMPAIGN_FILE} and {CAMPAIGN_CSV}; "
            f"each pair's report.json and report.html in its run folder"
        )
        # The dashboard is optional: point at its compare view only where it exists.
        if importlib.util.find_spec("redline.view") is not None:
            console.print(
                f"Compare: redline view {campaign.folder} (its Compare page sets "
                "these reports side by side)"
            )
    statuses = {pair.status for pair in summary.pairs}
    if "failed" in statuses:
        sys.exit(EXIT_ERROR)
    if "incomplete" in statuses:
        notes.print("Some pairs are incomplete: re-run the same command to resume.")
        sys.exit(EXIT_MODEL_UNAVAILABLE)
