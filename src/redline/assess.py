"""The main job: framework -> evaluation plan -> Inspect runs -> verdicts -> report."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
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
    run_suites,
    task_metadata,
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
    return manifest


def resolve_out_dir(options: AssessOptions, framework: Framework) -> tuple[Path, bool]:
    """The run folder, and whether it resumes an unfinished run.

    Without `--out`, the newest unfinished run in `runs_dir` with the same model,
    framework, limit and seed is resumed, so re-running the same command continues.
    """
    if options.out is not None:
        return options.out, (options.out / MANIFEST).exists()
    wanted = _manifest(framework, options.run)
    if options.runs_dir.is_dir():
        for folder in sorted(options.runs_dir.iterdir(), reverse=True):
            manifest = folder / MANIFEST
            if not manifest.is_file() or (folder / "report.json").exists():
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
    )


def assess(options: AssessOptions = AssessOptions()) -> Report:
    """Run a whole assessment and write `report.json` and `report.html` in the run folder."""
    framework = load_framework(options.framework)
    plan = build_plan(framework)
    out, _resumed = resolve_out_dir(options, framework)
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / MANIFEST).write_text(
            json.dumps(_manifest(framework, options.run)), encoding="utf-8"
        )
    except OSError as exc:
        raise ConfigError(f"cannot write run folder {out}: {exc}") from None
    log_dir = out / "logs"
    # Logs are evidence about the model, not about a framework: the same logs serve
    # any framework that reads these suites, so the framework is not part of the run.
    complete, logs = run_suites(
        [item.suite for item in plan], log_dir, options.run, framework=framework
    )
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
            complete=complete,
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


__all__ = ["AssessOptions", "PlanItem", "assess", "build_plan", "resolve_out_dir"]
