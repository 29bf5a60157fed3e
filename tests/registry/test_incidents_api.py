"""The incident database over the API: import, idempotence, bad records, queries,
trends, classifications, submissions; on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from _incident_world import AIID, IncidentWorld, aiid_incident_ids, needs_aiid

from redline.incidents import IncidentRecord, read_aiid_snapshot, redline_domains
from redline.registry._incidents_api import OpenRequest, SubmissionCreate
from redline.registry._snapshot_import import import_aiid_snapshot

pytestmark = needs_aiid


@pytest.fixture(scope="module")
def records() -> dict[str, IncidentRecord]:
    return {r.external_id or "": r for r in read_aiid_snapshot(AIID).records}


def _submission(title: str, **proposal) -> SubmissionCreate:
    return SubmissionCreate.model_validate(
        {
            "report": {"title": title, "text": proposal.get("description", "")},
            "proposal": {"title": title, "date": "2024-05-01", **proposal},
        }
    )


def test_whole_snapshot_imports_with_counts_matching_the_csv(
    incident_world: IncidentWorld,
) -> None:
    first = incident_world.first
    ids = aiid_incident_ids()
    assert len(ids) == 1367
    assert set(first.new) == ids
    assert (first.changed, first.unchanged, first.skipped) == ((), (), ())
    assert first.read == len(ids)
    assert incident_world.world.count("incidents") >= len(ids)
    with incident_world.client(incident_world.reader) as client:
        page = client.incident_page(source="aiid", limit=1)
    assert page.items
    assert page.items[0].source == "aiid"


def test_second_import_changes_nothing(incident_world: IncidentWorld) -> None:
    with incident_world.client(incident_world.reader) as reader:
        before = reader.incident("aiid:1")
    with incident_world.client(incident_world.editor) as client:
        again = import_aiid_snapshot(client, AIID)
    assert again.new == ()
    assert again.changed == ()
    assert again.skipped == ()
    assert set(again.unchanged) == aiid_incident_ids()
    with incident_world.client(incident_world.reader) as reader:
        after = reader.incident("aiid:1")
    assert after == before  # not even updated_at moved


def test_a_modified_record_is_changed_and_the_rest_untouched(
    incident_world: IncidentWorld, records: dict[str, IncidentRecord]
) -> None:
    original, other = records["3"], records["5"]
    modified = original.model_copy(update={"title": original.title + " (revised)"})
    with incident_world.client(incident_world.editor) as client:
        result = client.import_incidents("aiid", [modified, other])
        assert (result.new, result.changed, result.unchanged) == ((), ("3",), ("5",))
        assert client.incident("aiid:3").record.title.endswith("(revised)")
        restored = client.import_incidents("aiid", [original])
        assert restored.changed == ("3",)
        assert client.incident("aiid:3").record == original


def test_bad_records_are_skipped_with_reasons_and_stored_data_stays(
    incident_world: IncidentWorld,
) -> None:
    good = {"external_id": "ok", "title": "A good record", "date": "2024-01-02"}
    batch = [
        good,
        {"external_id": "bad-date", "title": "t", "date": "yesterday"},
        {"external_id": "no-title", "date": "2024-01-02"},
        {"external_id": "other", "title": "t", "date": "2024-01-02", "source": "oecd"},
        {"title": "no id", "date": "2024-01-02"},
        {**good, "title": "the same id again"},
        {"external_id": "bad-kind", "title": "t", "date": "2024-01-02", "kind": "x"},
        {"external_id": "extra", "title": "t", "date": "2024-01-02", "surprise": 1},
    ]
    with incident_world.client(incident_world.editor) as client:
        result = client.import_incidents("testsrc", batch)
        assert result.new == ("ok",)
        reasons = {s.index: s.reason for s in result.skipped}
        assert sorted(reasons) == [1, 2, 3, 4, 5, 6, 7]
        assert reasons[1].startswith("date:")
        assert reasons[2].startswith("title:")
        assert reasons[3].startswith("source:")
        assert reasons[4].startswith("external_id:")
        assert "twice" in reasons[5]
        assert reasons[6].startswith("kind:")
        assert reasons[7].startswith("surprise:")
        assert {s.external_id for s in result.skipped} >= {"bad-date", "no-title"}
        # A malformed update of a stored record is skipped; the stored copy stays.
        worse = client.import_incidents(
            "testsrc", [{**good, "title": "", "date": "2024-13-45"}]
        )
        assert worse.new == ()
        assert worse.changed == ()
        assert worse.skipped[0].external_id == "ok"
        assert client.incident("testsrc:ok").record.title == "A good record"
        assert client.incident_page(source="aiid", limit=1).items


def test_the_registry_source_is_reserved(incident_world: IncidentWorld) -> None:
    with incident_world.http(incident_world.editor) as http:
        r = http.post("/v1/incidents/import", json={"source": "redline", "records": []})
    assert r.status_code == 422
    assert r.json()["error"]["message"].startswith("body.source")


def _all(world: IncidentWorld, **filters) -> list:
    with world.client(world.reader) as client:
        return list(client.incidents(source="aiid", limit=100, **filters))


def test_paging_walks_every_incident_once_most_recent_first(
    incident_world: IncidentWorld,
) -> None:
    with incident_world.http(incident_world.reader) as http:
        for cursor in ("c9999999_1", "c0_0"):
            r = http.get("/v1/incidents", params={"cursor": cursor})
            assert r.status_code == 200, r.text
    items = _all(incident_world)
    assert len(items) == 1367
    assert len({i.id for i in items}) == 1367
    keys = [(i.date, i.id) for i in items]
    assert [d for d, _ in keys] == sorted((d for d, _ in keys), reverse=True)


def test_filters_match_the_records(
    incident_world: IncidentWorld, records: dict[str, IncidentRecord]
) -> None:
    def expected(pred) -> set[str]:
        return {k for k, r in records.items() if pred(r)}

    def got(**filters) -> set[str]:
        return {i.external_id for i in _all(incident_world, **filters)}

    assert got(developer="openai") == expected(lambda r: "openai" in r.developers)
    assert got(deployer="tesla") == expected(lambda r: "tesla" in r.deployers)
    assert got(risk_domain="misuse_safeguards") == expected(
        lambda r: "misuse_safeguards" in r.risk_domains
    )
    window = {"date_from": date(2020, 1, 1), "date_to": date(2020, 12, 31)}
    assert got(**window) == expected(lambda r: r.date.year == 2020)
    assert got(q="deepfake") == expected(
        lambda r: "deepfake" in (r.title + " " + r.description).lower()
    )
    by_number = got(mit_domain="4")
    assert by_number == got(mit_domain="4. Malicious Actors & Misuse")
    assert by_number
    assert by_number <= got(risk_domain="misuse_safeguards") | got(mit_domain="4")
    harm = [r for r in records.values() if r.harm_types]
    if harm:
        kind = harm[0].harm_types[0]
        assert got(harm_type=kind.value) == expected(lambda r: kind in r.harm_types)
    assert got(developer="openai", date_from=date(2023, 1, 1)) == expected(
        lambda r: "openai" in r.developers and r.date >= date(2023, 1, 1)
    )


def test_trends_count_incidents_per_period_and_domain(
    incident_world: IncidentWorld, records: dict[str, IncidentRecord]
) -> None:
    with incident_world.http(incident_world.reader) as http:
        r = http.get(
            "/v1/incidents/trends",
            params={"by": "risk_domain", "interval": "year", "source": "aiid"},
        )
    assert r.status_code == 200, r.text
    table = r.json()
    periods, series = table["periods"], table["series"]
    per_year = Counter(
        (str(rec.date.year), d)
        for rec in records.values()
        for d in rec.risk_domains or ["(none)"]
    )
    assert set(series) == {d for _, d in per_year}
    for name, counts in series.items():
        for period, count in zip(periods, counts, strict=True):
            assert count == per_year[(period, name)], (name, period)
    assert table["rows"] == len(records)
    assert sum(table["period_totals"]) == len(records)
    with incident_world.http(incident_world.reader) as http:
        bad = http.get("/v1/incidents/trends", params={"by": "colour"})
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["loc"] == "query.by"


def test_fetch_by_id_or_source_reference(incident_world: IncidentWorld) -> None:
    with incident_world.client(incident_world.reader) as client:
        by_ref = client.incident("aiid:23")
        assert client.incident(by_ref.id) == by_ref
        assert by_ref.record.external_id == "23"
    with incident_world.http(incident_world.reader) as http:
        for ref in ("aiid:999999", "inc_0000000000000000", "nosuch:1"):
            r = http.get(f"/v1/incidents/{ref}")
            assert r.status_code == 404
            assert r.json()["error"]["code"] == "not_found"


def test_editor_classification_decides_domains_and_survives_reimport(
    incident_world: IncidentWorld, records: dict[str, IncidentRecord]
) -> None:
    # A copy of aiid:6 under its own source: the module's other tests compare the
    # aiid incidents with the CSV, and must not see this edit, whatever the order.
    own = records["6"].model_copy(update={"source": "classtest"})
    with incident_world.client(incident_world.editor) as client:
        client.import_incidents("classtest", [own])
    mit = {
        "Risk Domain": "7. AI system safety, failures, and limitations",
        "Risk Subdomain": "7.1. AI pursuing its own goals in conflict with human goals or values",
    }
    with incident_world.http(incident_world.editor) as http:
        r = http.put(
            "/v1/incidents/classtest:6/classifications/MIT", json={"attributes": mit}
        )
        assert r.status_code == 200, r.text
        bad = http.put(
            "/v1/incidents/classtest:6/classifications/MIT",
            json={"attributes": {"Risk Domain": "9. Nothing"}},
        )
        assert bad.status_code == 422
        assert "unknown MIT risk domain" in bad.json()["error"]["message"]
    record = IncidentRecord.model_validate(r.json()["record"])
    expected = redline_domains(mit["Risk Domain"], mit["Risk Subdomain"])
    assert record.risk_domains == expected
    assert record.classification("MIT").source.value == "editor"
    with incident_world.client(incident_world.reader) as reader:
        found = reader.incidents(source="classtest", risk_domain=expected[0])
        assert "6" in {i.external_id for i in found}
    with incident_world.client(incident_world.editor) as client:
        again = client.import_incidents("classtest", [own])
        assert again.changed == ()
        assert (
            client.incident("classtest:6").record.classification("MIT").attributes
            == mit
        )
        # The aiid original keeps its imported classification.
        original = client.incident("aiid:6").record.classification("MIT")
        assert original is None or original.source.value == "imported"


def test_a_submission_proposes_the_incident_it_describes(
    incident_world: IncidentWorld,
) -> None:
    with incident_world.client(incident_world.reader) as reader:
        target = reader.incident("aiid:23")
    with incident_world.client(incident_world.submitter) as client:
        sub = client.submit_incident(
            _submission(target.record.title, description=target.record.description)
        )
    assert sub.status.value == "pending"
    assert sub.institute == "aisi-b"
    assert sub.report.submitted_by == "aisi-b"
    assert 1 <= len(sub.suggestions) <= 5
    best = sub.suggestions[0]
    assert (best.incident_id, best.reference, best.title, best.rank) == (
        target.id,
        "aiid:23",
        target.record.title,
        1,
    )
    assert [s.score for s in sub.suggestions] == sorted(
        (s.score for s in sub.suggestions), reverse=True
    )
    assert sub.classification.namespace == "MIT"
    assert sub.classification.source.value == "automatic"
    assert isinstance(sub.classification.attributes["Risk Domain"], str)


def test_attach_merges_the_report_once_and_survives_reimport(
    incident_world: IncidentWorld,
) -> None:
    with incident_world.client(incident_world.submitter) as client:
        sub = client.submit_incident(
            _submission("Uber AV Killed Pedestrian in Arizona")
        )
    with incident_world.client(incident_world.editor) as editor:
        before = editor.incident("aiid:4")
        attached = editor.attach_submission(sub.id, "aiid:4")
        assert attached.status.value == "attached"
        assert attached.incident_id == before.id
        assert attached.decided_by == "aisi-a"
        after = editor.incident("aiid:4")
        assert len(after.record.reports) == len(before.record.reports) + 1
        assert after.submissions == (sub.id,)
        assert after.record.reports[-1].submitted_by == "aisi-b"
        assert import_aiid_snapshot(editor, AIID).changed == ()
        assert editor.incident("aiid:4").submissions == (sub.id,)
    with incident_world.http(incident_world.editor) as http:
        for action, body in (("attach", {"incident_id": "aiid:5"}), ("open", {})):
            r = http.post(f"/v1/incidents/submissions/{sub.id}/{action}", json=body)
            assert r.status_code == 409, r.text
            assert r.json()["error"]["code"] == "conflict"
        missing = http.post(
            "/v1/incidents/submissions/isub_nope/attach", json={"incident_id": "aiid:4"}
        )
        assert missing.status_code == 404


def test_open_creates_an_incident_that_later_submissions_find(
    incident_world: IncidentWorld,
) -> None:
    title = "Chatbot gave a made-up refund policy to airline customers in Zanzibar"
    report = {
        "title": "Report",
        "text": "It invented a policy.",
        "inputs_outputs": [
            {"input": "What is the refund policy?", "output": "Full refunds always."}
        ],
    }
    submission = SubmissionCreate.model_validate(
        {"report": report, "proposal": {"title": title, "date": "2026-03-01"}}
    )
    with incident_world.client(incident_world.submitter) as client:
        sub = client.submit_incident(submission)
    with incident_world.client(incident_world.editor) as editor:
        opened = editor.open_submission(sub.id, OpenRequest(kind="hazard"))
        assert opened.status.value == "opened"
        incident = editor.incident(opened.incident_id)
    record = incident.record
    assert (record.source, record.kind.value, record.title) == (
        "redline",
        "hazard",
        title,
    )
    assert record.classification("MIT") == sub.classification
    assert record.risk_domains == sub.risk_domains
    assert record.reports[0].inputs_outputs[0].input == "What is the refund policy?"
    with incident_world.client(incident_world.submitter) as client:
        again = client.submit_incident(_submission(title))
    assert again.suggestions[0].incident_id == incident.id


def test_submitters_see_their_own_submissions_and_editors_all(
    incident_world: IncidentWorld,
) -> None:
    with incident_world.client(incident_world.submitter) as client:
        mine = client.submit_incident(_submission("Visibility check"))
    with incident_world.client(incident_world.editor) as editor:
        pending = list(editor.incident_submissions(status="pending"))
        assert mine.id in {s.id for s in pending}
        assert all(s.status.value == "pending" for s in pending)
    with incident_world.client(incident_world.submitter) as client:
        own = list(client.incident_submissions())
        assert own
        assert {s.institute for s in own} == {"aisi-b"}
        assert client.incident_submission(mine.id).id == mine.id
    with incident_world.client(incident_world.reader) as other:
        assert mine.id not in {s.id for s in other.incident_submissions()}
    with incident_world.http(incident_world.reader) as http:
        r = http.get(f"/v1/incidents/submissions/{mine.id}")
        assert r.status_code == 404


@pytest.mark.parametrize(
    ("path", "body", "loc"),
    [
        (
            "/v1/incidents/submissions",
            {"report": {}, "proposal": {"title": "t", "date": "someday"}},
            "body.proposal.date",
        ),
        (
            "/v1/incidents/submissions",
            {
                "report": {"url": "ftp://x"},
                "proposal": {"title": "t", "date": "2024-01-01"},
            },
            "body.report.url",
        ),
        ("/v1/incidents/import", {"source": "Not Valid", "records": []}, "body.source"),
        (
            "/v1/incidents/submissions/isub_x/open",
            {"kind": "rumour"},
            "body.kind",
        ),
    ],
)
def test_bad_bodies_get_422_naming_the_field(
    incident_world: IncidentWorld, path: str, body: dict, loc: str
) -> None:
    with incident_world.http(incident_world.editor) as http:
        r = http.post(path, json=body)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "validation_error"
    assert error["details"][0]["loc"] == loc


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "101"},
        {"cursor": "c1"},
        {"cursor": "c1_"},
        {"date_from": "2024-13-01"},
        # A bare number would otherwise be read as a Unix timestamp.
        {"date_to": "0"},
        {"date_from": "1700000000"},
        {"harm_type": "boredom"},
        {"kind": "rumour"},
        {"surprise": "1"},
    ],
)
def test_bad_query_parameters_get_422(
    incident_world: IncidentWorld, params: dict[str, str]
) -> None:
    with incident_world.http(incident_world.reader) as http:
        r = http.get("/v1/incidents", params=params)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"][0]["loc"].startswith("query.")


def test_concurrent_decisions_and_imports_stay_consistent(
    incident_world: IncidentWorld,
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with incident_world.client(incident_world.submitter) as client:
        sub = client.submit_incident(_submission("Race between two editors"))

    def attach(ref: str) -> int:
        with incident_world.http(incident_world.editor) as http:
            return http.post(
                f"/v1/incidents/submissions/{sub.id}/attach", json={"incident_id": ref}
            ).status_code

    with ThreadPoolExecutor(4) as pool:
        codes = sorted(pool.map(attach, ["aiid:7", "aiid:8", "aiid:9", "aiid:10"]))
    assert codes == [200, 409, 409, 409]

    batch = [
        {"external_id": f"race-{n}", "title": f"Race {n}", "date": "2024-02-02"}
        for n in range(20)
    ]

    def load(_: int):
        with incident_world.client(incident_world.editor) as client:
            return client.import_incidents("racesrc", batch)

    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(load, range(3)))
    stored = [r.new + r.changed + r.unchanged for r in results]
    assert all(sorted(s) == sorted(b["external_id"] for b in batch) for s in stored)
    assert sum(len(r.new) for r in results) == len(batch)
    with incident_world.client(incident_world.reader) as client:
        assert len(list(client.incidents(source="racesrc", limit=100))) == len(batch)
