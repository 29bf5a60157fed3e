"""The main job: framework -> evaluation plan -> Inspect runs -> verdicts -> report."""

from __future__ import annotations

import json
import os
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from inspect_ai.log import EvalLog

from redline._util.settings import changed_settings
from redline._util.yaml_source import YamlDocument
from redline._version import __version__
from redline.errors import ConfigError
from redline.evals import (
    LogFile,
    RunOptions,
    TaskRun,
    comparability_components,
    comparability_key,
    dataset_digest,
    evidence_for_rules,
    mark_for_retry,
    match_logs,
    plan_task_runs,
    read_log_dirs,
    resolve_sandbox,
    resume_progress,
    run_tasks,
    suite_health,
    task_metadata,
    uses_sandbox,
)
from redline.frameworks import (
    DEFAULT_FRAMEWORK,
    Attestation,
    EvaluationEvidence,
    Evidence,
    Framework,
    FrameworkSource,
    assess_framework,
    derived_salt,
    load_framework_source,
    resalted,
)
from redline.planning import bind_run, elicitation_of, plan_of_run, record_start
from redline.plans import read_plan_file
from redline.reports import (
    FrameworkRef,
    LogRef,
    PlanBinding,
    Report,
    RunFailure,
    RunInfo,
    SuiteRun,
    render_html,
    write_report,
)

MANIFEST = "run.json"

TaskRunner = Callable[..., tuple[bool, list[tuple[TaskRun, EvalLog]]]]
"""Runs bound tasks into a log folder: `redline.evals.run_tasks` or a scale-out twin."""


@dataclass(frozen=True)
class PlanItem:
    """One task to run (a suite, or any Inspect task with its arguments) and who reads it."""

    suite: str
    """The built-in suite, or the task as the rules name it."""
    metrics: tuple[str, ...]
    thresholds: tuple[str, ...]
    """Thresholds and safeguards whose rules read this run."""
    run: TaskRun | None = None
    """The resolved task, its expanded arguments and its rules."""


@dataclass(frozen=True)
class AssessOptions:
    """Everything `redline assess` takes."""

    framework: str | Path = DEFAULT_FRAMEWORK
    out: Path | None = None
    runs_dir: Path = Path("runs")
    run: RunOptions = field(default_factory=RunOptions)
    model_card: dict[str, Any] | None = None
    attestations: tuple[Attestation, ...] = ()
    data_dir: Path | None = None
    """What `${REDLINE_DATA}` in rule arguments expands to."""
    from_logs: tuple[Path, ...] = ()
    """Read evidence from the Inspect logs in these folders instead of running."""
    logs_model: str | None = None
    """With `from_logs`: only logs of this model are accepted (None: any one model)."""
    suites: tuple[str, ...] = ()
    """Run only these of the framework's suites; empty runs them all."""
    notify: Callable[[str], None] | None = None
    """Called with one line of progress, e.g. that a run resumes."""
    plan: Path | None = None
    """A signed plan the run is bound to: the report carries its digest and every
    deviation from it (see `redline.planning.run_options_of` for running it as is)."""
    allow_deviation: bool = False
    """With `plan`: run even when the run departs from it, recording each deviation."""


def _as_source(framework: str | Path | Framework | FrameworkSource) -> FrameworkSource:
    if isinstance(framework, FrameworkSource):
        return framework
    if isinstance(framework, Framework):
        where = f"<framework {framework.id}>"
        return FrameworkSource(framework, where, None, YamlDocument(None, where))
    return load_framework_source(framework)


def build_plan(
    framework: str | Path | Framework | FrameworkSource,
    data_dir: Path | None = None,
) -> list[PlanItem]:
    """Which tasks to run for which rules, checked before any model is called.

    Every task is resolved (built-in suite, registry name, installed package or
    file), its arguments are checked against the task function and their `${VAR}`s
    expanded.

    Raises:
        ConfigError: file:line: field and what was expected, for an unknown suite,
            task or metric, arguments the task does not take, or an unset variable.
    """
    source = _as_source(framework)
    owners: dict[int, str] = {}
    for t in source.framework.thresholds:
        for r in t.rules:
            owners.setdefault(id(r), t.id)
    for s in source.framework.safeguards:
        for e in s.evidence:
            if isinstance(e, EvaluationEvidence):
                owners.setdefault(id(e.evaluation), s.id)
    plan = []
    for run in plan_task_runs(source, data_dir):
        plan.append(
            PlanItem(
                suite=run.suite or run.task,
                metrics=tuple(dict.fromkeys(r.metric for r in run.rules)),
                thresholds=tuple(
                    dict.fromkeys(owners.get(id(r), "") for r in run.rules)
                ),
                run=run,
            )
        )
    return plan


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
        ("epochs", run.epochs),
        ("temperature", run.temperature),
        ("max_tokens", run.max_tokens),
        ("task_args", [[s, [list(a) for a in args]] for s, args in run.task_args]),
    ):
        # `is not None`: --temperature 0 (greedy) is a setting, unlike no --temperature.
        if value is not None and value != []:
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

    Raises:
        ConfigError: `--out` names a run folder made with other settings (model,
            limit, seed, generation, judge, sandbox, task arguments): resuming it
            would mix two runs' samples in one report.
    """
    wanted = _manifest(framework, options.run)
    if options.out is not None:
        made = (options.out / MANIFEST).exists()
        if made:
            _check_same_run(options.out, wanted)
        return options.out, made and not _finished(options.out)
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
    return _fresh_folder(options.runs_dir), False


def _check_same_run(out: Path, wanted: dict[str, object]) -> None:
    """Refuse to resume `out` unless its `run.json` records this run's settings."""
    path = out / MANIFEST
    try:
        recorded = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(recorded, dict):
            raise ValueError("expected a JSON object")
    except (OSError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise ConfigError(
            f"{path}: not a readable run manifest ({first}): use a new --out, or "
            f"remove {MANIFEST} to run this folder again"
        ) from None
    # Not the framework: logs are evidence about the model, so another framework (or
    # this one edited) may read the folder's samples, running only what it lacks.
    changed = [
        key
        for key in changed_settings(recorded, wanted, {"sandbox": "auto"})
        if key != "framework"
    ]
    if changed:
        was = ", ".join(_setting(key, recorded.get(key)) for key in changed)
        now = ", ".join(_setting(key, wanted.get(key)) for key in changed)
        raise ConfigError(
            f"{MANIFEST} in {out} was made with {was}; this run has {now}: use a new "
            "--out, or the same settings"
        )


def _setting(key: str, value: Any) -> str:
    """A run.json setting as the option that sets it."""
    if key == "task_args":
        pairs = [(s, a, v) for s, args in value or () for a, v in args]
        return " ".join(f"-T {s}.{a}={v}" for s, a, v in pairs) or "no -T"
    option = "--" + key.replace("_", "-")
    return f"no {option}" if value is None else f"{option} {value}"


def _fresh_folder(runs_dir: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    folder, suffix = runs_dir / stamp, 1
    while folder.exists():
        suffix += 1
        folder = runs_dir / f"{stamp}-{suffix}"
    return folder


def _readings(run: TaskRun) -> list[tuple[str, str, Any]]:
    return [(rule.binding, rule.metric, run.reader(rule)) for rule in run.rules]


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


def _suite_run(
    run: TaskRun,
    log: EvalLog,
    evidence: list[Evidence],
    sha256: str = "",
    options: RunOptions | None = None,
) -> SuiteRun:
    samples = evidence[0].samples if evidence else ()
    total, completed = _sample_counts(log, len(samples))
    return SuiteRun(
        suite=run.rules[0].binding,
        task=run.task,
        task_version=str(log.eval.task_version),
        dataset_digest=dataset_digest(log),
        status=log.status,
        samples_total=total,
        samples_completed=completed,
        log_file=log.location,
        log_sha256=sha256,
        comparability_key=comparability_key(log),
        comparability=comparability_components(log),
        samples=samples,
        sequential=evidence[0].sequential if evidence else None,
        sandbox=_sandbox_of(log),
        elicitation=None if options is None else elicitation_of(run, options),
    )


SALT_SECRET = ".salt-secret"
"""The run folder's secret that its samples' salts derive from; never in a report."""


def _folder_secret(out: Path) -> bytes:
    path = out / SALT_SECRET
    try:
        if not path.exists():
            out.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(secrets.token_bytes(32))
        return path.read_bytes()
    except FileExistsError:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot write run folder {out}: {exc}") from None


def _folder_salted(suites: tuple[SuiteRun, ...], out: Path) -> tuple[SuiteRun, ...]:
    """Each sample salted from the folder's secret.

    So re-assessing the same folder (a replay of the same logs, a resume) gives the
    same report, and nobody without the folder can guess what a digest hides.
    """
    secret = _folder_secret(out)
    return tuple(
        suite.model_copy(
            update={
                "samples": tuple(
                    resalted(s, derived_salt(secret, f"{suite.suite}/{s.id}/{s.epoch}"))
                    for s in suite.samples
                )
            }
        )
        for suite in suites
    )


def _report(
    options: AssessOptions,
    framework: Framework,
    model: str,
    run: RunInfo,
    suites: tuple[SuiteRun, ...],
    evidence: list[Evidence],
    plan: PlanBinding | None = None,
) -> Report:
    suites = _folder_salted(suites, Path(run.out_dir))
    assessment = assess_framework(
        framework, evidence, options.attestations, options.model_card
    )
    return Report(
        redline_version=__version__,
        created_at=datetime.now(UTC),
        model=model,
        framework=FrameworkRef(
            id=framework.id,
            name=framework.name,
            version=framework.version,
            content_hash=framework.content_hash,
        ),
        run=run,
        suites=suites,
        thresholds=assessment.verdicts,
        domains=assessment.domains,
        decision=assessment.decision,
        reasons=assessment.reasons,
        required_safeguards=assessment.required_safeguards,
        outstanding_safeguards=assessment.outstanding_safeguards,
        plan=plan,
    )


def _write(report: Report, out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
        write_report(report, out / "report.json")
        (out / "report.html").write_text(render_html(report), encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write run folder {out}: {exc}") from None


def assess(
    options: AssessOptions = AssessOptions(), runner: TaskRunner = run_tasks
) -> Report:
    """Run a whole assessment and write `report.json` and `report.html` in the run folder.

    With `options.from_logs`, no model is loaded or called: the evidence is read
    from the Inspect logs in those folders. `runner` runs the suites (`run_tasks`'s
    signature): a scale-out runner (`redline.scale`) changes where samples run,
    nothing else.
    """
    source = load_framework_source(options.framework)
    framework = source.framework
    check_attestations(framework, options.attestations)
    plan = select_suites(build_plan(source, options.data_dir), options)
    runs = [item.run for item in plan if item.run is not None]
    if options.from_logs:
        if options.plan is not None:
            raise ConfigError(
                "--plan runs the plan; it cannot read evidence --from-logs"
            )
        return _assess_from_logs(options, framework, runs)
    out, resumed = resolve_out_dir(options, framework)
    binding = _plan_binding(options, source, out, resumed)
    run_options = _with_sandbox(options, [item.suite for item in plan])

    def write_manifest() -> None:
        try:
            out.mkdir(parents=True, exist_ok=True)
            (out / MANIFEST).write_text(
                json.dumps(_manifest(framework, options.run)), encoding="utf-8"
            )
            if binding is not None:
                record_start(out, binding)
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
    # any framework that reads these tasks, so the framework is not part of the run.
    complete, ran = runner(
        runs, log_dir, run_options, framework=framework, on_ready=write_manifest
    )
    logs = [log for _, log in ran]
    failure = _run_failure(logs)
    evidence_by_log = [evidence_for_rules(log, _readings(run)) for run, log in ran]
    report = _report(
        options,
        framework,
        options.run.model,
        RunInfo(
            out_dir=str(out),
            log_dir=str(log_dir),
            limit=options.run.limit,
            seed=options.run.seed,
            complete=complete and failure is None,
            failure=failure,
            smoke_run=_smoke_run(options.run.limit, logs),
            no_evidence=tuple(
                f"no evidence: {run.missing}" for run in runs if run.missing
            ),
        ),
        tuple(
            _suite_run(run, log, per_log, options=options.run)
            for (run, log), per_log in zip(ran, evidence_by_log, strict=True)
        ),
        [e for per_log in evidence_by_log for e in per_log],
        binding,
    )
    _write(report, out)
    return report


def _plan_binding(
    options: AssessOptions, source: FrameworkSource, out: Path, resumed: bool
) -> PlanBinding | None:
    """The run's binding to `options.plan`, checked before any model is called."""
    if options.plan is None:
        return None
    signed, verification = read_plan_file(options.plan)
    actual = plan_of_run(source, options.run, options.data_dir, options.suites)
    return bind_run(
        signed,
        verification.digest,
        actual,
        out,
        options.runs_dir,
        resumed=resumed,
        allow_deviation=options.allow_deviation,
    )


def _assess_from_logs(
    options: AssessOptions, framework: Framework, runs: list[TaskRun]
) -> Report:
    """Verdicts from logs already run; everything is checked before anything is written."""
    logs = read_log_dirs(list(options.from_logs))
    matched = match_logs(runs, logs, options.logs_model)
    used = [(m.run, m.log) for m in matched if m.log is not None]
    evidence_by_log = [evidence_for_rules(f.log, _readings(run)) for run, f in used]
    models = sorted({f.log.eval.model for _, f in used})
    model = options.logs_model or (models[0] if models else "unknown")
    # Never an unfinished live run's folder: a replay is a report of its own.
    out = options.out or _fresh_folder(options.runs_dir)
    report = _report(
        options,
        framework,
        model,
        RunInfo(
            out_dir=str(out),
            log_dir=", ".join(str(d) for d in options.from_logs),
            limit=None,
            seed=None,
            complete=all(f.log.status == "success" for _, f in used),
            from_logs=tuple(_log_ref(f) for f in logs),
            no_evidence=tuple(m.why_none for m in matched if m.log is None),
        ),
        tuple(
            _suite_run(run, f.log, per_log, f.sha256)
            for (run, f), per_log in zip(used, evidence_by_log, strict=True)
        ),
        [e for per_log in evidence_by_log for e in per_log],
    )
    _write(report, out)
    return report


def _log_ref(f: LogFile) -> LogRef:
    return LogRef(
        path=str(f.path), sha256=f.sha256, task=f.log.eval.task, model=f.log.eval.model
    )


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
    "TaskRunner",
    "PlanItem",
    "assess",
    "build_plan",
    "check_attestations",
    "resolve_out_dir",
    "select_suites",
]
