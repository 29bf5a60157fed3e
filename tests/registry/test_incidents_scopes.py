"""Token scopes: each incident endpoint needs its scope; report and exercise endpoints
theirs; anonymous callers get 401, tokens without the scope 403 naming it."""

from __future__ import annotations

import pytest
from _incident_world import IncidentWorld

SUBMISSION = {
    "report": {"title": "r", "text": "t"},
    "proposal": {"title": "Scope check", "date": "2024-01-01"},
}
RECORD = {"external_id": "s1", "title": "Scoped", "date": "2024-01-01"}


@pytest.fixture(scope="module")
def scoped_world(empty_incident_world: IncidentWorld) -> IncidentWorld:
    with empty_incident_world.client(empty_incident_world.editor) as editor:
        editor.import_incidents("scopetest", [RECORD])
    return empty_incident_world


@pytest.fixture
def pending_id(scoped_world: IncidentWorld) -> str:
    with scoped_world.http(scoped_world.submitter) as http:
        r = http.post("/v1/incidents/submissions", json=SUBMISSION)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _calls(sub: str) -> dict[str, tuple[str, str, object]]:
    return {
        "list": ("GET", "/v1/incidents", None),
        "get": ("GET", "/v1/incidents/scopetest:s1", None),
        "trends": ("GET", "/v1/incidents/trends", None),
        "submissions": ("GET", "/v1/incidents/submissions", None),
        "submit": ("POST", "/v1/incidents/submissions", SUBMISSION),
        "import": ("POST", "/v1/incidents/import", {"source": "scopetest", "records": [RECORD]}),
        "classify": ("PUT", "/v1/incidents/scopetest:s1/classifications/GMF", {"attributes": {}}),
        "attach": ("POST", f"/v1/incidents/submissions/{sub}/attach", {"incident_id": "scopetest:s1"}),
        "open": ("POST", f"/v1/incidents/submissions/{sub}/open", {}),
    }  # fmt: skip


NEEDS = {
    "list": "incidents:read",
    "get": "incidents:read",
    "trends": "incidents:read",
    "submissions": "incidents:read",
    "submit": "incidents:submit",
    "import": "incidents:edit",
    "classify": "incidents:edit",
    "attach": "incidents:edit",
    "open": "incidents:edit",
}
ROLES = {
    "editor": {"incidents:read", "incidents:submit", "incidents:edit"},
    "submitter": {"incidents:read", "incidents:submit"},
    "reader": {"incidents:read"},
    "reports-only": set(),
    "anonymous": None,
}


def _token(world: IncidentWorld, role: str) -> str | None:
    return {
        "editor": world.editor,
        "submitter": world.submitter,
        "reader": world.reader,
        "reports-only": world.world.tokens["aisi-c:reports"],
        "anonymous": None,
    }[role]


@pytest.mark.parametrize("endpoint", NEEDS)
@pytest.mark.parametrize("role", ROLES)
def test_each_endpoint_needs_its_scope(
    scoped_world: IncidentWorld, pending_id: str, role: str, endpoint: str
) -> None:
    method, path, body = _calls(pending_id)[endpoint]
    with scoped_world.http(_token(scoped_world, role)) as http:
        r = http.request(method, path, json=body)
    granted = ROLES[role]
    if granted is None:
        assert r.status_code == 401, r.text
        assert r.json()["error"]["code"] == "unauthorized"
    elif NEEDS[endpoint] in granted:
        assert r.status_code in (200, 201), r.text
    else:
        assert r.status_code == 403, r.text
        error = r.json()["error"]
        assert error["code"] == "insufficient_scope"
        assert f"'{NEEDS[endpoint]}'" in error["message"]


def _refused_for_lack_of(response, scope: str) -> None:
    assert response.status_code == 403, response.text
    error = response.json()["error"]
    assert error["code"] == "insufficient_scope"
    assert f"'{scope}'" in error["message"]


def test_report_and_exercise_endpoints_check_their_scopes(
    scoped_world: IncidentWorld, report_data
) -> None:
    # Valid bodies throughout: only the missing scope can explain a refusal.
    envelope = scoped_world.world.sign("aisi-c", report_data())
    exercise = {
        "title": "t", "model": "m", "framework_id": "f", "suites": ["s"],
        "participants": ["aisi-a"],
    }  # fmt: skip
    before = scoped_world.world.count("reports")
    with scoped_world.http(scoped_world.reader) as http:
        _refused_for_lack_of(http.get("/v1/reports"), "reports:read")
        _refused_for_lack_of(http.get("/v1/exercises"), "exercises")
        _refused_for_lack_of(http.post("/v1/exercises", json=exercise), "exercises")
        publish = http.post(
            "/v1/reports", json={"envelope": envelope, "sharing": {"scope": "network"}}
        )
        _refused_for_lack_of(publish, "reports:publish")
    assert scoped_world.world.count("reports") == before
    with scoped_world.http(scoped_world.world.tokens["aisi-c"]) as http:
        published = http.post(
            "/v1/reports", json={"envelope": envelope, "sharing": {"scope": "network"}}
        )
        assert published.status_code == 201, published.text
    with scoped_world.http(scoped_world.world.tokens["aisi-c:reports"]) as http:
        assert http.get("/v1/reports").status_code == 200
    with scoped_world.http(None) as http:
        assert http.get("/v1/reports").status_code == 200  # public reads stay open
    with scoped_world.http(scoped_world.editor) as http:
        assert http.get("/v1/exercises").status_code == 200


def test_unknown_scope_is_refused_by_the_operator_command(
    scoped_world: IncidentWorld,
) -> None:
    from redline.errors import ConfigError
    from redline.registry.server import new_token

    with pytest.raises(ConfigError, match="unknown token scope 'incidents:all'"):
        new_token(scoped_world.world.db, "aisi-a", scopes=["incidents:all"])
