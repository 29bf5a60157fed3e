"""The registry's /ui in a real browser: each token sees exactly what the API lets it read."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from conftest import Runs, Server, screenshot
from redline.incidents import IncidentRecord, SourceReport
from redline.registry import ExerciseCreate, RegistryClient, Scope, Sharing
from redline.registry.server import Database, Settings, add_institute, register_key
from redline.reports import SigningKey, load_report, read_json_file, sign_report_data


@dataclass(frozen=True)
class Registry:
    server: Server
    tokens: dict[str, str]
    shared_id: str
    """aisi-a's report shared with aisi-b (partners)."""
    private_id: str
    """aisi-a's private report."""
    private_digest: str
    public_id: str
    """aisi-c's public (so redacted) report."""
    exercise_id: str


def _add(db: Database, slug: str, *scopes: str) -> tuple[str, SigningKey]:
    token = add_institute(db, slug, slug, scopes=scopes or None)
    key = SigningKey.generate()
    register_key(db, slug, key.public)
    return token, key


def _publish(
    client: RegistryClient, report: Path, key: SigningKey, sharing: Sharing
) -> tuple[str, str]:
    envelope = sign_report_data(read_json_file(report), key)
    summary = client.publish(envelope, sharing).report
    return summary.id, summary.assessment_digest


@pytest.fixture(scope="module")
def registry(
    runs: Runs, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Registry]:
    root = tmp_path_factory.mktemp("registry_ui")
    url = f"sqlite:///{root / 'registry.db'}"
    database = Database(Settings(database_url=url))
    database.migrate()
    made = {
        "aisi-a": _add(database, "aisi-a"),
        "aisi-b": _add(database, "aisi-b"),
        "aisi-c": _add(database, "aisi-c"),
        "no-read": _add(database, "aisi-d", "incidents:read"),
        "editor": _add(database, "aisi-e", "incidents:edit"),
    }
    database.dispose()
    tokens = {name: token for name, (token, _) in made.items()}
    keys = {name: key for name, (_, key) in made.items()}
    server = Server(
        ["registry", "serve", "--database", url], "/v1/health", root / "server.log"
    )
    try:
        a = RegistryClient(server.url, tokens["aisi-a"])
        b = RegistryClient(server.url, tokens["aisi-b"])
        c = RegistryClient(server.url, tokens["aisi-c"])
        partners_b = Sharing(scope=Scope.PARTNERS, partners=("aisi-b",))
        shared_id, _ = _publish(a, runs.first, keys["aisi-a"], partners_b)
        private_id, private_digest = _publish(
            a, runs.second, keys["aisi-a"], Sharing(scope=Scope.PRIVATE)
        )
        public_id, _ = _publish(
            c, runs.other_seed, keys["aisi-c"], Sharing(scope=Scope.PUBLIC)
        )
        b_copy, _ = _publish(
            b,
            runs.first,
            keys["aisi-b"],
            Sharing(scope=Scope.PARTNERS, partners=("aisi-a",)),
        )
        first = load_report(runs.first)
        exercise = a.create_exercise(
            ExerciseCreate(
                title="Joint proxy exercise", model=first.model,
                framework_id=first.framework.id, suites=(first.suites[0].suite,),
                participants=("aisi-b",),
            )
        )  # fmt: skip
        a.submit(exercise.id, shared_id)
        b.submit(exercise.id, b_copy)
        RegistryClient(server.url, tokens["editor"]).import_incidents(
            "uitest",
            [
                IncidentRecord(
                    source="uitest",
                    external_id=str(i),
                    title=f"Chatbot gave wrong opening hours {i}",
                    description="A support chatbot told customers a shop was open on a holiday.",
                    date=date(2023 + i, 3, 1),
                    developers=("example-lab",),
                    implicated_systems=("example-chatbot",),
                    reports=(
                        SourceReport(
                            title=f"Local news item {i}", url=f"https://example.org/{i}"
                        ),
                    ),
                )  # fmt: skip
                for i in range(3)
            ],
        )
        yield Registry(
            server,
            tokens,
            shared_id,
            private_id,
            private_digest,
            public_id,
            exercise.id,
        )
    finally:
        server.stop()


def _as(browser, token: str | None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, extra_http_headers=headers
    )
    return context, context.new_page()


def test_partner_sees_shared_never_private(browser, registry: Registry) -> None:
    context, page = _as(browser, None)
    try:
        # Through the UI's own token form, as a person would.
        page.goto(registry.server.url + "/ui/login")
        page.get_by_label("Token").fill(registry.tokens["aisi-b"])
        page.get_by_role("button", name="Use this token").click()
        page.wait_for_selector("#assessments")
        html = page.content()
        assert registry.shared_id in html
        assert registry.public_id in html
        assert registry.private_id not in html
        assert registry.private_digest not in html
        page.goto(f"{registry.server.url}/ui/reports/{registry.shared_id}")
        page.wait_for_selector("#forest .main-svg")
        screenshot(page, "registry-report")
        answer = page.goto(f"{registry.server.url}/ui/reports/{registry.private_id}")
        assert answer.status == 404
        assert registry.private_digest not in page.content()
        for path in ("/ui/compare", "/ui/history?model=redline/local"):
            page.goto(registry.server.url + path)
            assert registry.private_id not in page.content()
        screenshot(page, "registry-list-partner")
    finally:
        context.close()


def test_owner_sees_its_private_report(browser, registry: Registry) -> None:
    context, page = _as(browser, registry.tokens["aisi-a"])
    try:
        page.goto(registry.server.url + "/ui/")
        assert registry.private_id in page.content()
    finally:
        context.close()


def test_anonymous_sees_public_only(browser, registry: Registry) -> None:
    context, page = _as(browser, None)
    try:
        page.goto(registry.server.url + "/ui/")
        html = page.content()
        assert registry.public_id in html
        assert registry.shared_id not in html
        assert registry.private_id not in html
    finally:
        context.close()


def test_redacted_report_shows_no_prompt_text(
    browser, registry: Registry, runs: Runs
) -> None:
    context, page = _as(browser, registry.tokens["aisi-b"])
    try:
        page.goto(f"{registry.server.url}/ui/reports/{registry.public_id}")
        html = page.content()
        original = json.loads(runs.other_seed.read_text())
        samples = [s for suite in original["suites"] for s in suite["samples"]]
        assert samples
        for sample in samples:
            assert sample["prompt"] not in html
            assert sample["prompt"][:24] not in html
            assert sample["prompt_digest"] in html
        assert "redacted" in html
        screenshot(page, "registry-redacted")
    finally:
        context.close()


def test_a_token_without_read_scope_is_refused(browser, registry: Registry) -> None:
    context, page = _as(browser, registry.tokens["no-read"])
    try:
        answer = page.goto(registry.server.url + "/ui/")
        assert answer.status == 403
        assert "reports:read" in page.inner_text("main")
        assert registry.public_id not in page.content()
    finally:
        context.close()


def test_exercise_shows_agreement(browser, registry: Registry) -> None:
    context, page = _as(browser, registry.tokens["aisi-b"])
    try:
        page.goto(registry.server.url + "/ui/exercises")
        page.get_by_role("link", name="Joint proxy exercise").click()
        page.wait_for_selector("#verdicts")
        text = page.inner_text("main")
        assert "Verdict concordance 1.000" in text
        assert "Krippendorff" in text
        screenshot(page, "registry-exercise")
    finally:
        context.close()


def test_incidents_filter_trend_and_one_incident(browser, registry: Registry) -> None:
    context, page = _as(browser, registry.tokens["aisi-b"])
    try:
        page.goto(registry.server.url + "/ui/incidents")
        page.wait_for_selector("#trend .main-svg")
        assert page.locator("#incidents tbody tr").count() == 3
        page.fill("input[name=date_from]", "2024-01-01")
        page.get_by_role("button", name="Filter").click()
        page.wait_for_url("**date_from=2024-01-01**")
        assert page.locator("#incidents tbody tr").count() == 2
        screenshot(page, "registry-incidents")
        page.get_by_role("link", name="Chatbot gave wrong opening hours 2").click()
        assert "Local news item 2" in page.inner_text("main")
        screenshot(page, "registry-incident")
    finally:
        context.close()
