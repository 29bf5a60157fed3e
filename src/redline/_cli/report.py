"""`redline report ...`: the report schema; reading, signing, verifying, redacting."""

from __future__ import annotations

import json
from pathlib import Path

import click

from redline._cli.common import stdout_console
from redline._cli.keys import open_signing_key
from redline._cli.plan import check_plan
from redline.errors import ReportError
from redline.reports import (
    TABLE_FORMATS,
    build_model_report,
    load_public_key,
    print_pdf,
    prove_same_assessment,
    read_json_file,
    read_report_file,
    redact_envelope,
    redacted_data,
    render_model_report,
    render_summary,
    render_verdicts,
    report_json_schema,
    sign_report_data,
    verify_signed_report,
    write_json_file,
)

_FILE = click.Path(path_type=Path, dir_okay=False)


@click.group("report")
def report_group() -> None:
    """Work with assessment reports."""


@report_group.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of report.json."""
    click.echo(json.dumps(report_json_schema(), indent=2))


@report_group.command("show")
@click.argument("path", type=_FILE)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the validated report as JSON."
)
@click.option(
    "--format",
    "table_format",
    type=click.Choice(TABLE_FORMATS),
    default="table",
    show_default=True,
    help="The summary as a rich table, or the verdict rows as markdown, csv or json.",
)
@click.option(
    "--explain", is_flag=True, help="Print every threshold's reasoning trail."
)
def show_command(path: Path, as_json: bool, table_format: str, explain: bool) -> None:
    """Validate a report (plain or signed) and print its summary."""
    report, envelope = read_report_file(path)
    if as_json:
        click.echo(report.model_dump_json(indent=2))
        return
    if table_format != "table":
        click.echo(render_verdicts(report, table_format), nl=False)  # type: ignore[arg-type]
        return
    stdout_console().print(render_summary(report, explain=explain))
    if envelope is not None:
        key_id = envelope["signature"]["key_id"]
        click.echo(f"Signed by {key_id} (run `redline report verify` to check it).")


def _output(path: Path, out: Path | None, suffix: str) -> Path:
    return out or path.with_name(f"{path.name.removesuffix('.json')}.{suffix}.json")


@report_group.command("sign")
@click.argument("path", type=_FILE)
@click.option(
    "--key",
    "key_path",
    type=_FILE,
    envvar="REDLINE_SIGNING_KEY",
    help="Private key file [default: $REDLINE_HOME/keys/default.key].",
)
@click.option("-o", "--out", type=_FILE, help="Output [default: NAME.signed.json].")
def sign_command(path: Path, key_path: Path | None, out: Path | None) -> None:
    """Sign a report with an Ed25519 key, writing a signed envelope."""
    report, envelope = read_report_file(path)
    if envelope is not None:
        raise ReportError(
            f"{path}: already signed by {envelope['signature']['key_id']}"
        )
    key = open_signing_key(key_path)
    target = _output(path, out, "signed")
    write_json_file(sign_report_data(read_json_file(path), key), target)
    click.echo(f"Signed with {key.public.key_id}: {target}")


@report_group.command("verify")
@click.argument("path", type=_FILE)
@click.option(
    "--public-key",
    "public_keys",
    type=_FILE,
    multiple=True,
    help="Accept only signatures by these public keys (repeatable).",
)
@click.option(
    "--same-as",
    type=_FILE,
    help="Another copy (full or redacted) that must be the same assessment.",
)
@click.option(
    "--registry",
    "registry_url",
    default=None,
    help="Check the report's plan against this registry: when it was registered "
    "(token from REDLINE_REGISTRY_TOKEN for plans not public).",
)
@click.option(
    "--plan-receipt",
    type=_FILE,
    default=None,
    help="The plan's registration receipt (`redline plan register`), instead of "
    "asking a registry.",
)
def verify_command(
    path: Path,
    public_keys: tuple[Path, ...],
    same_as: Path | None,
    registry_url: str | None,
    plan_receipt: Path | None,
) -> None:
    """Verify a signed report; exit 2 when it does not verify.

    A report bound to a plan is also flagged (exit 2) when its plan is not
    registered, was registered after the run started, or the run deviated from it.
    """
    trusted = {load_public_key(p).b64 for p in public_keys} if public_keys else None
    signed, result = verify_signed_report(
        read_json_file(path), trusted_keys=trusted, source=str(path)
    )
    content = "redacted" if result.redacted else "full"
    click.echo(f"OK: {path} ({content}) signed by {result.key_id}")
    click.echo(f"assessment {result.assessment_digest}")
    if result.salted:
        click.echo("content digests: salted")
    else:
        click.echo(
            "content digests: unsalted (written before salting: short or published "
            "prompts and responses can be recovered from them by guessing)"
        )
    if same_as is not None:
        other = read_json_file(same_as)
        if isinstance(other, dict) and "signature" in other:
            verify_signed_report(other, trusted_keys=trusted, source=str(same_as))
            other = other["report"]
        if not isinstance(other, dict):
            raise ReportError(f"{same_as}: not a report")
        prove_same_assessment(read_json_file(path)["report"], other, result.signed_form)
        click.echo(f"OK: {same_as} is the same assessment")
    binding = signed.report.plan
    if binding is not None:
        check_plan(path, binding, registry_url, plan_receipt)


@report_group.command("redact")
@click.argument("path", type=_FILE)
@click.option("-o", "--out", type=_FILE, help="Output [default: NAME.redacted.json].")
def redact_command(path: Path, out: Path | None) -> None:
    """Redact a report: content, salts, free-text reasons and paths go, digests stay.

    A signature stays valid: an envelope signed before salting is redacted as then.
    """
    _, envelope = read_report_file(path)
    target = _output(path, out, "redacted")
    if envelope is None:
        write_json_file(redacted_data(read_json_file(path)), target)
    else:
        verify_signed_report(envelope, source=str(path))
        write_json_file(redact_envelope(envelope), target)
    click.echo(f"Redacted: {target}")


@report_group.command("model-report")
@click.argument("reports", type=_FILE, nargs=-1, required=True)
@click.option(
    "--plan",
    "plans",
    type=_FILE,
    multiple=True,
    help="A signed pre-registered plan (repeatable); listed by digest.",
)
@click.option(
    "--public-key",
    "public_keys",
    type=_FILE,
    multiple=True,
    help="Accept only reports signed by these public keys (repeatable).",
)
@click.option(
    "-o",
    "--out",
    type=_FILE,
    required=True,
    help="model-report.html, or a .pdf (printed with headless Chromium).",
)
def model_report_command(
    reports: tuple[Path, ...],
    plans: tuple[Path, ...],
    public_keys: tuple[Path, ...],
    out: Path,
) -> None:
    """Write a regulator-facing model report from signed REPORTS.

    Only signed reports (and plans) whose signatures verify are used; exit 2 when
    one does not.
    """
    if out.suffix.lower() not in (".html", ".htm", ".pdf"):
        raise ReportError(f"{out}: the output must end in .html or .pdf")
    trusted = {load_public_key(p).b64 for p in public_keys} if public_keys else None
    document = build_model_report(
        [(str(p), read_json_file(p)) for p in reports],
        [(str(p), read_json_file(p)) for p in plans],
        trusted_keys=trusted,
    )
    html = render_model_report(document)
    if out.suffix.lower() == ".pdf":
        print_pdf(html, out)
    else:
        out.write_text(html, encoding="utf-8")
    click.echo(
        f"Model report of {', '.join(document.models)} from {len(reports)} signed "
        f"report(s): {out}"
    )
