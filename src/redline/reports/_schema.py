"""The assessment report: what was run, what was measured, what was decided, and why."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from redline.errors import ReportError
from redline.frameworks import (
    Decision,
    DomainVerdict,
    SampleRecord,
    SequentialInfo,
    ThresholdVerdict,
)

SCHEMA_VERSION: Literal["1.0"] = "1.0"

_FROZEN = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


class FrameworkRef(BaseModel):
    """The framework the verdicts were computed under."""

    model_config = _FROZEN

    id: str
    """Framework id."""
    name: str
    """Framework name."""
    version: str
    """Framework version."""
    content_hash: str
    """sha256 over the framework's canonical content."""


class Elicitation(BaseModel):
    """How hard the model was pushed when a suite's evidence was taken.

    Capability thresholds read a lower bound of what the model can be made to do;
    this says what "made to" meant, so a reader can judge how strong that bound is.
    """

    model_config = _FROZEN

    epochs: int = Field(default=1, ge=1)
    """Attempts per sample."""
    epochs_reducer: Literal["mean", "max"] = "mean"
    """How a sample's attempts become its one outcome: `mean` of the attempts, or
    `max` (best of k: the behaviour counts when it shows at least once in k)."""
    temperature: float | None = None
    """Sampling temperature; null kept each suite's and provider's default."""
    max_tokens: int | None = None
    """Most tokens per answer; null kept each suite's own cap."""
    timeout_s: int | None = None
    """Seconds a model call could take; null for no limit."""
    token_budget: int | None = None
    """Most model tokens the suite could spend under sequential testing."""
    sample_budget: int | None = None
    """Most samples the suite could run under sequential testing."""
    scaffold: str = "suite default"
    """System prompt, solver and tools: the suite's own unless a task argument says
    otherwise (the task arguments are recorded in the plan)."""


class PlanDeviation(BaseModel):
    """One way a run differed from the plan it was bound to."""

    model_config = _FROZEN

    kind: Literal[
        "framework",
        "model",
        "seed",
        "limit",
        "suite_added",
        "suite_dropped",
        "task_args",
        "task_version",
        "dataset_digest",
        "elicitation",
        "setting",
        "resumed",
        "repeated",
    ]
    """What differed."""
    field: str
    """The plan field (or suite) concerned, e.g. `seed` or `tasks.misuse_refusal`."""
    planned: Any = None
    """What the plan said."""
    actual: Any = None
    """What the run did."""
    message: str
    """The deviation in words."""


class PlanBinding(BaseModel):
    """The pre-registered plan a run was bound to, and how the run kept to it."""

    model_config = _FROZEN

    digest: str = Field(pattern=r"^sha256:[0-9a-f]{64}$")
    """sha256 of the plan's RFC 8785 canonical JSON."""
    key_id: str
    """Key that signed the plan."""
    created_at: AwareDatetime
    """When the plan says it was made (the registry's timestamp is what proves it)."""
    started_at: AwareDatetime
    """When this run started; a plan registered after this is not pre-registered."""
    deviations: tuple[PlanDeviation, ...] = ()
    """Every way the run differed from the plan; empty when it ran exactly the plan."""


class SuiteRun(BaseModel):
    """One suite as it ran: where its log is and what its results are comparable with."""

    model_config = _FROZEN

    suite: str
    """Suite name (Inspect task `redline/<suite>`), or the evidence name of a bound task."""
    task: str = ""
    """The Inspect task as the framework names it (registry name or `file.py@task`)."""
    task_version: str
    """Version of the suite's task."""
    dataset_digest: str
    """Digest of the suite's dataset."""
    status: str
    """Inspect log status: success, started (interrupted), error or cancelled."""
    samples_total: int
    """Samples the run was meant to score."""
    samples_completed: int
    """Samples that finished."""
    log_file: str
    """Inspect log file (open with `inspect view` or `read_eval_log`)."""
    log_sha256: str = ""
    """sha256 of the log file's bytes, when the evidence was read from existing logs."""
    comparability_key: str
    """Hash of `comparability`."""
    comparability: dict[str, Any]
    """Task and version, dataset digest, scorers, generation config, harness versions."""
    samples: tuple[SampleRecord, ...] = ()
    """Per-sample scores with prompt and response (or only their digests, once redacted)."""
    sequential: SequentialInfo | None = None
    """How sequential testing stopped the suite; null when it ran without it."""
    sandbox: str | None = None
    """Sandbox the suite's tool calls ran in (docker, bubblewrap, local); null for suites
    without tools."""
    elicitation: Elicitation | None = None
    """Under which elicitation the suite's evidence was taken; null in reports written
    before it was recorded."""


class RunFailure(BaseModel):
    """Why a run produced no finding: its samples failed for infrastructure reasons."""

    model_config = _FROZEN

    kind: Literal["infrastructure"] = "infrastructure"
    """What failed: the setup (endpoint, key, model name), not the model's answers."""
    message: str
    """One line saying what failed and how to proceed."""
    suites: tuple[str, ...]
    """Suites whose samples failed."""
    reasons: dict[str, int]
    """Errored samples per reason, over the failed suites."""


class LogRef(BaseModel):
    """An Inspect log read as evidence (`redline assess --from-logs`)."""

    model_config = _FROZEN

    path: str
    """Where the log was read."""
    sha256: str
    """sha256 of the file's bytes."""
    task: str
    """Task the log records."""
    model: str
    """Model the log records."""


class RunInfo(BaseModel):
    """Where and how the run happened."""

    model_config = _FROZEN

    out_dir: str
    """Run folder."""
    log_dir: str
    """Folder of the Inspect logs."""
    limit: int | None
    """Samples per suite, or null for all."""
    seed: int | None
    """Generation seed, if set."""
    complete: bool
    """Whether every suite finished."""
    from_logs: tuple[LogRef, ...] = ()
    """Every log read, when the evidence came from existing logs."""
    no_evidence: tuple[str, ...] = ()
    """Tasks the framework binds for which no log was found, and why."""
    failure: RunFailure | None = None
    """Set when the run failed for infrastructure reasons: the decision is then no
    finding, and re-running the same command resumes."""
    smoke_run: bool = False
    """Whether `--limit` cut some suite short of its dataset: the decision then reads a
    few samples and is a smoke test of the setup, not a finding."""


class Report(BaseModel):
    """A safety assessment of one model under one framework."""

    model_config = _FROZEN

    schema_version: Literal["1.0"] = SCHEMA_VERSION
    """Version of this report schema."""
    redline_version: str
    """Redline version that wrote the report."""
    created_at: AwareDatetime
    """When the report was written (timezone-aware)."""
    model: str
    """Inspect model string of the assessed model."""
    framework: FrameworkRef
    """The framework applied."""
    run: RunInfo
    """Run folder and settings."""
    suites: tuple[SuiteRun, ...]
    """The suites that produced evidence."""
    thresholds: tuple[ThresholdVerdict, ...]
    """Per threshold: estimate, CI, n, unscored, verdict, comparability key and trail."""
    domains: tuple[DomainVerdict, ...] = ()
    """Per risk domain: the worst verdict of its thresholds."""
    decision: Decision
    """The deployment decision."""
    reasons: tuple[str, ...] = Field(min_length=1)
    """Why the decision is what it is."""
    required_safeguards: tuple[str, ...]
    """Safeguards required before deployment."""
    outstanding_safeguards: tuple[str, ...] = ()
    """Required safeguards not evidenced as in place."""
    plan: PlanBinding | None = None
    """The pre-registered plan the run was bound to (`assess --plan`), with every
    deviation from it; null for a run without a plan."""


def report_json_schema() -> dict[str, Any]:
    """JSON Schema of the report, as shipped in `redline/reports/schema/`."""
    schema = Report.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://redline.dev/schemas/report-{SCHEMA_VERSION}.json"
    return schema


def write_report(report: Report, path: Path) -> None:
    """Write the report as JSON, atomically, so a crash never leaves half a file."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(report.model_dump_json(indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)


def load_report(path: Path) -> Report:
    """Read and validate a report file; errors name the file and field."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeError) as exc:
        raise ReportError(f"{path}: cannot read report: {exc}") from None
    except json.JSONDecodeError as exc:
        raise ReportError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    try:
        return Report.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"field '{'.'.join(str(p) for p in e['loc']) or '(document)'}': {e['msg']}"
            for e in exc.errors()
        )
        raise ReportError(f"{path}: not a valid Redline report: {problems}") from None


def now_utc() -> datetime:
    """Timezone-aware current time."""
    from datetime import UTC

    return datetime.now(UTC)
