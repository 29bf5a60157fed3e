"""Turn Inspect logs into the `Evidence` the verdict engine reads."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from inspect_ai.log import EvalError, EvalLog, read_eval_log
from inspect_ai.model import ChatMessage
from pydantic import ValidationError

from redline.errors import ConfigError
from redline.evals._epochs import reduce_epochs
from redline.evals._outcomes import OutcomeReader
from redline.frameworks import Evidence, SampleRecord, ScorerError, SequentialInfo

# Generation settings that change how a run is scheduled, not what the model answers.
_OPERATIONAL_CONFIG = {
    "max_connections",
    "max_retries",
    "timeout",
    "attempt_timeout",
    "stream_idle_timeout",
    "adaptive_connections",
    "cache",
    "cache_prompt",
    "extra_headers",
}


def _suite_name(log: EvalLog) -> str:
    return log.eval.task.split("/")[-1]


def task_metadata(log: EvalLog) -> dict[str, Any]:
    """The suite's own task metadata (version, digest, metrics) as recorded in the log.

    Inspect merges a task's metadata into the eval's metadata.
    """
    return dict(log.eval.metadata or {})


def dataset_digest(log: EvalLog) -> str:
    """The task's own dataset digest, or one computed over the log's samples.

    Tasks that record none (most third-party tasks) get a digest over each sample's
    id, input and target, in id order, so that logs of other data never match.
    """
    recorded = task_metadata(log).get("dataset_digest")
    if recorded:
        return str(recorded)
    if log.samples is None:
        log = read_eval_log(log.location)
    canonical = json.dumps(
        sorted(
            {
                (str(s.id), _text_of(s.input), json.dumps(s.target, default=str))
                for s in log.samples or []
            }
        ),
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def comparability_components(log: EvalLog) -> dict[str, Any]:
    """What must match for two results to be comparable: the instrument, not the model."""
    meta = task_metadata(log)
    config = log.plan.config.model_dump(exclude_none=True) if log.plan else {}
    eval_metadata = log.eval.metadata or {}
    components: dict[str, Any] = {
        "task": log.eval.task,
        "task_version": str(log.eval.task_version),
        "task_args": log.eval.task_args,
        "dataset_digest": dataset_digest(log),
        "scorers": [s.model_dump(exclude_none=True) for s in log.eval.scorers or []],
        "generate_config": {
            k: v for k, v in sorted(config.items()) if k not in _OPERATIONAL_CONFIG
        },
        "harness": {
            "inspect_ai": log.eval.packages.get("inspect_ai", ""),
            "redline": str(eval_metadata.get("redline_version", "")),
        },
    }
    if "harness" in meta:
        # Another harness's results (lm-eval): its name, version and task config.
        components["harness"] = meta["harness"]
    # Present only when a suite uses them, so other suites' keys stay as they were.
    if "judge" in meta:
        components["judge"] = meta["judge"]
    if "scorer_context" in meta:
        # Which instrument scored, in which context, and whether its error corrects
        # the rate: the report shows it, so an uncorrected rate says so.
        components["scorer_context"] = {
            metric: {k: v for k, v in dict(entry).items() if k != "validation"}
            for metric, entry in dict(meta["scorer_context"]).items()
        }
    if "sandbox" in meta:
        # The sandbox used, not how it was chosen: `auto` that fell back to `local`
        # measures with the same instrument as `local`.
        components["sandbox"] = {
            k: v
            for k, v in dict(meta["sandbox"]).items()
            if k in ("type", "spec_digest")
        }
    return components


def comparability_key(log: EvalLog) -> str:
    """sha256 over the canonical JSON of `comparability_components`."""
    canonical = json.dumps(
        comparability_components(log),
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


_EXCEPTION_LINE = re.compile(
    r"^(?:[A-Za-z_][\w]*\.)*([A-Za-z_]\w*(?:Error|Exception|Timeout)\w*): (.*)$"
)
_ADDRESS = re.compile(r" at 0x[0-9a-f]+")


def error_reason(error: EvalError) -> str:
    """A reason that groups alike failures: the root exception, not the retry wrapper.

    After its retries, Inspect reports `RetryError(<Future at 0x...>)`, which names
    neither the cause nor groups across samples; the traceback has the cause.
    """
    causes = [
        match
        for line in (error.traceback or "").splitlines()
        if (match := _EXCEPTION_LINE.match(line.strip()))
        and match.group(1) != "RetryError"
    ]
    if causes:
        text = f"{causes[0].group(1)}: {causes[0].group(2)}"
    else:
        text = (
            error.message.strip().splitlines()[0]
            if error.message.strip()
            else "unknown"
        )
    return "error: " + _ADDRESS.sub("", text)[:200]


def _text_of(value: str | list[ChatMessage]) -> str:
    if isinstance(value, str):
        return value
    return "\n\n".join(f"{m.role}: {m.text}" for m in value)


def _optional_text(value: object) -> str | None:
    return None if value is None else str(value)


def sample_records(
    log: EvalLog, scorer: str | None = None, reader: OutcomeReader | None = None
) -> list[SampleRecord]:
    """One record per sample in the log: its outcome, or why it has none, and its text.

    A sample that errored, was scored NaN or `N` is unscored with its reason, never
    a pass or a refusal. `reader` says which scorer is read and how its values map
    to outcomes; by default the first scorer (or `scorer`), with numbers as they are.

    Raises:
        ConfigError: A value the reader's mapping does not cover.
    """
    if log.samples is None:
        log = read_eval_log(log.location)
    if reader is None:
        reader = OutcomeReader(task=log.eval.task, scorer=scorer)
    records: list[SampleRecord] = []
    # In the order the samples were scheduled (the seeded shuffle), which sequential
    # tests replay; the log stores them in completion order.
    position = {str(i): n for n, i in enumerate(log.eval.dataset.sample_ids or [])}
    ordered = sorted(
        log.samples or [],
        key=lambda s: (position.get(str(s.id), len(position)), str(s.id), s.epoch),
    )
    for sample in ordered:
        value: float | None = None
        reason: str | None = None
        if sample.error is not None:
            reason = error_reason(sample.error)
        else:
            value, reason = reader.read(sample.id, sample.scores)
        records.append(
            SampleRecord.with_content(
                id=str(sample.id),
                epoch=sample.epoch,
                score=value,
                unscored_reason=reason,
                prompt=_text_of(sample.input),
                response=sample.output.completion if sample.output else "",
                category=reader.category(sample.metadata),
                # Epochs of one item share it; so do variants a suite groups explicitly.
                group=_optional_text(sample.metadata.get("group")) or str(sample.id),
            )
        )
    return records


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def sequential_info(log: EvalLog) -> SequentialInfo | None:
    """How the suite's sequential test stopped, from Inspect's early-stopping summary."""
    summary = log.results.early_stopping if log.results else None
    if summary is None or summary.manager != "redline-sequential":
        return None
    meta = summary.metadata
    return SequentialInfo(
        stopped_early=bool(meta.get("stopped_early")),
        reason=str(meta.get("reason", "")),
        decided=bool(meta.get("decided")),
        samples_used=_count(meta.get("samples_used")),
        samples_total=_count(meta.get("samples_total")),
    )


def evidence_from_log(log: EvalLog, metrics: Iterable[str]) -> list[Evidence]:
    """Evidence for each named metric of the suite that wrote `log`.

    Every sample the run was meant to score counts: one that errored, was never
    reached, or was scored NaN is unscored with its reason.
    """
    if log.samples is None:
        # Read the samples once here, not once per metric inside `sample_records`.
        log = read_eval_log(log.location)
    meta = task_metadata(log)
    # Suites with several scorers name the one each metric reads; others read the first.
    metric_scorers = dict(meta.get("metric_scorers") or {})
    return [
        _metric_evidence(log, metric, sample_records(log, metric_scorers.get(metric)))
        for metric in metrics
    ]


def evidence_for_rules(
    log: EvalLog, readings: Iterable[tuple[str, str, OutcomeReader]]
) -> list[Evidence]:
    """Evidence per `(binding, metric, reader)`: what each rule reads from this log.

    Raises:
        ConfigError: A sample value a rule's `values` does not cover.
    """
    if log.samples is None:
        log = read_eval_log(log.location)
    evidence: dict[tuple[str, str], Evidence] = {}
    for binding, metric, reader in readings:
        if (binding, metric) not in evidence:
            records = reduce_epochs(
                sample_records(log, reader=reader), reader.epochs_reducer
            )
            evidence[binding, metric] = _metric_evidence(log, metric, records, binding)
    return list(evidence.values())


def _metric_evidence(
    log: EvalLog, metric: str, records: list[SampleRecord], binding: str | None = None
) -> Evidence:
    scores = [r.score for r in records if r.score is not None]
    reasons = Counter(
        r.unscored_reason or "unscored" for r in records if r.score is None
    )
    expected = log.eval.dataset.samples or 0
    if isinstance(log.eval.config.limit, int):
        expected = min(expected, log.eval.config.limit)
    never_run = expected - len(records)
    if never_run > 0:
        reasons["not run (interrupted)"] += never_run

    key = comparability_key(log)
    sequential = sequential_info(log)
    scorer_error = _scorer_error(log, metric)
    if sequential is not None and sequential.stopped_early:
        # Samples skipped by an early stop were never meant to run: not unscored.
        reasons.pop("not run (interrupted)", None)
    return Evidence(
        suite=binding or _suite_name(log),
        metric=metric,
        scores=tuple(scores),
        unscored=sum(reasons.values()),
        unscored_reasons=dict(reasons),
        comparability_key=key,
        task_version=str(log.eval.task_version),
        dataset_digest=dataset_digest(log),
        log_file=log.location,
        samples=tuple(records),
        sequential=sequential,
        scorer_error=scorer_error,
    )


def _scorer_error(log: EvalLog, metric: str) -> ScorerError | None:
    """The measured error of the scorer behind `metric`, when the suite recorded one."""
    recorded = (task_metadata(log).get("scorer_error") or {}).get(metric)
    if recorded is None:
        return None
    try:
        return ScorerError.model_validate(recorded)
    except ValidationError as exc:
        problem = exc.errors()[0]
        raise ConfigError(
            f"{log.location}: scorer_error of {metric}: {problem['msg']}"
        ) from None
