"""The economic index page of `redline view`, in a real browser, over a real index.

The index is built by a real `redline econ index` run (offline lexical backend, O*NET
29 from shared/data) over benign conversations. The registry has no economic index
publication, so only the local dashboard has this page.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from view_helpers import write_run

from conftest import Server, copy_to_docs, redline, screenshot
from helpers.ci import SHARED_DATA
from redline.econ import EconIndex, compare, load_index
from redline.view import create_view_app

AEI_DIR = SHARED_DATA / "anthropic_economic_index"
REQUESTS = (
    ("Fix the bug in my python code, it crashes on empty input", "dev", 12, 40),
    ("Write a short story about a whale who learns to sing", "writer", 12, 40),
    ("Plan a weekly menu with healthy recipes for a family", "cook", 10, 30),
    # Too few users for the privacy threshold: this cell must stay unpublished.
    ("Translate this letter into French for my aunt", "rare", 2, 12),
)


@pytest.fixture(scope="session")
def econ_dirs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A real index folder, and a folder whose index.json is not an index."""
    root = tmp_path_factory.mktemp("econ")
    lines = [
        json.dumps(
            {
                "messages": [{"role": "user", "content": text}],
                "user_id": f"{who}{i % users}",
            }
        )
        for text, who, users, count in REQUESTS
        for i in range(count)
    ]
    (root / "chats.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = root / "usage-2026-q4"
    result = redline(
        "econ", "index", str(root / "chats.jsonl"), "--onet", str(SHARED_DATA / "onet"),
        "--out", str(out), "--bootstrap", "30", "--no-charts", timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    broken = root / "broken"
    broken.mkdir()
    data = json.loads((out / "index.json").read_text(encoding="utf-8"))
    del data["privacy"]
    (broken / "index.json").write_text(json.dumps(data), encoding="utf-8")
    return out, broken


@pytest.fixture(scope="session")
def econ_server(
    econ_dirs: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    out, broken = econ_dirs
    log = tmp_path_factory.mktemp("econ_log") / "view.log"
    server = Server(
        ["view", str(out), str(broken), str(AEI_DIR), "--no-browser"], "/econ", log
    )
    yield server
    server.stop()


def test_the_index_page_charts_and_exports_the_published_shares(
    page, econ_server: Server, econ_dirs: tuple[Path, Path]
) -> None:
    index = load_index(econ_dirs[0])
    assert index.privacy.cells_suppressed >= 1  # the rare request stayed unpublished
    page.goto(econ_server.url + "/")
    page.get_by_role("link", name="Economic index").click()
    page.get_by_role("link", name="usage-2026-q4", exact=True).click()
    page.wait_for_selector("#chart-major-group .main-svg")
    # One bar per published major group, drawn by plotly.js from the wheel.
    bars = page.locator("#chart-major-group .barlayer .point").count()
    assert bars == len(index.major_groups.rows) >= 3
    shown = page.eval_on_selector_all(
        "#major-group tbody tr", "rows => rows.map(r => r.dataset.code)"
    )
    assert shown == [r.code for r in index.major_groups.rows]
    cells = " ".join(page.inner_text("#cells").split())
    assert cells == (
        f"{index.privacy.cells_published} cells published, "
        f"{index.privacy.cells_suppressed} suppressed"
    )
    with page.expect_download() as download:
        page.get_by_role("button", name="Download major-group as CSV").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text())))
    assert rows[0][:3] == ["Code", "Title", "Share %"]
    assert [(r[0], float(r[2])) for r in rows[1:]] == [
        (r.code, round(r.share_pct, 2)) for r in index.major_groups.rows
    ]
    assert (
        page.locator("button.csv").count() == page.locator("table.exportable").count()
    )
    screenshot(page, "econ")
    copy_to_docs(page, "dashboard-econ.png")


def test_a_file_that_is_not_an_index_is_named_with_its_field(
    page, econ_server: Server, econ_dirs: tuple[Path, Path]
) -> None:
    page.goto(econ_server.url + "/econ")
    problems = page.inner_text("ul.problems")
    assert (
        f"{econ_dirs[1] / 'index.json'}: not a valid economic index: privacy"
        in problems
    )
    # The readable index is still listed beside it.
    assert page.locator("#indexes tbody tr").count() == 1


def test_an_index_file_given_by_name_is_read_as_an_index(
    econ_dirs: tuple[Path, Path], tmp_path: Path
) -> None:
    report, _ = write_run(tmp_path / "runs", "one")
    client = TestClient(create_view_app([econ_dirs[0] / "index.json", report]))
    listing = client.get("/econ").text
    # A report file given by name is a report, not a broken index.
    assert "could not be read" not in listing
    assert len(re.findall(r'<tr data-id="', client.get("/").text)) == 1
    ids = re.findall(r'<tr data-id="([0-9a-f]+)"', listing)
    assert len(ids) == 1
    # And not as a report: the assessments page has nothing to complain about.
    assert "could not be read" not in client.get("/").text
    page = client.get(f"/econ/{ids[0]}")
    assert page.status_code == 200
    index = EconIndex.model_validate_json(
        (econ_dirs[0] / "index.json").read_text(encoding="utf-8")
    )
    for row in index.occupations.rows:
        assert f'data-code="{row.code}"' in page.text
    missing = client.get("/econ/0000000000000000")
    assert missing.status_code == 404
    assert "no economic index 0000000000000000" in missing.text


def test_an_index_is_set_against_the_published_release(
    page, econ_server: Server, econ_dirs: tuple[Path, Path]
) -> None:
    page.goto(econ_server.url + "/econ")
    releases = page.inner_text("#releases")
    assert AEI_DIR.name in releases
    page.get_by_role("link", name="usage-2026-q4", exact=True).click()
    page.select_option("select[name=level]", "occupation")
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url(re.compile(r"level=occupation"))
    expected = compare(econ_dirs[0], AEI_DIR, "occupation")
    agreement = " ".join(page.inner_text("#agreement-1").split())
    assert agreement.startswith(
        f"{expected.matched} rows matched; total variation "
        f"{expected.total_variation_pct:.1f} percentage points"
    )
    shown = page.eval_on_selector_all(
        "#against-1-table tbody tr", "rows => rows.map(r => r.dataset.code)"
    )
    assert shown == [r.code for r in expected.rows]
    # The release's own page: shares as published, no intervals.
    page.goto(econ_server.url + "/econ")
    page.get_by_role("link", name=AEI_DIR.name, exact=True).click()
    page.wait_for_selector("#chart-major-group .main-svg")
    assert "Published release" in page.inner_text("h1")
    assert page.locator("#major-group tbody tr").count() >= 20
