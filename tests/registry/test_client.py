"""RegistryClient against a live registry; gateway faults from a real socket server.

A live registry cannot answer a 502 page or a malformed 200, nor refuse connections,
so those faults come from a small HTTP server on 127.0.0.1 or a closed port.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from _registry_world import World
from sqlalchemy import text

from helpers.postgres import free_port
from redline.errors import ConfigError, RegistryError, SignatureError
from redline.registry import RegistryClient, Scope, Sharing


@pytest.mark.parametrize(
    "url", ["registry.test", "ftp://registry.test", "http://", "", "http:///v1"]
)
def test_bad_urls_are_config_errors(url: str) -> None:
    with pytest.raises(ConfigError, match="expected http"):
        RegistryClient(url)


def test_token_is_sent_but_never_shown(world: World) -> None:
    token = world.tokens["aisi-a"]
    with world.client("aisi-a") as client:
        assert client.me().slug == "aisi-a"  # the server saw the token
        assert token not in repr(client)
        with pytest.raises(RegistryError) as info:
            client.fetch("rpt_nowhere")
    assert token not in str(info.value)
    assert token not in repr(info.value)


def test_error_answers_become_registry_errors(world: World) -> None:
    with world.client("aisi-a") as client, pytest.raises(RegistryError) as info:
        client.fetch("rpt_1")
    error = info.value
    assert (error.status, error.code) == (404, "not_found")
    assert error.request == f"GET {world.url}/v1/reports/rpt_1"
    assert "no report rpt_1 is visible to you" in str(error)


class _Gateway:
    """A proxy's failure modes: an HTML 502 page, and a 200 that is not the API's."""

    def __enter__(self) -> str:
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                if self.path.endswith("/health"):
                    status, body = 200, b'{"status": "weird"}'
                else:
                    status, body = 502, b"<html>bad gateway</html>"
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_non_json_errors_and_bad_answers() -> None:
    with _Gateway() as url, RegistryClient(url, "rl_x") as client:
        with pytest.raises(RegistryError, match="unexpected answer"):
            client.health()
        with pytest.raises(RegistryError) as info:
            client.me()
    assert info.value.status == 502
    assert info.value.code is None
    assert "bad gateway" in str(info.value)


def test_unreachable_registry() -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    with (
        RegistryClient(url, "rl_x", timeout=5) as client,
        pytest.raises(RegistryError, match="cannot reach the registry") as info,
    ):
        client.me()
    assert info.value.status is None


@pytest.fixture
def five_reports(world: World, report_data) -> list[str]:
    ids = [
        world.publish("aisi-a", report_data(model="example/paged"), "network")
        for _ in range(5)
    ]
    return ids


def test_reports_follow_cursors(world: World, five_reports: list[str]) -> None:
    with world.client("aisi-b") as client:
        first = client.page(model="example/paged", limit=2)
        assert first.next_cursor is not None
        ids = [r.id for r in client.reports(model="example/paged", limit=2)]
    assert [r.id for r in first.items] == five_reports[::-1][:2]
    assert ids == five_reports[::-1]  # newest first, every page followed once


def test_fetch_verifies_signature(world: World, report_data) -> None:
    report_id = world.publish("aisi-a", report_data(), "network")
    with world.db.writer() as session:
        stored = json.loads(
            session.execute(text("SELECT envelope FROM reports")).scalar_one()
        )
        stored["report"]["decision"] = "deploy"
        session.execute(
            text("UPDATE reports SET envelope = :e"), {"e": json.dumps(stored)}
        )
    with world.client("aisi-b") as client:
        with pytest.raises(SignatureError):
            client.fetch(report_id)
        unverified = client.fetch(report_id, verify=False)
    assert unverified.envelope["report"]["decision"] == "deploy"


def test_publish_sends_envelope_and_sharing(world: World, report_data) -> None:
    envelope = world.sign("aisi-a", report_data())
    sharing = Sharing(scope=Scope.PARTNERS, partners=("aisi-b",))
    with world.client("aisi-a") as client:
        result = client.publish(envelope, sharing)
        again = client.publish(envelope, sharing)
    assert result.created
    assert not again.created
    assert result.report.sharing == sharing
    with world.client("aisi-b") as partner:
        fetched = partner.fetch(result.report.id)
    assert fetched.envelope == envelope
