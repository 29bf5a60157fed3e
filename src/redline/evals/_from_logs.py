"""Evidence from Inspect logs already run: read, match to the plan's runs, check.

Logs may come from `redline assess`, a plain `inspect eval` or `eval_set`, or another
institute. Each run of the plan is matched to logs by task name and arguments (or by
the run identity Redline writes into its own logs); the matched logs must agree on
the model and on one comparability key, or they are refused, never pooled.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspect_ai.log import EvalLog, read_eval_log
from pydantic import ValidationError

from redline.errors import ConfigError
from redline.evals._bindings import RUN_INJECTED_ARGS, RUN_KEY, TaskRun, build_task
from redline.evals._evidence import (
    comparability_components,
    comparability_key,
    dataset_digest,
)
from redline.evals._garak import GARAK_REPORT, garak_logs
from redline.evals._importers import LM_EVAL_SAMPLES, lm_eval_log

# Files that sit beside logs in Inspect and Redline folders and are not logs.
_NOT_LOGS = {"logs.json", "eval-set.json", "run.json", "report.json"}


@dataclass(frozen=True)
class LogFile:
    """A log read from disk, with the digest of its bytes."""

    path: Path
    sha256: str
    log: EvalLog


@dataclass(frozen=True)
class MatchedRun:
    """A run of the plan and the log that is its evidence (None: no evidence)."""

    run: TaskRun
    log: LogFile | None
    why_none: str = ""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return "sha256:" + digest.hexdigest()


def _read(path: Path) -> list[LogFile]:
    """The logs a file holds: one, or one per probe of a garak report; none for data."""
    if path.suffix == ".jsonl":
        if LM_EVAL_SAMPLES.match(path.name) is not None:
            return [LogFile(path, _sha256(path), lm_eval_log(path))]
        if GARAK_REPORT.match(path.name) is not None:
            digest = _sha256(path)
            return [LogFile(path, digest, log) for log in garak_logs(path)]
        return []  # data beside the logs, not results
    if path.suffix == ".json":
        try:
            head = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeError, json.JSONDecodeError) as exc:
            if path.name in _NOT_LOGS:
                return []
            raise ConfigError(f"{path}: not a readable Inspect log: {exc}") from None
        if not isinstance(head, dict) or "eval" not in head:
            return []  # an index or manifest beside the logs
    try:
        log = read_eval_log(str(path))
    except (ValidationError, ValueError, KeyError, OSError, zipfile.BadZipFile) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise ConfigError(
            f"{path}: not a readable Inspect log (truncated or corrupt?): "
            f"{type(exc).__name__}: {first[:200]}"
        ) from None
    except Exception as exc:
        raise ConfigError(
            f"{path}: not a readable Inspect log: {type(exc).__name__}"
        ) from None
    return [LogFile(path, _sha256(path), log)]


def read_log_dirs(dirs: list[Path]) -> list[LogFile]:
    """Every Inspect log (`.eval`, `.json`) under the folders, in path order.

    Raises:
        ConfigError: A missing folder, or a log that cannot be read.
    """
    files: list[Path] = []
    for folder in dirs:
        if not folder.is_dir():
            raise ConfigError(f"--from-logs {folder}: no such folder")
        files += [
            p for p in folder.rglob("*") if p.suffix in (".eval", ".json", ".jsonl")
        ]
    logs = [log for path in sorted(set(files)) for log in _read(path)]
    if not logs:
        raise ConfigError(
            f"--from-logs {', '.join(map(str, dirs))}: no Inspect logs (.eval or .json), "
            "lm-eval samples files or garak reports found"
        )
    return logs


def _normal(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _same_task(run: TaskRun, log: EvalLog) -> bool:
    name = log.eval.task
    if name == run.spec_name:
        return True
    # Built-in suites are `redline/<suite>`; older logs may name them bare.
    return run.suite is not None and name.split("/")[-1] == run.suite


def _same_args(run: TaskRun, log: EvalLog) -> bool:
    if (log.eval.metadata or {}).get(RUN_KEY) == run.key:
        return True
    # What the run was given, not the defaults the task filled in (Inspect fills
    # `task_args_passed` from `task_args` for logs older than the field).
    passed = dict(log.eval.task_args_passed)
    if run.suite is not None:
        passed = {
            k: v
            for k, v in passed.items()
            if k not in RUN_INJECTED_ARGS or k in run.args
        }
    return _normal(passed) == _normal(dict(run.args))


def match_logs(
    runs: list[TaskRun], logs: list[LogFile], model: str | None
) -> list[MatchedRun]:
    """The log each run reads, refusing other models and differing keys.

    Raises:
        ConfigError: A log of another model than `model` (or, with no model given,
            logs of several models), or one run's logs with differing comparability
            keys, naming the files and what differs.
    """
    matched: list[MatchedRun] = []
    for run in runs:
        same_task = [f for f in logs if _same_task(run, f.log)]
        candidates = [f for f in same_task if _same_args(run, f.log)]
        if not candidates:
            why = f"no evidence: no log of task {run.task}"
            if same_task:
                why += (
                    f" with args {dict(run.args)} (found {len(same_task)} with other "
                    f"args, e.g. {same_task[0].log.eval.task_args_passed})"
                )
            matched.append(MatchedRun(run, None, why))
            continue
        _check_models(candidates, model)
        _check_keys(run, candidates)
        _check_data(run, candidates[0])
        # Logs with one key measure the same thing; the fullest (then newest) is used.
        best = max(
            candidates,
            key=lambda f: (len(f.log.samples or []), f.log.eval.created, str(f.path)),
        )
        matched.append(MatchedRun(run, best))
    return matched


def _check_models(candidates: list[LogFile], model: str | None) -> None:
    for f in candidates:
        if model is not None and f.log.eval.model != model:
            raise ConfigError(
                f"{f.path}: field 'eval.model' is {f.log.eval.model!r}, not --model "
                f"{model!r}; pass the logs of one model"
            )
    models = sorted({f.log.eval.model for f in candidates})
    if len(models) > 1:
        raise ConfigError(
            f"{candidates[0].path}: logs of several models for task "
            f"{candidates[0].log.eval.task} ({', '.join(models)}); pass --model"
        )


def _check_data(run: TaskRun, candidate: LogFile) -> None:
    """A public benchmark file named in the args must still hold what the log measured."""
    if run.suite is None or "dataset_path" not in run.args or run.missing:
        return
    path = Path(str(run.args["dataset_path"])).expanduser()
    if not path.is_file():
        return  # a hub id: the pinned revision in the args is the check
    expected = str((build_task(run).metadata or {}).get("dataset_digest", ""))
    found = dataset_digest(candidate.log)
    if expected and found != expected:
        raise ConfigError(
            f"{candidate.path}: field 'eval.metadata.dataset_digest' is {found}, but "
            f"{path} now gives {expected}: the log measured other data"
        )


def _check_keys(run: TaskRun, candidates: list[LogFile]) -> None:
    first = candidates[0]
    key = comparability_key(first.log)
    for other in candidates[1:]:
        if comparability_key(other.log) == key:
            continue
        a, b = comparability_components(first.log), comparability_components(other.log)
        differing = sorted(k for k in {*a, *b} if a.get(k) != b.get(k))
        raise ConfigError(
            f"{other.path}: comparability key differs from {first.path} for task "
            f"{run.task} (in: {', '.join(differing)}); results with different keys "
            "are never pooled: pass the logs of one instrument"
        )
