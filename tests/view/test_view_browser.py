"""`redline view` in a real browser over real assessments of the embedded model."""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

from conftest import Runs, Server, copy_to_docs, redline, screenshot
from redline.reports import compare_reports, load_report


def _row_ids(page) -> list[str]:
    return page.eval_on_selector_all(
        "#assessments tbody tr", "rows => rows.map(r => r.dataset.id)"
    )


def _open_report(page, server: Server, label: str) -> None:
    page.goto(server.url + "/")
    page.get_by_role("link", name=label, exact=True).click()
    page.wait_for_selector("#forest .main-svg")


def test_list_shows_every_run(page, view_server: Server, runs: Runs) -> None:
    page.goto(view_server.url + "/")
    assert len(_row_ids(page)) == 3
    table = page.inner_text("#assessments")
    for report_file in (runs.first, runs.second, runs.other_seed):
        report = load_report(report_file)
        assert report_file.parent.name in table
        assert report.model in table
    screenshot(page, "list")


def test_view_with_no_paths_shows_the_runs_under_dot_runs(
    page, runs: Runs, tmp_path: Path
) -> None:
    # What a new user types after `redline assess`: runs/ beside them, no arguments.
    shutil.copytree(runs.root, tmp_path / "runs")
    server = Server(["view", "--no-browser"], "/", tmp_path / "view.log", cwd=tmp_path)
    try:
        page.goto(server.url + "/")
        assert len(_row_ids(page)) == 3
        assert "first" in page.inner_text("#assessments")
    finally:
        server.stop()


def test_list_filters_by_framework(page, view_server: Server, runs: Runs) -> None:
    other = load_report(runs.other_seed)
    page.goto(view_server.url + "/")
    page.select_option("select[name=framework]", other.framework.id)
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"framework="))
    assert len(_row_ids(page)) == 1
    assert "other-seed" in page.inner_text("#assessments")


def test_report_page_shows_every_threshold_and_the_decision(
    page, view_server: Server, runs: Runs
) -> None:
    report = load_report(runs.first)
    _open_report(page, view_server, "first")
    heading = page.inner_text("#decision-h")
    assert str(report.decision).replace("_", " ") in heading.lower()
    for t in report.thresholds:
        row = page.locator(f'tr[data-threshold="{t.threshold_id}"]')
        assert row.count() == 1
        assert str(t.verdict) in row.inner_text()
    # The forest plot drew one marker per threshold with an estimate.
    points = page.locator("#forest .scatterlayer .point").count()
    assert points >= sum(t.estimate is not None for t in report.thresholds)
    sequential = [s for s in report.suites if s.sequential is not None]
    assert page.locator(".chart.js-plotly-plot[id^=sequence-]").count() == len(
        [s for s in sequential if any(x.score is not None for x in s.samples)]
    )
    screenshot(page, "report")
    copy_to_docs(page, "dashboard-report.png")


def test_sample_table_filters_and_links_to_inspect_view(
    page, view_server: Server, runs: Runs
) -> None:
    report = load_report(runs.first)
    _open_report(page, view_server, "first")
    page.select_option("select[name=unscored]", "no")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"unscored=no"))
    scored = sum(s.score is not None for r in report.suites for s in r.samples)
    rows = page.locator("#samples tbody tr")
    assert rows.count() == scored
    assert "unscored:" not in page.inner_text("#samples tbody")
    link = page.locator("#samples a", has_text="Inspect View").first.get_attribute(
        "href"
    )
    run = next(r for r in report.suites if any(s.score is not None for s in r.samples))
    assert link.startswith("http://127.0.0.1:7576/#/logs/" + Path(run.log_file).name)


def test_every_table_downloads_as_csv(page, view_server: Server, runs: Runs) -> None:
    _open_report(page, view_server, "first")
    tables = page.locator("table.exportable").count()
    assert page.locator("button.csv").count() == tables
    with page.expect_download() as download:
        page.get_by_role("button", name="Download thresholds as CSV").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text())))
    assert rows[0][:4] == ["Threshold", "Domain", "Name", "Verdict"]
    assert {r[0] for r in rows[1:]} == {
        t.threshold_id for t in load_report(runs.first).thresholds
    }


def test_keyboard_reaches_content_first(page, view_server: Server) -> None:
    page.goto(view_server.url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") in {"SELECT", "INPUT", "A"}


def test_compare_shows_the_p_values(page, view_server: Server, runs: Runs) -> None:
    page.goto(view_server.url + "/compare")
    page.get_by_label("first", exact=True).check()
    page.get_by_label("second", exact=True).check()
    page.get_by_role("button", name="Compare").click()
    page.wait_for_selector("#differences")
    shown = page.eval_on_selector_all(
        "#differences td.p-value", "cells => cells.map(c => c.textContent.trim())"
    )
    expected = compare_reports(
        [("first", load_report(runs.first)), ("second", load_report(runs.second))]
    )
    assert shown == [
        "-" if d.p_value is None else f"{d.p_value:.3g}"
        for m in expected.metrics
        for d in m.differences
    ]
    assert any(p != "-" for p in shown)
    assert "Samples that flipped" in page.inner_text("main")
    screenshot(page, "compare")
    copy_to_docs(page, "dashboard-compare.png")


def test_compare_refuses_incomparable_keys(page, view_server: Server) -> None:
    page.goto(view_server.url + "/compare")
    page.get_by_label("first", exact=True).check()
    page.get_by_label("other-seed", exact=True).check()
    response = None
    with page.expect_response(lambda r: "/compare?" in r.url) as answer:
        page.get_by_role("button", name="Compare").click()
    response = answer.value
    assert response.status == 422
    assert "comparability keys differ" in page.inner_text("main")
    screenshot(page, "compare-refused")


def test_model_history_plots_every_threshold(
    page, view_server: Server, runs: Runs
) -> None:
    report = load_report(runs.first)
    page.goto(view_server.url + "/history")
    page.get_by_role("button", name="Show").click()
    page.wait_for_selector("#history .main-svg")
    table = page.inner_text("#history-table")
    for t in report.thresholds:
        assert t.threshold_id in table
    screenshot(page, "history")


def test_bad_paths_get_one_clear_line(tmp_path: Path) -> None:
    result = redline("view", str(tmp_path / "absent"), "--no-browser", timeout=60)
    assert result.returncode == 2
    assert "absent: no such run folder or report file" in result.stderr
    assert "Traceback" not in result.stderr
