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
from redline._cli.run_options import (
    RunParams,
    assessment_options,
    assessment_runner,
    data_dir_option,
    display_option,
    limit_option,
    max_connections_option,
    max_retries_option,
    max_tokens_option,
    note,
    ray_option,
    ray_shards_option,
    seed_option,
    sequential_option,
    temperature_option,
)

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from redline.campaign import CampaignSummary

_DECISION_STYLE = {
    "deploy": "green",
    "deploy with safeguards": "yellow",
    "do not deploy": "red",
    "halt development": "bold red",
}


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
@ray_option(
    help="Run each assessment's suites on a Ray cluster (pip install 'redline[ray]'): "
    "ray://head:10001, auto (the one running here), or nothing (RAY_ADDRESS, else a "
    "local Ray)."
)
@ray_shards_option()
@limit_option(
    help="Samples per suite: a smoke run of the setup, whose decisions are no finding."
)
@seed_option()
@temperature_option(help="Sampling temperature.")
@max_tokens_option(help="Most tokens per answer.")
@max_connections_option()
@max_retries_option()
@sequential_option(help="Stop each suite as soon as every rule it feeds is decided.")
@data_dir_option(help="Folder that ${REDLINE_DATA} in rule arguments names.")
@display_option()
@click.option(
    "--json", "as_json", is_flag=True, help="Print campaign.json's content on stdout."
)
def campaign_command(
    models: tuple[str, ...],
    frameworks: tuple[str, ...],
    out: Path | None,
    ray_address: str | None,
    ray_shards: int | None,
    as_json: bool,
    **run: Unpack[RunParams],
) -> None:
    """Assess every --model under every --framework; one run folder and report each."""
    import contextlib

    from redline.campaign import (
        CAMPAIGN_CSV,
        CAMPAIGN_FILE,
        CampaignOptions,
        run_campaign,
    )

    notes = stderr_console()
    options = CampaignOptions(
        models=models,
        frameworks=frameworks,
        out=out,
        notify=note,
        assessment=assessment_options(run),
    )
    # Inspect's progress display writes to stdout; keep stdout for the JSON summary.
    with (
        contextlib.redirect_stdout(sys.stderr) if as_json else contextlib.nullcontext()
    ):
        campaign = run_campaign(options, assessment_runner(ray_address, ray_shards))
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
