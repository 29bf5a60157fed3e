"""garak's report JSONL as Inspect logs, so a garak scan becomes the same Evidence.

garak writes `garak.<run id>.report.jsonl` (or `<report_prefix>.report.jsonl`): a
`start_run setup` line with the run's configuration, an `init` line with garak's
version, every attempt twice (status 1 once generated, status 2 once its detectors
ran, with `detector_results`: one score in [0, 1] or None per output), an `eval`
line per probe and detector, and a `completion` line when the run ended.

Each probe becomes one in-memory `EvalLog` of task `garak/<probe>` (e.g.
`garak/goodside.WhoIsRiley`): one sample per attempt, one score per detector. A
score is the attempt's hit rate, the share of its scored outputs the detector flags
(score at or above garak's `eval_threshold`, 0.5 by default, as garak's own
evaluator counts a failure); an attempt whose every output the detector could not
score is unscored. Harness, version, probe, detectors, generations and threshold
are in the metadata, so the comparability key covers them. Nothing here calls a
model.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from inspect_ai.log import EvalConfig, EvalDataset, EvalLog, EvalSample, EvalSpec
from inspect_ai.model import ModelOutput
from inspect_ai.scorer import Score

from redline.errors import ConfigError
from redline.evals._importers import json_lines

GARAK_REPORT = re.compile(r"^.+\.report\.jsonl$")
"""A garak report's file name (`garak.<run id>.report.jsonl`, or a prefix's)."""
GARAK_DEFAULT_THRESHOLD = 0.5
"""garak's `run.eval_threshold` default (`resources/garak.core.yaml`)."""
_COMPLETE = 2
"""`ATTEMPT_COMPLETE` in `garak.attempt`: the detectors have run."""
_SETUP_CONFIG = ("seed", "deprefix", "system_prompt", "target_lang")
"""`run.*` settings that change what a probe measures, beside generations."""


def _field(path: Path, number: int, row: dict[str, Any], name: str, kind: Any) -> Any:
    value = row.get(name)
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise ConfigError(
            f"{path}:{number}: field '{name}' is {value!r}; expected "
            f"{getattr(kind, '__name__', 'a value')} (a garak attempt has "
            "probe_classname, seq, prompt, outputs and detector_results)"
        )
    return value


def _text(message: Any) -> str:
    # garak >= 0.11 writes `Message` dicts ({"text": ...}); older ones plain strings.
    if isinstance(message, dict):
        return str(message.get("text") or "")
    return "" if message is None else str(message)


def _prompt_text(path: Path, number: int, prompt: Any) -> str:
    turns = prompt.get("turns") if isinstance(prompt, dict) else None
    if isinstance(prompt, str):
        return prompt
    if not isinstance(turns, list) or not turns or not isinstance(turns[-1], dict):
        raise ConfigError(
            f"{path}:{number}: field 'prompt' is not a garak conversation "
            "(expected {'turns': [{'role': ..., 'content': {'text': ...}}]})"
        )
    return _text(turns[-1].get("content"))


def _hit_rate(
    path: Path, number: int, detector: str, scores: Any, outputs: int, threshold: float
) -> Score:
    if not isinstance(scores, list) or len(scores) != outputs:
        raise ConfigError(
            f"{path}:{number}: field 'detector_results.{detector}' must list one score "
            f"(a number in [0, 1] or null) per output ({outputs})"
        )
    hits = scored = 0
    for score in scores:
        if score is None:
            continue
        if not isinstance(score, int | float) or isinstance(score, bool):
            raise ConfigError(
                f"{path}:{number}: field 'detector_results.{detector}' holds {score!r}; "
                "expected numbers in [0, 1] or null"
            )
        scored += 1
        hits += float(score) >= threshold
    if not scored:
        return Score(
            value=math.nan,
            reason=f"garak detector {detector} scored none of {outputs} outputs",
        )
    return Score(
        value=hits / scored,
        explanation=f"{hits} of {scored} outputs hit",
        metadata={"hits": hits, "scored": scored, "outputs": outputs},
    )


def _setup(path: Path, rows: list[tuple[int, dict[str, Any]]]) -> dict[str, Any]:
    for _, row in rows:
        if row.get("entry_type") == "start_run setup":
            return row
    raise ConfigError(
        f"{path}: not a garak report: no 'start_run setup' entry (expected the "
        "garak.<run id>.report.jsonl garak writes)"
    )


def _version(rows: list[tuple[int, dict[str, Any]]], setup: dict[str, Any]) -> str:
    for _, row in rows:
        if row.get("entry_type") == "init":
            return str(row.get("garak_version") or "")
    return str(setup.get("_config.version") or "")


def garak_logs(path: Path) -> list[EvalLog]:
    """A garak report as Inspect logs, one per probe, in the report's order.

    Raises:
        ConfigError: A file of the wrong shape, naming file, line and field.
    """
    rows = json_lines(path)
    for number, row in rows:
        if "entry_type" not in row:
            raise ConfigError(
                f"{path}:{number}: field 'entry_type' is missing (every line of a "
                "garak report has one)"
            )
    setup = _setup(path, rows)
    version = _version(rows, setup)
    threshold = setup.get("run.eval_threshold", GARAK_DEFAULT_THRESHOLD)
    if not isinstance(threshold, int | float) or isinstance(threshold, bool):
        raise ConfigError(f"{path}:1: field 'run.eval_threshold' must be a number")
    complete = any(r.get("entry_type") == "completion" for _, r in rows)
    target = str(setup.get("plugins.target_name") or "unknown")

    # The last line of each attempt wins: status 1 when generated, 2 once scored.
    attempts: dict[str, tuple[int, dict[str, Any]]] = {}
    for number, row in rows:
        if row.get("entry_type") != "attempt":
            continue
        uuid = str(_field(path, number, row, "uuid", str))
        _field(path, number, row, "probe_classname", str)
        attempts[uuid] = (number, row)
    if not attempts:
        raise ConfigError(f"{path}: a garak report with no attempts")

    by_probe: dict[str, list[EvalSample]] = {}
    detectors: dict[str, dict[str, None]] = {}
    for uuid, (number, row) in attempts.items():
        probe = row["probe_classname"]
        seq = _field(path, number, row, "seq", int)
        prompt = _prompt_text(path, number, row.get("prompt"))
        outputs = [_text(o) for o in _field(path, number, row, "outputs", list)]
        results = _field(path, number, row, "detector_results", dict)
        scores = {}
        if row.get("status") == _COMPLETE:
            for detector, values in results.items():
                scores[detector] = _hit_rate(
                    path, number, detector, values, len(outputs), float(threshold)
                )
                detectors.setdefault(probe, {})[detector] = None
        samples = by_probe.setdefault(probe, [])
        sample_id = f"attempt-{seq}"
        if any(s.id == sample_id for s in samples):
            sample_id = f"attempt-{seq}-{uuid[:8]}"  # buffs reuse a prompt's seq
        samples.append(
            EvalSample(
                id=sample_id,
                epoch=1,
                input=prompt,
                target=[str(t) for t in row.get("targets") or []],
                output=ModelOutput.from_content(
                    model="garak", content=outputs[0] if outputs else ""
                ),
                scores=scores or None,
                metadata={
                    "probe": probe,
                    "seq": seq,
                    "goal": str(row.get("goal") or ""),
                    "intent": str(row.get("intent") or ""),
                    "outputs": len(outputs),
                },
            )
        )
    created = str(
        setup.get("transient.starttime_iso")
        or datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat()
    )
    config = {k: setup.get(f"run.{k}") for k in _SETUP_CONFIG if f"run.{k}" in setup}
    logs = []
    for probe, samples in by_probe.items():
        prompts = sorted(json.dumps([str(s.input), s.target]) for s in samples)
        digest = hashlib.sha256(json.dumps([probe, prompts]).encode()).hexdigest()
        harness = {
            "name": "garak",
            "version": version,
            "probe": probe,
            "detectors": sorted(detectors.get(probe, {})),
            "generations": setup.get("run.generations"),
            "eval_threshold": threshold,
            "config": config,
        }
        spec = EvalSpec(
            created=created,
            task=f"garak/{probe}",
            task_version=0,
            dataset=EvalDataset(
                name=probe, samples=len(samples), sample_ids=[s.id for s in samples]
            ),
            model=f"garak/{target}",
            config=EvalConfig(),
            packages={"garak": version},
            metadata={"dataset_digest": f"sha256:{digest}", "harness": harness},
        )
        logs.append(
            EvalLog(
                eval=spec,
                samples=samples,
                status="success" if complete else "started",
                location=str(path),
            )
        )
    return logs
