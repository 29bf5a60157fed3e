"""Trend tables (zero-filled periods, quarters, groups) and charts (PNG, SVG)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest

from redline.errors import InputError
from redline.incidents import (
    AiidSnapshot,
    TrendTable,
    count_trends,
    partial_periods,
    write_trend_chart,
)

ROWS = [
    (date(2020, 2, 1), ["cyber"]),
    (date(2020, 11, 30), ["cyber", "honesty", "cyber"]),
    (date(2021, 7, 4), []),
    (date(2021, 8, 9), ["honesty"]),
]


def test_quarters_are_contiguous_and_zero_filled() -> None:
    table = count_trends(ROWS, interval="quarter")
    assert table.periods == [
        "2020-Q1", "2020-Q2", "2020-Q3", "2020-Q4", "2021-Q1", "2021-Q2", "2021-Q3",
    ]  # fmt: skip
    assert table.series == {
        "cyber": [1, 0, 0, 1, 0, 0, 0],
        "honesty": [0, 0, 0, 1, 0, 0, 1],
        "(none)": [0, 0, 0, 0, 0, 0, 1],
    }
    assert table.totals == {"cyber": 2, "honesty": 2, "(none)": 1}
    assert table.period_totals == [1, 0, 0, 1, 0, 0, 2]
    assert table.rows == 4
    assert TrendTable.model_validate(json.loads(table.model_dump_json())) == table


def test_months_years_and_top() -> None:
    months = count_trends(ROWS, interval="month")
    assert months.periods[0] == "2020-02"
    assert months.periods[-1] == "2021-08"
    assert len(months.periods) == 19
    years = count_trends(ROWS, interval="year", top=1)
    assert years.periods == ["2020", "2021"]
    assert years.series == {"cyber": [2, 0], "(other)": [1, 2]}
    empty = count_trends([], interval="year")
    assert empty.periods == []
    assert empty.rows == 0


def test_bad_arguments_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="interval"):
        count_trends(ROWS, interval="week")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="top"):
        count_trends(ROWS, top=0)
    table = count_trends(ROWS)
    with pytest.raises(InputError, match=r"\.png or \.svg"):
        write_trend_chart(table, tmp_path / "chart.pdf")
    with pytest.raises(InputError, match="empty"):
        write_trend_chart(count_trends([]), tmp_path / "chart.png")
    assert not list(tmp_path.iterdir())


def test_charts_of_the_real_snapshot_in_both_formats(
    aiid: AiidSnapshot, tmp_path: Path
) -> None:
    table = count_trends([(r.date, r.risk_domains) for r in aiid.records], "year")
    assert table.rows == 1367
    assert sum(table.period_totals) == 1367
    assert table.periods[0] == "1983"
    assert len(table.periods) == int(table.periods[-1]) - 1983 + 1
    png = write_trend_chart(table, tmp_path / "domains.png")
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert png.stat().st_size > 10_000
    svg = write_trend_chart(table, tmp_path / "sub" / "domains.svg", title="By domain")
    root = ET.fromstring(svg.read_bytes())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    text = svg.read_text(encoding="utf-8")
    # matplotlib draws text as paths and names each in a comment.
    for label in ("<!-- By domain -->", "<!-- year -->", "<!-- misuse_safeguards -->"):
        assert label in text
    # Byte-stable: the same table draws the same SVG.
    again = write_trend_chart(table, tmp_path / "again.svg", title="By domain")
    assert again.read_bytes() == svg.read_bytes()


def test_the_chart_says_what_it_counts_and_marks_the_partial_period(
    tmp_path: Path,
) -> None:
    rows = [
        (date(2024, 3, 1), ["cyber", "misuse_safeguards"]),
        (date(2024, 9, 1), ["cyber"]),
        (date(2025, 2, 1), ["honesty", "cyber"]),
        (date(2026, 1, 5), ["cyber"]),
    ]
    table = count_trends(rows, "year")
    assert partial_periods(table, date(2026, 1, 31)) == ["2026"]
    assert partial_periods(table, date(2027, 1, 1)) == []
    svg = write_trend_chart(table, tmp_path / "t.svg", as_of=date(2026, 1, 31))
    text = svg.read_text(encoding="utf-8")
    assert "<!-- 2026 (partial) -->" in text
    assert "<!-- 2025 (partial) -->" not in text
    assert "<!-- incidents (each counted once) -->" in text
    assert "<!-- partial period (data to 2026-01-31) -->" in text
    assert "incident-group pairs (bars); incidents (line)" in text
    plain = write_trend_chart(table, tmp_path / "plain.svg").read_text(encoding="utf-8")
    assert "(partial)" not in plain
