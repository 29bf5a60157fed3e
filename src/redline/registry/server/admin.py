"""Operator actions on the registry database: institutes, tokens and keys.

These run where the database is (`redline registry institute add ...`), not over
HTTP: there is no administrator token to steal from the service.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from redline.errors import ConfigError, RegistryError
from redline.registry._api import DEFAULT_SCOPES, SLUG_PATTERN, TokenScope
from redline.registry.server.db import Database
from redline.registry.server.models import (
    ApiToken,
    Institute,
    SigningKeyRow,
)
from redline.registry.server.security import issue_token
from redline.registry.server.transparency_log import append_log_entry
from redline.reports import PublicKey, sha256_digest


def _now() -> datetime:
    return datetime.now(UTC)


def token_scopes(names: Iterable[str] | None) -> tuple[TokenScope, ...]:
    """Scopes from their names; `DEFAULT_SCOPES` (all but the editor's) when none are.

    Raises:
        ConfigError: A name is not a scope.
    """
    names = list(names or ())
    if not names:
        return DEFAULT_SCOPES
    known = {s.value: s for s in TokenScope}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ConfigError(
            f"unknown token scope {unknown[0]!r}: expected one of {', '.join(known)}"
        )
    return tuple(s for s in TokenScope if s.value in names)


def add_institute(
    db: Database, slug: str, name: str, *, scopes: Iterable[str] | None = None
) -> str:
    """Create an institute and return its first API token (shown once).

    Args:
        db: The database.
        slug: Short name of the institute.
        name: Full name.
        scopes: Scopes of the token (names of `TokenScope`); `DEFAULT_SCOPES` when
            None or empty.

    Raises:
        ConfigError: The slug is malformed or taken, or a scope is unknown.
    """
    granted = token_scopes(scopes)
    if not re.match(SLUG_PATTERN, slug):
        suggestion = re.sub(r"[^a-z0-9]+", "-", slug.lower()).strip("-")
        raise ConfigError(
            f"institute {slug!r}: a slug is 2-63 lowercase letters, digits and '-'; "
            f'e.g. add-institute {suggestion or "my-institute"} --name "{slug}"'
        )
    try:
        with db.writer() as session:
            institute = Institute(slug=slug, name=name or slug, created_at=_now())
            session.add(institute)
            session.flush()
            return _new_token(session, institute.id, granted)
    except IntegrityError:
        raise ConfigError(f"institute {slug!r} exists") from None


def new_token(
    db: Database,
    slug: str,
    *,
    revoke_others: bool = False,
    scopes: Iterable[str] | None = None,
) -> str:
    """Issue another API token for an institute, optionally revoking its old ones.

    Args:
        db: The database.
        slug: The institute.
        revoke_others: Revoke the institute's other tokens.
        scopes: Scopes of the token (names of `TokenScope`); `DEFAULT_SCOPES` when
            None or empty.

    Raises:
        ConfigError: No such institute, or a scope is unknown.
    """
    granted = token_scopes(scopes)
    with db.writer() as session:
        institute = _institute(session, slug)
        if revoke_others:
            for token in session.scalars(
                select(ApiToken).where(
                    ApiToken.institute_id == institute.id,
                    ApiToken.revoked_at.is_(None),
                )
            ):
                token.revoked_at = _now()
        return _new_token(session, institute.id, granted)


def register_key(db: Database, slug: str, public_key: PublicKey) -> str:
    """Register a public key for an institute; returns its key id.

    The operator vouches for the key here; over HTTP an institute proves that it
    holds the private key instead (`routes/institutes.py`).

    Raises:
        ConfigError: No such institute.
        RegistryError: 409 when the key is registered to another institute, or was
            revoked.
    """
    with db.writer() as session:
        institute = _institute(session, slug)
        return add_key(session, institute.id, public_key)


def add_key(session: Session, institute_id: int, public_key: PublicKey) -> str:
    """Register a key inside an open write session (shared with the keys route).

    Revocation is final: a revoked key may have been stolen, so registering it again
    is refused rather than bringing it back.
    """
    existing = session.scalar(
        select(SigningKeyRow).where(SigningKeyRow.key_id == public_key.key_id)
    )
    if existing is not None:
        if existing.institute_id != institute_id:
            raise RegistryError(
                f"key {public_key.key_id} is registered to another institute",
                status=409,
                code="key_taken",
            )
        if existing.revoked_at is not None:
            raise RegistryError(
                f"key {public_key.key_id} was revoked on "
                f"{existing.revoked_at:%Y-%m-%d}; revocation is final: generate a "
                "new key (`redline keys generate`)",
                status=409,
                code="key_revoked",
            )
        return existing.key_id
    session.add(
        SigningKeyRow(
            key_id=public_key.key_id,
            institute_id=institute_id,
            public_key=public_key.b64,
            created_at=_now(),
        )
    )
    log_key_change(session, "key.registered", institute_id, public_key)
    return public_key.key_id


def log_key_change(
    session: Session,
    kind: Literal["key.registered", "key.revoked"],
    institute_id: int,
    public_key: PublicKey,
) -> None:
    """Append a key registration or revocation to the transparency log."""
    slug = session.scalar(select(Institute.slug).where(Institute.id == institute_id))
    append_log_entry(
        session,
        kind,
        sha256_digest(public_key.raw),
        institute=slug,
        ref=public_key.key_id,
    )


def revoke_token(db: Database, token_id: str) -> str:
    """Revoke one API token by its id (the part after `rl_`); returns its institute.

    Revoking a token already revoked keeps its first revocation time.

    Raises:
        ConfigError: No token has that id.
    """
    with db.writer() as session:
        row = session.execute(
            select(ApiToken, Institute.slug)
            .join(Institute, Institute.id == ApiToken.institute_id)
            .where(ApiToken.token_id == token_id)
        ).first()
        if row is None:
            raise ConfigError(f"no API token with id {token_id!r}")
        token, slug = row
        if token.revoked_at is None:
            token.revoked_at = _now()
        return str(slug)


def list_tokens(db: Database, slug: str) -> list[TokenInfo]:
    """Every API token of an institute (ids and scopes, never secrets), oldest first.

    Raises:
        ConfigError: No such institute.
    """
    with db.reader() as session:
        institute = _institute(session, slug)
        rows = session.scalars(
            select(ApiToken)
            .where(ApiToken.institute_id == institute.id)
            .order_by(ApiToken.id)
        )
        return [
            TokenInfo(
                token_id=t.token_id,
                scopes=tuple(t.scopes.split()),
                created_at=t.created_at,
                revoked_at=t.revoked_at,
            )
            for t in rows
        ]


@dataclass(frozen=True)
class TokenInfo:
    """An API token as the operator sees it: no secret, no digest."""

    token_id: str
    scopes: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None


def list_institutes(db: Database) -> list[tuple[str, str]]:
    """(slug, name) of every institute."""
    with db.reader() as session:
        rows = session.execute(select(Institute.slug, Institute.name).order_by("slug"))
        return [(slug, name) for slug, name in rows]


def _institute(session: Session, slug: str) -> Institute:
    institute = session.scalar(select(Institute).where(Institute.slug == slug))
    if institute is None:
        raise ConfigError(f"no institute {slug!r}")
    return institute


def _new_token(
    session: Session, institute_id: int, scopes: tuple[TokenScope, ...]
) -> str:
    token = issue_token()
    session.add(
        ApiToken(
            token_id=token.token_id,
            institute_id=institute_id,
            salt=token.salt,
            digest=token.digest,
            created_at=_now(),
            scopes=" ".join(s.value for s in scopes),
        )
    )
    return token.value
