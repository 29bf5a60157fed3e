"""`redline publish` and `redline pull`: share signed reports through a registry."""

from __future__ import annotations

from pathlib import Path

import click
from pydantic import ValidationError

from redline._cli.keys import open_signing_key
from redline._cli.registry import client_options, open_client
from redline.errors import ConfigError
from redline.registry import Scope, Sharing, check_url
from redline.reports import (
    read_json_file,
    read_report_file,
    sign_report_data,
    verify_signed_report,
    write_json_file,
)

_FILE = click.Path(path_type=Path, dir_okay=False)


@click.command("publish")
@click.argument("path", type=_FILE)
@click.option(
    "--scope",
    type=click.Choice([s.value for s in Scope]),
    default=Scope.PRIVATE.value,
    show_default=True,
    help="Who may read it; public reports are stored redacted.",
)
@click.option(
    "--partner", "partners", multiple=True, help="Partner institute (scope partners)."
)
@click.option(
    "--key",
    "key_path",
    type=_FILE,
    envvar="REDLINE_SIGNING_KEY",
    help="Sign an unsigned report with this key [default: keys/default.key].",
)
@client_options
def publish_command(
    path: Path,
    scope: str,
    partners: tuple[str, ...],
    key_path: Path | None,
    registry_url: str,
    token: str | None,
) -> None:
    """Publish a report (signing it first if it is not signed)."""
    check_url(registry_url)
    try:
        sharing = Sharing(scope=Scope(scope), partners=partners)
    except ValidationError as exc:
        message = str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
        hint = (
            "; name each with --partner SLUG (repeatable)"
            if scope == Scope.PARTNERS.value
            else ""
        )
        raise ConfigError(f"--scope {scope}: {message}{hint}") from None
    _, envelope = read_report_file(path)
    if envelope is None:
        key = open_signing_key(key_path)
        envelope = sign_report_data(read_json_file(path), key)
    else:
        verify_signed_report(envelope, source=str(path))
    with open_client(registry_url, token) as client:
        result = client.publish(envelope, sharing)
    summary = result.report
    verb = "Published" if result.created else "Already published"
    click.echo(f"{verb} {summary.id} ({summary.sharing.scope})")
    if result.log is not None:
        click.echo(
            f"Transparency log entry #{result.log.entry.index} (tree size "
            f"{result.log.tree_head.tree_size}); check it with `redline log verify`",
            err=True,  # stdout stays the one line scripts cut the report id from
        )


@click.command("pull")
@click.argument("report_id")
@click.option("-o", "--out", type=_FILE, help="Output file [default: REPORT_ID.json].")
@client_options
def pull_command(
    report_id: str, out: Path | None, registry_url: str, token: str | None
) -> None:
    """Fetch a report you may read, verify its signature, and save the envelope."""
    with open_client(registry_url, token) as client:
        stored = client.fetch(report_id)
    target = out or Path(f"{report_id}.json")
    write_json_file(stored.envelope, target)
    summary = stored.summary
    content = "redacted" if summary.redacted else "full"
    click.echo(
        f"Pulled {report_id} from {summary.institute} ({content}, signature OK "
        f"by {summary.key_id}): {target}"
    )
