"""`redline incidents submit/submissions/attach/open`: incident reports and their editors."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError

from redline._cli.common import stdout_console
from redline._cli.incident_render import (
    load_json_file,
    print_submission,
    print_submissions,
    validation_message,
)
from redline._cli.registry import client_options, open_client
from redline.errors import ConfigError
from redline.incidents import HarmType, IncidentKind
from redline.registry._incidents_api import (
    OpenRequest,
    SubmissionCreate,
    SubmissionStatus,
)

_DAY = click.DateTime(formats=["%Y-%m-%d"])


MAX_INPUTS_OUTPUTS = 200
"""Most recorded prompt/response pairs a submission carries (the API's limit)."""


def _assessment_in(loaded: dict[str, Any]) -> dict[str, Any] | None:
    """The Redline assessment report in a file, plain or signed; None for other JSON."""
    if "schema_version" in loaded and "thresholds" in loaded:
        return loaded
    inner = loaded.get("report")
    if "signature" in loaded and isinstance(inner, dict) and "thresholds" in inner:
        return inner
    return None


def _from_assessment(file: Path, data: dict[str, Any]) -> dict[str, Any]:
    """A submission drafted from an assessment: its samples become inputs and outputs.

    Samples of suites that fed a crossed or inconclusive threshold come first, as the
    likelier evidence of harm; redacted samples (digests only) carry no text and are left out.
    """
    from redline.frameworks import EvidenceRule
    from redline.reports import Report

    try:
        report = Report.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(validation_message(str(file), exc)) from None
    flagged = {
        rule.suite
        for t in report.thresholds
        if t.verdict.value in ("crossed", "inconclusive")
        for rule in (t.rule, *(r.rule for r in t.rules))
        if isinstance(rule, EvidenceRule)
    }
    suites = sorted(report.suites, key=lambda s: s.suite not in flagged)
    pairs = [
        {"input": sample.prompt, "output": sample.response or ""}
        for suite in suites
        for sample in suite.samples
        if sample.prompt
    ][:MAX_INPUTS_OUTPUTS]
    reasons = "; ".join(report.reasons[:5])
    return {
        "report": {
            "title": f"Redline assessment of {report.model}",
            "text": (
                f"Assessment of {report.model} under {report.framework.id} "
                f"{report.framework.version}: {report.decision.value.replace('_', ' ')}. "
                f"{reasons}"
            )[:100_000],
            "date_published": report.created_at.date().isoformat(),
            "inputs_outputs": pairs,
        },
        "proposal": {"date": report.created_at.date().isoformat()},
    }


def _submission(
    file: Path | None, report: dict[str, Any], proposal: dict[str, Any]
) -> SubmissionCreate:
    """The submission from a JSON file (a source report, or report + proposal) and options.

    Options given on the command line win over the file's values.
    """
    data: dict[str, Any] = {"report": {}, "proposal": {}}
    if file is not None:
        loaded = load_json_file(file)
        if not isinstance(loaded, dict):
            raise ConfigError(f"{file}: expected a JSON object (a source report)")
        assessment = _assessment_in(loaded)
        if assessment is not None:
            data = _from_assessment(file, assessment)
        elif "report" in loaded or "proposal" in loaded:
            data = {
                "report": loaded.get("report", {}),
                "proposal": loaded.get("proposal", {}),
            }
        else:
            data["report"] = loaded
    data["report"] = {**data["report"], **{k: v for k, v in report.items() if v}}
    data["proposal"] = {**data["proposal"], **{k: v for k, v in proposal.items() if v}}
    try:
        return SubmissionCreate.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(validation_message(str(file or "submission"), exc)) from None


@click.command("submit")
@click.option("--title", help="Title of the event (the incident).")
@click.option("--description", help="What happened.")
@click.option("--date", "day", type=_DAY, help="When it happened, YYYY-MM-DD.")
@click.option("--kind", type=click.Choice([k.value for k in IncidentKind]))
@click.option("--url", help="Where the report is published.")
@click.option("--report-title", help="Title of the report [default: --title].")
@click.option("--developer", "developers", multiple=True, help="Repeatable.")
@click.option("--deployer", "deployers", multiple=True, help="Repeatable.")
@click.option("--harmed-party", "harmed_parties", multiple=True, help="Repeatable.")
@click.option("--system", "--model", "systems", multiple=True, help="Repeatable.")
@click.option(
    "--harm-type",
    "harm_types",
    multiple=True,
    type=click.Choice([h.value for h in HarmType]),
    help="Repeatable.",
)
@click.option(
    "--file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="JSON: a Redline assessment report (its samples become the inputs and "
    "outputs), a source report (text, url, inputs_outputs...), or "
    '{"report": ..., "proposal": ...}; see examples/incident-submission.json.',
)
@click.option("--json", "as_json", is_flag=True, help="Machine output on stdout.")
@client_options
def submit_command(
    title: str | None,
    description: str | None,
    day: datetime | None,
    kind: str | None,
    url: str | None,
    report_title: str | None,
    developers: tuple[str, ...],
    deployers: tuple[str, ...],
    harmed_parties: tuple[str, ...],
    systems: tuple[str, ...],
    harm_types: tuple[str, ...],
    file: Path | None,
    as_json: bool,
    registry_url: str,
    token: str | None,
) -> None:
    """Submit an incident report; shows the incidents it most likely describes."""
    submission = _submission(
        file,
        {"title": report_title or title, "url": url, "text": description},
        {
            "title": title,
            "description": description,
            "date": day.date().isoformat() if day else None,
            "kind": kind,
            "developers": developers,
            "deployers": deployers,
            "harmed_parties": harmed_parties,
            "implicated_systems": systems,
            "harm_types": harm_types,
        },
    )
    with open_client(registry_url, token) as client:
        result = client.submit_incident(submission)
    if as_json:
        click.echo(result.model_dump_json(indent=2))
    else:
        print_submission(stdout_console(), result)


@click.command("submissions")
@click.option(
    "--status",
    default=SubmissionStatus.PENDING.value,
    show_default=True,
    type=click.Choice([*(s.value for s in SubmissionStatus), "all"]),
)
@click.option("--json", "as_json", is_flag=True, help="Machine output on stdout.")
@client_options
def submissions_command(
    status: str, as_json: bool, registry_url: str, token: str | None
) -> None:
    """Your submissions; an editor sees everyone's."""
    with open_client(registry_url, token) as client:
        found = list(
            client.incident_submissions(status=None if status == "all" else status)
        )
    if as_json:
        click.echo("[" + ",".join(s.model_dump_json() for s in found) + "]")
    else:
        print_submissions(stdout_console(), found)


@click.command("attach")
@click.argument("submission_id")
@click.argument("incident_id")
@client_options
def attach_command(
    submission_id: str, incident_id: str, registry_url: str, token: str | None
) -> None:
    """Attach a pending submission to an incident (editors)."""
    with open_client(registry_url, token) as client:
        result = client.attach_submission(submission_id, incident_id)
    click.echo(f"Attached {result.id} to {result.incident_id}")


@click.command("open")
@click.argument("submission_id")
@click.option("--kind", type=click.Choice([k.value for k in IncidentKind]))
@click.option("--title", help="Title [default: the submitted one].")
@click.option("--date", "day", type=_DAY, help="Date [default: the submitted one].")
@client_options
def open_command(
    submission_id: str,
    kind: str | None,
    title: str | None,
    day: datetime | None,
    registry_url: str,
    token: str | None,
) -> None:
    """Open a pending submission as a new incident (editors)."""
    given = {"kind": kind, "title": title, "date": day.date() if day else None}
    try:
        overrides = OpenRequest.model_validate(
            {k: v for k, v in given.items() if v is not None}
        )
    except ValidationError as exc:
        raise ConfigError(validation_message("open", exc)) from None
    with open_client(registry_url, token) as client:
        result = client.open_submission(submission_id, overrides)
    click.echo(f"Opened {result.incident_id} from {result.id}")


SUBMISSION_COMMANDS = (
    submit_command,
    submissions_command,
    attach_command,
    open_command,
)
