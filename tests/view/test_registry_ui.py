"""The registry's /ui in-process: tokens, refusals and bad filters answer as the API does."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from view_helpers import golden

from redline._cli.main import cli
from redline.registry.server import (
    Database,
    Settings,
    add_institute,
    create_app,
    register_key,
)
from redline.reports import SigningKey, sign_report_data
from redline.view import TOKEN_COOKIE


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str], str]]:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'registry.db'}")
    db = Database(settings)
    db.migrate()
    tokens = {slug: add_institute(db, slug, slug) for slug in ("aisi-a", "aisi-b")}
    tokens["incidents-only"] = add_institute(
        db, "aisi-c", "c", scopes=["incidents:read"]
    )
    key = SigningKey.from_seed(bytes([3]) * 32)
    register_key(db, "aisi-a", key.public)
    client = TestClient(create_app(settings, database=db))
    body = {
        "envelope": sign_report_data(golden(), key),
        "sharing": {"scope": "private"},
    }
    published = client.post(
        "/v1/reports",
        json=body,
        headers={"Authorization": f"Bearer {tokens['aisi-a']}"},
    )
    assert published.status_code == 201, published.text
    yield client, tokens, published.json()["report"]["id"]
    client.close()
    db.dispose()


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_private_report_reaches_only_its_owner(registry) -> None:
    client, tokens, report_id = registry
    assert report_id in client.get("/ui/", headers=_bearer(tokens["aisi-a"])).text
    for headers in ({}, _bearer(tokens["aisi-b"])):
        listed = client.get("/ui/", headers=headers)
        assert listed.status_code == 200
        assert report_id not in listed.text
        page = client.get(f"/ui/reports/{report_id}", headers=headers)
        assert page.status_code == 404
        # The API answers the same.
        assert (
            client.get(f"/v1/reports/{report_id}", headers=headers).status_code == 404
        )


def test_the_token_form_keeps_the_token_in_a_cookie(registry) -> None:
    client, tokens, report_id = registry
    refused = client.post("/ui/login", content="token=rl_bad", headers={
        "Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert refused.status_code == 401
    assert "malformed API token" in refused.text
    answer = client.post(
        "/ui/login",
        content=f"token={tokens['aisi-a']}",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{TOKEN_COOKIE}=")
    assert "HttpOnly" in cookie
    assert "samesite=strict" in cookie.lower()
    assert (
        report_id in client.get("/ui/", cookies={TOKEN_COOKIE: tokens["aisi-a"]}).text
    )
    who = client.get("/ui/login", cookies={TOKEN_COOKIE: tokens["aisi-a"]}).text
    assert "Reading as <strong>aisi-a</strong>" in who


def test_refusals_are_pages_with_the_apis_status(registry) -> None:
    client, tokens, _ = registry
    bad = client.get("/ui/", headers=_bearer("rl_0123456789abcdef_" + "x" * 43))
    assert bad.status_code == 401
    assert "unknown or revoked API token" in bad.text
    assert "Traceback" not in bad.text
    no_scope = client.get("/ui/", headers=_bearer(tokens["incidents-only"]))
    assert no_scope.status_code == 403
    assert "reports:read" in no_scope.text
    anonymous = client.get("/ui/incidents")
    assert anonymous.status_code == 401
    no_exercises = client.get(
        "/ui/exercises", headers=_bearer(tokens["incidents-only"])
    )
    assert no_exercises.status_code == 403


def test_bad_filters_get_one_clear_line(registry) -> None:
    client, tokens, _ = registry
    page = client.get(
        "/ui/incidents",
        params={"date_from": "yesterday"},
        headers=_bearer(tokens["aisi-a"]),
    )
    assert page.status_code == 422
    message = re.search(r'<p class="error" role="alert">([^<]+)</p>', page.text)
    assert message is not None
    assert message.group(1).startswith("filter &#39;date_from&#39;")
    listed = client.get(
        "/ui/", params={"date_to": "13/01"}, headers=_bearer(tokens["aisi-a"])
    )
    assert listed.status_code == 422
    assert "date_to" in listed.text


def test_view_without_runs_says_what_to_do(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["view", "--no-browser"])
    assert result.exit_code == 2
    assert "run `redline assess` first" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_the_list_pages_through_the_registrys_own_cursor(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'paged.db'}")
    db = Database(settings)
    db.migrate()
    token = add_institute(db, "aisi-a", "a")
    key = SigningKey.from_seed(bytes([4]) * 32)
    register_key(db, "aisi-a", key.public)
    with TestClient(
        create_app(settings, database=db), headers=_bearer(token)
    ) as client:
        for i in range(101):
            data = golden()
            data["created_at"] = f"2026-02-01T{i // 60:02d}:{i % 60:02d}:00Z"
            body = {
                "envelope": sign_report_data(data, key),
                "sharing": {"scope": "network"},
            }
            assert client.post("/v1/reports", json=body).status_code == 201
        first = client.get("/ui/", params={"decision": "deploy_with_safeguards"}).text
        assert first.count("<tr data-id=") == 100
        link = re.search(r'href="(/ui/\?[^"]*cursor=[^"]+)" rel="next"', first)
        assert link is not None
        second = client.get(link.group(1).replace("&amp;", "&")).text
        assert second.count("<tr data-id=") == 1
        assert 'rel="next"' not in second
        ids = set(re.findall(r'<tr data-id="([^"]+)"', first + second))
        assert len(ids) == 101
        assert not re.findall(
            r"<tr data-id=",
            client.get("/ui/", params={"decision": "do_not_deploy"}).text,
        )
    db.dispose()


def test_the_registry_ui_has_no_economic_index_page(registry) -> None:
    # The registry publishes no economic index (yet): the page lives in `redline view`.
    client, tokens, _ = registry
    page = client.get("/ui/", headers=_bearer(tokens["aisi-a"]))
    assert page.status_code == 200
    assert "/ui/econ" not in page.text
    assert client.get("/ui/econ", headers=_bearer(tokens["aisi-a"])).status_code == 404
