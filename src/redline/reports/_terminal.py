"""Render a report for a terminal with rich."""

from __future__ import annotations

import csv
import io
import json
from typing import Literal

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from redline.frameworks import Decision, EvidenceRule, ThresholdVerdict, Verdict
from redline.reports._schema import Report

_VERDICT_STYLE = {
    Verdict.BELOW: "green",
    Verdict.APPROACHING: "dark_orange",
    Verdict.CROSSED: "bold red",
    Verdict.INCONCLUSIVE: "yellow",
}
_DECISION_STYLE = {
    Decision.DEPLOY: "bold green",
    Decision.DEPLOY_WITH_SAFEGUARDS: "bold yellow",
    Decision.DO_NOT_DEPLOY: "bold red",
    Decision.HALT_DEVELOPMENT: "bold white on red",
}


def format_estimate(verdict: ThresholdVerdict) -> str:
    """`0.812 [0.701, 0.889]`, or `n/a` when nothing was scored."""
    if verdict.estimate is None:
        return "n/a"
    if verdict.ci_lower is None or verdict.ci_upper is None:
        return f"{verdict.estimate:g}"
    return f"{verdict.estimate:.3f} [{verdict.ci_lower:.3f}, {verdict.ci_upper:.3f}]"


def correction_line(verdict: ThresholdVerdict) -> str | None:
    """One line on the scorer-error correction of a threshold's deciding rule, if any."""
    c = verdict.correction
    if c is None or c.estimate is None or c.raw_estimate is None:
        return None
    error = c.scorer_error
    measured = (
        f"{error.scorer}: sensitivity {c.sensitivity:.3f} ({error.true_positives}/{error.positives}), "
        f"specificity {c.specificity:.3f} ({error.true_negatives}/{error.negatives})"
    )
    corrected = f"{c.estimate:.3f} [{c.ci_lower:.3f}, {c.ci_upper:.3f}]"
    raw = f"{c.raw_estimate:.3f} [{c.raw_ci_lower:.3f}, {c.raw_ci_upper:.3f}] ({c.raw_ci_method})"
    if c.applied:
        return f"{verdict.threshold_id}: corrected for {measured}: {corrected}; uncorrected {raw}"
    return f"{verdict.threshold_id}: correction off, verdict reads uncorrected {raw}; corrected for {measured} would be {corrected}"


def decision_label(decision: Decision) -> str:
    """Human label of a decision, e.g. `deploy with safeguards`."""
    return decision.value.replace("_", " ")


TableFormat = Literal["table", "markdown", "csv", "json"]
TABLE_FORMATS: tuple[str, ...] = ("table", "markdown", "csv", "json")
TOP_REASONS = 5
"""Unscored reasons listed when a run fails for infrastructure reasons."""

_ALWAYS_SHOWN = ("threshold", "estimate", "ci", "n", "verdict")
"""Columns a reader needs to check a verdict; others are dropped when every row is empty."""


def _rule_cells(v: ThresholdVerdict) -> tuple[str, str, str]:
    rule = v.rule
    if isinstance(rule, EvidenceRule):
        subset = f"[{','.join(rule.categories)}]" if rule.categories else ""
        alert = (
            f" (alert {rule.alert_cutoff:g})" if rule.alert_cutoff is not None else ""
        )
        return (
            f"{rule.binding}.{rule.metric}{subset}",
            f"{rule.comparator} {rule.cutoff:g}{alert}",
            str(v.n),
        )
    return f"model card {rule.property}", f"{rule.comparator} {rule.value:g}", "-"


def verdict_rows(report: Report) -> list[dict[str, str]]:
    """One row of plain strings per threshold: what every table format prints."""
    rows = []
    for v in report.thresholds:
        evidence, cutoff, n = _rule_cells(v)
        verdict = v.verdict.value
        if v.verdict is not v.counted_as:
            verdict += f" (as {v.counted_as.value})"
        rows.append(
            {
                "threshold": v.threshold_id,
                "level": v.level or "",
                "domain": v.domain,
                "evidence": evidence
                + (f" (+{len(v.rules) - 1})" if len(v.rules) > 1 else ""),
                "estimate": "n/a"
                if v.estimate is None
                else f"{v.estimate:.3g}"
                if v.ci_method == "declared"
                else f"{v.estimate:.3f}",
                "ci": "-"
                if v.ci_lower is None or v.ci_upper is None or v.ci_method == "declared"
                else f"[{v.ci_lower:.3f}, {v.ci_upper:.3f}]",
                "n": n,
                "unscored": str(v.unscored),
                "cutoff": cutoff,
                "verdict": verdict,
            }
        )
    return rows


def _columns(report: Report, rows: list[dict[str, str]]) -> dict[str, str]:
    """Column key -> header, without columns that are empty in every row."""
    confidence = report.thresholds[0].confidence if report.thresholds else 0.95
    headers = {
        "threshold": "threshold",
        "level": "level",
        "domain": "domain",
        "evidence": "evidence",
        "estimate": "estimate",
        "ci": f"{confidence:.0%} CI",
        "n": "n",
        "unscored": "unscored",
        "cutoff": "cutoff",
        "verdict": "verdict",
    }
    return {
        key: header
        for key, header in headers.items()
        if key in _ALWAYS_SHOWN or any(row[key] for row in rows)
    }


def render_verdicts(report: Report, fmt: TableFormat) -> str:
    """The verdict table as Markdown, CSV or JSON (rows keyed by column).

    For pasting into a document or reading by a program; `table` is the rich
    summary instead.
    """
    rows = verdict_rows(report)
    if fmt == "json":
        return json.dumps(rows, indent=2)
    columns = _columns(report, rows)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns.values())
        writer.writerows([row[key] for key in columns] for row in rows)
        return buffer.getvalue()
    if fmt == "markdown":

        def cell(text: str) -> str:
            return text.replace("|", "\\|")

        lines = [
            "| " + " | ".join(columns.values()) + " |",
            "|" + "|".join("---" for _ in columns) + "|",
        ]
        lines += [
            "| " + " | ".join(cell(row[key]) for key in columns) + " |" for row in rows
        ]
        return "\n".join(lines) + "\n"
    raise ValueError(f"format must be one of {', '.join(TABLE_FORMATS)}, got {fmt!r}")


def verdict_table(report: Report) -> Table:
    """The per-threshold table; essential columns never shrink, long text wraps."""
    rows = verdict_rows(report)
    columns = _columns(report, rows)
    table = Table(
        title=f"{report.model} under {report.framework.id} {report.framework.version}"
    )
    for key, header in columns.items():
        # Numbers keep their full width; names and evidence wrap. The verdict may
        # wrap only after its first word, so "inconclusive" is always whole.
        table.add_column(
            header,
            justify="right" if key in ("estimate", "ci", "n", "unscored") else "left",
            no_wrap=key in ("estimate", "ci", "n"),
            min_width=len("inconclusive") if key == "verdict" else len(header),
            overflow="fold",
        )
    for v, row in zip(report.thresholds, rows, strict=True):
        cells: list[RenderableType] = []
        for key in columns:
            if key == "verdict":
                verdict = Text(v.verdict.value, style=_VERDICT_STYLE[v.verdict])
                if v.verdict is not v.counted_as:
                    verdict.append(f" (as {v.counted_as.value})", style="dim")
                cells.append(verdict)
            else:
                # Text, not markup: a category subset like [biology] is not a style tag.
                cells.append(Text(row[key]))
        table.add_row(*cells)
    return table


def _failure_parts(report: Report) -> list[RenderableType]:
    failure = report.run.failure
    assert failure is not None
    parts: list[RenderableType] = [
        Text("Run failed: ", style="bold red").append(Text(failure.message, style="")),
        Text("Top unscored reasons:", style="bold"),
    ]
    for reason, count in list(failure.reasons.items())[:TOP_REASONS]:
        parts.append(Text(f"  {count:>5}  {reason}"))
    parts.append(
        Text(
            "No decision: the samples failed before the model could answer, "
            "so nothing was measured.",
            style="bold yellow",
        )
    )
    return parts


def smoke_note(report: Report) -> str:
    """The line that marks a decision reached under `--limit` as a smoke run."""
    return (
        f"Smoke run: --limit {report.run.limit} read only part of the suites' data; "
        "the decision below checks the setup and is not a finding."
    )


def render_summary(report: Report, explain: bool = False) -> RenderableType:
    """The summary table per threshold, then the decision, its reasons and safeguards.

    A run that failed for infrastructure reasons shows its failure and top unscored
    reasons instead, and no decision.

    Args:
        report: The report.
        explain: Also print every threshold's reasoning trail.
    """
    if report.run.failure is not None:
        return Group(*_failure_parts(report))
    parts: list[RenderableType] = [verdict_table(report)]
    if report.run.smoke_run:
        parts.append(Text(smoke_note(report), style="bold magenta"))
    decision = Text(
        "Decision (smoke run): " if report.run.smoke_run else "Decision: ",
        style="bold",
    )
    decision.append(
        decision_label(report.decision), style=_DECISION_STYLE[report.decision]
    )
    parts.append(decision)
    parts.extend(Text(f"  - {reason}") for reason in report.reasons)  # never markup
    if report.required_safeguards:
        parts.append(
            Text("Required safeguards: " + ", ".join(report.required_safeguards))
        )
    if report.outstanding_safeguards:
        parts.append(
            Text(
                "Not yet evidenced: " + ", ".join(report.outstanding_safeguards),
                style="yellow",
            )
        )
    for v in report.thresholds:
        if (line := correction_line(v)) is not None:
            parts.append(Text("Scorer error: " + line, style="magenta"))
    if report.plan is not None:
        deviations = report.plan.deviations
        parts.append(
            Text(
                f"Plan: {report.plan.digest}, "
                + (f"{len(deviations)} deviation(s)" if deviations else "no deviation"),
                style="yellow" if deviations else "",
            )
        )
        parts.extend(Text(f"  - {d.message}", style="yellow") for d in deviations)
    for suite in report.suites:
        for metric, scored in dict(
            suite.comparability.get("scorer_context") or {}
        ).items():
            if not scored.get("corrected", True):
                parts.append(
                    Text(
                        f"Scorer error: {suite.suite}/{metric}: no usable validation of "
                        f"{scored.get('scorer')} on {scored.get('question')} in the "
                        f"{scored.get('context')} context; rate not corrected",
                        style="magenta",
                    )
                )
        if suite.sequential is not None:
            seq = suite.sequential
            how = "stopped early" if seq.stopped_early else "ran every sample"
            parts.append(
                Text(
                    f"Sequential: {suite.suite} {how} after "
                    f"{seq.samples_used}/{seq.samples_total} samples ({seq.reason})",
                    style="cyan",
                )
            )
    if explain:
        # The decision's reasons are printed above; the trails add each threshold's
        # steps without repeating a line already shown.
        shown = set(report.reasons)
        for v in report.thresholds:
            parts.append(Text(f"\n{v.threshold_id}: {v.name}", style="bold"))
            steps = [line for line in dict.fromkeys(v.trail) if line not in shown]
            parts.extend(Text(f"  {i}. {line}") for i, line in enumerate(steps, 1))
            shown.update(steps)
    if not report.run.complete:
        parts.append(
            Text("Run incomplete: re-run the same command to resume.", style="yellow")
        )
    return Group(*parts)
