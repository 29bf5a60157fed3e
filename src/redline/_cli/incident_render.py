"""Terminal rendering of incidents, submissions and trends; shared CLI helpers."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from redline.errors import ConfigError
from redline.incidents import TrendTable
from redline.registry._incidents_api import Incident, IncidentSubmission


def load_json_file(path: Path) -> Any:
    """JSON data of a file.

    Raises:
        ConfigError: The file cannot be read or is not JSON; names the file.
    """
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except ValueError as exc:
        raise ConfigError(f"{path}: not valid JSON: {exc}") from None


def validation_message(where: str, exc: ValidationError) -> str:
    """One line for the first problem of a validation error."""
    error = exc.errors()[0]
    loc = ".".join(str(p) for p in error.get("loc", ()))
    return f"{where}{': ' + loc if loc else ''}: {error['msg']}"


def _short(value: object, limit: int = 80) -> str:
    # Taxonomies carry long snippets (GMF); `show --json` has them in full.
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def print_incident(console: Console, incident: Incident) -> None:
    """An incident as a few labelled lines and its classifications."""
    r = incident.record
    source = f"{r.source}:{r.external_id}" if r.external_id else r.source
    console.print(f"[bold]{incident.id}[/] ({source}) {r.kind.value}, {r.date}")
    console.print(r.title, markup=False)
    if r.description:
        console.print(r.description, markup=False, soft_wrap=True)
    for label, values in (
        ("developers", r.developers),
        ("deployers", r.deployers),
        ("harmed parties", r.harmed_parties),
        ("systems", r.implicated_systems),
        ("harm types", [h.value for h in r.harm_types]),
        ("sectors", r.sectors),
        ("risk domains", r.risk_domains),
    ):
        if values:
            console.print(f"  {label}: {', '.join(values)}", markup=False)
    if r.severity is not None:
        console.print(f"  severity: {r.severity.value}")
    recorded = sum(len(s.inputs_outputs) for s in r.reports)
    console.print(f"  reports: {len(r.reports)} ({recorded} recorded prompts)")
    if incident.submissions:
        console.print(f"  submissions: {', '.join(incident.submissions)}")
    table = Table(title="Classifications")
    for name in ("namespace", "source", "attributes"):
        table.add_column(name)
    for c in r.classifications:
        shown = {k: v for k, v in c.attributes.items() if v not in (None, "", [])}
        text = "; ".join(f"{k}: {_short(v)}" for k, v in list(shown.items())[:6])
        table.add_row(c.namespace, c.source.value, text)
    if r.classifications:
        console.print(table)


def print_submission(console: Console, submission: IncidentSubmission) -> None:
    """A submission: its state, automatic classification and suggested incidents."""
    p = submission.proposal
    console.print(
        f"[bold]{submission.id}[/] by {submission.institute}: {submission.status.value}"
        + (f" -> {submission.incident_id}" if submission.incident_id else "")
    )
    console.print(f"{p.title} ({p.kind.value}, {p.date})", markup=False)
    c = submission.classification
    confidence = f" (confidence {c.confidence:.2f})" if c.confidence is not None else ""
    domain = c.attributes.get("Risk Domain")
    sub = c.attributes.get("Risk Subdomain")
    console.print(
        f"Automatic MIT classification: {domain}"
        + (f" / {sub}" if sub else "")
        + confidence,
        markup=False,
    )
    console.print(
        f"Redline risk domains: {', '.join(submission.risk_domains) or 'none'}",
        markup=False,
    )
    table = Table(title="Incidents it may describe")
    for name in ("rank", "incident", "source id", "score", "date", "title"):
        table.add_column(name)
    for s in submission.suggestions:
        table.add_row(
            str(s.rank),
            s.incident_id,
            s.reference or "",
            f"{s.score:.3f}",
            s.date.isoformat(),
            s.title,
        )
    console.print(table if submission.suggestions else "No similar incidents stored.")


def print_submissions(
    console: Console, submissions: Sequence[IncidentSubmission]
) -> None:
    """Submissions as a table, with each one's best suggestion."""
    table = Table(title=f"{len(submissions)} submissions")
    for name in (
        "id",
        "institute",
        "status",
        "date",
        "title",
        "best match",
        "incident",
    ):
        table.add_column(name)
    for s in submissions:
        best = s.suggestions[0] if s.suggestions else None
        table.add_row(
            s.id,
            s.institute,
            s.status.value,
            s.proposal.date.isoformat(),
            s.proposal.title,
            f"{best.incident_id} ({best.score:.2f})" if best else "",
            s.incident_id or "",
        )
    console.print(table)


def print_trends(console: Console, table: TrendTable, by: str) -> None:
    """A trend table: one row per period, one column per group, and all incidents."""
    rendered = Table(
        title=f"Incidents per {table.interval} by {by} ({table.rows} incidents)"
    )
    rendered.add_column("period")
    for name in table.series:
        rendered.add_column(name, justify="right")
    rendered.add_column("incidents", justify="right")
    for i, period in enumerate(table.periods):
        rendered.add_row(
            period,
            *(str(counts[i]) for counts in table.series.values()),
            str(table.period_totals[i]),
        )
    rendered.add_row(
        "total",
        *(str(table.totals[name]) for name in table.series),
        str(table.rows),
        style="bold",
    )
    console.print(rendered)
