"""`redline suites`: the evaluation suites Redline ships."""

from __future__ import annotations

import json

import click
from rich.table import Table

from redline._cli.common import stdout_console


@click.command("suites")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print every suite with its sample count and samples per category as JSON.",
)
def suites_command(as_json: bool) -> None:
    """List the built-in suites (run any with `inspect eval redline/<suite>`)."""
    from redline.evals import suite_catalogue

    catalogue = suite_catalogue()
    if as_json:
        click.echo(json.dumps(catalogue, indent=2))
        return
    table = Table()
    for column in ("suite", "domain", "metrics", "version", "samples"):
        table.add_column(column, no_wrap=True)
    table.add_column("categories")
    table.add_column("description")
    for entry in catalogue:
        table.add_row(
            entry["name"],
            entry["domain"],
            ", ".join(entry["metrics"]),
            str(entry["version"]),
            str(entry["samples"]),
            ", ".join(f"{name} {count}" for name, count in entry["categories"].items()),
            entry["description"],
        )
    stdout_console().print(table)
