"""The `redline` command: one click group; each command group in its own module."""

from __future__ import annotations

import traceback
from typing import Any

import click
from rich.console import Console

from redline._cli.assess import assess_command
from redline._cli.compare import compare_command
from redline._cli.econ import econ_group
from redline._cli.exercise import exercise_group
from redline._cli.framework import framework_group
from redline._cli.incidents import incidents_group
from redline._cli.keys import keys_group
from redline._cli.publish import publish_command, pull_command
from redline._cli.registry import registry_group
from redline._cli.report import report_group
from redline._cli.scorer import scorer_group
from redline._cli.suites import suites_command
from redline._cli.view import view_command
from redline._version import __version__
from redline.errors import InputError, RedlineError

EXIT_ERROR = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130

stderr = Console(stderr=True, highlight=False)


class _RedlineGroup(click.Group):
    """Turns Redline's errors into one line on stderr instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except InputError as exc:
            self._fail(ctx, exc, EXIT_BAD_INPUT)
        except RedlineError as exc:
            self._fail(ctx, exc, EXIT_ERROR)
        except KeyboardInterrupt:
            stderr.print("Interrupted. Re-run the same command to resume.")
            ctx.exit(EXIT_INTERRUPTED)

    @staticmethod
    def _fail(ctx: click.Context, exc: RedlineError, code: int) -> None:
        if ctx.find_root().params.get("debug"):
            traceback.print_exc()
        stderr.print(f"[bold red]Error:[/] {exc}", markup=True, soft_wrap=True)
        ctx.exit(code)


@click.group(
    cls=_RedlineGroup,
    context_settings={
        "auto_envvar_prefix": "REDLINE",
        "help_option_names": ["-h", "--help"],
    },
)
@click.version_option(__version__, prog_name="redline")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
def cli(debug: bool) -> None:
    """Redline: run safety evaluations, apply a safety framework, get a deployment decision."""


cli.add_command(assess_command)
cli.add_command(compare_command)
cli.add_command(econ_group)
cli.add_command(exercise_group)
cli.add_command(framework_group)
cli.add_command(incidents_group)
cli.add_command(keys_group)
cli.add_command(publish_command)
cli.add_command(pull_command)
cli.add_command(registry_group)
cli.add_command(report_group)
cli.add_command(scorer_group)
cli.add_command(suites_command)
cli.add_command(view_command)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="redline")


if __name__ == "__main__":
    main()
