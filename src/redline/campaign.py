"""Campaigns: every model under every framework in one command, one run folder each.

A campaign folder holds one assessment run folder per (model, framework) pair, laid
out exactly as `redline assess --out` writes it, and a summary across them:

```
runs/campaign-<timestamp>/
  campaign.json                      what was asked, and one row per pair
  campaign.csv                       the same rows, for a spreadsheet
  <model>__<framework>/              run.json, logs/, report.json, report.html
```

Each pair is assessed by the library's `assess`, so resume, sequential stopping and
fault handling are the ones a single assessment has. Re-running the same campaign
skips pairs whose report is complete and resumes the others. Where each assessment
runs is the caller's choice (`runner`): this process by default, or a Ray cluster
through the scale-out runner, which the CLI looks up only when `--ray` is given, so
a campaign needs no Ray installed and this module never imports it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from redline._util.settings import changed_settings
from redline.assess import AssessOptions, assess, build_plan
from redline.errors import ConfigError, RedlineError
from redline.evals import check_model
from redline.frameworks import Verdict, load_framework_source
from redline.reports import Report, decision_label, load_report

CAMPAIGN_FILE = "campaign.json"
CAMPAIGN_CSV = "campaign.csv"
Runner = Callable[[AssessOptions], Report]
"""Runs one assessment and writes its run folder: `redline.assess.assess` or a twin
that runs the suites elsewhere (on Ray)."""

_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class PairResult(BaseModel):
    """One (model, framework) pair of a campaign and what its assessment found."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", use_attribute_docstrings=True
    )

    model: str
    """Inspect model string."""
    framework: str
    """Framework id."""
    folder: str
    """The pair's run folder, relative to the campaign folder."""
    status: str
    """done (a complete report), incomplete (re-run to resume) or failed (an error)."""
    decision: str | None = None
    """The deployment decision, as the report labels it; None without a report."""
    smoke_run: bool = False
    """Whether `--limit` cut a suite short, so the decision is no finding."""
    crossed: int = 0
    """Thresholds whose verdict is crossed."""
    approaching: int = 0
    """Thresholds whose verdict is approaching."""
    below: int = 0
    """Thresholds whose verdict is below."""
    inconclusive: int = 0
    """Thresholds whose verdict is inconclusive."""
    error: str | None = None
    """Why the pair failed, in one line (status failed)."""


class CampaignSummary(BaseModel):
    """What `campaign.json` holds: the campaign as asked, and one row per pair."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", use_attribute_docstrings=True
    )

    schema_version: int = 1
    """Version of this file's layout."""
    models: tuple[str, ...]
    """Models, in the order given."""
    frameworks: tuple[str, ...]
    """Frameworks as given (built-in ids or paths)."""
    settings: dict[str, Any]
    """Run settings every pair shares; a re-run must give the same ones."""
    updated_at: datetime
    """When the summary was last written."""
    pairs: tuple[PairResult, ...] = ()
    """One row per pair, models outer, frameworks inner."""


@dataclass(frozen=True)
class CampaignOptions:
    """Everything `redline campaign` takes."""

    models: tuple[str, ...]
    frameworks: tuple[str, ...]
    out: Path | None = None
    """Campaign folder. None: the newest unfinished matching one in `runs_dir`, or a
    new `campaign-<timestamp>` there."""
    runs_dir: Path = Path("runs")
    assessment: AssessOptions = field(default_factory=AssessOptions)
    """Options every pair's assessment shares; its model, framework and out are set
    per pair."""
    notify: Callable[[str], None] | None = None
    """Called with one line of progress per pair."""


@dataclass(frozen=True)
class Campaign:
    """A finished (or interrupted) campaign: its folder and its summary."""

    folder: Path
    summary: CampaignSummary
    reports: dict[tuple[str, str], Report]
    """The report of every pair that has one, by (model, framework id)."""


def folder_name(model: str, framework_id: str) -> str:
    """`<model>__<framework>`, with anything but letters, digits, `._-` made `-`."""
    return f"{_UNSAFE_NAME.sub('-', model)}__{_UNSAFE_NAME.sub('-', framework_id)}"


def _settings(options: CampaignOptions) -> dict[str, Any]:
    """What must match for a re-run to resume a campaign rather than mix two.

    Operational knobs (connections, retries, timeouts, display) are left out: changing
    them does not change what is measured.
    """
    run = options.assessment.run
    data_dir = options.assessment.data_dir
    return {
        "limit": run.limit,
        "seed": run.seed,
        "sequential": run.sequential,
        "budget": asdict(run.budget),
        "temperature": run.temperature,
        "max_tokens": run.max_tokens,
        "judge": run.judge,
        "sandbox": run.sandbox,
        "task_args": [[s, [list(a) for a in args]] for s, args in run.task_args],
        "data_dir": str(data_dir) if data_dir is not None else None,
        "suites": list(options.assessment.suites),
    }


def _check_unique(values: tuple[str, ...], what: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ConfigError(f"--{what} {value!r} is given twice; give each once")
        seen.add(value)


def _framework_ids(options: CampaignOptions) -> list[str]:
    """Each framework's id, every one loaded and its plan checked before any model call."""
    ids: dict[str, str] = {}
    for given in options.frameworks:
        source = load_framework_source(given)
        build_plan(source, options.assessment.data_dir)
        framework_id = source.framework.id
        if framework_id in ids:
            raise ConfigError(
                f"--framework {given!r} is framework {framework_id!r} again "
                f"(as --framework {ids[framework_id]!r}); give each once"
            )
        ids[framework_id] = given
    return list(ids)


def _check_folders(models: tuple[str, ...]) -> None:
    names: dict[str, str] = {}
    for model in models:
        name = folder_name(model, "")
        if name in names:
            raise ConfigError(
                f"--model {model!r} and --model {names[name]!r} would share run "
                f"folders ({name}<framework>); rename one"
            )
        names[name] = model


def _read_summary(folder: Path) -> CampaignSummary | None:
    path = folder / CAMPAIGN_FILE
    if not path.is_file():
        return None
    try:
        return CampaignSummary.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise ConfigError(f"{path}: not a readable campaign summary: {first}") from None


def _is_unfinished(folder: Path, pairs: list[str]) -> bool:
    # The run folders, not the summary, say what is done: a summary written before a
    # crash, or a report removed since, must not hide a pair left to run.
    return any(_finished_report(folder / pair) is None for pair in pairs)


def _campaign_folder(
    options: CampaignOptions, settings: dict[str, Any], pairs: list[str]
) -> Path:
    """The folder to write: `--out`, else the newest unfinished matching campaign."""

    def changed(summary: CampaignSummary) -> list[str]:
        asked = {"models": options.models, "frameworks": options.frameworks}
        recorded = {"models": summary.models, "frameworks": summary.frameworks}
        return changed_settings({**recorded, **summary.settings}, {**asked, **settings})

    if options.out is not None:
        summary = _read_summary(options.out)
        differing = changed(summary) if summary is not None else []
        if differing:
            raise ConfigError(
                f"{options.out / CAMPAIGN_FILE}: this folder holds a campaign of other "
                f"models, frameworks or settings (it differs in {', '.join(differing)}); "
                "re-run it as it was started, or give a new --out"
            )
        return options.out
    if options.runs_dir.is_dir():
        for folder in sorted(options.runs_dir.glob("campaign-*"), reverse=True):
            try:
                summary = _read_summary(folder)
            except ConfigError:
                continue
            if (
                summary is not None
                and not changed(summary)
                and _is_unfinished(folder, pairs)
            ):
                return folder
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    folder, suffix = options.runs_dir / f"campaign-{stamp}", 1
    while folder.exists():
        suffix += 1
        folder = options.runs_dir / f"campaign-{stamp}-{suffix}"
    return folder


def _finished_report(folder: Path) -> Report | None:
    path = folder / "report.json"
    if not path.is_file():
        return None
    report = load_report(path)
    return report if report.run.complete else None


def _result(
    model: str, framework_id: str, name: str, report: Report | None, error: str = ""
) -> PairResult:
    if report is None:
        return PairResult(
            model=model,
            framework=framework_id,
            folder=name,
            status="failed",
            error=error or None,
        )
    verdicts = [t.verdict for t in report.thresholds]
    return PairResult(
        model=model,
        framework=framework_id,
        folder=name,
        status="done" if report.run.complete else "incomplete",
        decision=decision_label(report.decision),
        smoke_run=report.run.smoke_run,
        crossed=verdicts.count(Verdict.CROSSED),
        approaching=verdicts.count(Verdict.APPROACHING),
        below=verdicts.count(Verdict.BELOW),
        inconclusive=verdicts.count(Verdict.INCONCLUSIVE),
        error=report.run.failure.message if report.run.failure else None,
    )


def _write_summary(folder: Path, summary: CampaignSummary) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / CAMPAIGN_FILE).write_text(
            summary.model_dump_json(indent=2) + "\n", encoding="utf-8"
        )
        (folder / CAMPAIGN_CSV).write_text(summary_csv(summary), encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write campaign folder {folder}: {exc}") from None


def summary_csv(summary: CampaignSummary) -> str:
    """The pairs as CSV, one row each, with a header."""
    buffer = io.StringIO()
    columns = list(PairResult.model_fields)
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for pair in summary.pairs:
        writer.writerow(pair.model_dump())
    return buffer.getvalue()


def run_campaign(options: CampaignOptions, runner: Runner = assess) -> Campaign:
    """Assess every model under every framework, then write the campaign summary.

    Everything is checked before the first model call: duplicate models or
    frameworks, each framework and its plan, and each model string. A pair whose assessment fails for bad input or a broken
    setup is recorded as failed with its reason, and the others still run; the
    summary is rewritten after each pair, so an interrupted campaign shows where
    it stopped.

    Raises:
        ConfigError: Bad input, before anything is written.
    """
    if not options.models:
        raise ConfigError("--model: give at least one model")
    if not options.frameworks:
        raise ConfigError("--framework: give at least one framework")
    _check_unique(options.models, "model")
    _check_unique(options.frameworks, "framework")
    framework_ids = _framework_ids(options)
    _check_folders(options.models)
    base = options.assessment
    for model in options.models:
        check_model(model, base.run.model_base_url, **dict(base.run.model_args))
    settings = _settings(options)
    pairs = [folder_name(m, f) for m in options.models for f in framework_ids]
    folder = _campaign_folder(options, settings, pairs)

    results: list[PairResult] = []
    reports: dict[tuple[str, str], Report] = {}

    def write() -> CampaignSummary:
        summary = CampaignSummary(
            models=options.models,
            frameworks=options.frameworks,
            settings=settings,
            updated_at=datetime.now(UTC),
            pairs=tuple(results),
        )
        _write_summary(folder, summary)
        return summary

    write()
    for model in options.models:
        for given, framework_id in zip(options.frameworks, framework_ids, strict=True):
            name = folder_name(model, framework_id)
            pair_dir = folder / name
            report = _finished_report(pair_dir)
            if report is not None:
                _say(options, f"{model} x {framework_id}: done before, skipped")
            else:
                _say(options, f"{model} x {framework_id}: assessing into {pair_dir}")
                assessment = replace(
                    base,
                    framework=given,
                    out=pair_dir,
                    run=replace(base.run, model=model),
                )
                try:
                    report = runner(assessment)
                except RedlineError as exc:
                    results.append(_result(model, framework_id, name, None, str(exc)))
                    _say(options, f"{model} x {framework_id}: failed: {exc}")
                    write()
                    continue
            reports[(model, framework_id)] = report
            results.append(_result(model, framework_id, name, report))
            write()
    return Campaign(folder, write(), reports)


def _say(options: CampaignOptions, line: str) -> None:
    if options.notify is not None:
        options.notify(line)


__all__ = [
    "CAMPAIGN_CSV",
    "CAMPAIGN_FILE",
    "Runner",
    "Campaign",
    "CampaignOptions",
    "CampaignSummary",
    "PairResult",
    "folder_name",
    "run_campaign",
    "summary_csv",
]
