"""`redline incidents ...` end to end: against an in-process registry, and one import
through a real server on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from _incident_world import AIID, IncidentWorld, make_incident_world, needs_aiid
from _registry_server import ServerProcess
from click.testing import CliRunner, Result

from helpers.ci import shared_data
from redline._cli.main import cli
from redline.registry.server import Database, Settings, add_institute

HEADER = (
    "_id,incident_id,date,reports,Alleged deployer of AI system,"
    "Alleged developer of AI system,Alleged harmed or nearly harmed parties,"
    "description,title\n"
)
ROWS = [
    'x1,1,2020-01-02,"[1,2]","[""acme""]","[""acme""]","[""people""]",A fine one.,Good one\n',
    'x2,2,not-a-date,"[3]","[]","[]","[]",Bad date.,Bad date\n',
    'x3,3,2021-05-06,"[4","[]","[]","[]",Broken list.,Broken list\n',
    'x4,4,2022-07-08,"[5]","[]","[]","[]",No title.,\n',
    'x5,5,2023-09-10,"[6]","[""beta""]","[""beta""]","[]",Another fine one.,Good two\n',
]


def _patch_clients(monkeypatch: pytest.MonkeyPatch, world: IncidentWorld) -> None:
    # The commands open their own client, to the live server.
    monkeypatch.setenv("REDLINE_REGISTRY_URL", world.world.url)


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[IncidentWorld]:
    """An empty registry, per test."""
    with make_incident_world(f"sqlite:///{tmp_path / 'r.db'}", snapshot=False) as w:
        _patch_clients(monkeypatch, w)
        yield w


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IncidentWorld]:
    """A registry with the snapshot imported, shared by the read-only tests."""
    shared_data("aiid/incidents.csv")
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'r.db'}"
    with make_incident_world(url) as w:
        yield w


@pytest.fixture
def cli_loaded(loaded: IncidentWorld, monkeypatch: pytest.MonkeyPatch) -> IncidentWorld:
    _patch_clients(monkeypatch, loaded)
    return loaded


def run(*args: str, token: str | None = None, ok: bool = True) -> Result:
    env = {"REDLINE_REGISTRY_TOKEN": token} if token else {}
    result = CliRunner().invoke(cli, list(args), env=env)
    if ok:
        assert result.exit_code == 0, result.output
    return result


def _counts(output: str) -> list[int]:
    """The numbers of the import table's data row."""
    for line in output.splitlines():
        cells = [c.strip() for c in line.replace("│", "|").split("|") if c.strip()]
        if len(cells) == 6 and all(c.isdigit() for c in cells):
            return [int(c) for c in cells]
    raise AssertionError(output)


@needs_aiid
def test_import_twice_reports_new_then_unchanged(fresh: IncidentWorld) -> None:
    first = run("incidents", "import", str(AIID), token=fresh.editor)
    assert _counts(first.stdout) == [1367, 1367, 0, 0, 0, 0]
    second = run("incidents", "import", str(AIID), "--json", token=fresh.editor)
    data = json.loads(second.stdout)
    assert (len(data["new"]), len(data["changed"]), len(data["unchanged"])) == (
        0,
        0,
        1367,
    )


def test_malformed_rows_are_reported_and_the_rest_imported(
    fresh: IncidentWorld, tmp_path: Path
) -> None:
    folder = tmp_path / "snapshot"
    folder.mkdir()
    (folder / "incidents.csv").write_text(HEADER + "".join(ROWS), encoding="utf-8")
    result = run("incidents", "import", str(folder), token=fresh.editor)
    read, new, changed, unchanged, skipped, problems = _counts(result.stdout)
    assert (read, new, changed, unchanged, skipped) == (2, 2, 0, 0, 0)
    assert problems >= 3
    for line in (3, 4, 5):
        assert f"incidents.csv:{line}" in result.stdout
    with fresh.client(fresh.reader) as client:
        titles = {i.title for i in client.incidents(source="aiid")}
    assert titles == {"Good one", "Good two"}
    again = run("incidents", "import", str(folder), token=fresh.editor)
    assert _counts(again.stdout)[:5] == [2, 0, 0, 2, 0]


@pytest.mark.parametrize(
    ("target", "message"),
    [("missing", "no such folder"), ("empty", "incidents.csv")],
)
def test_a_bad_folder_is_one_line_and_exit_2(
    fresh: IncidentWorld, tmp_path: Path, target: str, message: str
) -> None:
    (tmp_path / "empty").mkdir()
    result = run(
        "incidents", "import", str(tmp_path / target), token=fresh.editor, ok=False
    )
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_token_without_the_editor_scope_is_refused(
    fresh: IncidentWorld, tmp_path: Path
) -> None:
    folder = tmp_path / "snapshot"
    folder.mkdir()
    (folder / "incidents.csv").write_text(HEADER + ROWS[0], encoding="utf-8")
    result = run("incidents", "import", str(folder), token=fresh.reader, ok=False)
    assert result.exit_code == 2
    assert "incidents:edit" in result.output


@needs_aiid
@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_trends_table_json_and_chart(
    cli_loaded: IncidentWorld, tmp_path: Path, suffix: str
) -> None:
    chart = tmp_path / f"trends{suffix}"
    shown = run(
        "incidents", "trends", "--by", "risk_domain", "--interval", "year",
        "--chart", str(chart), token=cli_loaded.reader,
    )  # fmt: skip
    assert "misuse_safeguards" in shown.stdout
    data = chart.read_bytes()
    if suffix == ".png":
        assert data.startswith(b"\x89PNG")
    else:
        assert b"<svg" in data[:1000]
    as_json = json.loads(
        run(
            "incidents", "trends", "--by", "mit_domain", "--json",
            token=cli_loaded.reader,
        ).stdout
    )  # fmt: skip
    assert as_json["periods"]


def test_trends_refuses_an_unknown_chart_format(
    fresh: IncidentWorld, tmp_path: Path
) -> None:
    result = run(
        "incidents", "trends", "--chart", str(tmp_path / "c.gif"),
        token=fresh.reader, ok=False,
    )  # fmt: skip
    assert result.exit_code == 2
    assert ".png or .svg" in result.output


@needs_aiid
def test_list_and_show(cli_loaded: IncidentWorld) -> None:
    listed = json.loads(
        run(
            "incidents", "list", "--developer", "openai", "--limit", "5", "--json",
            token=cli_loaded.reader,
        ).stdout
    )  # fmt: skip
    assert len(listed) == 5
    assert all("openai" in i["developers"] for i in listed)
    table = run("incidents", "query", "--text", "deepfake", token=cli_loaded.reader)
    assert "incidents" in table.stdout
    shown = run("incidents", "show", "aiid:23", token=cli_loaded.reader)
    assert "Las Vegas Self-Driving Bus" in shown.stdout
    missing = run("incidents", "show", "aiid:0", token=cli_loaded.reader, ok=False)
    assert missing.exit_code == 2
    assert "404" in missing.output


@needs_aiid
def test_submit_attach_open_and_regression(
    cli_loaded: IncidentWorld, tmp_path: Path
) -> None:
    submitted = json.loads(
        run(
            "incidents", "submit", "--title", "Uber AV Killed Pedestrian in Arizona",
            "--date", "2018-03-18", "--developer", "uber", "--json",
            token=cli_loaded.submitter,
        ).stdout
    )  # fmt: skip
    with cli_loaded.client(cli_loaded.reader) as client:
        uber = client.incident("aiid:4").id
    assert submitted["suggestions"][0]["incident_id"] == uber
    shown = run(
        "incidents", "submit", "--title", "Uber AV Killed Pedestrian in Arizona",
        "--date", "2018-03-18", token=cli_loaded.submitter,
    )  # fmt: skip
    assert uber in shown.stdout
    assert "Automatic MIT classification" in shown.stdout
    pending = run("incidents", "submissions", token=cli_loaded.editor)
    assert submitted["id"] in pending.stdout
    attached = run(
        "incidents", "attach", submitted["id"], "aiid:4", token=cli_loaded.editor
    )
    assert attached.stdout.strip() == f"Attached {submitted['id']} to {uber}"
    again = run(
        "incidents", "attach", submitted["id"], "aiid:4", token=cli_loaded.editor,
        ok=False,
    )  # fmt: skip
    assert again.exit_code == 2
    assert "409" in again.output

    report = tmp_path / "report.json"
    report.write_text(
        json.dumps(
            {
                "title": "Chatbot invents a refund policy",
                "text": "The support bot promised refunds that do not exist.",
                "inputs_outputs": [
                    {"input": "Can I get a refund?", "output": "Always, in full."}
                ],
            }
        )
    )
    new = json.loads(
        run(
            "incidents", "submit", "--title", "Support bot invents refund policy",
            "--date", "2026-02-01", "--file", str(report), "--json",
            token=cli_loaded.submitter,
        ).stdout
    )  # fmt: skip
    opened = run(
        "incidents", "open", new["id"], "--kind", "hazard", token=cli_loaded.editor
    )
    incident_id = opened.stdout.split()[1]
    out = tmp_path / "suite.jsonl"
    run(
        "incidents", "regression", incident_id, "--out", str(out),
        token=cli_loaded.reader,
    )  # fmt: skip
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 1
    assert "Can I get a refund?" in json.dumps(lines[0])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("submit", "--date", "2024-01-01"), "title"),
        (("submit", "--title", "T"), "date"),
        (("submit", "--title", "T", "--date", "2024-01-01", "--url", "ftp://x"), "url"),
        (("submit", "--title", "T", "--date", "2024-01-01", "--file", "{garbage}"),
         "not valid JSON"),
        (("submit", "--title", "T", "--date", "2024-13-01"), "2024-13-01"),
        (("trends", "--by", "colour"), "colour"),
        (("list", "--from", "yesterday"), "yesterday"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_exit_2(
    fresh: IncidentWorld, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{oops")
    argv = [a.format(garbage=garbage) for a in args]
    result = run("incidents", *argv, token=fresh.submitter, ok=False)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_classify_runs_offline() -> None:
    result = run(
        "incidents", "classify", "--title", "Deepfake voice used to defraud a bank",
        "--description", "Criminals cloned an executive's voice to order a transfer.",
        "--json",
    )  # fmt: skip
    prediction = json.loads(result.stdout)
    assert prediction["mit_domain"][0].isdigit()
    text = run("incidents", "classify", "--title", "Deepfake voice fraud")
    assert "MIT risk domain:" in text.stdout


@needs_aiid
def test_import_through_a_real_server(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'served.db'}"
    db = Database(Settings(database_url=url))
    db.migrate()
    token = add_institute(
        db, "aisi-a", "A", scopes=["incidents:edit", "incidents:read"]
    )
    db.dispose()
    server = ServerProcess(url, tmp_path / "server.log")
    server.start()
    try:
        args = ("incidents", "import", str(AIID), "--registry", server.url, "--json")
        first = json.loads(run(*args, token=token).stdout)
        second = json.loads(run(*args, token=token).stdout)
    finally:
        server.stop()
    assert len(first["new"]) == 1367
    assert (len(second["new"]), len(second["changed"])) == (0, 0)
    assert len(second["unchanged"]) == 1367


def test_operator_grants_token_scopes(tmp_path: Path) -> None:
    from sqlalchemy import select

    from redline.registry.server.models import ApiToken

    url = f"sqlite:///{tmp_path / 'ops.db'}"
    run("registry", "add-institute", "aisi-x", "--database", url,
        "--scope", "incidents:read")  # fmt: skip
    run("registry", "new-token", "aisi-x", "--database", url,
        "--scope", "incidents:read", "--scope", "incidents:submit")  # fmt: skip
    run("registry", "new-token", "aisi-x", "--database", url)
    bad = run(
        "registry", "new-token", "aisi-x", "--database", url, "--scope", "admin",
        ok=False,
    )  # fmt: skip
    assert bad.exit_code == 2
    assert "unknown token scope 'admin'" in bad.output
    db = Database(Settings(database_url=url))
    with db.reader() as session:
        scopes = [t.scopes for t in session.scalars(select(ApiToken).order_by("id"))]
    db.dispose()
    assert scopes[0] == "incidents:read"
    assert scopes[1] == "incidents:read incidents:submit"
    assert len(scopes[2].split()) == 6


@needs_aiid
def test_list_says_how_many_and_whether_more_match(cli_loaded: IncidentWorld) -> None:
    some = run("incidents", "list", "--limit", "3", token=cli_loaded.reader)
    assert "3 incident(s) shown; more match: raise --limit (now 3)" in some.stderr
    few = run(
        "incidents", "list", "--text", "Las Vegas Self-Driving Bus", "--limit", "50",
        token=cli_loaded.reader,
    )  # fmt: skip
    assert "that is all that match" in few.stderr


def test_an_unknown_risk_domain_is_refused_with_the_valid_ones() -> None:
    result = run(
        "incidents", "list", "--risk-domain", "misuse",
        "--registry", "http://127.0.0.1:9", ok=False,
    )  # fmt: skip
    assert result.exit_code == 2
    assert "'misuse' is not one of" in result.output
    assert "misuse_safeguards" in result.output


def test_classify_flags_low_confidence_and_shows_alternatives() -> None:
    result = run(
        "incidents", "classify", "--title", "Chatbot gave wrong tax advice",
        "--description", "A customer service bot told users an incorrect refund rule",
    )  # fmt: skip
    lines = result.stdout.splitlines()
    confidence = next(line for line in lines if line.startswith("confidence:"))
    value = float(confidence.split()[1])
    assert ("LOW" in confidence) == (value < 0.5)
    alternatives = [line for line in lines if line.startswith("  or: ")]
    assert len(alternatives) == 2
    shown = [float(line.rsplit("(", 1)[1].rstrip(")")) for line in alternatives]
    assert shown == sorted(shown, reverse=True)
    assert all(p <= value for p in shown)


REPORT_FILE = Path(__file__).resolve().parents[1] / "reports" / "data" / "report.json"
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "incident-submission.json"


def test_submit_accepts_a_redline_report_as_written_in_the_readme(
    fresh: IncidentWorld,
) -> None:
    assessment = json.loads(REPORT_FILE.read_text())
    submitted = json.loads(
        run(
            "incidents", "submit", "--title", "Model answers requests it should refuse",
            "--file", str(REPORT_FILE), "--json", token=fresh.submitter,
        ).stdout
    )  # fmt: skip
    recorded = submitted["report"]
    # --title names the event and, as the README shows, the report too.
    assert recorded["title"] == "Model answers requests it should refuse"
    assert recorded["text"].startswith(f"Assessment of {assessment['model']} under")
    pairs = {(p["input"], p["output"]) for p in recorded["inputs_outputs"]}
    samples = {
        (s["prompt"], s["response"])
        for suite in assessment["suites"]
        for s in suite["samples"]
        if s.get("prompt")
    }
    assert pairs == samples
    # The crossed threshold's suite leads.
    first = recorded["inputs_outputs"][0]["input"]
    misuse = {s["prompt"] for s in assessment["suites"][0]["samples"]}
    assert first in misuse
    assert submitted["proposal"]["date"] == assessment["created_at"][:10]


def test_submit_takes_the_documented_example_file(fresh: IncidentWorld) -> None:
    submitted = json.loads(
        run(
            "incidents", "submit", "--file", str(EXAMPLE), "--json",
            token=fresh.submitter,
        ).stdout
    )  # fmt: skip
    example = json.loads(EXAMPLE.read_text())
    assert submitted["proposal"]["title"] == example["proposal"]["title"]
    assert submitted["report"]["inputs_outputs"] == example["report"]["inputs_outputs"]
