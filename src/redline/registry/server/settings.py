"""Registry service settings, from arguments or `REDLINE_REGISTRY_*` environment variables."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, field_validator

from redline.errors import ConfigError

_ENV = "REDLINE_REGISTRY_"


def _home() -> Path:
    home = os.environ.get("REDLINE_HOME")
    return Path(home) if home else Path(platformdirs.user_data_dir("redline"))


def default_database_url() -> str:
    """SQLite file in `$REDLINE_HOME` (or the user data dir): one command, no setup."""
    return f"sqlite:///{_home() / 'registry.db'}"


def default_log_key_path() -> Path:
    """The registry's transparency-log key: `$REDLINE_HOME/registry-log.key` (0600)."""
    return _home() / "registry-log.key"


class Settings(BaseModel):
    """How the registry service runs."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", use_attribute_docstrings=True
    )

    database_url: str = Field(default_factory=default_database_url)
    """SQLAlchemy URL: `sqlite:///path.db` or `postgresql+psycopg://user@host/db`."""
    max_body_bytes: int = Field(default=32 * 1024 * 1024, ge=1024)
    """Largest request body accepted; larger ones get 413."""
    max_page_size: int = Field(default=100, ge=1, le=1000)
    """Largest `limit` a list request may ask for."""
    pool_size: int = Field(default=8, ge=1, le=100)
    """Connections kept open to PostgreSQL."""
    migrate: bool = True
    """Bring the database schema up to date when the app starts."""
    log_key_path: Path = Field(default_factory=default_log_key_path)
    """Ed25519 key that signs the transparency log's tree heads; made (mode 0600)
    on first start. Keep it: verifiers pin its public half."""
    transparency_log: bool = True
    """Append every publication, submission and key change to the transparency log.
    Off only to measure the log's cost (`bench/registry.py`)."""

    @field_validator("database_url")
    @classmethod
    def _known_backend(cls, url: str) -> str:
        if not url.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:")):
            raise ValueError(
                "database URL must start with sqlite:/// or postgresql+psycopg://"
            )
        return url

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Settings from `REDLINE_REGISTRY_<FIELD>` variables; explicit overrides win.

        Raises:
            ConfigError: A variable holds a value of the wrong kind.
        """
        values: dict[str, object] = {}
        for name in cls.model_fields:
            raw = os.environ.get(_ENV + name.upper())
            if raw is not None:
                values[name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls.model_validate(values)
        except ValueError as exc:
            raise ConfigError(f"registry settings: {exc}") from None

    @property
    def backend(self) -> str:
        """`sqlite` or `postgresql`."""
        return "sqlite" if self.database_url.startswith("sqlite") else "postgresql"

    def redacted_url(self) -> str:
        """The database URL with any password hidden, for logs and messages."""
        from sqlalchemy.engine import make_url

        return make_url(self.database_url).render_as_string(hide_password=True)
