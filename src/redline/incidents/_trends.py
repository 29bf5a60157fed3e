"""Incident counts over time per group (risk domain, harm type, sector...), as a table and a chart."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from redline.errors import InputError, PrerequisiteError

Interval = Literal["year", "quarter", "month"]

NO_GROUP = "(none)"
"""The group a row with no group values is counted under."""
OTHER_GROUP = "(other)"
"""With `top`, the groups beyond the top ones are summed under this name."""


class TrendTable(BaseModel):
    """Counts per period and group, with every period between the first and last present."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", use_attribute_docstrings=True
    )

    interval: Interval
    """Period length."""
    periods: list[str]
    """Period labels in order, contiguous: `2021`, `2021-Q3` or `2021-07`."""
    series: dict[str, list[int]]
    """Group -> count per period (aligned with `periods`), largest total first."""
    totals: dict[str, int]
    """Group -> count over all periods, in `series` order."""
    period_totals: list[int]
    """Rows (incidents) per period, each counted once whatever its groups."""
    rows: int
    """Rows counted."""


def _period(day: date, interval: Interval) -> tuple[int, int]:
    if interval == "year":
        return day.year, 0
    if interval == "quarter":
        return day.year, (day.month - 1) // 3
    return day.year, day.month - 1


def _label(year: int, step: int, interval: Interval) -> str:
    if interval == "year":
        return str(year)
    if interval == "quarter":
        return f"{year}-Q{step + 1}"
    return f"{year}-{step + 1:02d}"


def partial_periods(table: TrendTable, as_of: date) -> list[str]:
    """Periods of `table` that `as_of` falls inside: still being counted, not a drop.

    Only the period holding `as_of` can be partial; earlier ones are complete.
    """
    label = _label(*_period(as_of, table.interval), table.interval)
    return [label] if label in table.periods else []


def count_trends(
    rows: Iterable[tuple[date, Sequence[str]]],
    interval: Interval = "year",
    top: int | None = None,
) -> TrendTable:
    """Count incidents per period and group.

    An incident is counted once under each distinct group it has, so a series'
    counts can add up to more than the period's incidents (`period_totals` has
    those); an incident with no group is counted under "(none)". Periods run
    from the first to the last present, zero-filled in between, so a chart's
    time axis has no gaps.

    Args:
        rows: (date, group values) per incident, e.g. `(r.date, r.risk_domains)`.
        interval: `year`, `quarter` or `month`.
        top: Keep the `top` groups with the largest totals and sum the rest
            under "(other)"; None keeps all.

    Returns:
        The table; empty periods and series when there are no rows.

    Raises:
        InputError: An unknown interval, or `top` below 1.
    """
    if interval not in ("year", "quarter", "month"):
        raise InputError(
            f"unknown trend interval {interval!r}; expected year, quarter or month"
        )
    if top is not None and top < 1:
        raise InputError(f"top must be 1 or more, got {top}")
    counts: Counter[tuple[str, tuple[int, int]]] = Counter()
    per_period: Counter[tuple[int, int]] = Counter()
    seen = 0
    for day, groups in rows:
        key = _period(day, interval)
        per_period[key] += 1
        seen += 1
        for group in sorted(set(groups)) or [NO_GROUP]:
            counts[group, key] += 1
    if not per_period:
        return TrendTable(
            interval=interval,
            periods=[],
            series={},
            totals={},
            period_totals=[],
            rows=0,
        )
    steps = {"year": 1, "quarter": 4, "month": 12}[interval]
    first, last = min(per_period), max(per_period)
    keys = [
        divmod(index, steps)
        for index in range(first[0] * steps + first[1], last[0] * steps + last[1] + 1)
    ]
    totals: Counter[str] = Counter()
    for (group, _), count in counts.items():
        totals[group] += count
    # Largest total first; ties by name, so the order is deterministic.
    order = sorted(totals, key=lambda g: (-totals[g], g))
    series = {g: [counts[g, k] for k in keys] for g in order}
    if top is not None and len(order) > top:
        kept, rest = order[:top], order[top:]
        other = [sum(series[g][i] for g in rest) for i in range(len(keys))]
        series = {g: series[g] for g in kept}
        series[OTHER_GROUP] = other
    return TrendTable(
        interval=interval,
        periods=[_label(year, step, interval) for year, step in keys],
        series=series,
        totals={g: sum(values) for g, values in series.items()},
        period_totals=[per_period[k] for k in keys],
        rows=seen,
    )


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise PrerequisiteError(
            "trend charts need matplotlib: pip install 'redline[server]'"
        ) from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def write_trend_chart(
    table: TrendTable,
    path: str | Path,
    *,
    title: str = "Incidents over time",
    as_of: date | None = None,
) -> Path:
    """Draw a trend table as a stacked bar chart, PNG or SVG by the path's suffix.

    Bars stack incident-group pairs (an incident with two groups is in two bars), so a
    line marks the number of incidents per period; the period holding `as_of` is
    hatched and labelled partial, so a year still in progress does not read as a fall.

    Args:
        table: Counts from `count_trends`.
        path: Where to write; `.png` or `.svg`.
        title: Chart title.
        as_of: The date the data runs to (usually today); None marks no period partial.

    Returns:
        The path written.

    Raises:
        InputError: The suffix is neither .png nor .svg, or the table has no rows.
        PrerequisiteError: matplotlib is not installed.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".png", ".svg"):
        raise InputError(
            f"{target}: cannot draw a chart as {suffix or 'a file without suffix'!r}; "
            "expected a path ending in .png or .svg"
        )
    if not table.periods:
        raise InputError("no incidents to chart: the trend table is empty")
    plt = _pyplot()
    # A fixed salt and no date keep the SVG byte-stable between identical runs.
    plt.rcParams["svg.hashsalt"] = "redline"
    width = min(16.0, max(6.0, 0.35 * len(table.periods) + 3.0))
    figure, axes = plt.subplots(figsize=(width, 5.0))
    positions = list(range(len(table.periods)))
    bottom = [0] * len(positions)
    colours = plt.get_cmap("tab10").colors
    for index, (group, values) in enumerate(table.series.items()):
        axes.bar(
            positions,
            values,
            bottom=bottom,
            label=group,
            color=colours[index % len(colours)],
            width=0.85,
        )
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    axes.plot(
        positions,
        table.period_totals,
        color="black",
        marker="o",
        markersize=3,
        linewidth=1.2,
        label="incidents (each counted once)",
    )
    partial = set(partial_periods(table, as_of)) if as_of is not None else set()
    labels = [f"{p} (partial)" if p in partial else p for p in table.periods]
    for index, period in enumerate(table.periods):
        if period in partial:
            axes.bar(
                [index],
                [bottom[index]],
                width=0.85,
                fill=False,
                hatch="//",
                edgecolor="grey",
                linewidth=0,
                label=f"partial period (data to {as_of})",
            )
    # Long month or quarter series: label every n-th period so labels stay legible.
    stride = max(1, len(positions) // 24)
    axes.set_xticks(positions[::stride], labels[::stride], rotation=60, ha="right")
    axes.set_xlabel(table.interval)
    axes.set_ylabel("incident-group pairs (bars); incidents (line)")
    axes.set_title(title)
    axes.grid(axis="y", alpha=0.3)
    axes.legend(fontsize="small", loc="upper left", frameon=False)
    figure.tight_layout()
    target.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(
        target, dpi=120, metadata={"Date": None} if suffix == ".svg" else None
    )
    plt.close(figure)
    return target
