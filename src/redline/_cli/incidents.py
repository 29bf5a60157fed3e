"""`redline incidents ...`: the registry's incident database from the command line.

Editors import snapshots and decide submissions; institutes submit reports and query
incidents and trends. `classify` runs offline, with no registry.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from redline._cli.common import stdout_console
from redline._cli.incident_render import print_incident, print_trends
from redline._cli.incident_submissions import SUBMISSION_COMMANDS
from redline._cli.registry import client_options, open_client
from redline.errors import ConfigError
from redline.incidents import REDLINE_DOMAINS, HarmType, IncidentKind

F = TypeVar("F", bound=Callable[..., Any])
_DAY = click.DateTime(formats=["%Y-%m-%d"])
stderr = Console(stderr=True, highlight=False)
LOW_CONFIDENCE = 0.5
"""Below this probability a predicted MIT domain is flagged as a suggestion for an
editor to confirm: it is then more likely wrong than right."""


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


def filter_options(func: F) -> F:
    """Incident filters shared by `list` and `trends`, passed on as `filters`."""

    @click.option(
        "--risk-domain",
        type=click.Choice(REDLINE_DOMAINS),
        help="Redline risk domain.",
    )
    @click.option("--mit-domain", help="MIT risk domain, by name or number (4).")
    @click.option(
        "--harm-type", type=click.Choice([h.value for h in HarmType]), help="OECD."
    )
    @click.option("--developer", help="Alleged developer (entity slug).")
    @click.option("--deployer", help="Alleged deployer (entity slug).")
    @click.option("--harmed-party", help="Alleged harmed party (entity slug).")
    @click.option("--system", "--model", "system", help="Implicated model or system.")
    @click.option("--sector", help="Sector of deployment.")
    @click.option("--kind", type=click.Choice([k.value for k in IncidentKind]))
    @click.option("--source", help="Where incidents come from (aiid, redline).")
    @click.option("--from", "date_from", type=_DAY, help="On or after YYYY-MM-DD.")
    @click.option("--to", "date_to", type=_DAY, help="On or before YYYY-MM-DD.")
    @click.option("--text", "q", help="Words in the title or description.")
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        names = (
            "risk_domain", "mit_domain", "harm_type", "developer", "deployer",
            "harmed_party", "system", "sector", "kind", "source", "date_from",
            "date_to", "q",
        )  # fmt: skip
        filters = {name: kwargs.pop(name) for name in names}
        filters["date_from"] = _day(filters["date_from"])
        filters["date_to"] = _day(filters["date_to"])
        return func(*args, filters=filters, **kwargs)

    return wrapper  # type: ignore[return-value]


@click.group("incidents")
def incidents_group() -> None:
    """Import, query and submit AI incidents; trends; regression samples."""


@incidents_group.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--batch-size", default=250, show_default=True, type=click.IntRange(1, 1000)
)
@click.option("--json", "as_json", is_flag=True, help="Machine output on stdout.")
@client_options
def import_command(
    path: Path, batch_size: int, as_json: bool, registry_url: str, token: str | None
) -> None:
    """Import an AIID CSV snapshot folder (idempotent: re-run to update)."""
    from redline.registry._snapshot_import import import_aiid_snapshot

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with (
        open_client(registry_url, token) as client,
        Progress(*columns, console=stderr, transient=True) as progress,
    ):
        task = progress.add_task("Importing", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        result = import_aiid_snapshot(
            client, path, batch_size=batch_size, on_batch=advance
        )
    if as_json:
        click.echo(result.model_dump_json(indent=2))
        return
    table = Table(title=f"Imported {path} as {result.source}")
    for name in ("read", "new", "changed", "unchanged", "skipped", "row problems"):
        table.add_column(name, justify="right")
    table.add_row(
        *(
            str(n)
            for n in (
                result.read,
                len(result.new),
                len(result.changed),
                len(result.unchanged),
                len(result.skipped),
                len(result.problems),
            )
        )
    )
    console = stdout_console()
    console.print(table)
    for problem in result.problems:
        console.print(f"row skipped: {problem}", markup=False, soft_wrap=True)
    for skip in result.skipped:
        console.print(
            f"record skipped: {result.source}:{skip.external_id}: {skip.reason}",
            markup=False,
            soft_wrap=True,
        )


@incidents_group.command("list")
@filter_options
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1))
@click.option("--json", "as_json", is_flag=True, help="Machine output on stdout.")
@client_options
def list_command(
    filters: dict[str, Any],
    limit: int,
    as_json: bool,
    registry_url: str,
    token: str | None,
) -> None:
    """List incidents matching the filters, most recent first."""
    with open_client(registry_url, token) as client:
        found = []
        # One past the limit, to say whether more match.
        for item in client.incidents(**filters, limit=min(limit + 1, 100)):
            found.append(item)
            if len(found) > limit:
                break
    more = len(found) > limit
    found = found[:limit]
    if not as_json:
        stderr.print(
            f"{len(found)} incident(s) shown"
            + (
                f"; more match: raise --limit (now {limit})"
                if more
                else "; that is all that match"
            ),
            soft_wrap=True,
        )
    if as_json:
        click.echo(json.dumps([i.model_dump(mode="json") for i in found], indent=2))
        return
    table = Table(title=f"{len(found)} incidents")
    for name in ("id", "source id", "date", "kind", "title", "risk domains"):
        table.add_column(name)
    for i in found:
        table.add_row(
            i.id,
            f"{i.source}:{i.external_id}" if i.external_id else i.source,
            i.date.isoformat(),
            i.kind.value,
            i.title,
            ", ".join(i.risk_domains),
        )
    stdout_console().print(table)


incidents_group.add_command(list_command, "query")


@incidents_group.command("show")
@click.argument("incident_id")
@click.option("--json", "as_json", is_flag=True, help="Machine output on stdout.")
@client_options
def show_command(
    incident_id: str, as_json: bool, registry_url: str, token: str | None
) -> None:
    """Show one incident (registry id, or source:external_id such as aiid:23)."""
    with open_client(registry_url, token) as client:
        incident = client.incident(incident_id)
    if as_json:
        click.echo(incident.model_dump_json(indent=2))
    else:
        print_incident(stdout_console(), incident)


@incidents_group.command("trends")
@filter_options
@click.option(
    "--by",
    default="risk_domain",
    show_default=True,
    type=click.Choice(
        ["risk_domain", "mit_domain", "harm_type", "developer", "deployer",
         "harmed_party", "system", "sector", "severity", "kind"]
    ),
)  # fmt: skip
@click.option(
    "--interval",
    default="year",
    show_default=True,
    type=click.Choice(["year", "quarter", "month"]),
)
@click.option("--top", type=click.IntRange(1, 50), help="Largest groups; rest summed.")
@click.option(
    "--chart",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write a chart: .png or .svg.",
)
@click.option("--json", "as_json", is_flag=True, help="Machine output on stdout.")
@client_options
def trends_command(
    filters: dict[str, Any],
    by: str,
    interval: str,
    top: int | None,
    chart: Path | None,
    as_json: bool,
    registry_url: str,
    token: str | None,
) -> None:
    """Incident counts over time per group, as a table and optionally a chart."""
    if chart is not None and chart.suffix.lower() not in (".png", ".svg"):
        raise ConfigError(f"{chart}: a chart is written as .png or .svg")
    with open_client(registry_url, token) as client:
        table = client.incident_trends(by=by, interval=interval, top=top, **filters)
    if chart is not None:
        from redline.incidents import write_trend_chart

        write_trend_chart(table, chart, as_of=datetime.now(UTC).date())
        stderr.print(
            f"Chart written to {chart}: bars count incident-group pairs (an incident "
            "with several groups is in several bars), the line counts incidents; the "
            "current period is marked partial."
        )
    if as_json:
        click.echo(table.model_dump_json(indent=2))
    else:
        print_trends(stdout_console(), table, by)


@incidents_group.command("regression")
@click.argument("incident_ids", nargs=-1, required=True)
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Suite JSONL to write.",
)
@client_options
def regression_command(
    incident_ids: tuple[str, ...], out: Path, registry_url: str, token: str | None
) -> None:
    """Regression samples from incidents' recorded prompts and outputs."""
    from redline.incidents import write_regression_suite

    with open_client(registry_url, token) as client:
        # Registry ids name the samples of incidents opened here (no external id).
        incidents = [client.incident(i) for i in incident_ids]
    records = [(incident.id, incident.record) for incident in incidents]
    written = write_regression_suite(records, out)
    click.echo(f"Wrote {written} samples to {out} (suite redline/incident_regression)")


@incidents_group.command("classify")
@click.option("--title", required=True)
@click.option("--description", default="")
@click.option("--json", "as_json", is_flag=True, help="Machine output on stdout.")
def classify_command(title: str, description: str, as_json: bool) -> None:
    """Classify an incident into the MIT risk-domain taxonomy (offline, no registry)."""
    from redline.incidents import classify_risk_domain

    prediction = classify_risk_domain(title, description)
    if as_json:
        click.echo(prediction.model_dump_json(indent=2))
        return
    sub = f" / {prediction.mit_subdomain}" if prediction.mit_subdomain else ""
    click.echo(f"MIT risk domain: {prediction.mit_domain}{sub}")
    flag = (
        " (LOW: a suggestion for an editor to confirm, not a label)"
        if prediction.confidence < LOW_CONFIDENCE
        else ""
    )
    click.echo(f"confidence: {prediction.confidence:.2f}{flag}")
    alternatives = sorted(
        (
            (p, domain)
            for domain, p in prediction.probabilities.items()
            if domain != prediction.mit_domain
        ),
        reverse=True,
    )[:2]
    for probability, domain in alternatives:
        click.echo(f"  or: {domain} ({probability:.2f})")
    click.echo(
        f"Redline risk domains: {', '.join(prediction.redline_domains) or 'none'}"
    )


for _command in SUBMISSION_COMMANDS:
    incidents_group.add_command(_command)
