"""Render a report for a terminal with rich."""

from __future__ import annotations

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


def _rule_cells(v: ThresholdVerdict) -> tuple[str, str, str]:
    rule = v.rule
    if isinstance(rule, EvidenceRule):
        subset = f"[{','.join(rule.categories)}]" if rule.categories else ""
        alert = (
            f" (alert {rule.alert_cutoff:g})" if rule.alert_cutoff is not None else ""
        )
        return (
            f"{rule.suite}.{rule.metric}{subset}",
            f"{rule.comparator} {rule.cutoff:g}{alert}",
            str(v.n),
        )
    return f"model card {rule.property}", f"{rule.comparator} {rule.value:g}", "-"


def render_summary(report: Report, explain: bool = False) -> RenderableType:
    """The summary table per threshold, then the decision, its reasons and safeguards.

    Args:
        report: The report.
        explain: Also print every threshold's reasoning trail.
    """
    confidence = report.thresholds[0].confidence if report.thresholds else 0.95
    table = Table(
        title=f"{report.model} under {report.framework.id} {report.framework.version}"
    )
    table.add_column("threshold", no_wrap=True)
    table.add_column("level")
    table.add_column("domain")
    table.add_column("evidence", no_wrap=True)
    table.add_column("estimate", justify="right", no_wrap=True)
    table.add_column(f"{confidence:.0%} CI", justify="right", no_wrap=True)
    table.add_column("n", justify="right")
    table.add_column("unscored", justify="right")
    table.add_column("cutoff", justify="right", no_wrap=True)
    table.add_column("verdict", no_wrap=True)
    for v in report.thresholds:
        evidence, cutoff, n = _rule_cells(v)
        verdict = Text(v.verdict.value, style=_VERDICT_STYLE[v.verdict])
        if v.verdict is not v.counted_as:
            verdict.append(f" (as {v.counted_as.value})", style="dim")
        ci = (
            "-"
            if v.ci_lower is None or v.ci_upper is None or v.ci_method == "declared"
            else f"[{v.ci_lower:.3f}, {v.ci_upper:.3f}]"
        )
        table.add_row(
            v.threshold_id,
            v.level or "",
            v.domain,
            # Text, not markup: a category subset like [biology] is not a style tag.
            Text(evidence + (f" (+{len(v.rules) - 1})" if len(v.rules) > 1 else "")),
            "n/a"
            if v.estimate is None
            else f"{v.estimate:.3g}"
            if v.ci_method == "declared"
            else f"{v.estimate:.3f}",
            Text(ci),
            n,
            str(v.unscored),
            cutoff,
            verdict,
        )
    decision = Text("Decision: ", style="bold")
    decision.append(
        decision_label(report.decision), style=_DECISION_STYLE[report.decision]
    )
    parts: list[RenderableType] = [table, decision]
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
        for v in report.thresholds:
            parts.append(Text(f"\n{v.threshold_id}: {v.name}", style="bold"))
            parts.extend(Text(f"  {i}. {line}") for i, line in enumerate(v.trail, 1))
    if not report.run.complete:
        parts.append(
            Text("Run incomplete: re-run the same command to resume.", style="yellow")
        )
    return Group(*parts)
