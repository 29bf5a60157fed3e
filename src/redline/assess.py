"""The main job: framework -> evaluation plan -> Inspect runs -> verdicts -> report."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from inspect_ai.log import EvalLog

from redline._version import __version__
from redline.errors import ConfigError
from redline.evals import (
    SUITES,
    RunOptions,
    comparability_components,
    comparability_key,
    evidence_from_log,
    mark_for_retry,
    resolve_sandbox,
    resume_progress,
    run_suites,
    suite_health,
    task_metadata,
    uses_sandbox,
)
from redline.frameworks import (
    DEFAULT_FRAMEWORK,
    Attestation,
    EvaluationEvidence,
    Evidence,
    EvidenceRule,
    Framework,
    assess_framework,
    load_framework,
)
from redline.reports import (
    FrameworkRef,
    Report,
    RunFailure,
    RunInfo,
    SuiteRun,
    render_html,
    write_report,
)

MANIFEST = "run.json"


@dataclass(frozen=True)
class PlanItem:
    """One suite to run and the metrics the framework reads from it."""

    suite: str
    metrics: tuple[str, ...]
    thresholds: tuple[str, ...]


@dataclass(frozen=True)
class AssessOptions:
    """Everything `redline assess` takes."""

    framework: str | Path = DEFAULT_FRAMEWORK
    out: Path | None = None
    runs_dir: Path = Path("runs")
    run: RunOptions = field(default_factory=RunOptions)
    model_card: dict[str, Any] | None = None
    attestations: tuple[Attestation, ...] = ()
    suites: tuple[str, ...] = ()
    """Run only these of the framework's suites; empty runs them all."""
    notify: Callable[[str], None] | None = None
    """Called with one line of progress, e.g. that a run resumes."""


def build_plan(framework: Framework) -> list[PlanItem]:
    """Which suites to run for which metrics; unknown suites or metrics are an error."""
    plan: dict[str, PlanItem] = {}
    owners = [(t.id, r) for t in framework.thresholds for r in t.rules]
    owners += [
        (s.id, e.evaluation)
        for s in framework.safeguards
        for e in s.evidence
        if isinstance(e, EvaluationEvidence)
    ]
    for owner, rule in owners:
        if not isinstance(rule, EvidenceRule):
            continue
        info = SUITES.get(rule.suite)
        if info is None:
            raise ConfigError(
                f"framework {framework.id}: {owner} uses unknown suite "
                f"{rule.suite!r} (known: {', '.join(sorted(SUITES))})"
            )
        if rule.metric not in info.metrics:
            raise ConfigError(
                f"framework {framework.id}: {owner} reads metric {rule.metric!r}, "
                f"which suite {rule.suite} does not produce (it has: {', '.join(info.metrics)})"
            )
        item = plan.get(rule.suite, PlanItem(rule.suite, (), ()))
        metrics = (
            item.metrics
            if rule.metric in item.metrics
            else (*item.metrics, rule.metric)
        )
        owned = (
            item.thresholds if owner in item.thresholds else (*item.thresholds, owner)
        )
        plan[rule.suite] = PlanItem(rule.suite, metrics, owned)
    return list(plan.values())


def _manifest(framework: Framework, run: RunOptions) -> dict[str, object]:
    manifest: dict[str, object] = {
        "model": run.model,
        "model_base_url": run.model_base_url,
        "framework": framework.content_hash,
        "limit": run.limit,
        "seed": run.seed,
    }
    # Only when set, so runs started before these options existed still resume.
    if run.judge is not None:
        manifest["judge"] = run.judge
        manifest["judge_validation"] = run.judge_validation
    if run.sandbox != "auto":
        manifest["sandbox"] = run.sandbox
    for name, value in (
        ("temperature", run.temperature),
        ("max_tokens", run.max_tokens),
        ("task_args", [[s, [list(a) for a in args]] for s, args in run.task_args]),
    ):
        if value:
            manifest[name] = value
    return manifest


def check_attestations(
    framework: Framework, attestations: tuple[Attestation, ...]
) -> None:
    """Refuse an attestation of a safeguard the framework does not define.

    Ignoring it would let a typo ("misuse-clasifiers") leave a required safeguard
    unevidenced without a word, or make a reader think it counted.
    """
    known = sorted(s.id for s in framework.safeguards)
    for number, attestation in enumerate(attestations, 1):
        if attestation.safeguard not in known:
            raise ConfigError(
                f"attestations: entry {number} names safeguard {attestation.safeguard!r}, "
                f"which framework {framework.id} does not define "
                f"(its safeguards: {', '.join(known) or 'none'})"
            )


def select_suites(plan: list[PlanItem], options: AssessOptions) -> list[PlanItem]:
    """The plan cut to `--suite`, after checking `--suite` and `-T` name planned suites."""
    planned = [item.suite for item in plan]
    for suite in (*options.suites, *(s for s, _ in options.run.task_args)):
        if suite not in planned:
            raise ConfigError(
                f"suite {suite!r} is not one this framework reads "
                f"(it reads: {', '.join(planned)})"
            )
    if not options.suites:
        return plan
    return [item for item in plan if item.suite in options.suites]


def resolve_out_dir(options: AssessOptions, framework: Framework) -> tuple[Path, bool]:
    """The run folder, and whether it resumes an unfinished run.

    Without `--out`, the newest unfinished run in `runs_dir` with the same model,
    framework, limit and seed is resumed, so re-running the same command continues.
    """
    if options.out is not None:
        return options.out, (options.out / MANIFEST).exists() and not _finished(
            options.out
        )
    wanted = _manifest(framework, options.run)
    if options.runs_dir.is_dir():
        for folder in sorted(options.runs_dir.iterdir(), reverse=True):
            manifest = folder / MANIFEST
            if not manifest.is_file() or _finished(folder):
                continue
            try:
                if json.loads(manifest.read_text(encoding="utf-8")) == wanted:
                    return folder, True
            except (OSError, ValueError):
                continue
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    folder, suffix = options.runs_dir / stamp, 1
    while folder.exists():
        suffix += 1
        folder = options.runs_dir / f"{stamp}-{suffix}"
    return folder, False


def _finished(folder: Path) -> bool:
    """Whether a run folder holds a report of a complete run (nothing left to resume)."""
    try:
        report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(report.get("run", {}).get("complete", True))


def _run_failure(logs: list[EvalLog]) -> RunFailure | None:
    """The infrastructure failure of a run, with its failed suites marked for retry."""
    failed = [(log, health) for log in logs if (health := suite_health(log)).failure]
    if not failed:
        return None
    reasons: Counter[str] = Counter()
    for log, health in failed:
        assert health.failure is not None
        mark_for_retry(log, health.failure)
        reasons.update(health.reasons)
    by_cause: dict[str, list[str]] = {}
    for _, health in failed:
        by_cause.setdefault(health.failure or "", []).append(health.suite)
    causes = "; ".join(
        f"{cause} in {', '.join(suites)}" for cause, suites in by_cause.items()
    )
    return RunFailure(
        message=f"{causes}. Fix the setup, then re-run the same command to resume.",
        suites=tuple(health.suite for _, health in failed),
        reasons=dict(reasons.most_common()),
    )


def _sandbox_of(log: EvalLog) -> str | None:
    recorded = task_metadata(log).get("sandbox")
    return str(recorded.get("type")) if isinstance(recorded, dict) else None


def _sample_counts(log: EvalLog, listed: int) -> tuple[int, int]:
    # Inspect's results count only samples that finished: a suite whose every sample
    # errored says 0 of 0 while the report lists each one, unscored with its reason.
    results = log.results
    completed = results.completed_samples if results else 0
    if listed:
        return listed, min(completed, listed)
    return (results.total_samples if results else 0), completed


def _suite_run(log: EvalLog, evidence: list[Evidence]) -> SuiteRun:
    samples = evidence[0].samples if evidence else ()
    total, completed = _sample_counts(log, len(samples))
    return SuiteRun(
        suite=log.eval.task.split("/")[-1],
        task_version=str(log.eval.task_version),
        dataset_digest=str(task_metadata(log).get("dataset_digest", "")),
        status=log.status,
        samples_total=total,
        samples_completed=completed,
        log_file=log.location,
        comparability_key=comparability_key(log),
        comparability=comparability_components(log),
        samples=samples,
        sequential=evidence[0].sequential if evidence else None,
        sandbox=_sandbox_of(log),
    )


def assess(options: AssessOptions = AssessOptions()) -> Report:
    """Run a whole assessment and write `report.json` and `report.html` in the run folder."""
    framework = load_framework(options.framework)
    check_attestations(framework, options.attestations)
    plan = select_suites(build_plan(framework), options)
    run_options = _with_sandbox(options, [item.suite for item in plan])
    out, resumed = resolve_out_dir(options, framework)
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / MANIFEST).write_text(
            json.dumps(_manifest(framework, options.run)), encoding="utf-8"
        )
    except OSError as exc:
        raise ConfigError(f"cannot write run folder {out}: {exc}") from None
    log_dir = out / "logs"
    if resumed and options.notify is not None:
        done, planned, started = resume_progress(log_dir, [item.suite for item in plan])
        options.notify(
            f"Resuming run {out}: {done} of {planned} samples done "
            f"({started} of {len(plan)} suites started)."
        )
    # Logs are evidence about the model, not about a framework: the same logs serve
    # any framework that reads these suites, so the framework is not part of the run.
    complete, logs = run_suites(
        [item.suite for item in plan], log_dir, run_options, framework=framework
    )
    failure = _run_failure(logs)
    metrics = {item.suite: item.metrics for item in plan}
    evidence_by_log = [
        evidence_from_log(log, metrics[log.eval.task.split("/")[-1]]) for log in logs
    ]
    evidence = [e for per_log in evidence_by_log for e in per_log]
    assessment = assess_framework(
        framework, evidence, options.attestations, options.model_card
    )
    report = Report(
        redline_version=__version__,
        created_at=datetime.now(UTC),
        model=options.run.model,
        framework=FrameworkRef(
            id=framework.id,
            name=framework.name,
            version=framework.version,
            content_hash=framework.content_hash,
        ),
        run=RunInfo(
            out_dir=str(out),
            log_dir=str(log_dir),
            limit=options.run.limit,
            seed=options.run.seed,
            complete=complete and failure is None,
            failure=failure,
            smoke_run=_smoke_run(options.run.limit, logs),
        ),
        suites=tuple(
            _suite_run(log, per_log)
            for log, per_log in zip(logs, evidence_by_log, strict=True)
        ),
        thresholds=assessment.verdicts,
        domains=assessment.domains,
        decision=assessment.decision,
        reasons=assessment.reasons,
        required_safeguards=assessment.required_safeguards,
        outstanding_safeguards=assessment.outstanding_safeguards,
    )
    write_report(report, out / "report.json")
    (out / "report.html").write_text(render_html(report), encoding="utf-8")
    return report


def _with_sandbox(options: AssessOptions, suites: list[str]) -> RunOptions:
    """The run's options with `--sandbox auto` resolved, its warning said first.

    Resolved here, once, rather than inside each suite: whether the host may run
    model-written commands depends on the model, which a task does not know.
    """
    agentic = [suite for suite in suites if uses_sandbox(suite)]
    if not agentic:
        return options.run
    choice = resolve_sandbox(options.run.sandbox, options.run.model, ", ".join(agentic))
    if choice.warning is not None and options.notify is not None:
        options.notify(choice.warning)
    return replace(options.run, sandbox=choice.sandbox)


def _smoke_run(limit: int | None, logs: list[EvalLog]) -> bool:
    """Whether `--limit` kept any suite from reading its whole dataset."""
    return limit is not None and any(
        log.eval.dataset.samples is not None and log.eval.dataset.samples > limit
        for log in logs
    )


__all__ = [
    "AssessOptions",
    "PlanItem",
    "assess",
    "build_plan",
    "check_attestations",
    "resolve_out_dir",
    "select_suites",
]
