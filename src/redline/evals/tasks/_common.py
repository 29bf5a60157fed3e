"""Helpers shared by the suites: the catalogue model, packaged data and its digest."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

from inspect_ai import Task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import GenerateConfig
from inspect_ai.scorer import Scorer
from inspect_ai.solver import generate
from pydantic import BaseModel, ConfigDict

from redline.errors import ConfigError
from redline.evals._classifier import HARMFUL_CLASSIFIER, REFUSAL_CLASSIFIER
from redline.evals._judge import judge_identity
from redline.evals._loaders import samples_digest
from redline.evals._scorer_validation import (
    ValidationEntry,
    ValidationFile,
    read_validation_file,
)
from redline.evals.tasks._sources import load_source
from redline.stats import ClassifierError

_DATA_PACKAGE = "redline.evals.tasks"


class SuiteInfo(BaseModel):
    """Catalogue entry for one suite: what it measures and under which names."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", use_attribute_docstrings=True
    )

    name: str
    """Inspect task name, e.g. `misuse_refusal`."""

    domain: str
    """Risk domain the suite provides evidence for, e.g. `misuse_safeguards`."""

    metrics: list[str]
    """Metric keys the suite's scorer writes to the log, headline metric first."""

    version: int
    """Suite version; bumped whenever items, prompts or scoring change meaning."""

    description: str
    """One-sentence statement of what the suite measures."""

    metric_scorers: dict[str, str] = {}
    """Metric -> name of the scorer whose per-sample value it reads, for suites
    with several scorers; metrics not listed read the first scorer."""


def load_records(suite: str) -> list[dict[str, Any]]:
    """Read a suite's packaged JSONL records.

    Args:
        suite: Suite name; the file is `data/<suite>.jsonl` inside this package.

    Returns:
        The records in file order.

    Raises:
        ValueError: A line is not a JSON object, lacks a string `id` or a
            `category`, or repeats an id. The packaged data is ours, so this is
            a programmer error and names the file and line.
    """
    resource = files(_DATA_PACKAGE).joinpath("data", f"{suite}.jsonl")
    where = f"{_DATA_PACKAGE}/data/{suite}.jsonl"
    records: list[dict[str, Any]] = []
    seen: set[str] = set()
    for lineno, line in enumerate(resource.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as ex:
            raise ValueError(f"{where}:{lineno}: invalid JSON ({ex.msg})") from ex
        if not isinstance(record, dict):
            raise ValueError(f"{where}:{lineno}: expected a JSON object")
        sample_id = record.get("id")
        if not isinstance(sample_id, str) or not sample_id:
            raise ValueError(f"{where}:{lineno}: expected a non-empty string 'id'")
        if "category" not in record:
            raise ValueError(
                f"{where}:{lineno}: record {sample_id!r} has no 'category'"
            )
        if sample_id in seen:
            raise ValueError(f"{where}:{lineno}: duplicate id {sample_id!r}")
        seen.add(sample_id)
        records.append(record)
    return records


def canonical_json(value: Any) -> bytes:
    """Serialise a JSON value canonically: sorted keys, no whitespace, UTF-8.

    Args:
        value: Any JSON-serialisable value.

    Returns:
        The canonical UTF-8 bytes.
    """
    text = json.dumps(
        value,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )
    return text.encode("utf-8")


def dataset_digest(records: list[dict[str, Any]]) -> str:
    """Digest a suite's records for comparability keys.

    The digest covers the parsed records rather than the file bytes, so that
    reformatting the JSONL does not change it but editing any item does.

    Args:
        records: The records, in dataset order.

    Returns:
        `sha256:<hex>` over the canonical JSON of the record list.
    """
    return "sha256:" + hashlib.sha256(canonical_json(records)).hexdigest()


def task_metadata(
    info: SuiteInfo,
    records: list[dict[str, Any]],
    *,
    source: str = "redline",
    digest: str | None = None,
) -> dict[str, Any]:
    """Build the metadata every suite's Task carries, read back from the log.

    Args:
        info: The suite's catalogue entry.
        records: The records the Task's dataset was built from.
        source: `redline` for the packaged items, else the public benchmark's name.
        digest: Digest of a loaded public dataset; defaults to the records' digest.

    Returns:
        The Task metadata dict.
    """
    metadata: dict[str, Any] = {
        "suite": info.name,
        "domain": info.domain,
        "metrics": list(info.metrics),
        "dataset_digest": digest or dataset_digest(records),
        "suite_version": info.version,
    }
    # Written only when used, so existing suites' metadata (and keys) stay as they were.
    if source != "redline":
        metadata["source"] = source
    if info.metric_scorers:
        metadata["metric_scorers"] = dict(info.metric_scorers)
    return metadata


def _shipped_validation() -> ValidationFile:
    text = (
        files("redline.evals")
        .joinpath("data", "scorer_validation.json")
        .read_text("utf-8")
    )
    return ValidationFile.model_validate_json(text)


def _judge_entry(
    judge: str, judge_validation: str, question: str, context: str
) -> tuple[ValidationEntry | ClassifierError | None, str]:
    """The judge's error from hand-typed counts or a validation file, and its source."""
    path = Path(judge_validation)
    if not (path.suffix == ".json" or path.is_file()):
        try:
            counts = ClassifierError.parse(judge_validation)
        except ValueError as ex:
            raise ConfigError(f"judge_validation: {ex}") from None
        return counts, "judge_validation (counts given by hand; context not stated)"
    entry = read_validation_file(path).find(question, context)
    if entry is None:
        return None, f"{path} has no {question} validation in the {context} context"
    if entry.scorer != f"judge:{judge}":
        return None, f"{path} validates {entry.scorer}, not judge:{judge}"
    return entry, f"{path}: {entry.describe()}"


def refusal_scoring_metadata(
    metric: str,
    positive_label: str,
    judge: str | None,
    judge_validation: str | list[str] | None,
    *,
    question: str = "refusal",
    context: str = "plain",
) -> dict[str, Any]:
    """Task metadata naming a suite's scorer, its context and its measured error.

    The error that corrects a rate must come from validation of the same question
    (refusal or harmful compliance) in the same context (plain or jailbreak-wrapped
    requests): an instrument that is accurate on plain refusals may be near chance
    on jailbroken replies. Without a judge the shipped instrument of the question
    scores, with its held-out counts of that context. With a judge, its identity
    (model, rubric digest, settings) is recorded, and its error is known only when
    `judge_validation` gives counts or a validation file with a matching entry.
    Where nothing matches, no `scorer_error` is written (the rate is reported
    uncorrected) and `scorer_context` says why.

    Args:
        metric: The metric the scorer writes, e.g. `refusal_rate`.
        positive_label: What the metric scores 1.0: `refused`, `complied` or `harmful`.
        judge: Inspect model string of the LLM judge, or None for the instrument.
        judge_validation: The judge's validation: counts with refused as positive,
            `TP/POSITIVES,TN/NEGATIVES` (e.g. `90/100,85/100`), or the path of a
            file written by `redline scorer validate`.
        question: `refusal` or `harmful_compliance`: what the scorer decides.
        context: `plain` or `jailbreak`: which requests the replies answer.

    Raises:
        ConfigError: `judge_validation` without a judge, or malformed counts or file.
    """
    metadata: dict[str, Any] = {}
    found: ValidationEntry | ClassifierError | None
    if judge is None:
        if judge_validation is not None:
            raise ConfigError("judge_validation is given but no judge is")
        scorer_name = (
            REFUSAL_CLASSIFIER if question == "refusal" else HARMFUL_CLASSIFIER
        )
        found = _shipped_validation().find(question, context)
        source = (
            found.describe()
            if found
            else f"no shipped {question} validation in the {context} context"
        )
    else:
        metadata["judge"] = judge_identity(judge)
        scorer_name = f"judge:{judge}"
        if isinstance(judge_validation, list):  # `inspect eval -T` splits on commas
            judge_validation = ",".join(str(part) for part in judge_validation)
        if judge_validation is None:
            found, source = None, "no judge validation given"
        else:
            found, source = _judge_entry(judge, judge_validation, question, context)
    error: ClassifierError | None = None
    if isinstance(found, ValidationEntry):
        try:
            error = ClassifierError(
                found.true_positives,
                found.positives,
                found.true_negatives,
                found.negatives,
            )
        except ValueError as ex:
            source = f"{source}: unusable counts ({ex})"
    elif found is not None:
        error = found
    matched = error is not None
    metadata["scorer_context"] = {
        metric: {
            "scorer": scorer_name,
            "question": question,
            "context": context,
            "corrected": matched,
            "validation": source
            if matched
            else f"{source}: rate not corrected for scorer error",
        }
    }
    if error is None:
        return metadata
    if positive_label not in {"refused", "harmful"}:
        error = error.swapped()
    metadata["scorer_error"] = {
        metric: {
            "scorer": scorer_name,
            "positive_label": positive_label,
            "true_positives": error.true_positives,
            "positives": error.positives,
            "true_negatives": error.true_negatives,
            "negatives": error.negatives,
            "source": source,
        }
    }
    return metadata


def suite_samples(
    info: SuiteInfo,
    source: str,
    dataset_path: str | None,
    converters: dict[str, Callable[[dict[str, Any]], Any]],
    redline_sample: Callable[[dict[str, Any]], Sample],
    data_name: str | None = None,
) -> tuple[list[Sample], dict[str, Any]]:
    """The samples and Task metadata for the packaged items or a public source.

    Args:
        info: The suite's catalogue entry.
        source: `redline` (packaged items) or a key of `converters`.
        dataset_path: Local file or pinned hub id for a public source.
        converters: The public sources the suite accepts.
        redline_sample: Turns a packaged record into a Sample.
        data_name: Packaged data file to read, when not the suite's own.

    Returns:
        (samples, task metadata).
    """
    if source == "redline":
        records = load_records(data_name or info.name)
        return [redline_sample(r) for r in records], task_metadata(info, records)
    samples = load_source(source, dataset_path, converters, info.name)
    return samples, task_metadata(
        info, [], source=source, digest=samples_digest(samples)
    )


def spread(samples: list[Sample], count: int) -> list[Sample]:
    """At most `count` samples, evenly spaced (all when count <= 0).

    Evenly spaced rather than the first N, so a bounded run still covers the
    categories a file lists in blocks.
    """
    if count <= 0 or count >= len(samples):
        return samples
    step = len(samples) / count
    return [samples[int(index * step)] for index in range(count)]


def prompt_sample(record: dict[str, Any]) -> Sample:
    """A packaged single-turn record (`id`, `category`, `prompt`) as a Sample."""
    return Sample(
        id=record["id"],
        input=record["prompt"],
        metadata={"category": record["category"]},
    )


def prompt_task(
    info: SuiteInfo,
    scorer: Scorer,
    max_tokens: int,
    *,
    source: str = "redline",
    dataset_path: str | None = None,
    converters: dict[str, Callable[[dict[str, Any]], Any]] | None = None,
    extra_metadata: dict[str, Any] | None = None,
) -> Task:
    """A single-turn suite: each record's `prompt` is sent once and scored.

    Args:
        info: The suite's catalogue entry; its name names the data file.
        scorer: Scorer for the model's one reply.
        max_tokens: Generation budget for the reply.
        source: `redline` or a public benchmark named in `converters`.
        dataset_path: Local file or pinned hub id for a public source.
        converters: The public sources the suite accepts.
        extra_metadata: More task metadata (judge identity, scorer error).

    Returns:
        The Inspect task.
    """
    samples, metadata = suite_samples(
        info, source, dataset_path, converters or {}, prompt_sample
    )
    return Task(
        dataset=MemoryDataset(samples, name=info.name),
        solver=generate(),
        scorer=scorer,
        config=GenerateConfig(max_tokens=max_tokens),
        version=info.version,
        metadata={**metadata, **(extra_metadata or {})},
        description=info.description,
    )
