"""Whether a suite's samples failed because of the setup rather than the model.

A sample whose model call never got an answer (nothing listening, a wrong key, a
model name the endpoint does not serve) says nothing about the model: scoring such a
run would turn a broken setup into a safety finding. A suite is an *infrastructure
failure* when any of its samples failed to connect or to authenticate, or when more
than `INFRASTRUCTURE_ERROR_SHARE` of its samples errored for any reason. Below that
share, errored samples stay what they are everywhere else: unscored evidence, counted
as the unsafe outcome.

A failed suite's errored samples are invalidated in its log (with the reason as
provenance), so Inspect's `eval_set` re-runs exactly those samples on the next run
and reuses the rest: re-running the same command after fixing the endpoint finishes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from inspect_ai.log import (
    EvalLog,
    ProvenanceData,
    invalidate_samples,
    list_eval_logs,
    read_eval_log,
    read_eval_log_sample_summaries,
    write_eval_log,
)

from redline.evals._evidence import error_reason

INFRASTRUCTURE_ERROR_SHARE = 0.5
"""A suite with more than this share of errored samples failed for infrastructure
reasons, whatever the errors are: a model that cannot answer half its prompts was
not measured."""

_UNREACHABLE = (
    "ConnectError",
    "ConnectTimeout",
    "APIConnectionError",
    "ConnectionRefusedError",
    "ConnectionError",
    "ConnectionResetError",
)
"""Exception names of a model endpoint that did not answer at all."""

_MISCONFIGURED = (
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
)
"""Exception names of an endpoint that answered that it will not serve this caller or
model (HTTP 401, 403, 404): a key or model name to fix, not a model to judge."""


@dataclass(frozen=True)
class SuiteHealth:
    """How a suite's samples fared as calls, before any scoring."""

    suite: str
    samples: int
    """Samples in the log."""
    errored: int
    """Samples that ended with an error."""
    reasons: Counter[str] = field(default_factory=Counter)
    """Errored samples per reason."""
    failure: str | None = None
    """Why the suite counts as an infrastructure failure; None when it does not."""


def _exception_name(reason: str) -> str:
    return reason.removeprefix("error: ").split(":", 1)[0].strip()


def suite_health(log: EvalLog) -> SuiteHealth:
    """Classify a suite's errored samples; see the module docstring for the rule."""
    suite = log.eval.task.split("/")[-1]
    if log.samples is None:
        # eval_set hands back logs without their samples.
        log = read_eval_log(log.location)
    samples = log.samples or []
    reasons = Counter(
        error_reason(sample.error) for sample in samples if sample.error is not None
    )
    errored = sum(reasons.values())
    names = {_exception_name(reason) for reason in reasons}
    failure: str | None = None
    if unreachable := sorted(names & set(_UNREACHABLE)):
        failure = f"the model endpoint could not be reached ({', '.join(unreachable)})"
    elif refused := sorted(names & set(_MISCONFIGURED)):
        failure = (
            f"the model endpoint refused the calls ({', '.join(refused)}): "
            "check the API key, the model name and --model-base-url"
        )
    elif samples and errored == len(samples):
        failure = f"every sample errored ({errored} of {len(samples)})"
    elif samples and errored / len(samples) > INFRASTRUCTURE_ERROR_SHARE:
        failure = (
            f"{errored} of {len(samples)} samples errored, more than "
            f"{INFRASTRUCTURE_ERROR_SHARE:.0%}"
        )
    return SuiteHealth(suite, len(samples), errored, reasons, failure)


def mark_for_retry(log: EvalLog, why: str) -> None:
    """Invalidate a failed suite's errored samples so the next run redoes only them.

    Rewrites the log file in place; the samples that did finish stay and are reused.
    """
    full = log if log.samples is not None else read_eval_log(log.location)
    errored = [
        sample.uuid
        for sample in full.samples or []
        if sample.error is not None and sample.uuid is not None
    ]
    if not errored:
        return
    marked = invalidate_samples(
        full,
        errored,
        ProvenanceData(
            timestamp=datetime.now(UTC),
            author="redline",
            reason=f"infrastructure failure, re-run on resume: {why}",
        ),
    )
    write_eval_log(marked, log.location)


def resume_progress(log_dir: Path, suites: list[str]) -> tuple[int, int, int]:
    """What an unfinished run folder already holds, for the line that says it resumes.

    Returns:
        (samples done without error, samples planned by the suites that started,
        suites started), from the newest log of each suite.
    """
    if not log_dir.is_dir():
        return 0, 0, 0
    newest: dict[str, EvalLog] = {}
    # Newest first, so the first log seen of a suite is the one a resume continues.
    for info in list_eval_logs(str(log_dir), descending=True):
        header = read_eval_log(info, header_only=True)
        suite = header.eval.task.split("/")[-1]
        if suite in suites and suite not in newest:
            newest[suite] = header
    done = planned = 0
    for header in newest.values():
        size = header.eval.dataset.samples or 0
        limit = header.eval.config.limit
        if isinstance(limit, int):
            size = min(size, limit)
        planned += size * (header.eval.config.epochs or 1)
        done += sum(
            1
            for summary in read_eval_log_sample_summaries(header.location)
            if summary.completed and summary.error is None
        )
    return done, planned, len(newest)
