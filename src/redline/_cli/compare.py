"""`redline compare`: compare reports of the same evaluation."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from redline._cli.common import stdout_console
from redline.reports import Comparison, compare_reports, read_report_file


def _num(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "-"
    return f"{value:+.3f}" if signed else f"{value:.3f}"


def _letters(labels: tuple[str, ...]) -> dict[str, str]:
    """A, B, C, ... per report, so columns hold numbers instead of file paths."""
    return {
        label: chr(ord("A") + i) if i < 26 else f"R{i + 1}"
        for i, label in enumerate(labels)
    }


def _estimate(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def render_comparison(comparison: Comparison) -> list[Table | str]:
    """Tables and lines that show a comparison in a terminal.

    Reports are named A, B, ... in a legend; a row that only some reports have shows
    `n/a` for the others, and its agreement is `n/a`, never `yes`.
    """
    letter = _letters(comparison.labels)
    legend = "Legend: " + "; ".join(
        f"{letter[label]} = {label}" for label in comparison.labels
    )
    confidence = f"{comparison.confidence:.0%}"
    metrics = Table(title="Metrics", title_justify="left")
    for column in (
        "suite",
        "pair",
        "first",
        "second",
        f"Δ [{confidence} CI]",
        "p",
        "n",
        "flag",
    ):
        metrics.add_column(column)
    for m in comparison.metrics:
        values = {v.label: v for v in m.values}
        for d in m.differences:
            flag = "DISCREPANT" if d.discrepant else ""
            if not m.comparable:
                flag = (flag + " keys differ").strip()
            first, second = values.get(d.a), values.get(d.b)
            metrics.add_row(
                m.suite,
                f"{letter.get(d.a, d.a)} − {letter.get(d.b, d.b)}",
                _estimate(first.estimate if first else None),
                _estimate(second.estimate if second else None),
                f"{_num(d.difference, signed=True)} "
                f"[{_num(d.ci_lower, True)}, {_num(d.ci_upper, True)}]",
                "-" if d.p_value is None else f"{d.p_value:.3g} ({d.test})",
                str(d.n),
                flag,
            )
    verdicts = Table(title="Verdicts", title_justify="left")
    verdicts.add_column("threshold")
    for label in comparison.labels:
        verdicts.add_column(letter[label])
    verdicts.add_column("agree")
    for t in comparison.thresholds:
        cells = [t.verdicts.get(label, "n/a") for label in comparison.labels]
        one_sided = any(label not in t.verdicts for label in comparison.labels)
        agree = "n/a" if one_sided else "yes" if t.concordant else "NO"
        verdicts.add_row(t.threshold_id, *cells, agree)
    concordance = comparison.verdict_concordance
    lines: list[Table | str] = [legend, metrics, verdicts]
    lines.append(
        f"Verdict concordance: {_num(concordance)}; decisions "
        + ("agree" if comparison.decision_concordant else "DIFFER")
        + f"; Krippendorff's alpha {_num(comparison.alpha)} "
        f"over {comparison.alpha_units} samples"
    )
    lines += [f"Discrepancy: {line}" for line in comparison.discrepancies]
    lines += [f"Note: {line}" for line in comparison.notes]
    return lines


@click.command("compare")
@click.argument(
    "paths", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False)
)
@click.option(
    "--allow-incomparable",
    is_flag=True,
    help="Compare suites run under different comparability keys (noted in the output).",
)
@click.option(
    "--confidence", type=click.FloatRange(0.5, 0.999), default=0.95, show_default=True
)
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON.")
def compare_command(
    paths: tuple[Path, ...], allow_incomparable: bool, confidence: float, as_json: bool
) -> None:
    """Compare two or more reports (plain or signed) of the same evaluation.

    Refuses, naming what differs, when a suite ran under different comparability keys
    unless --allow-incomparable is given.
    """
    labels = [p.name for p in paths]
    if len(set(labels)) != len(labels):
        labels = [str(p) for p in paths]
    reports = [
        (label, read_report_file(p)[0]) for label, p in zip(labels, paths, strict=True)
    ]
    comparison = compare_reports(
        reports, confidence=confidence, allow_incomparable=allow_incomparable
    )
    if as_json:
        click.echo(comparison.model_dump_json(indent=2))
        return
    console = stdout_console()
    for item in render_comparison(comparison):
        console.print(item)
