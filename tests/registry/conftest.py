from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from _incident_world import IncidentWorld, make_incident_world
from _registry_world import World, make_world

from helpers.ci import missing, shared_data
from helpers.postgres import PostgresServer, PostgresUnavailable, start_postgres

GOLDEN = Path(__file__).resolve().parents[1] / "reports" / "data" / "report.json"


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    try:
        server = start_postgres()
    except (PostgresUnavailable, OSError) as exc:
        missing(f"PostgreSQL (apt-get install postgresql; it could not start: {exc})")
    yield server
    server.stop()


def database_url(
    backend: str,
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('registry') / 'registry.db'}"
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.create_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> str:
    return database_url(request.param, request, tmp_path_factory)


@pytest.fixture(params=["sqlite", "postgresql"])
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """A fresh registry with institutes aisi-a, aisi-b, aisi-c, each with a key."""
    with make_world(database_url(request.param, request, tmp_path_factory)) as w:
        yield w


@pytest.fixture(scope="session")
def world_cache() -> Iterator[tuple[dict[Any, Any], ExitStack]]:
    """Module worlds, kept until the session ends.

    Shuffled tests (`-p random_order`) alternate between a module's backends; pytest
    would tear a parametrised module fixture down and build it again at every switch
    (an AIID import each time). Cached here, each world is built once per module and
    backend, whatever the order.
    """
    with ExitStack() as stack:
        yield {}, stack


def _module_world(request: pytest.FixtureRequest, kind: str, make: Callable[[], Any]):
    cache, stack = request.getfixturevalue("world_cache")
    key = (kind, request.module.__name__, request.param)
    if key not in cache:
        cache[key] = stack.enter_context(make())
    return cache[key]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared_world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> World:
    """One registry for a whole module of read-only tests."""
    return _module_world(
        request,
        "shared",
        lambda: make_world(database_url(request.param, request, tmp_path_factory)),
    )


@pytest.fixture(scope="session")
def golden() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(GOLDEN.read_text(encoding="utf-8"))
    return data


@pytest.fixture
def report_data(golden: dict[str, Any]) -> Callable[..., dict[str, Any]]:
    """Variants of the golden report: each call gives a distinct assessment."""
    counter = iter(range(1_000_000))

    def make(**changes: Any) -> dict[str, Any]:
        data = copy.deepcopy(golden)
        when = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=next(counter))
        data["created_at"] = when.isoformat().replace("+00:00", "Z")
        data.update(changes)
        return data

    return make


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def incident_world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> IncidentWorld:
    """One registry per module and backend with the whole AIID snapshot imported."""
    shared_data("aiid/incidents.csv")
    return _module_world(
        request,
        "incidents",
        lambda: make_incident_world(
            database_url(request.param, request, tmp_path_factory)
        ),
    )


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def empty_incident_world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> IncidentWorld:
    """A registry per module and backend with incident-role tokens and no incidents."""
    return _module_world(
        request,
        "empty-incidents",
        lambda: make_incident_world(
            database_url(request.param, request, tmp_path_factory), snapshot=False
        ),
    )
