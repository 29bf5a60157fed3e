"""Other harnesses' per-sample results as Inspect logs, so they become the same Evidence.

lm-evaluation-harness writes `samples_<task>_<date>.jsonl` with `--log_samples` (one
document per line, each metric's value under its name) and `results_<date>.json`
beside it (versions, task configs, model arguments). Each samples file becomes an
in-memory `EvalLog` of task `lm_eval/<task>`: one sample per document, one score per
metric, the harness, its version and the task's config in the metadata, so the
comparability key covers them. Nothing here calls a model.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from inspect_ai.log import EvalConfig, EvalDataset, EvalLog, EvalSample, EvalSpec
from inspect_ai.model import ModelOutput
from inspect_ai.scorer import Score

from redline.errors import ConfigError

IMPORTED_PREFIXES = ("lm_eval/", "garak/")
"""Task names of evidence that other harnesses ran: read with --from-logs, never run."""
LM_EVAL_SAMPLES = re.compile(
    r"^samples_(?P<task>.+)_(?P<date>\d{4}-\d{2}-\d{2}T[\d\-.]+)\.jsonl$"
)
_REQUIRED = ("doc_id", "target", "metrics")


def json_lines(path: Path) -> list[tuple[int, dict[str, Any]]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    rows = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path}:{number}: not a JSON line: {exc.msg}") from None
        if not isinstance(row, dict):
            raise ConfigError(f"{path}:{number}: expected a JSON object")
        rows.append((number, row))
    return rows


def _results_beside(path: Path, date: str) -> dict[str, Any]:
    results = path.with_name(f"results_{date}.json")
    if not results.is_file():
        return {}
    try:
        data = json.loads(results.read_text(encoding="utf-8"))
    except (OSError, UnicodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{results}: not readable lm-eval results: {exc}") from None
    return data if isinstance(data, dict) else {}


def _model_name(results: dict[str, Any]) -> str:
    config = results.get("config") or {}
    arguments = config.get("model_args") or ""
    # A dict in recent lm-eval results, a `k=v,k=v` string in older ones.
    named = (
        {str(k): v for k, v in arguments.items()}
        if isinstance(arguments, dict)
        else dict(
            part.split("=", 1) for part in str(arguments).split(",") if "=" in part
        )
    )
    model = named.get("model") or named.get("pretrained") or config.get("model")
    return f"lm_eval/{model}" if model else "lm_eval/unknown"


def lm_eval_log(path: Path) -> EvalLog:
    """An lm-eval `--log_samples` file as an Inspect log.

    Raises:
        ConfigError: A file of the wrong shape, naming file, line and field.
    """
    match = LM_EVAL_SAMPLES.match(path.name)
    if match is None:
        raise ConfigError(
            f"{path}: not an lm-eval samples file (expected samples_<task>_<date>.jsonl)"
        )
    task, date = match.group("task"), match.group("date")
    rows = json_lines(path)
    if not rows:
        raise ConfigError(f"{path}: no samples")
    results = _results_beside(path, date)
    samples = []
    for number, row in rows:
        for field in _REQUIRED:
            if field not in row:
                raise ConfigError(
                    f"{path}:{number}: field '{field}' is missing (an lm-eval "
                    "--log_samples line has doc_id, target, metrics and each metric)"
                )
        metrics = row["metrics"]
        if not isinstance(metrics, list) or not all(m in row for m in metrics):
            raise ConfigError(
                f"{path}:{number}: field 'metrics' must list metric names each present "
                "in the line"
            )
        scores = {}
        for metric in metrics:
            value = row[metric]
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise ConfigError(
                    f"{path}:{number}: field '{metric}' is {value!r}; expected a number"
                )
            scores[metric] = Score(value=float(value))
        arguments = row.get("arguments") or {}
        prompt = str(
            ((arguments.get("gen_args_0") or {}).get("arg_0")) or row.get("doc")
        )
        responses = row.get("filtered_resps") or [""]
        doc: dict[str, Any] = row["doc"] if isinstance(row.get("doc"), dict) else {}
        samples.append(
            EvalSample(
                id=f"doc-{row['doc_id']}",
                epoch=1,
                input=prompt,
                target=str(row["target"]),
                output=ModelOutput.from_content(
                    model="lm_eval", content=str(responses[0])
                ),
                scores=scores,
                metadata={
                    k: v for k, v in doc.items() if isinstance(v, str | int | float)
                },
            )
        )
    configs = (results.get("configs") or {}).get(task) or {}
    version = str((results.get("versions") or {}).get(task, ""))
    digest = hashlib.sha256(
        json.dumps(
            sorted((str(r.get("doc_hash")), str(r.get("target_hash"))) for _, r in rows)
        ).encode()
    ).hexdigest()
    harness = {
        "name": "lm-eval",
        "version": str(results.get("lm_eval_version") or ""),
        "task": task,
        "filter": str(rows[0][1].get("filter", "")),
        "config": {
            k: configs.get(k)
            for k in ("num_fewshot", "generation_kwargs", "filter_list", "metric_list")
            if k in configs
        },
        "n_shot": (results.get("n-shot") or {}).get(task),
    }
    created = datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat()
    spec = EvalSpec(
        created=created,
        task=f"lm_eval/{task}",
        task_version=version or 0,
        dataset=EvalDataset(
            name=task, samples=len(samples), sample_ids=[s.id for s in samples]
        ),
        model=_model_name(results),
        config=EvalConfig(),
        packages={"lm_eval": harness["version"]},
        metadata={"dataset_digest": f"sha256:{digest}", "harness": harness},
    )
    return EvalLog(eval=spec, samples=samples, status="success", location=str(path))
