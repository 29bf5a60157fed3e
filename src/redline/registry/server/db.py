"""Engines, sessions and migrations.

SQLite gets two engines on one file: readers use plain deferred transactions (WAL lets
them run beside a writer), writers open `BEGIN IMMEDIATE` so that two writers queue on
the busy timeout instead of failing halfway with "database is locked". Every commit is
durable before the client is answered (SQLite `synchronous=FULL`, PostgreSQL's default
`synchronous_commit`): an acknowledged report survives a kill -9 of the server.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from redline.errors import StoreError
from redline.registry.server.settings import Settings

_SQLITE_TIMEOUT_S = 30


def _sqlite_engine(url: str, *, immediate: bool) -> Engine:
    engine = create_engine(
        url, connect_args={"timeout": _SQLITE_TIMEOUT_S, "check_same_thread": False}
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event, not pysqlite, decide how transactions open.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class Database:
    """The registry's storage: sessions for reading and for writing."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.backend = settings.backend
        url = settings.database_url
        if self.backend == "sqlite":
            path = url.split("///", 1)[-1]
            if path and path != ":memory:":
                _create_private(Path(path))
            self._read_engine = _sqlite_engine(url, immediate=False)
            self._write_engine = _sqlite_engine(url, immediate=True)
        else:
            url = url.replace("postgresql://", "postgresql+psycopg://", 1)
            self._read_engine = create_engine(
                url, pool_size=settings.pool_size, pool_pre_ping=True
            )
            self._write_engine = self._read_engine
        self._reads = sessionmaker(self._read_engine, expire_on_commit=False)
        self._writes = sessionmaker(self._write_engine, expire_on_commit=False)
        self._migrate_lock = threading.Lock()
        self._write_lock: AbstractContextManager[object] = (
            threading.Lock() if self.backend == "sqlite" else nullcontext()
        )

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A session for queries; storage failures become StoreError."""
        with _store_errors(), self._reads() as session:
            yield session

    @contextmanager
    def writer(self) -> Iterator[Session]:
        """A session whose work commits on success and rolls back on any error."""
        # SQLite has one writer at a time anyway; queueing this process's writers on a
        # lock is fair and prompt, where the busy handler polls with growing sleeps.
        with self._write_lock, _store_errors(), self._writes() as s, s.begin():
            # Read by `append_log_entry`, which gets only the session.
            s.info["transparency_log"] = self.settings.transparency_log
            yield s

    def migrate(self) -> None:
        """Bring the schema up to the newest Alembic revision."""
        from alembic import command

        with self._migrate_lock, _store_errors(), self._write_engine.begin() as conn:
            config = alembic_config()
            config.attributes["connection"] = conn
            command.upgrade(config, "head")

    def revision(self) -> str | None:
        """The Alembic revision the database is at, or None before migrating."""
        try:
            with self.reader() as session:
                row = session.execute(text("SELECT version_num FROM alembic_version"))
                return row.scalar_one_or_none()
        except StoreError:
            return None

    def dispose(self) -> None:
        """Close every pooled connection."""
        self._read_engine.dispose()
        self._write_engine.dispose()


def _create_private(path: Path) -> None:
    # The database holds token digests and unpublished reports: owner-only from the
    # first byte. SQLite gives its -wal and -shm files the database file's mode.
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass  # an existing database keeps the mode its operator gave it
    except OSError as exc:
        raise StoreError(
            f"{path}: cannot create the database: {exc.strerror}"
        ) from None


def alembic_config() -> Any:
    """Alembic configuration pointing at the migrations shipped in this package."""
    from alembic.config import Config

    config = Config()
    location = resources.files("redline.registry.server") / "migrations"
    config.set_main_option("script_location", str(location))
    return config


@contextmanager
def _store_errors() -> Iterator[None]:
    try:
        yield
    except OperationalError as exc:
        # The message names the backend's complaint, never the URL or its password.
        raise StoreError(f"database unavailable: {exc.orig}") from None
    except SQLAlchemyError as exc:
        if type(exc).__name__ == "IntegrityError":
            raise
        raise StoreError(f"database error: {type(exc).__name__}") from None
