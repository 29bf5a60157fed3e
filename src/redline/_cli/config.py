"""Defaults from a config file: `redline.toml`, or `[tool.redline]` in `pyproject.toml`.

Keys are option names as written on the command line, without the dashes
(`model`, `registry`, `max-tokens` or `max_tokens`). Top-level keys apply to every
command that has that option; a table named after a command (`[assess]`,
`[registry]`, or `[tool.redline.assess]`) applies to that command only and wins.
Precedence is click's: an explicit flag, then an environment variable, then the
config file, then the built-in default.

```toml
# redline.toml
model = "openai-api/myprovider/my-model"
registry = "http://127.0.0.1:8000"

[assess]
limit = 5
temperature = 0.0
```
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

import click

from redline.errors import ConfigError

CONFIG_FILE = "redline.toml"
CONFIG_ENV = "REDLINE_CONFIG"
"""Path of a config file to read instead of looking in the current folder."""


def find_config(folder: Path) -> tuple[Path, dict[str, Any]] | None:
    """The config file that applies in `folder`, and its Redline table.

    `REDLINE_CONFIG` names a file outright; otherwise `redline.toml` in `folder`,
    else `[tool.redline]` of `folder/pyproject.toml`, else none.
    """
    explicit = os.environ.get(CONFIG_ENV)
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"{CONFIG_ENV}={explicit}: no such file")
        return path, _read(path, tool_table=path.name == "pyproject.toml")
    own = folder / CONFIG_FILE
    if own.is_file():
        return own, _read(own, tool_table=False)
    pyproject = folder / "pyproject.toml"
    if pyproject.is_file():
        table = _read(pyproject, tool_table=True)
        if table:
            return pyproject, table
    return None


def _read(path: Path, *, tool_table: bool) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    if tool_table:
        table = data.get("tool", {}).get("redline", {})
        return table if isinstance(table, dict) else {}
    return data


def _option_names(command: click.Command) -> dict[str, str]:
    """Config key -> parameter name, for a command's options (flag or parameter name)."""
    names: dict[str, str] = {}
    for param in command.params:
        if not isinstance(param, click.Option) or param.name is None:
            continue
        names[param.name] = param.name
        for flag in param.opts:
            if flag.startswith("--"):
                names[flag[2:].replace("-", "_")] = param.name
    return names


def _commands(
    group: click.Group, ctx: click.Context
) -> dict[str, tuple[click.Command, dict[str, Any]]]:
    """Each command name -> (command, its sub-map of defaults to fill), recursively."""
    found: dict[str, tuple[click.Command, dict[str, Any]]] = {}
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is not None:
            found[name] = (command, {})
    return found


def default_map(group: click.Group, ctx: click.Context, folder: Path) -> dict[str, Any]:
    """Click's `default_map` for `group` from the config file in `folder`.

    Raises:
        ConfigError: A key no command takes, or a command table of an unknown command.
    """
    found = find_config(folder)
    if found is None:
        return {}
    path, table = found
    return _fill(group, ctx, path, table, table, prefix="")


def _fill(
    group: click.Group,
    ctx: click.Context,
    path: Path,
    table: dict[str, Any],
    shared: dict[str, Any],
    prefix: str,
) -> dict[str, Any]:
    result: dict[str, Any] = {}
    commands = _commands(group, ctx)
    known_keys: set[str] = set()
    for name, (command, _) in commands.items():
        names = _option_names(command)
        known_keys.update(names)
        defaults = {
            names[key.replace("-", "_")]: value
            for key, value in shared.items()
            if not isinstance(value, dict) and key.replace("-", "_") in names
        }
        own = table.get(name)
        if isinstance(own, dict):
            if isinstance(command, click.Group):
                sub = _fill(
                    command,
                    ctx,
                    path,
                    own,
                    {**shared, **own},
                    prefix=f"{prefix}{name}.",
                )
                defaults.update(sub)
            else:
                for key, value in own.items():
                    param = names.get(key.replace("-", "_"))
                    if param is None:
                        raise ConfigError(
                            f"{path}: [{prefix}{name}] {key}: `redline "
                            f"{(prefix + name).replace('.', ' ')}` has no option --{key.replace('_', '-')}"
                        )
                    defaults[param] = value
        elif isinstance(command, click.Group):
            defaults.update(_fill(command, ctx, path, {}, shared, f"{prefix}{name}."))
        if defaults:
            result[name] = defaults
    for key, value in table.items():
        if isinstance(value, dict):
            if key not in commands:
                raise ConfigError(
                    f"{path}: [{prefix}{key}]: no command `redline "
                    f"{(prefix + key).replace('.', ' ')}` "
                    f"(commands: {', '.join(sorted(commands))})"
                )
        elif not prefix and key.replace("-", "_") not in _all_keys(group, ctx):
            raise ConfigError(
                f"{path}: {key}: no command takes an option --{key.replace('_', '-')}"
            )
    return result


def _all_keys(group: click.Group, ctx: click.Context) -> set[str]:
    keys: set[str] = set()
    for command, _ in _commands(group, ctx).values():
        keys.update(_option_names(command))
        if isinstance(command, click.Group):
            keys.update(_all_keys(command, ctx))
    return keys
