"""Every endpoint that returns report-derived data follows the report's current sharing.

A report narrowed after it was submitted to an exercise disappears, for those it is
no longer shared with, from every read path: fetch, lists, searches, the exercise and
its agreement statistics. The walk is checked against the OpenAPI spec, so a new read
route under /v1/reports or /v1/exercises fails here until it is walked too.
"""

from __future__ import annotations

import json

import pytest
from _registry_world import World
from fastapi.routing import APIRoute
from test_exercises import _spec, with_scores

from redline.registry import Scope, Sharing

MARKER = "marker-prompt-of-aisi-a"


def _get_paths(world: World) -> set[str]:
    return {
        path
        for path, operations in world.app.openapi()["paths"].items()
        if "get" in operations and path.startswith(("/v1/reports", "/v1/exercises"))
    }


def _walk(world: World, caller: str | None, exercise_id: str, report_id: str):
    """Every report-derived read, as (path template, status, body text)."""
    calls = {
        "/v1/reports": [{}, {"model": "redline/local"}, {"institute": "aisi-a"},
                        {"domain": "misuse_safeguards"}],
        "/v1/reports/{report_id}": [None],
        "/v1/exercises": [None],
        "/v1/exercises/{exercise_id}": [None],
        "/v1/exercises/{exercise_id}/agreement": [None],
    }  # fmt: skip
    out = []
    with world.http(caller) as http:
        for template, variants in calls.items():
            path = template.format(exercise_id=exercise_id, report_id=report_id)
            for params in variants:
                r = http.get(path, params=params)
                out.append((template, r.status_code, r.text))
    return calls.keys(), out


@pytest.fixture
def narrowed(world: World, report_data) -> tuple[World, str, str]:
    """A, B and C each submit a network report; then A narrows its own to C only."""
    with world.client("aisi-a") as client:
        exercise = client.create_exercise(_spec())
    ids = {}
    for slug, scores in (("aisi-a", [1.0] * 30), ("aisi-b", [0.0] * 30),
                         ("aisi-c", [0.0] * 29 + [1.0])):  # fmt: skip
        data = with_scores(report_data(), "misuse_refusal", scores)
        if slug == "aisi-a":
            misuse = next(s for s in data["suites"] if s["suite"] == "misuse_refusal")
            misuse["samples"][0].update(prompt=MARKER, prompt_digest=_digest(MARKER))
        ids[slug] = world.publish(slug, data, "network")
        with world.client(slug) as client:
            client.submit(exercise.id, ids[slug])
    with world.client("aisi-a") as client:
        client.update_sharing(
            ids["aisi-a"], Sharing(scope=Scope.PARTNERS, partners=("aisi-c",))
        )
    return world, exercise.id, ids["aisi-a"]


def _digest(text: str) -> str:
    import hashlib

    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def test_the_walk_covers_every_report_read_route(narrowed) -> None:
    world, exercise_id, report_id = narrowed
    walked, _ = _walk(world, "aisi-b", exercise_id, report_id)
    assert set(walked) == _get_paths(world)


def test_a_narrowed_report_leaves_every_read_path_of_those_it_left(narrowed) -> None:
    world, exercise_id, report_id = narrowed
    _, answers = _walk(world, "aisi-b", exercise_id, report_id)
    for template, status, text in answers:
        if template == "/v1/reports/{report_id}":
            assert status == 404, text
            continue
        assert status == 200, (template, text)
        assert MARKER not in text, template
        if template == "/v1/reports":
            assert report_id not in text, template
    agreement = json.loads(answers[-1][2])
    assert agreement["submitted"] == ["aisi-b", "aisi-c"]
    assert agreement["withheld"] == ["aisi-a"]
    assert agreement["missing"] == []
    # No estimate, interval, verdict or decision of aisi-a's reaches aisi-b.
    assert "aisi-a" not in json.dumps(agreement["comparison"])


def test_those_it_is_still_shared_with_keep_it_in_the_agreement(narrowed) -> None:
    world, exercise_id, report_id = narrowed
    with world.client("aisi-c") as client:
        agreement = client.agreement(exercise_id)
        assert client.fetch(report_id).summary.id == report_id
    assert agreement.submitted == ("aisi-a", "aisi-b", "aisi-c")
    assert agreement.withheld == ()
    assert agreement.comparison is not None
    verdicts = agreement.comparison.thresholds[0].verdicts
    assert set(verdicts) == {"aisi-a", "aisi-b", "aisi-c"}


def test_narrowing_to_private_withholds_it_from_every_other_participant(
    narrowed,
) -> None:
    world, exercise_id, report_id = narrowed
    with world.client("aisi-a") as client:
        client.update_sharing(report_id, Sharing(scope=Scope.PRIVATE))
        own = client.agreement(exercise_id)
    assert own.withheld == ()  # the publisher always reads its own report
    for slug in ("aisi-b", "aisi-c"):
        _, answers = _walk(world, slug, exercise_id, report_id)
        assert all(MARKER not in text for _, _, text in answers)
        with world.client(slug) as client:
            assert client.agreement(exercise_id).withheld == ("aisi-a",)


# The dashboard's /ui pages are HTML, not API, so they are kept out of the OpenAPI spec
# (include_in_schema=False); this walk covers them instead, checked against the UI
# router's own routes. Routes not derived from reports, and why:
UI_NOT_REPORT_DERIVED = {
    "/static/plotly.min.js": "a file of the plotly wheel",
    "/static/{name}": "the UI's own CSS and JavaScript",
    "/incidents": "incidents have their own scopes, tested in tests/view and the incident tests",
    "/incidents/{ref}": "as /incidents",
    "/login": "the token form",
}


def _ui_walk(
    world: World, caller: str, exercise_id: str, report_id: str, model: str
) -> tuple[set[str], list[tuple[str, int, str]]]:
    """Every report-derived /ui page, as (path template, status, body text)."""
    with world.client(caller) as client:
        own = next(r.id for r in client.reports() if r.institute == caller)
    calls = {
        "/": [{}, {"model": model}],
        "/reports/{entry_id}": [None],
        "/compare": [{"id": [report_id, own]}],
        "/history": [{}, {"model": model}],
        "/exercises": [None],
        "/exercises/{exercise_id}": [None],
    }
    out = []
    with world.http(caller) as http:
        for template, variants in calls.items():
            path = "/ui" + template.format(exercise_id=exercise_id, entry_id=report_id)
            for params in variants:
                r = http.get(path, params=params)
                out.append((template, r.status_code, r.text))
    return set(calls), out


def test_a_narrowed_report_leaves_every_dashboard_page_of_those_it_left(
    narrowed, report_data
) -> None:
    from redline.registry.server.ui import ui_router

    world, exercise_id, report_id = narrowed
    walked, answers = _ui_walk(
        world, "aisi-b", exercise_id, report_id, report_data()["model"]
    )
    with world.http("aisi-b") as http:
        api = {
            "/exercises": http.get("/v1/exercises").text,
            "/exercises/{exercise_id}": http.get(f"/v1/exercises/{exercise_id}").text,
        }
    routes = {
        route.path
        for route in ui_router(world.db).routes
        if isinstance(route, APIRoute) and "GET" in route.methods
    }
    assert walked == routes - set(UI_NOT_REPORT_DERIVED)
    for template, status, text in answers:
        assert MARKER not in text, template
        if template in ("/reports/{entry_id}", "/compare"):
            # Refused as the API refuses it; the page only repeats the id asked for.
            assert status == 404, (template, text[:500])
        elif template.startswith("/exercises"):
            # An exercise lists every submission by report id, as the API does; the
            # report behind it stays refused (above) and its content absent.
            assert status == 200, (template, text[:500])
            assert (report_id in text) <= (report_id in api[template]), template
        else:
            assert status == 200, (template, text[:500])
            assert report_id not in text, template
