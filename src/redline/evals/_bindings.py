"""Bind a framework's rules to Inspect tasks: resolve, check and build them.

A rule names a built-in suite, an Inspect registry name (`inspect_evals/wmdp_bio`,
`redline/<suite>`, any installed package's task) or `file.py@task` relative to the
framework file, with arguments in which `${VAR}` is expanded. Everything here runs
before any model is called, so a framework that cannot run fails at once, naming
the file, line and field.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from inspect_ai import Task
from inspect_ai._eval.loader import load_file_tasks, load_task_spec
from inspect_ai._util.decorator import parse_decorators
from inspect_ai._util.registry import registry_lookup

from redline._util.yaml_source import Location
from redline.errors import ConfigError
from redline.evals._importers import IMPORTED_PREFIXES
from redline.evals._loaders import parse_hub_id
from redline.evals._outcomes import OutcomeReader
from redline.evals.tasks import SUITES
from redline.evals.tasks._sources import PUBLISHED_FILES
from redline.frameworks import EvidenceRule, FrameworkSource

DATA_DIR_VAR = "REDLINE_DATA"
"""`${REDLINE_DATA}` in rule arguments: `--data-dir`, else the environment."""

_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
RUN_KEY = "redline_run"
"""Task metadata naming the plan's run a log belongs to (written by `run_tasks`)."""
# Arguments a run adds to built-in suites from its options; a rule need not name them.
RUN_INJECTED_ARGS = ("judge", "judge_validation", "sandbox")


@dataclass(frozen=True)
class TaskRun:
    """One Inspect task run with its expanded arguments, and the rules that read it."""

    task: str
    """The task as the rule names it."""
    args: Mapping[str, Any]
    """Arguments after `${VAR}` expansion."""
    spec: str
    """What Inspect loads: a registry name, or `<absolute file>@<task>`."""
    suite: str | None
    """The built-in suite, when the task is one."""
    rules: tuple[EvidenceRule, ...]
    """Rules whose evidence this run produces."""
    notes: tuple[str, ...] = ()
    """What the run needs beyond this machine (a network), in words."""
    missing: str | None = None
    """Why the run cannot happen here (a benchmark file that is not there): its
    rules then have no evidence."""

    @property
    def key(self) -> str:
        """Identity of the run: task and arguments."""
        canonical = json.dumps(
            {"task": self.spec_name, "args": dict(self.args)},
            sort_keys=True,
            separators=(",", ":"),
            default=str,
        )
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    @property
    def spec_name(self) -> str:
        """The task's name as Inspect records it in a log's `eval.task`."""
        if "@" in self.spec:
            return self.spec.rsplit("@", 1)[1]
        return self.spec

    def reader(self, rule: EvidenceRule) -> OutcomeReader:
        """How `rule` reads this run's samples."""
        default = None
        if self.suite is not None:
            default = SUITES[self.suite].metric_scorers.get(rule.metric)
        return OutcomeReader.for_rule(rule, default)


def expand(
    value: Any,
    env: Mapping[str, str],
    where: Callable[[tuple[str | int, ...]], str],
    path: tuple[str | int, ...] = (),
) -> Any:
    """`value` with every `${VAR}` in its strings replaced from `env`.

    `where(path)` names the place of a value (file, line, field) in messages.

    Raises:
        ConfigError: A variable that is not set, naming where it is used.
    """
    if isinstance(value, str):

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in env:
                hint = " or pass --data-dir" if name == DATA_DIR_VAR else ""
                raise ConfigError(
                    f"{where(path)}: ${{{name}}} is not set (set it in the environment{hint})"
                )
            return env[name]

        return _VARIABLE.sub(substitute, value)
    if isinstance(value, list):
        return [expand(item, env, where, (*path, i)) for i, item in enumerate(value)]
    if isinstance(value, dict):
        return {k: expand(v, env, where, (*path, k)) for k, v in value.items()}
    return value


def _file_spec(ref: str, base_dir: Path | None) -> tuple[Path, str] | None:
    """`(file, task)` for a `file.py@task` reference, else None."""
    path, _, name = ref.rpartition("@")
    if not path.endswith(".py") or not name:
        return None
    file = Path(path).expanduser()
    if not file.is_absolute():
        file = (base_dir or Path.cwd()) / file
    return file.resolve(), name


def resolve_task(
    ref: str, base_dir: Path | None, where: str
) -> tuple[str, Callable[..., Any]]:
    """The spec Inspect loads and the task function behind `ref`.

    Raises:
        ConfigError: No such file, no such task in it, or a name nobody registers.
    """
    # Registers `redline/<suite>` even when Redline's entry point is not installed.
    import redline.evals._registry  # noqa: F401

    file_spec = _file_spec(ref, base_dir)
    if file_spec is not None:
        file, name = file_spec
        if not file.is_file():
            raise ConfigError(f"{where}: task file {file} does not exist")
        try:
            load_file_tasks(file)
        except Exception as exc:
            raise ConfigError(
                f"{where}: task file {file} cannot be imported: {type(exc).__name__}: {exc}"
            ) from None
        defined = [task_name for task_name, _ in parse_decorators(file, "task")]
        function = registry_lookup("task", name) if name in defined else None
        if function is None:
            raise ConfigError(
                f"{where}: {file} defines no @task named {name!r} "
                f"(it defines: {', '.join(defined) or 'none'})"
            )
        return f"{file}@{name}", function  # type: ignore[return-value]
    function = registry_lookup("task", ref)
    if function is None:
        hint = (
            " (pip install 'redline[inspect-evals]')"
            if ref.startswith("inspect_evals/")
            else ""
        )
        raise ConfigError(
            f"{where}: unknown task {ref!r}: not a built-in suite, not registered by an "
            f"installed package{hint}, and not a file.py@task reference"
        )
    return ref, function  # type: ignore[return-value]


def check_args(
    function: Callable[..., Any],
    task: str,
    args: Mapping[str, Any],
    where: Callable[[tuple[str | int, ...]], str],
) -> None:
    """Fail unless the task function takes these arguments and gets all it needs."""
    parameters = inspect.signature(function).parameters
    takes_any = any(p.kind is p.VAR_KEYWORD for p in parameters.values())
    named = {
        n: p
        for n, p in parameters.items()
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    }
    for name in args:
        if name not in named and not takes_any:
            raise ConfigError(
                f"{where((name,))}: task {task} takes no argument {name!r} "
                f"(it takes: {', '.join(named) or 'none'})"
            )
    for name, parameter in named.items():
        if parameter.default is inspect.Parameter.empty and name not in args:
            raise ConfigError(f"{where(())}: task {task} needs argument {name!r}")


def _network_notes(
    task: str, args: Mapping[str, Any], function: Callable[..., Any]
) -> list[str]:
    notes = []
    for name, value in args.items():
        local = Path(value).expanduser() if isinstance(value, str) else None
        if local is not None and not local.exists() and not local.suffix:
            hub = parse_hub_id(str(value))  # raises for an unpinned hub id
            if hub is not None:
                notes.append(
                    f"{task}: {name} {value!r} is read from the Hugging Face hub (needs a network)"
                )
    assets = _external_assets(function)
    if assets and not any(
        isinstance(v, str) and Path(v).expanduser().exists() for v in args.values()
    ):
        notes.append(
            f"{task}: fetches {', '.join(assets)} on first use (needs a network, "
            "or a cached copy)"
        )
    return notes


def _external_assets(function: Callable[..., Any]) -> list[str]:
    """What an inspect_evals-style task fetches, from the `eval.yaml` beside it."""
    module = sys.modules.get(getattr(function, "__module__", "") or "")
    source = getattr(module, "__file__", None)
    if source is None:
        return []
    card = Path(source).parent / "eval.yaml"
    if not card.is_file():
        return []
    try:
        assets = (yaml.safe_load(card.read_text(encoding="utf-8")) or {}).get(
            "external_assets"
        ) or []
    except (OSError, yaml.YAMLError, AttributeError):
        return []
    return [
        f"{a.get('source', '?')} ({a.get('type', 'asset')}, {a.get('state', 'unpinned')})"
        for a in assets
        if isinstance(a, dict)
    ]


def plan_task_runs(
    source: FrameworkSource,
    data_dir: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> list[TaskRun]:
    """Resolve and check every evidence rule of a framework; group rules by run.

    Raises:
        ConfigError: Naming file, line and field: an unknown suite, task or metric,
            a missing file or task function, arguments the task does not take, an
            unset `${VAR}`, or an unpinned hub dataset.
    """
    variables = dict(os.environ if env is None else env)
    if data_dir is not None:
        variables[DATA_DIR_VAR] = str(data_dir)
    runs: dict[tuple[str, str], TaskRun] = {}
    for rule, location in source.rule_locations():
        field = "suite" if rule.suite is not None else "task"
        task_where = source.where((*location, field))
        suite = _builtin_suite(rule, task_where)
        if suite is not None:
            info = SUITES[suite]
            if rule.metric not in info.metrics:
                raise ConfigError(
                    f"{source.where((*location, 'metric'))}: suite {suite} does not "
                    f"produce metric {rule.metric!r} (it has: {', '.join(info.metrics)})"
                )
        if rule.task_ref.startswith(IMPORTED_PREFIXES):
            _imported_run(runs, rule, source.where((*location, "args")))
            continue
        args_where = source.where((*location, "args"))

        def args_at(path: tuple[str | int, ...], location: Location = location) -> str:
            return source.where((*location, "args", *path))

        args = expand(dict(rule.args), variables, args_at)
        spec, function = resolve_task(rule.task_ref, source.base_dir, task_where)
        check_args(function, rule.task_ref, args, args_at)
        try:
            notes = _network_notes(rule.task_ref, args, function)
        except ConfigError as exc:
            raise ConfigError(f"{args_where}: {exc}") from None
        identity = (spec, json.dumps(args, sort_keys=True, default=str))
        known = runs.get(identity)
        if known is None:
            runs[identity] = TaskRun(
                rule.task_ref,
                args,
                spec,
                suite,
                (rule,),
                tuple(notes),
                _missing_file(suite, args, args_at(("dataset_path",))),
            )
        elif rule not in known.rules:
            runs[identity] = TaskRun(
                known.task,
                known.args,
                spec,
                suite,
                (*known.rules, rule),
                known.notes,
                known.missing,
            )
    return list(runs.values())


def _imported_run(
    runs: dict[tuple[str, str], TaskRun], rule: EvidenceRule, args_where: str
) -> None:
    """A rule reading another harness's results: nothing to resolve or run here."""
    if rule.args:
        raise ConfigError(
            f"{args_where}: {rule.task_ref} is read from another harness's results; "
            "it takes no args"
        )
    identity = (rule.task_ref, "{}")
    known = runs.get(identity)
    rules = (*known.rules, rule) if known else (rule,)
    runs[identity] = TaskRun(
        rule.task_ref,
        {},
        rule.task_ref,
        None,
        rules,
        missing=f"{rule.task_ref} comes from another harness: pass its results with "
        "--from-logs",
    )


def _missing_file(suite: str | None, args: Mapping[str, Any], where: str) -> str | None:
    """One line naming the public benchmark file to put where, when it is not there."""
    source, path = args.get("source"), args.get("dataset_path")
    if suite is None or source in (None, "redline") or not isinstance(path, str):
        return None
    file = Path(path).expanduser()
    if file.exists() or not file.suffix:
        return None
    published, hub = PUBLISHED_FILES.get(str(source), ("its published file", "-"))
    return (
        f"{where}: {file} does not exist: put {published} there, or set dataset_path "
        f"to the hub id {hub} (needs a network)"
    )


def _builtin_suite(rule: EvidenceRule, where: str) -> str | None:
    if rule.suite is not None:
        if rule.suite not in SUITES:
            raise ConfigError(
                f"{where}: unknown suite {rule.suite!r} (known: {', '.join(sorted(SUITES))})"
            )
        return rule.suite
    name = rule.task_ref.removeprefix("redline/")
    return name if rule.task_ref.startswith("redline/") and name in SUITES else None


def build_task(run: TaskRun, injected: Mapping[str, Any] | None = None) -> Task:
    """The Inspect task of a run, built with its arguments.

    `injected` are run-wide arguments (judge, sandbox) a built-in suite takes when
    the rule does not set them.

    Raises:
        ConfigError: The task raised while being built (a missing data file, a
            dataset it could not fetch), with its first line.
    """
    args = dict(run.args)
    if run.suite is not None:
        from redline.evals import tasks as suite_tasks

        make = getattr(suite_tasks, run.suite)
        accepted = inspect.signature(make).parameters
        for name, value in (injected or {}).items():
            if name in accepted and name not in args:
                args[name] = value
        try:
            built: Task = make(**args)
        except ConfigError:
            raise
        except Exception as exc:
            raise _build_error(run, exc) from None
        return built
    try:
        return load_task_spec(run.spec, args)[0]
    except ConfigError:
        raise
    except Exception as exc:
        raise _build_error(run, exc) from None


def _build_error(run: TaskRun, exc: Exception) -> ConfigError:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return ConfigError(
        f"task {run.task} could not be built with args {dict(run.args)}: "
        f"{type(exc).__name__}: {first[:300]} (if it fetches data, this needs a network "
        "or a local copy passed in args)"
    )
