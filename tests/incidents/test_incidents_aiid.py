"""Reading AIID snapshots: the real one in ../shared/data, and malformed ones."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest
from incidents_helpers import AIID, needs_aiid

from redline.errors import IncidentImportError, InputError
from redline.incidents import (
    AiidSnapshot,
    HarmType,
    IncidentKind,
    Severity,
    facets,
    read_aiid_snapshot,
)

HEADER = (
    "_id,incident_id,date,reports,Alleged deployer of AI system,"
    "Alleged developer of AI system,Alleged harmed or nearly harmed parties,"
    "description,title\n"
)
MIT_HEADER = (
    "Namespace,Incident ID,Published,Risk Domain,Risk Subdomain,Entity,Timing,Intent\n"
)


def row(
    number: object,
    title: str = "A title",
    *,
    day: str = "2021-03-04",
    reports: str = '"[1,2]"',
    developers: str = '"[""acme""]"',
    description: str = "What happened.",
) -> str:
    return (
        f'ObjectId(abc{number}),{number},{day},{reports},"[""deployer-co""]",'
        f'{developers},"[""people""]",{description},{title}\n'
    )


def snapshot(folder: Path, incidents: str, **classifications: str) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "incidents.csv").write_text(HEADER + incidents, encoding="utf-8")
    for namespace, text in classifications.items():
        (folder / f"classifications_{namespace}.csv").write_text(text, encoding="utf-8")
    return folder


# --- the real snapshot ----------------------------------------------------------------


@needs_aiid
def test_whole_snapshot_reads_fast_and_clean() -> None:
    start = time.perf_counter()
    result = read_aiid_snapshot(AIID)
    elapsed = time.perf_counter() - start
    assert elapsed < 10  # a couple of seconds on a loaded machine; the issue asks < 60
    assert len(result.records) == 1367
    assert result.problems == []
    assert set(result.files) == {
        "incidents.csv",
        "classifications_MIT.csv",
        "classifications_GMF.csv",
        "classifications_CSETv1.csv",
    }
    # The README's published checksum of the unmodified file.
    assert result.files["incidents.csv"] == (
        "sha256:14c0a776682ff99a4781417d1354ce8a05ed74f23c3486624cb5fea1e0ee8d19"
    )
    ids = [int(r.external_id or 0) for r in result.records]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert max(ids) == 1378


@needs_aiid
def test_first_incident_has_reports_entities_and_side_by_side_taxonomies(
    aiid: AiidSnapshot,
) -> None:
    first = aiid.records[0]
    assert first.source == "aiid"
    assert first.external_id == "1"
    assert first.kind == IncidentKind.INCIDENT
    assert first.title == "Google’s YouTube Kids App Presents Inappropriate Content"
    assert first.date == date(2015, 5, 19)
    assert [r.external_id for r in first.reports] == [
        "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "14", "15",
    ]  # fmt: skip
    assert first.developers == ("youtube",)
    assert first.harmed_parties == ("children",)
    mit = first.classification("MIT")
    assert mit is not None
    assert mit.published
    assert mit.attributes["Risk Domain"] == "1. Discrimination and Toxicity"
    assert mit.attributes["Risk Subdomain"] == "1.2. Exposure to toxic content"
    assert first.risk_domains == ("societal_harms",)
    cset = first.classification("CSETv1")
    assert cset is not None
    assert cset.attributes["Quality Control"] is False  # 'False' read as a boolean
    assert "AI System (2)" in cset.attributes  # CSETv1 repeats a column name
    assert "Namespace" not in cset.attributes
    assert "Incident ID" not in cset.attributes
    assert ("mit_domain", "1. Discrimination and Toxicity") in facets(first)


@needs_aiid
def test_cset_annotations_fill_oecd_fields_only_where_they_say(
    aiid: AiidSnapshot,
) -> None:
    uber = next(r for r in aiid.records if r.external_id == "4")  # pedestrian killed
    assert HarmType.PHYSICAL in uber.harm_types
    assert uber.severity == Severity.SERIOUS
    assert "transportation" in uber.sectors
    without_cset = [r for r in aiid.records if r.classification("CSETv1") is None]
    assert without_cset
    assert all(
        not r.harm_types and r.severity is None and not r.sectors for r in without_cset
    )


@needs_aiid
def test_rereading_gives_identical_records_and_digests(aiid: AiidSnapshot) -> None:
    again = read_aiid_snapshot(AIID)
    assert [r.content_digest() for r in again.records] == [
        r.content_digest() for r in aiid.records
    ]
    assert again.model_dump_json() == aiid.model_dump_json()


# --- malformed rows -------------------------------------------------------------------


def test_bad_rows_are_reported_with_file_line_and_field(tmp_path: Path) -> None:
    incidents = (
        row(1, "Fine one")  # line 2
        + row(2, "Bad date", day="2021-13-40")  # line 3
        + row(3, "Broken list", reports='"[1,2"')  # line 4
        + row(1, "Duplicate of 1")  # line 5
        # Fields with embedded newlines: this row spans lines 6-8.
        + row(4, "Multi-line", description='"first line\nsecond line\nthird line"')
        + row("x7", "Not an integer id")  # line 9
        + row(5, '""')  # line 10: empty title
        + row(6, "Bad entity list", developers='"[""ok"", 3]"')  # line 11
        + row(7, "Last fine one")  # line 12
    )
    mit = (
        MIT_HEADER
        + "MIT,1,True,1. Discrimination and Toxicity,1.2. Exposure to toxic content,AI,Post-deployment,Unintentional\n"
        + "MIT,99,True,3. Misinformation,,AI,Post-deployment,Unintentional\n"  # line 3
        + "MIT,4,True,9. Not a domain,,AI,Post-deployment,Other\n"  # line 4
        + "MIT,7,True,3. Misinformation,3.1. False or misleading information,AI,Post-deployment,Other\n"
    )
    result = read_aiid_snapshot(snapshot(tmp_path / "snap", incidents, MIT=mit))
    assert [r.external_id for r in result.records] == ["1", "4", "7"]
    found = {(p.file, p.line, p.field, p.external_id) for p in result.problems}
    assert found == {
        ("incidents.csv", 3, "date", "2"),
        ("incidents.csv", 4, "reports", "3"),
        ("incidents.csv", 5, "incident_id", "1"),
        ("incidents.csv", 9, "incident_id", "x7"),
        ("incidents.csv", 10, "title", "5"),
        ("incidents.csv", 11, "Alleged developer of AI system", "6"),
        ("classifications_MIT.csv", 3, "Incident ID", "99"),
        ("classifications_MIT.csv", 4, "Risk Domain", "4"),
    }
    messages = {p.line: str(p) for p in result.problems if p.file == "incidents.csv"}
    assert "YYYY-MM-DD" in messages[3]
    assert "'2021-13-40'" in messages[3]
    assert messages[5].startswith("incidents.csv:5 [incident_id]: duplicate")
    by_id = {r.external_id: r for r in result.records}
    assert by_id["4"].description == "first line\nsecond line\nthird line"
    assert by_id["4"].classification("MIT") is None  # its MIT row was not taken
    assert by_id["1"].title == "Fine one"  # the first of a duplicate id is kept
    assert by_id["7"].risk_domains == ("honesty",)


def test_ragged_rows_and_unknown_namespaces(tmp_path: Path) -> None:
    incidents = row(1) + "short,row\n" + row(2)
    other = "Namespace,Incident ID,Published,Colour,Flag\nNEW,1,True,blue,False\nNEW,2,maybe,red,True\n"
    result = read_aiid_snapshot(snapshot(tmp_path / "s", incidents, NEW=other))
    assert [r.external_id for r in result.records] == ["1", "2"]
    assert [(p.file, p.line, p.field) for p in result.problems] == [
        ("classifications_NEW.csv", 3, "Published"),
        ("incidents.csv", 3, None),
    ]
    kept = result.records[0].classification("NEW")
    assert kept is not None
    assert kept.attributes == {"Colour": "blue", "Flag": False}
    assert result.records[0].risk_domains == ()


def test_missing_folder_file_and_wrong_header_raise_input_errors(
    tmp_path: Path,
) -> None:
    with pytest.raises(IncidentImportError, match="no such folder"):
        read_aiid_snapshot(tmp_path / "absent")
    (tmp_path / "empty").mkdir()
    with pytest.raises(IncidentImportError, match=r"incidents\.csv: missing"):
        read_aiid_snapshot(tmp_path / "empty")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "incidents.csv").write_text(
        "id,when,what\n1,2020-01-01,x\n", encoding="utf-8"
    )
    with pytest.raises(IncidentImportError) as caught:
        read_aiid_snapshot(bad)
    assert isinstance(caught.value, InputError)
    message = str(caught.value)
    assert "incidents.csv:1" in message
    assert "incident_id" in message
    assert "title" in message
    (bad / "incidents.csv").write_text(HEADER + row(1), encoding="utf-8")
    (bad / "classifications_MIT.csv").write_text("Incident ID\n1\n", encoding="utf-8")
    with pytest.raises(IncidentImportError, match="Namespace"):
        read_aiid_snapshot(bad)


def test_non_utf8_file_is_an_input_error(tmp_path: Path) -> None:
    folder = tmp_path / "latin1"
    folder.mkdir()
    (folder / "incidents.csv").write_bytes(
        (HEADER + row(1, "Caf\xe9")).encode("latin-1")
    )
    with pytest.raises(IncidentImportError, match="not UTF-8"):
        read_aiid_snapshot(folder)


def test_an_oversized_field_costs_one_row_not_the_file(tmp_path: Path) -> None:
    huge = '"' + "x" * 200_000 + '"'
    incidents = row(1) + row(2, description=huge) + row(3)
    result = read_aiid_snapshot(snapshot(tmp_path / "big", incidents))
    assert [r.external_id for r in result.records] == ["1", "3"]
    (problem,) = result.problems
    assert (problem.file, problem.line) == ("incidents.csv", 3)
    assert "field larger than field limit" in problem.reason
