"""Plotly figure specs for the dashboard's charts, as JSON-ready dicts.

plotly.js (shipped inside the `plotly` Python package and served by the dashboard)
draws them; this module only says what to draw. Colours come from the Okabe-Ito
palette, which stays distinguishable under the common colour-vision deficiencies, and
every verdict also carries its own marker symbol and a text label, so colour is never
the only cue.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from redline.econ import Comparison, ShareTable
from redline.reports import Report, SuiteRun
from redline.stats import confidence_sequence

# Okabe & Ito (2008), "Color Universal Design".
VERDICT_COLOURS = {
    "crossed": "#D55E00",
    "inconclusive": "#CC79A7",
    "approaching": "#E69F00",
    "below": "#009E73",
}
VERDICT_SYMBOLS = {
    "crossed": "x",
    "inconclusive": "diamond-open",
    "approaching": "triangle-up",
    "below": "circle",
}
SERIES_COLOURS = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#E69F00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#000000",
)
_LAYOUT: dict[str, Any] = {
    "margin": {"l": 60, "r": 20, "t": 50, "b": 50},
    "font": {"size": 13},
    "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
    "plot_bgcolor": "#ffffff",
}
_MAX_SEQUENCE_POINTS = 120


def _rule_cutoffs(rule: Any) -> tuple[float | None, float | None]:
    return getattr(rule, "cutoff", None), getattr(rule, "alert_cutoff", None)


def forest_plot(report: Report) -> dict[str, Any]:
    """Every threshold's estimate and interval beside its cutoff and alert cutoff."""
    traces: list[dict[str, Any]] = []
    rows = [t for t in report.thresholds if t.estimate is not None]
    for verdict, colour in VERDICT_COLOURS.items():
        mine = [t for t in rows if str(t.verdict) == verdict]
        if not mine:
            continue
        estimates = [t.estimate or 0.0 for t in mine]
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": f"estimate ({verdict})",
                "x": estimates,
                "y": [t.threshold_id for t in mine],
                "error_x": {
                    "type": "data",
                    "symmetric": False,
                    "array": [
                        max(0.0, (t.ci_upper or e) - e)
                        for t, e in zip(mine, estimates, strict=True)
                    ],
                    "arrayminus": [
                        max(0.0, e - (t.ci_lower or e))
                        for t, e in zip(mine, estimates, strict=True)
                    ],
                    "color": colour,
                },
                "marker": {
                    "color": colour,
                    "symbol": VERDICT_SYMBOLS[verdict],
                    "size": 12,
                },
                "text": [f"{t.threshold_id}: {verdict}" for t in mine],
                "hovertemplate": "%{text}<br>estimate %{x:.3f}<extra></extra>",
            }
        )
    for name, index, symbol, colour in (
        ("cutoff", 0, "line-ns-open", "#000000"),
        ("alert cutoff", 1, "line-ns", "#0072B2"),
    ):
        points = [
            (t.threshold_id, _rule_cutoffs(t.rule)[index]) for t in report.thresholds
        ]
        points = [(tid, c) for tid, c in points if c is not None]
        if points:
            traces.append(
                {
                    "type": "scatter",
                    "mode": "markers",
                    "name": name,
                    "x": [c for _, c in points],
                    "y": [tid for tid, _ in points],
                    # Line-shaped symbols take their colour from the marker line.
                    "marker": {
                        "symbol": symbol,
                        "size": 22,
                        "line": {"width": 3 if index == 0 else 2, "color": colour},
                        "color": colour,
                    },
                    "hovertemplate": f"{name} %{{x:.3f}}<extra></extra>",
                }
            )
    height = 120 + 40 * len(report.thresholds)
    layout = {
        **_LAYOUT,
        "height": height,
        "xaxis": {"title": {"text": "rate"}, "range": [-0.02, 1.02], "zeroline": False},
        "yaxis": {"automargin": True, "autorange": "reversed"},
    }
    return {"data": traces, "layout": layout}


def _sequence_points(n: int) -> list[int]:
    if n <= _MAX_SEQUENCE_POINTS:
        return list(range(1, n + 1))
    step = n / _MAX_SEQUENCE_POINTS
    points = sorted(
        {max(1, round(step * (i + 1))) for i in range(_MAX_SEQUENCE_POINTS)}
    )
    return points if points[-1] == n else [*points, n]


def sequence_observations(run: SuiteRun) -> tuple[list[int], list[float]]:
    """The observations a sequential test saw, with the samples read at each.

    A sample without a group is its own observation; a group's observation is the
    mean of its scored samples, complete once all of its samples are in. A group
    or sample with no score adds nothing.
    """
    sizes: dict[str, int] = {}
    for s in run.samples:
        if s.group is not None:
            sizes[s.group] = sizes.get(s.group, 0) + 1
    pending: dict[str, list[float]] = {}
    seen: dict[str, int] = {}
    used: list[int] = []
    scores: list[float] = []
    for read, s in enumerate(run.samples, 1):
        if s.group is None:
            if s.score is not None:
                used.append(read)
                scores.append(s.score)
            continue
        seen[s.group] = seen.get(s.group, 0) + 1
        if s.score is not None:
            pending.setdefault(s.group, []).append(s.score)
        if seen[s.group] == sizes[s.group]:
            group_scores = pending.pop(s.group, [])
            if group_scores:
                used.append(read)
                scores.append(sum(group_scores) / len(group_scores))
    return used, scores


def sequence_chart(
    run: SuiteRun, confidence: float, cutoffs: Sequence[tuple[str, float]]
) -> dict[str, Any] | None:
    """The running confidence sequence of a sequential suite, and where it stopped.

    Scores are taken in the order the report lists its samples. As the sequential
    tests do, grouped samples (epochs of one item, transforms of one request) make one
    observation, their mean, once the whole group is in; the x axis counts samples
    read. Unscored samples are left out of the sequence, and counted on the page.
    """
    if run.sequential is None:
        return None
    read_at, scores = sequence_observations(run)
    if not scores:
        return None
    picks = _sequence_points(len(scores))
    xs = [read_at[k - 1] for k in picks]
    bounds = [confidence_sequence(scores[:k], confidence) for k in picks]
    means = [sum(scores[:k]) / k for k in picks]
    traces: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "lines",
            "name": "upper bound",
            "x": xs,
            "y": [u for _, u in bounds],
            "line": {"color": "#0072B2"},
        },
        {
            "type": "scatter",
            "mode": "lines",
            "name": f"{confidence:.0%} confidence sequence",
            "x": xs,
            "y": [lo for lo, _ in bounds],
            "fill": "tonexty",
            "fillcolor": "rgba(0,114,178,0.15)",
            "line": {"color": "#0072B2"},
        },
        {
            "type": "scatter",
            "mode": "lines",
            "name": "running mean",
            "x": xs,
            "y": means,
            "line": {"color": "#000000", "dash": "dot"},
        },
    ]
    shapes: list[dict[str, Any]] = []
    for index, (label, cutoff) in enumerate(cutoffs):
        colour = SERIES_COLOURS[(index + 1) % len(SERIES_COLOURS)]
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": label,
                "x": [xs[0], xs[-1]],
                "y": [cutoff, cutoff],
                "line": {"color": colour, "dash": "dash"},
            }
        )
    used = run.sequential.samples_used
    shapes.append(
        {
            "type": "line",
            "x0": used,
            "x1": used,
            "yref": "paper",
            "y0": 0,
            "y1": 1,
            "line": {"color": "#D55E00", "width": 2},
        }
    )
    layout = {
        **_LAYOUT,
        "height": 340,
        "shapes": shapes,
        "annotations": [
            {
                "x": used,
                "yref": "paper",
                "y": 0.97,
                "xanchor": "left",
                "yanchor": "top",
                "text": f" stopped at {used} ({run.sequential.reason})",
                "showarrow": False,
            }
        ],
        "xaxis": {"title": {"text": "samples used"}},
        "yaxis": {"title": {"text": "rate"}, "range": [0, 1]},
    }
    return {"data": traces, "layout": layout}


def history_chart(
    points: Sequence[tuple[str, str, float | None, float | None, float | None]],
    cutoffs: dict[str, float],
) -> dict[str, Any]:
    """Each threshold's estimate and interval over time: (threshold, when, est, lo, hi)."""
    traces: list[dict[str, Any]] = []
    ids = list(dict.fromkeys(p[0] for p in points))
    for index, tid in enumerate(ids):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        mine = [p for p in points if p[0] == tid and p[2] is not None]
        if not mine:
            continue
        est = [p[2] or 0.0 for p in mine]
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": tid,
                "x": [p[1] for p in mine],
                "y": est,
                "error_y": {
                    "type": "data",
                    "symmetric": False,
                    "array": [
                        max(0.0, (p[4] if p[4] is not None else e) - e)
                        for p, e in zip(mine, est, strict=True)
                    ],
                    "arrayminus": [
                        max(0.0, e - (p[3] if p[3] is not None else e))
                        for p, e in zip(mine, est, strict=True)
                    ],
                    "color": colour,
                },
                "marker": {"color": colour, "symbol": index % 12},
                "line": {"color": colour},
            }
        )
        if tid in cutoffs and not math.isnan(cutoffs[tid]):
            traces.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": f"{tid} cutoff",
                    "x": [mine[0][1], mine[-1][1]],
                    "y": [cutoffs[tid], cutoffs[tid]],
                    "line": {"color": colour, "dash": "dash"},
                }
            )
    layout = {
        **_LAYOUT,
        "height": 420,
        "xaxis": {"title": {"text": "report date"}},
        "yaxis": {"title": {"text": "estimate"}, "range": [0, 1]},
    }
    return {"data": traces, "layout": layout}


def trend_chart(trend: dict[str, Any]) -> dict[str, Any]:
    """Incident counts per period, one line per group (the registry's trend table)."""
    periods = trend.get("periods") or []
    traces = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": group,
            "x": periods,
            "y": counts,
            "line": {"color": SERIES_COLOURS[i % len(SERIES_COLOURS)]},
            "marker": {"symbol": i % 12},
        }
        for i, (group, counts) in enumerate((trend.get("series") or {}).items())
    ]
    layout = {
        **_LAYOUT,
        "height": 380,
        "xaxis": {"title": {"text": "period"}, "type": "category"},
        "yaxis": {"title": {"text": "incidents"}, "rangemode": "tozero"},
    }
    return {"data": traces, "layout": layout}


def share_chart(table: ShareTable, top: int = 20) -> dict[str, Any]:
    """The largest shares of one economic index level, with their bootstrap intervals."""
    rows = sorted(table.rows, key=lambda r: r.share_pct, reverse=True)[:top]
    # Titles repeat (a statement several occupations hold), codes do not.
    labels = [
        f"{r.title if len(r.title) <= 60 else r.title[:57] + '...'} ({r.code})"
        for r in rows
    ]
    trace: dict[str, Any] = {
        "type": "bar",
        "orientation": "h",
        "name": f"share of {table.base} (%)",
        "x": [r.share_pct for r in rows],
        "y": labels,
        "marker": {"color": SERIES_COLOURS[0]},
        "hovertemplate": "%{y}: %{x:.2f}%<extra></extra>",
    }
    if any(r.lower_pct is not None and r.upper_pct is not None for r in rows):
        trace["error_x"] = {
            "type": "data",
            "symmetric": False,
            "array": [
                max(
                    0.0,
                    (r.upper_pct if r.upper_pct is not None else r.share_pct)
                    - r.share_pct,
                )
                for r in rows
            ],
            "arrayminus": [
                max(
                    0.0,
                    r.share_pct
                    - (r.lower_pct if r.lower_pct is not None else r.share_pct),
                )
                for r in rows
            ],
            "color": "#000000",
        }
    layout = {
        **_LAYOUT,
        "height": 140 + 26 * len(rows),
        "showlegend": True,
        "xaxis": {
            "title": {"text": f"share of {table.base} (%)"},
            "rangemode": "tozero",
        },
        "yaxis": {"automargin": True, "autorange": "reversed", "type": "category"},
    }
    return {"data": [trace], "layout": layout}


def comparison_chart(
    comparison: Comparison, left: ShareTable, top: int = 23
) -> dict[str, Any]:
    """Matched shares side by side: the index (with its intervals) and the release."""
    rows = comparison.rows[:top]
    intervals = {r.code: (r.lower_pct, r.upper_pct) for r in left.rows}
    labels = [
        f"{r.title if len(r.title) <= 50 else r.title[:47] + '...'} ({r.code})"
        for r in rows
    ]
    ours: dict[str, Any] = {
        "type": "bar",
        "orientation": "h",
        "name": comparison.left,
        "x": [r.left_pct for r in rows],
        "y": labels,
        "marker": {"color": SERIES_COLOURS[0]},
        "hovertemplate": "%{y}: %{x:.2f}%<extra></extra>",
    }
    bounds = [intervals.get(r.code, (None, None)) for r in rows]
    if any(lo is not None and hi is not None for lo, hi in bounds):
        ours["error_x"] = {
            "type": "data",
            "symmetric": False,
            "array": [
                max(0.0, hi - r.left_pct) if hi is not None else 0.0
                for r, (_, hi) in zip(rows, bounds, strict=True)
            ],
            "arrayminus": [
                max(0.0, r.left_pct - lo) if lo is not None else 0.0
                for r, (lo, _) in zip(rows, bounds, strict=True)
            ],
            "color": "#000000",
        }
    theirs = {
        "type": "bar",
        "orientation": "h",
        "name": comparison.right,
        "x": [r.right_pct for r in rows],
        "y": labels,
        # Hatched as well as coloured: the two series differ without colour.
        "marker": {"color": SERIES_COLOURS[3], "pattern": {"shape": "/"}},
        "hovertemplate": "%{y}: %{x:.2f}%<extra></extra>",
    }
    layout = {
        **_LAYOUT,
        "barmode": "group",
        "height": 160 + 40 * len(rows),
        "xaxis": {"title": {"text": "share (%)"}, "rangemode": "tozero"},
        "yaxis": {"automargin": True, "autorange": "reversed", "type": "category"},
    }
    return {"data": [ours, theirs], "layout": layout}
