"""`redline reports list`: the reports in a registry that you may read."""

from __future__ import annotations

import click
from rich.table import Table

from redline._cli.common import stderr_console, stdout_console
from redline._cli.registry import client_options, open_client
from redline.registry import check_url


@click.group("reports")
def reports_group() -> None:
    """Find reports shared through a registry."""


@reports_group.command("list")
@click.option("--model", help="Exact Inspect model string.")
@click.option("--framework", help="Framework id.")
@click.option("--domain", help="A risk domain the report has a threshold in.")
@click.option(
    "--verdict",
    type=click.Choice(["below", "approaching", "crossed", "inconclusive"]),
    help="A threshold verdict (in --domain, when given).",
)
@click.option("--decision", help="Deployment decision, e.g. do_not_deploy.")
@click.option("--institute", help="Publishing institute (slug).")
@click.option(
    "--limit",
    type=click.IntRange(min=1, max=100),
    default=20,
    show_default=True,
    help="Reports per page.",
)
@click.option("--cursor", help="Page to show, from the previous page's last line.")
@click.option("--json", "as_json", is_flag=True, help="Print the page as JSON.")
@client_options
def list_command(
    model: str | None,
    framework: str | None,
    domain: str | None,
    verdict: str | None,
    decision: str | None,
    institute: str | None,
    limit: int,
    cursor: str | None,
    as_json: bool,
    registry_url: str,
    token: str | None,
) -> None:
    """Reports you may read, newest first (without a token: public ones only)."""
    check_url(registry_url)
    with open_client(registry_url, token) as client:
        page = client.page(
            model=model,
            framework=framework,
            domain=domain,
            verdict=verdict,
            decision=decision,
            institute=institute,
            limit=limit,
            cursor=cursor,
        )
    if as_json:
        click.echo(page.model_dump_json(indent=2))
        return
    table = Table()
    for column in (
        "id",
        "institute",
        "model",
        "framework",
        "decision",
        "scope",
        "published",
    ):
        table.add_column(column, overflow="fold")
    for item in page.items:
        table.add_row(
            item.id,
            item.institute,
            item.model,
            f"{item.framework_id} {item.framework_version}",
            item.decision.replace("_", " "),
            str(item.sharing.scope),
            item.published_at.date().isoformat(),
        )
    stdout_console().print(table)
    notes = stderr_console()
    notes.print(f"{len(page.items)} report(s) on this page.", soft_wrap=True)
    if page.next_cursor is not None:
        notes.print(
            f"More: add --cursor {page.next_cursor} for the next page.", soft_wrap=True
        )
    if token is None:
        notes.print(
            "Without a token only public reports are listed "
            "(set REDLINE_REGISTRY_TOKEN).",
            soft_wrap=True,
        )
