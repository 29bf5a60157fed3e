"""Pre-registered plans in the registry: register (timestamped), fetch.

Registration is one function, `register_plan`, so that whatever else must happen
on registering a plan (an entry in a transparency log) happens in one place.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from redline.plans import verify_signed_plan
from redline.registry._plans_api import (
    PlanRegistration,
    PlanScope,
    RegisteredPlan,
)
from redline.registry.server.db import Database
from redline.registry.server.deps import Caller
from redline.registry.server.errors import http_error
from redline.registry.server.models import Institute, PlanRow, SigningKeyRow
from redline.registry.server.transparency_log import append_log_entry
from redline.reports import canonical_json


def plan_visible_to(caller: Caller | None) -> ColumnElement[bool]:
    """The one rule of who may read a plan, as a condition on `PlanRow`.

    A plan names the model under test, which may be confidential before a report
    is: institutes of the network read plans, anonymous callers only public ones.
    """
    if caller is None:
        return PlanRow.scope == PlanScope.PUBLIC.value
    return true()


def _registered(session: Session, row: PlanRow, created: bool) -> RegisteredPlan:
    slug = session.scalar(
        select(Institute.slug).where(Institute.id == row.institute_id)
    )
    return RegisteredPlan(
        digest=row.digest,
        institute=str(slug),
        key_id=row.key_id,
        model=row.model,
        framework_id=row.framework_id,
        scope=PlanScope(row.scope),
        registered_at=row.registered_at,
        created=created,
    )


def _again(session: Session, caller: Caller, digest: str) -> RegisteredPlan | None:
    row = session.scalar(select(PlanRow).where(PlanRow.digest == digest))
    if row is None:
        return None
    if row.institute_id != caller.id:
        raise http_error(
            409, f"plan {digest} is already registered by another institute"
        )
    # The first registration's time stands: registering again never moves it later.
    return _registered(session, row, created=False)


def register_plan(
    db: Database, caller: Caller, request: PlanRegistration, raw: dict[str, Any]
) -> RegisteredPlan:
    """Verify a signed plan against the caller's registered keys; store and timestamp it.

    Args:
        db: The database.
        caller: The registering institute.
        request: The validated request.
        raw: The request as JSON data: the signature is checked over it, not over
            a re-serialised model.

    Raises:
        RegistryError: 422 for a key not registered to the caller, 409 for a plan
            another institute registered.
        SignatureError: The signature does not verify.
        PlanError: The envelope is not a valid plan.
    """
    signature = request.envelope.signature
    with db.reader() as session:
        keys = set(
            session.scalars(
                select(SigningKeyRow.public_key).where(
                    SigningKeyRow.institute_id == caller.id,
                    SigningKeyRow.revoked_at.is_(None),
                )
            )
        )
    if signature.public_key not in keys:
        raise http_error(
            422,
            f"key {signature.key_id} is not registered to {caller.slug} "
            "(register it with `redline keys register`)",
            "key_not_registered",
        )
    envelope = raw["envelope"]
    signed, checked = verify_signed_plan(envelope, trusted_keys=keys, source="plan")
    try:
        with db.writer() as session:
            again = _again(session, caller, checked.digest)
            if again is not None:
                return again
            row = PlanRow(
                digest=checked.digest,
                institute_id=caller.id,
                key_id=checked.key_id,
                model=signed.plan.model,
                framework_id=signed.plan.framework.id,
                scope=request.scope.value,
                registered_at=datetime.now(UTC),
                envelope=canonical_json(envelope).decode("utf-8"),
            )
            session.add(row)
            session.flush()
            append_log_entry(
                session,
                "plan.registered",
                checked.digest,
                institute=caller.slug,
                ref=str(row.seq),
            )
            return _registered(session, row, created=True)
    except IntegrityError:
        # Lost a race with the same registration: answer as the winner stored it.
        with db.reader() as session:
            again = _again(session, caller, checked.digest)
            if again is None:
                raise
            return again


def get_plan(db: Database, caller: Caller | None, digest: str) -> str:
    """A plan the caller may read, as `StoredPlan` JSON text."""
    with db.reader() as session:
        row = session.scalar(
            select(PlanRow).where(PlanRow.digest == digest, plan_visible_to(caller))
        )
        if row is None:
            # The same answer whether it does not exist or may not be read.
            raise http_error(404, f"no plan {digest} is registered and visible to you")
        registration = _registered(session, row, created=False).model_dump_json()
        return f'{{"registration":{registration},"envelope":{row.envelope}}}'
