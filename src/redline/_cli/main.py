"""The `redline` command: one click group; each command group in its own module."""

from __future__ import annotations

import importlib
import traceback
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.text import Text

from redline._cli.common import (
    EXIT_BAD_INPUT,
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_REGISTRY_UNREACHABLE,
)
from redline._cli.config import default_map
from redline._version import __version__
from redline.errors import InputError, RedlineError, RegistryError

# Each command's module, imported only when that command runs: `redline assess`
# then loads neither the registry service nor the incident database, nor their
# numerics, before its first model call.
_COMMANDS: dict[str, tuple[str, str]] = {
    "assess": ("redline._cli.assess", "assess_command"),
    "campaign": ("redline._cli.campaign", "campaign_command"),
    "compare": ("redline._cli.compare", "compare_command"),
    "econ": ("redline._cli.econ", "econ_group"),
    "exercise": ("redline._cli.exercise", "exercise_group"),
    "framework": ("redline._cli.framework", "framework_group"),
    "incidents": ("redline._cli.incidents", "incidents_group"),
    "keys": ("redline._cli.keys", "keys_group"),
    "log": ("redline._cli.log", "log_group"),
    "plan": ("redline._cli.plan", "plan_group"),
    "publish": ("redline._cli.publish", "publish_command"),
    "pull": ("redline._cli.publish", "pull_command"),
    "registry": ("redline._cli.registry", "registry_group"),
    "report": ("redline._cli.report", "report_group"),
    "reports": ("redline._cli.reports_list", "reports_group"),
    "scorer": ("redline._cli.scorer", "scorer_group"),
    "suites": ("redline._cli.suites", "suites_command"),
    "view": ("redline._cli.view", "view_command"),
}

stderr = Console(stderr=True, highlight=False)


class _RedlineGroup(click.Group):
    """Turns Redline's errors into one line on stderr instead of a traceback.

    Commands load on first use (`_COMMANDS`); `--help` loads them all for their
    one-line help.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in _COMMANDS:
            module_name, attribute = _COMMANDS[cmd_name]
            command = getattr(importlib.import_module(module_name), attribute)
            if not isinstance(command, click.Command):
                raise TypeError(f"{module_name}.{attribute} is not a click command")
            self.add_command(command, cmd_name)
        return command

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


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="redline")


if __name__ == "__main__":
    main()
