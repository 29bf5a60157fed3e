"""The dashboard's pages over run folders, in-process: filters, sorting, errors."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from view_helpers import golden, write_run

from redline.reports import compare_reports, load_report
from redline.view import FolderSource, create_view_app


def _ids(html: str) -> list[str]:
    return re.findall(r'<tr data-id="([0-9a-f]+)"', html)


@pytest.fixture
def runs(tmp_path: Path) -> Path:
    root = tmp_path / "runs"
    write_run(root, "first", minutes=0)
    write_run(root, "second", minutes=10, model="openai/other-model")
    write_run(root, "third", minutes=20, decision="do_not_deploy")
    return root


def test_list_filters_and_sorts(runs: Path) -> None:
    client = TestClient(create_view_app([runs]))
    everything = client.get("/")
    assert everything.status_code == 200
    assert everything.text.count("<tr data-id=") == 3
    # Newest first by default; ascending by date reverses it.
    newest = _ids(everything.text)
    assert _ids(client.get("/", params={"order": "asc"}).text) == newest[::-1]
    only = client.get("/", params={"model": "openai/other-model"}).text
    assert len(_ids(only)) == 1
    assert "second" in only
    assert "third" not in only.split("<tbody>")[1]
    decided = client.get("/", params={"decision": "do_not_deploy"}).text
    assert len(_ids(decided)) == 1
    assert ">third<" in decided
    dated = client.get("/", params={"date_from": "2026-01-01", "date_to": "2026-01-01"})
    assert len(_ids(dated.text)) == 3
    assert not _ids(client.get("/", params={"date_from": "2026-01-02"}).text)


def test_list_counts_verdicts(runs: Path) -> None:
    html = TestClient(create_view_app([runs / "first"])).get("/").text
    row = html.split("<tbody>")[1].split("</tr>")[0]
    counts = re.findall(r'<td class="num">(\d+)</td>', row)
    verdicts = [t["verdict"] for t in golden()["thresholds"]]
    expected = [
        verdicts.count(v) for v in ("below", "approaching", "crossed", "inconclusive")
    ]
    assert [int(c) for c in counts] == expected


def test_report_page_shows_decision_thresholds_and_samples(runs: Path) -> None:
    client = TestClient(create_view_app([runs]))
    entry_id = _ids(client.get("/", params={"order": "asc"}).text)[0]
    html = client.get(f"/reports/{entry_id}").text
    report = load_report(runs / "first" / "report.json")
    assert "Deploy with safeguards" in html
    for reason in report.reasons:
        assert str(escape(reason)) in html
    for t in report.thresholds:
        assert f'data-threshold="{t.threshold_id}"' in html
    first = report.suites[0].samples[0]
    assert first.prompt is not None
    assert first.prompt[:40] in html
    scored = client.get(f"/reports/{entry_id}", params={"unscored": "yes"}).text
    unscored = sum(s.score is None for run in report.suites for s in run.samples)
    assert f"{unscored} of " in scored


def test_redacted_report_shows_digests_only(tmp_path: Path) -> None:
    data = golden()
    for suite in data["suites"]:
        for sample in suite["samples"]:
            sample["prompt"] = sample["response"] = None
    folder = tmp_path / "runs" / "redacted"
    folder.mkdir(parents=True)
    (folder / "report.json").write_text(json.dumps(data))
    client = TestClient(create_view_app([tmp_path / "runs"]))
    entry_id = _ids(client.get("/").text)[0]
    html = client.get(f"/reports/{entry_id}").text
    for suite in golden()["suites"]:
        for sample in suite["samples"]:
            assert str(escape(sample["prompt"][:30])) not in html
            assert sample["prompt"][:30] not in html
            assert sample["prompt_digest"] in html
    assert "redacted" in html


def test_compare_refuses_incomparable_keys(runs: Path, tmp_path: Path) -> None:
    data = copy.deepcopy(golden())
    data["suites"][0]["comparability_key"] = "sha256:" + "0" * 64
    data["suites"][0]["comparability"]["dataset_digest"] = "sha256:changed"
    write_run(tmp_path / "other", "changed", minutes=5, suites=data["suites"])
    client = TestClient(create_view_app([runs / "first", tmp_path / "other"]))
    ids = _ids(client.get("/").text)
    refused = client.get("/compare", params={"id": ids})
    assert refused.status_code == 422
    assert "comparability keys differ in dataset_digest" in refused.text
    allowed = client.get("/compare", params={"id": ids, "allow_incomparable": "true"})
    assert allowed.status_code == 200
    assert "keys differ" in allowed.text


def test_compare_shows_what_compare_reports_computes(runs: Path) -> None:
    client = TestClient(create_view_app([runs / "first", runs / "third"]))
    ids = _ids(client.get("/", params={"order": "asc"}).text)
    html = client.get("/compare", params={"id": ids}).text
    reports = [load_report(runs / n / "report.json") for n in ("first", "third")]
    expected = compare_reports([("first", reports[0]), ("third", reports[1])])
    p_values = re.findall(r'<td class="num p-value">([^<]+)</td>', html)
    assert p_values == [
        "-" if d.p_value is None else f"{d.p_value:.3g}"
        for m in expected.metrics
        for d in m.differences
    ]
    assert "Do not deploy" in html


def test_unreadable_files_are_listed_with_their_field(runs: Path) -> None:
    broken = runs / "broken"
    broken.mkdir()
    (broken / "report.json").write_text('{"model": 3}')
    html = TestClient(create_view_app([runs])).get("/").text
    assert len(_ids(html)) == 3
    assert str(broken / "report.json") in html
    assert "not a valid Redline report" in html


def test_unknown_report_is_404(runs: Path) -> None:
    response = TestClient(create_view_app([runs])).get("/reports/0123456789abcdef")
    assert response.status_code == 404
    assert "no report 0123456789abcdef" in response.text


def test_missing_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="no such run folder or report file"):
        FolderSource([tmp_path / "absent"])


def test_plotly_is_served_from_the_package(runs: Path) -> None:
    response = TestClient(create_view_app([runs])).get("/static/plotly.min.js")
    assert response.status_code == 200
    assert "plotly.js" in response.text[:400]


def test_signed_report_files_are_read_as_given() -> None:
    signed = Path(__file__).parents[1] / "reports" / "data" / "report.signed.json"
    client = TestClient(create_view_app([signed]))
    ids = _ids(client.get("/").text)
    assert len(ids) == 1
    assert ">report.signed.json<" in client.get("/").text
    assert client.get(f"/reports/{ids[0]}").status_code == 200
