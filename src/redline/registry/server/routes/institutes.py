"""Institutes and their signing keys.

Registering a key over HTTP takes two calls: the caller asks for a challenge naming
its institute, the key and an expiry, and signs it with the private key. Without
that proof, anyone who had seen an institute's public key could register it first as
theirs, publish that institute's reports under their own name, and lock it out.
"""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Path, status
from sqlalchemy import delete, select

from redline.registry._api import (
    InstituteInfo,
    KeyChallenge,
    KeyChallengeRequest,
    KeyRegistration,
    RegisteredKey,
)
from redline.registry.server.admin import add_key, log_key_change
from redline.registry.server.deps import DB, KeyManager, RequiredCaller
from redline.registry.server.errors import http_error
from redline.registry.server.models import Institute, KeyChallengeRow, SigningKeyRow
from redline.reports import PublicKey

CHALLENGE_TTL = timedelta(minutes=5)

router = APIRouter(tags=["institutes"])


def _keys(db: DB, institute_id: int) -> tuple[RegisteredKey, ...]:
    with db.reader() as session:
        rows = session.scalars(
            select(SigningKeyRow)
            .where(SigningKeyRow.institute_id == institute_id)
            .order_by(SigningKeyRow.id)
        )
        return tuple(
            RegisteredKey(
                key_id=r.key_id,
                public_key=r.public_key,
                created_at=r.created_at,
                revoked=r.revoked_at is not None,
            )
            for r in rows
        )


@router.get("/institutes", response_model=list[InstituteInfo])
def list_institutes(db: DB, _caller: RequiredCaller) -> list[InstituteInfo]:
    """Every institute of the registry (to name partners and participants)."""
    with db.reader() as session:
        rows = session.execute(
            select(Institute.slug, Institute.name).order_by(Institute.slug)
        )
        return [InstituteInfo(slug=slug, name=name) for slug, name in rows]


@router.get("/institutes/me", response_model=InstituteInfo)
def me(db: DB, caller: RequiredCaller) -> InstituteInfo:
    """The calling institute and its registered keys."""
    with db.reader() as session:
        name = session.scalar(select(Institute.name).where(Institute.id == caller.id))
    return InstituteInfo(slug=caller.slug, name=name or "", keys=_keys(db, caller.id))


@router.post(
    "/keys/challenges",
    response_model=KeyChallenge,
    status_code=status.HTTP_201_CREATED,
)
def key_challenge(
    db: DB, caller: KeyManager, body: KeyChallengeRequest
) -> KeyChallenge:
    """A single-use challenge to sign with the private key of a key to register."""
    public = PublicKey.from_b64(body.public_key)
    now = datetime.now(UTC).replace(microsecond=0)
    challenge = KeyChallenge(
        nonce=secrets.token_urlsafe(24),
        institute=caller.slug,
        key_id=public.key_id,
        expires_at=now + CHALLENGE_TTL,
    )
    with db.writer() as session:
        # Expired challenges are useless; clearing them here keeps the table small.
        session.execute(delete(KeyChallengeRow).where(KeyChallengeRow.expires_at < now))
        session.add(
            KeyChallengeRow(
                nonce=challenge.nonce,
                institute_id=caller.id,
                key_id=public.key_id,
                public_key=public.b64,
                expires_at=challenge.expires_at,
            )
        )
    return challenge


def _check_proof(
    row: KeyChallengeRow | None, slug: str, body: KeyRegistration
) -> KeyChallengeRow:
    from cryptography.exceptions import InvalidSignature

    if row is None or row.public_key != body.public_key:
        raise http_error(
            422,
            "unknown, used or foreign challenge for this key: ask for one with "
            "POST /v1/keys/challenges",
            "challenge_invalid",
        )
    if row.expires_at < datetime.now(UTC):
        raise http_error(
            422, "the challenge expired: ask for a new one", "challenge_expired"
        )
    challenge = KeyChallenge(
        nonce=row.nonce, institute=slug, key_id=row.key_id, expires_at=row.expires_at
    )
    public = PublicKey.from_b64(body.public_key)
    try:
        public.verifier().verify(base64.b64decode(body.signature), challenge.message())
    except InvalidSignature:
        raise http_error(
            422,
            "the signature does not answer the challenge with this key's private key",
            "proof_invalid",
        ) from None
    return row


@router.post("/keys", response_model=RegisteredKey, status_code=status.HTTP_201_CREATED)
def register_key(db: DB, caller: KeyManager, body: KeyRegistration) -> RegisteredKey:
    """Register a public key, proven held by a signed challenge.

    Reports signed by the key can then be published. A revoked key is refused (409
    `key_revoked`): revocation is final.
    """
    public = PublicKey.from_b64(body.public_key)
    with db.writer() as session:
        row = session.scalar(
            select(KeyChallengeRow).where(
                KeyChallengeRow.nonce == body.nonce,
                KeyChallengeRow.institute_id == caller.id,
            )
        )
        # Single use: the challenge goes even when the key is refused below.
        session.delete(_check_proof(row, caller.slug, body))
        session.flush()
    with db.writer() as session:
        add_key(session, caller.id, public)
    return next(k for k in _keys(db, caller.id) if k.key_id == public.key_id)


@router.delete("/keys/{key_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_key(
    db: DB,
    caller: KeyManager,
    key_id: Annotated[str, Path(max_length=64)],
) -> None:
    """Revoke a key for good: reports it signed stay; new ones signed by it are refused."""
    with db.writer() as session:
        row = session.scalar(
            select(SigningKeyRow).where(
                SigningKeyRow.key_id == key_id,
                SigningKeyRow.institute_id == caller.id,
            )
        )
        if row is None:
            raise http_error(404, f"you have no key {key_id}")
        if row.revoked_at is None:
            row.revoked_at = datetime.now(UTC)
            log_key_change(
                session, "key.revoked", caller.id, PublicKey.from_b64(row.public_key)
            )
