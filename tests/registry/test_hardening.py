"""The registry's weaker points, each tried for real against a live server.

Default token scopes, the body-size limit on a chunked upload, deeply nested JSON,
file modes of the database, revoking one token, and the client's refusal to send a
token in the clear.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from _registry_world import World, make_world

from redline.errors import ConfigError
from redline.registry import RegistryClient
from redline.registry.server import (
    Database,
    Settings,
    add_institute,
    list_tokens,
    new_token,
    revoke_token,
)


def _error(r: httpx.Response) -> dict:
    body = r.json()
    assert set(body) == {"error"}, body
    return body["error"]


def test_default_tokens_are_not_incident_editors(world: World) -> None:
    token = add_institute(world.db, "aisi-d", "D")
    scopes = set(list_tokens(world.db, "aisi-d")[0].scopes)
    assert "incidents:edit" not in scopes
    assert {"reports:publish", "keys:manage", "incidents:submit"} <= scopes
    with world.http(token=token) as http:
        r = http.post(
            "/v1/incidents/import",
            json={"source": "x", "records": [{"external_id": "1", "title": "t",
                                              "date": "2024-01-01"}]},
        )  # fmt: skip
        assert r.status_code == 403
        assert "'incidents:edit'" in _error(r)["message"]
    editor = new_token(world.db, "aisi-d", scopes=["incidents:edit", "incidents:read"])
    assert "incidents:edit" in list_tokens(world.db, "aisi-d")[-1].scopes
    with world.http(token=editor) as http:
        assert http.get("/v1/incidents/submissions").status_code == 200


@pytest.fixture
def small_world(backend_url: str) -> Iterator[World]:
    with make_world(backend_url, max_body_bytes=4096) as w:
        yield w


def test_a_chunked_body_over_the_limit_is_refused_as_it_streams(
    small_world: World,
) -> None:
    sent = 0

    def chunks() -> Iterator[bytes]:
        # No Content-Length: httpx sends this with Transfer-Encoding: chunked.
        nonlocal sent
        yield b'{"envelope": {"pad": "'
        for _ in range(64):
            sent += 1024
            yield b"x" * 1024
        yield b'"}, "sharing": {"scope": "network"}}'

    with small_world.http("aisi-a") as http:
        request = http.build_request(
            "POST",
            "/v1/reports",
            content=chunks(),
            headers={"Content-Type": "application/json"},
        )
        assert "content-length" not in request.headers
        assert request.headers["transfer-encoding"] == "chunked"
        r = http.send(request)
        assert r.status_code == 413, r.text
        assert _error(r)["code"] == "payload_too_large"
        # Under the limit, the same chunked path reaches the route (and its checks).
        small = http.build_request(
            "POST",
            "/v1/reports",
            content=iter([b'{"envelope": {}, ', b'"sharing": {"scope": "network"}}']),
            headers={"Content-Type": "application/json"},
        )
        assert small.headers["transfer-encoding"] == "chunked"
        assert http.send(small).status_code == 422
        # A declared length over the limit is refused before the body is read.
        big = http.post("/v1/reports", content=b"{" + b" " * 8192 + b"}")
        assert big.status_code == 413
    assert small_world.count("reports") == 0


def _deep_body(world: World, data: dict, depth: int) -> bytes:
    # Built as text: json.dumps recurses and could not write the deepest of these.
    import json

    key = world.keys["aisi-a"].public
    signature = {"key_id": key.key_id, "public_key": key.b64,
                 "value": "A" * 86 + "=="}  # fmt: skip
    marker = '"__deep__"'
    data["suites"][0]["comparability"]["deep"] = "__deep__"
    text = json.dumps(
        {"envelope": {"report": data, "signature": signature},
         "sharing": {"scope": "network"}}
    )  # fmt: skip
    nested = '{"k": ' * depth + '"leaf"' + "}" * depth
    return text.replace(marker, nested).encode()


@pytest.mark.parametrize("depth", [80, 400, 800, 5_000, 100_000])
def test_deeply_nested_json_gets_one_4xx_in_the_error_shape(
    world: World, report_data, depth: int
) -> None:
    body = _deep_body(world, report_data(), depth)
    with world.http("aisi-a") as http:
        r = http.post(
            "/v1/reports", content=body, headers={"Content-Type": "application/json"}
        )
        assert 400 <= r.status_code < 500, r.text
        assert _error(r)["status"] == r.status_code
        # The server is still there and the store unchanged.
        assert http.get("/v1/health").status_code == 200
    assert world.count("reports") == 0


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_database_its_wal_and_folder_are_owner_only(
    tmp_path: Path, report_data
) -> None:
    folder = tmp_path / "fresh" / "registry"
    with make_world(f"sqlite:///{folder / 'registry.db'}") as world:
        world.publish("aisi-a", report_data(), "network")
        files = sorted(folder.iterdir())
        assert {f.name for f in files} >= {"registry.db", "registry.db-wal"}
        modes = {f.name: _mode(f) for f in files}
    assert _mode(folder) == 0o700
    assert set(modes.values()) == {0o600}, modes


def test_one_token_is_revoked_by_its_id(world: World) -> None:
    second = new_token(world.db, "aisi-b", scopes=["reports:read"])
    first = world.tokens["aisi-b"]
    first_id = first.split("_")[1]
    assert revoke_token(world.db, first_id) == "aisi-b"
    with world.http(token=first) as http:
        assert http.get("/v1/reports").status_code == 401
    with world.http(token=second) as http:
        assert http.get("/v1/reports").status_code == 200
    listed = {t.token_id: t.revoked_at for t in list_tokens(world.db, "aisi-b")}
    assert listed[first_id] is not None
    assert listed[second.split("_")[1]] is None
    with pytest.raises(ConfigError, match="no API token"):
        revoke_token(world.db, "0" * 16)


@pytest.mark.parametrize(
    ("url", "token", "insecure", "refused"),
    [
        ("http://10.1.2.3:8765", "rl_x", False, True),
        ("http://registry.example.org", "rl_x", False, True),
        ("http://10.1.2.3:8765", "rl_x", True, False),
        ("http://10.1.2.3:8765", None, False, False),
        ("https://registry.example.org", "rl_x", False, False),
        ("http://127.0.0.1:8765", "rl_x", False, False),
        ("http://localhost:8765", "rl_x", False, False),
        ("http://[::1]:8765", "rl_x", False, False),
    ],
)
def test_a_token_is_not_sent_in_the_clear(
    url: str, token: str | None, insecure: bool, refused: bool
) -> None:
    if refused:
        with pytest.raises(ConfigError, match="plain http"):
            RegistryClient(url, token, insecure=insecure)
    else:
        RegistryClient(url, token, insecure=insecure).close()


def test_a_new_database_file_is_created_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "solo" / "r.db"
    db = Database(Settings(database_url=f"sqlite:///{path}"))
    db.migrate()
    db.dispose()
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700
    # An existing file keeps the mode its operator chose.
    os.chmod(path, 0o640)
    Database(Settings(database_url=f"sqlite:///{path}")).dispose()
    assert _mode(path) == 0o640
