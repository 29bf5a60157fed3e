from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from redline.registry.server import Database, Settings
from redline.registry.server.db import alembic_config
from redline.registry.server.models import PRE_SCOPE_TOKEN_SCOPES, Base

HEAD = "0005"
INCIDENT_TABLES = {
    "incidents",
    "incident_facets",
    "incident_classifications",
    "incident_submissions",
}


def _engine(url: str):
    return create_engine(url.replace("postgresql://", "postgresql+psycopg://"))


def _alembic(db: Database, action: str, revision: str) -> None:
    with db._write_engine.begin() as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        getattr(command, action)(config, revision)


def test_migrations_match_the_models_and_rerun_cleanly(backend_url: str) -> None:
    db = Database(Settings(database_url=backend_url))
    assert db.revision() is None
    db.migrate()
    db.migrate()  # idempotent
    assert db.revision() == HEAD
    engine = _engine(backend_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    db.dispose()
    assert diff == []


def test_0002_gives_old_tokens_every_scope_and_downgrades(backend_url: str) -> None:
    db = Database(Settings(database_url=backend_url))
    _alembic(db, "upgrade", "0001")
    with db._write_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO institutes (id, slug, name, created_at) "
                "VALUES (1, 'old-inst', 'Old', CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO api_tokens (token_id, institute_id, salt, digest, "
                "created_at) VALUES ('0123456789abcdef', 1, 's', 'd', "
                "CURRENT_TIMESTAMP)"
            )
        )
    _alembic(db, "upgrade", "0002")
    engine = _engine(backend_url)
    with engine.connect() as conn:
        scopes = conn.execute(text("SELECT scopes FROM api_tokens")).scalar_one()
        assert set(scopes.split()) == set(PRE_SCOPE_TOKEN_SCOPES.split())
        assert set(inspect(conn).get_table_names()) >= INCIDENT_TABLES
    _alembic(db, "downgrade", "0001")
    with engine.connect() as conn:
        assert db.revision() == "0001"
        assert not INCIDENT_TABLES & set(inspect(conn).get_table_names())
        columns = {c["name"] for c in inspect(conn).get_columns("api_tokens")}
        assert "scopes" not in columns
        # The token survives the round trip.
        assert conn.execute(text("SELECT count(*) FROM api_tokens")).scalar_one() == 1
    _alembic(db, "upgrade", "head")
    assert db.revision() == HEAD
    engine.dispose()
    db.dispose()


def test_0003_keeps_key_management_for_full_tokens_only(backend_url: str) -> None:
    db = Database(Settings(database_url=backend_url))
    _alembic(db, "upgrade", "0002")
    with db._write_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO institutes (id, slug, name, created_at) "
                "VALUES (1, 'old-inst', 'Old', CURRENT_TIMESTAMP)"
            )
        )
        for token_id, scopes in (
            ("00000000000000aa", PRE_SCOPE_TOKEN_SCOPES),
            ("00000000000000bb", "incidents:read"),
        ):
            conn.execute(
                text(
                    "INSERT INTO api_tokens (token_id, institute_id, salt, digest, "
                    "created_at, scopes) VALUES (:t, 1, 's', 'd', CURRENT_TIMESTAMP, "
                    ":s)"
                ),
                {"t": token_id, "s": scopes},
            )
    engine = _engine(backend_url)

    def scopes() -> dict[str, set[str]]:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT token_id, scopes FROM api_tokens"))
            return {t: set(s.split()) for t, s in rows}

    _alembic(db, "upgrade", "0003")
    after = scopes()
    assert "keys:manage" in after["00000000000000aa"]
    assert after["00000000000000bb"] == {"incidents:read"}
    _alembic(db, "downgrade", "0002")
    assert scopes()["00000000000000aa"] == set(PRE_SCOPE_TOKEN_SCOPES.split())
    with engine.connect() as conn:
        assert "key_challenges" not in inspect(conn).get_table_names()
    engine.dispose()
    db.dispose()
