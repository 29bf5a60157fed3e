"""Every route answers bad requests with a 4xx in the one error shape, never a 5xx."""

from __future__ import annotations

import re

import httpx
import pytest
from _registry_world import World

from redline.registry import ErrorResponse

BODY_ROUTES = {"POST", "PUT"}


def _routes(world: World) -> list[tuple[str, str]]:
    """Every operation of the service, from its own OpenAPI spec."""
    return sorted(
        (method.upper(), path)
        for path, operations in world.app.openapi()["paths"].items()
        for method in operations
    )


def _fill(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "zz_missing", path)


def _assert_shape(r: httpx.Response, status: int | tuple[int, ...]) -> dict:
    expected = status if isinstance(status, tuple) else (status,)
    assert r.status_code in expected, (r.status_code, r.text)
    assert r.headers["content-type"].startswith("application/json")
    body = ErrorResponse.model_validate(r.json())
    assert body.error.status == r.status_code
    assert "Traceback" not in r.text
    return r.json()["error"]


def test_every_route_is_covered(shared_world: World) -> None:
    paths = {path for _, path in _routes(shared_world)}
    assert {
        "/v1/health",
        "/v1/reports",
        "/v1/reports/{report_id}",
        "/v1/reports/{report_id}/sharing",
        "/v1/keys",
        "/v1/keys/{key_id}",
        "/v1/institutes",
        "/v1/institutes/me",
        "/v1/exercises",
        "/v1/exercises/{exercise_id}",
        "/v1/exercises/{exercise_id}/submissions",
        "/v1/exercises/{exercise_id}/agreement",
        "/v1/incidents",
        "/v1/incidents/import",
        "/v1/incidents/trends",
        "/v1/incidents/{incident_id}",
        "/v1/incidents/{incident_id}/classifications/{namespace}",
        "/v1/incidents/submissions",
        "/v1/incidents/submissions/{submission_id}",
        "/v1/incidents/submissions/{submission_id}/attach",
        "/v1/incidents/submissions/{submission_id}/open",
        "/v1/log/sth",
        "/v1/log/proof",
        "/v1/log/consistency",
        "/v1/log/entries",
        "/v1/plans",
        "/v1/plans/{digest}",
    } <= paths


@pytest.mark.parametrize(
    "token", ["rl_0123456789abcdef_" + "x" * 43, "not-a-token", "rl_zz"]
)
def test_bad_tokens_get_401_everywhere(shared_world: World, token: str) -> None:
    with shared_world.http(token=token) as http:
        for method, path in _routes(shared_world):
            if path == "/v1/health":
                continue
            r = http.request(method, _fill(path), json={})
            error = _assert_shape(r, 401)
            assert error["code"] == "invalid_token"
            assert r.headers["www-authenticate"] == "Bearer"
            assert token not in r.text


def test_routes_needing_a_token_say_so(shared_world: World) -> None:
    public = {
        ("GET", "/v1/health"),
        ("GET", "/v1/reports"),
        ("GET", "/v1/reports/{report_id}"),
        # The transparency log is public, as Certificate Transparency logs are.
        ("GET", "/v1/log/sth"),
        ("GET", "/v1/log/proof"),
        ("GET", "/v1/log/consistency"),
        ("GET", "/v1/log/entries"),
        ("GET", "/v1/plans/{digest}"),
    }
    with shared_world.http(None) as http:
        for method, path in _routes(shared_world):
            if (method, path) in public:
                continue
            error = _assert_shape(http.request(method, _fill(path), json={}), 401)
            assert error["code"] == "unauthorized"


def test_malformed_json_and_wrong_shapes_on_every_body_route(
    shared_world: World,
) -> None:
    with shared_world.http("aisi-a") as http:
        for method, path in _routes(shared_world):
            if method not in BODY_ROUTES:
                continue
            r = http.request(
                method,
                _fill(path),
                content=b'{"broken": ',
                headers={"content-type": "application/json"},
            )
            assert _assert_shape(r, (400, 404))["code"] in (
                "malformed_json",
                "not_found",
            )
            for body in ([], {"unexpected": 1}, "text", 12):
                r = http.request(method, _fill(path), json=body)
                assert _assert_shape(r, (404, 422))["code"] in (
                    "validation_error",
                    "not_found",
                )


def test_unknown_resources_get_404(shared_world: World) -> None:
    with shared_world.http("aisi-a") as http:
        for method, path in _routes(shared_world):
            if "{" not in path or method in BODY_ROUTES:
                continue
            error = _assert_shape(http.request(method, _fill(path)), 404)
            assert error["code"] == "not_found"


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "1000"},
        {"limit": "many"},
        {"cursor": "!!!"},
        {"cursor": "c" + "9" * 30},
        {"verdict": "maybe"},
        {"created_after": "yesterday"},
        {"created_after": "2026-01-01T00:00:00"},
        {"institute": "Not A Slug"},
        {"model": "m" * 301},
        {"surprise": "1"},
    ],
)
def test_bad_query_parameters(shared_world: World, params: dict[str, str]) -> None:
    with shared_world.http("aisi-a") as http:
        error = _assert_shape(http.get("/v1/reports", params=params), 422)
    assert error["code"] in ("validation_error", "invalid_cursor")


def test_unknown_route_and_method(shared_world: World) -> None:
    with shared_world.http("aisi-a") as http:
        assert _assert_shape(http.get("/v1/nothing"), 404)["code"] == "not_found"
        error = _assert_shape(http.delete("/v1/reports"), 405)
        assert error["code"] == "method_not_allowed"


def test_oversized_bodies_get_413(shared_world: World) -> None:
    limit = shared_world.app.state.settings.max_body_bytes
    with shared_world.http("aisi-a") as http:
        r = http.post(
            "/v1/reports",
            content=b"x" * (limit + 1),
            headers={"content-type": "application/json"},
        )
        assert _assert_shape(r, 413)["code"] == "payload_too_large"

        def chunks():
            for _ in range(limit // 65536 + 2):
                yield b" " * 65536

        r = http.post(
            "/v1/reports",
            content=chunks(),
            headers={"content-type": "application/json"},
        )
        assert _assert_shape(r, 413)["code"] == "payload_too_large"
    # httpx will not send a malformed Content-Length: write the request by hand.
    import socket
    from urllib.parse import urlsplit

    address = urlsplit(shared_world.url)
    with socket.create_connection((address.hostname, address.port), timeout=30) as s:
        s.sendall(
            b"POST /v1/reports HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/json\r\nContent-Length: abc\r\n\r\n{}"
        )
        answer = s.recv(65536)
    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]
