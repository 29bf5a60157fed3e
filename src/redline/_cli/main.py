"""The `redline` command: one click group; each command group in its own module."""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.text import Text

from redline._cli.assess import assess_command
from redline._cli.common import (
    EXIT_BAD_INPUT,
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_REGISTRY_UNREACHABLE,
)
from redline._cli.compare import compare_command
from redline._cli.config import default_map
from redline._cli.econ import econ_group
from redline._cli.exercise import exercise_group
from redline._cli.framework import framework_group
from redline._cli.incidents import incidents_group
from redline._cli.keys import keys_group
from redline._cli.publish import publish_command, pull_command
from redline._cli.registry import registry_group
from redline._cli.report import report_group
from redline._cli.reports_list import reports_group
from redline._cli.scorer import scorer_group
from redline._cli.suites import suites_command
from redline._cli.view import view_command
from redline._version import __version__
from redline.errors import InputError, RedlineError, RegistryError

stderr = Console(stderr=True, highlight=False)


class _RedlineGroup(click.Group):
    """Turns Redline's errors into one line on stderr instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except InputError as exc:
            self._fail(ctx, exc, EXIT_BAD_INPUT)
        except RegistryError as exc:
            # A refusal (4xx) is bad input to fix; no answer at all is its own code, so
            # a script can tell "retry later" from "change the request".
            if exc.status is None:
                code = EXIT_REGISTRY_UNREACHABLE
            elif 400 <= exc.status < 500:
                code = EXIT_BAD_INPUT
            else:
                code = EXIT_ERROR
            self._fail(ctx, exc, code)
        except RedlineError as exc:
            self._fail(ctx, exc, EXIT_ERROR)
        except KeyboardInterrupt:
            stderr.print("Interrupted. Re-run the same command to resume.")
            ctx.exit(EXIT_INTERRUPTED)

    @staticmethod
    def _fail(ctx: click.Context, exc: RedlineError, code: int) -> None:
        if ctx.find_root().params.get("debug"):
            traceback.print_exc()
        # Text, not markup: a message may quote `[assess]` or a category like [bio].
        stderr.print(
            Text.assemble(("Error:", "bold red"), " ", str(exc)), soft_wrap=True
        )
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
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:  # noqa: ARG001 (read by _fail)
    """Redline: run safety evaluations, apply a safety framework, get a deployment decision.

    Defaults for any option can come from `redline.toml` (or `[tool.redline]` in
    pyproject.toml) in the current folder; see the README's Configuration section.
    """
    ctx.default_map = default_map(cli, ctx, Path.cwd())


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
cli.add_command(reports_group)
cli.add_command(scorer_group)
cli.add_command(suites_command)
cli.add_command(view_command)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="redline")


if __name__ == "__main__":
    main()
