"""What a person reads: the verdict table at 120 columns, other formats, smoke and failed runs."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from redline._cli.main import cli
from redline.reports import Report, render_html, verdict_rows


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "report.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _show(path: Path, *args: str, columns: int = 120) -> str:
    result = CliRunner().invoke(
        cli, ["report", "show", str(path), *args], env={"COLUMNS": str(columns)}
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_the_table_fits_120_columns_without_losing_what_decides(
    tmp_path: Path, report_data: dict[str, Any]
) -> None:
    output = _show(_write(tmp_path, report_data))
    lines = output.splitlines()
    assert max(len(line) for line in lines) <= 120
    header = next(line for line in lines if "threshold" in line)
    for column in ("threshold", "estimate", "95% CI", " n ", "unscored", "verdict"):
        assert column in header, header
    # No threshold has a level: the column is dropped, not printed empty.
    assert "level" not in header
    assert "…" not in output
    for row in verdict_rows(Report.model_validate(report_data)):
        assert row["threshold"] in output
        assert row["ci"] in output


def test_off_a_tty_columns_is_respected(
    tmp_path: Path, report_data: dict[str, Any]
) -> None:
    narrow = _show(_write(tmp_path, report_data), columns=100)
    assert max(len(line) for line in narrow.splitlines()) <= 100


def test_markdown_csv_and_json_carry_the_same_rows(
    tmp_path: Path, report_data: dict[str, Any]
) -> None:
    path = _write(tmp_path, report_data)
    rows = verdict_rows(Report.model_validate(report_data))

    as_json = json.loads(_show(path, "--format", "json"))
    assert as_json == rows

    table = list(csv.reader(io.StringIO(_show(path, "--format", "csv"))))
    assert table[0] == [
        "threshold",
        "domain",
        "evidence",
        "estimate",
        "95% CI",
        "n",
        "unscored",
        "cutoff",
        "verdict",
    ]
    assert [line[0] for line in table[1:]] == [row["threshold"] for row in rows]
    assert table[1][-1] == rows[0]["verdict"]

    markdown = _show(path, "--format", "markdown").splitlines()
    assert markdown[0].startswith("| threshold | domain |")
    assert markdown[1] == "|" + "|".join(["---"] * 9) + "|"
    assert len(markdown) == 2 + len(rows)


def test_a_smoke_run_is_labelled_in_summary_html_and_report(
    tmp_path: Path, report_data: dict[str, Any]
) -> None:
    report_data["run"]["smoke_run"] = True
    output = " ".join(_show(_write(tmp_path, report_data)).split())
    assert "Smoke run: --limit 2 read only part of the suites' data" in output
    assert "Decision (smoke run): deploy with safeguards" in output
    html = render_html(Report.model_validate(report_data))
    assert "<strong>Smoke run.</strong>" in html
    assert "Decision (smoke run)" in html


def test_a_failed_run_shows_its_reasons_and_no_decision(
    tmp_path: Path, report_data: dict[str, Any]
) -> None:
    report_data["run"]["complete"] = False
    report_data["run"]["failure"] = {
        "message": "the model endpoint could not be reached (ConnectError) in misuse_refusal.",
        "suites": ["misuse_refusal"],
        "reasons": {"error: ConnectError: All connection attempts failed": 2},
    }
    output = _show(_write(tmp_path, report_data))
    assert "Run failed: the model endpoint could not be reached" in output
    assert "2  error: ConnectError: All connection attempts failed" in output
    assert "Decision" not in output
    html = render_html(Report.model_validate(report_data))
    assert "Run failed: no decision." in html
    assert 'class="decision' not in html


def test_html_puts_the_verdict_beside_the_threshold_and_links_logs(
    report_data: dict[str, Any],
) -> None:
    html = render_html(Report.model_validate(report_data))
    header = html[html.index("<thead><tr><th>threshold</th>") :]
    assert header.startswith("<thead><tr><th>threshold</th><th>verdict</th>")
    assert '<div class="est" style="left: 0.0%"></div>' in html
    log = report_data["suites"][0]["log_file"]
    assert (
        f'<a href="{Path(log).resolve().as_uri()}">' in html
        or f'<a href="{log}">' in html
    )
