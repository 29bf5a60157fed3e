"""A registry with three institutes, served by a real uvicorn on 127.0.0.1.

The server runs in a thread of the test process, so tests can reach its database
directly; every request still crosses a real socket, so streaming, chunked bodies and
the client's own transport are what production runs.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from redline.registry import RegistryClient, Sharing
from redline.registry.server import (
    Database,
    Settings,
    add_institute,
    create_app,
    register_key,
)
from redline.reports import SigningKey, sign_report_data

INSTITUTES = ("aisi-a", "aisi-b", "aisi-c")
BASE = "http://registry.test"
"""A stand-in host that `World.transport` sends to the live server (older tests)."""
EVERY_SCOPE = (
    "reports:publish", "reports:read", "exercises", "incidents:read",
    "incidents:submit", "incidents:edit", "keys:manage",
)  # fmt: skip


class LiveServer:
    """uvicorn serving an app on a socket bound before the thread starts (no race)."""

    def __init__(self, app: FastAPI) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        config = uvicorn.Config(app, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    def start(self, timeout_s: float = 30) -> None:
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the registry server did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=15)
        self._socket.close()


class _LiveTransport(httpx.HTTPTransport):
    def __init__(self, url: str) -> None:
        super().__init__()
        self._target = httpx.URL(url)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(
            scheme=self._target.scheme, host=self._target.host, port=self._target.port
        )
        request.headers["host"] = f"{self._target.host}:{self._target.port}"
        return super().handle_request(request)


@dataclass
class World:
    app: FastAPI
    db: Database
    url: str
    tokens: dict[str, str] = field(default_factory=dict)
    keys: dict[str, SigningKey] = field(default_factory=dict)

    @property
    def transport(self) -> httpx.BaseTransport:
        """Requests to `BASE` (or any host), sent over the socket to the live server."""
        return _LiveTransport(self.url)

    def client(self, slug: str | None) -> RegistryClient:
        return self.client_with(self.tokens[slug] if slug else None)

    def client_with(self, token: str | None) -> RegistryClient:
        return RegistryClient(self.url, token)

    def http(self, slug: str | None = None, token: str | None = None) -> httpx.Client:
        headers = {}
        if slug or token:
            headers["Authorization"] = f"Bearer {token or self.tokens[slug or '']}"
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)

    def sign(self, slug: str, data: dict[str, Any]) -> dict[str, Any]:
        return sign_report_data(data, self.keys[slug])

    def publish(
        self, slug: str, data: dict[str, Any], scope: str, *partners: str
    ) -> str:
        sharing = Sharing.model_validate({"scope": scope, "partners": partners})
        with self.client(slug) as c:
            return c.publish(self.sign(slug, data), sharing).report.id

    def count(self, table: str) -> int:
        from sqlalchemy import text

        with self.db.reader() as session:
            return int(
                session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            )


def empty_tables(url: str) -> None:
    """Delete every row of a migrated registry database (no-op before migrating)."""
    from sqlalchemy import create_engine, inspect, text

    from redline.registry.server.models import Base

    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            if not inspect(conn).has_table("reports"):
                return
            names = ", ".join(t.name for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()


@contextmanager
def make_world(url: str, **settings: Any) -> Iterator[World]:
    """Institutes aisi-a, aisi-b and aisi-c, each with an every-scope token and a key.

    Tests of narrower tokens issue their own (`new_token`).
    """
    app = create_app(Settings(database_url=url, **settings))
    db: Database = app.state.db
    server = LiveServer(app)
    server.start()
    world = World(app=app, db=db, url=server.url)
    try:
        for i, slug in enumerate(INSTITUTES, start=1):
            world.tokens[slug] = add_institute(
                db, slug, slug.upper(), scopes=EVERY_SCOPE
            )
            world.keys[slug] = SigningKey.from_seed(bytes([i]) * 32)
            register_key(db, slug, world.keys[slug].public)
        yield world
    finally:
        server.stop()
        db.dispose()
