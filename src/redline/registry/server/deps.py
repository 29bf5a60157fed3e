"""Request dependencies: the database, and who is calling."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select

from redline.registry._api import DEFAULT_SCOPES, TokenScope
from redline.registry.server.db import Database
from redline.registry.server.errors import http_error
from redline.registry.server.models import ApiToken, Institute
from redline.registry.server.security import parse_token, token_matches

_bearer = HTTPBearer(auto_error=False, description="API token: `rl_<id>_<secret>`")


@dataclass(frozen=True)
class Caller:
    """The authenticated institute making a request."""

    id: int
    slug: str
    scopes: frozenset[str] = field(default_factory=lambda: frozenset(DEFAULT_SCOPES))
    """What the caller's token may do."""

    def may(self, scope: TokenScope) -> bool:
        """Whether the caller's token carries `scope`."""
        return scope.value in self.scopes


def get_db(request: Request) -> Database:
    """The app's database."""
    db: Database = request.app.state.db
    return db


DB = Annotated[Database, Depends(get_db)]


def optional_caller(
    db: DB,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller | None:
    """The calling institute, or None for an anonymous request.

    Raises:
        RegistryError: 401 when a token is given but is malformed, unknown or revoked.
    """
    if credentials is None:
        return None
    parsed = parse_token(credentials.credentials)
    if parsed is None:
        raise http_error(401, "malformed API token", "invalid_token")
    token_id, secret = parsed
    with db.reader() as session:
        row = session.execute(
            select(ApiToken, Institute.slug)
            .join(Institute, Institute.id == ApiToken.institute_id)
            .where(ApiToken.token_id == token_id)
        ).first()
    if row is None or row[0].revoked_at is not None:
        raise http_error(401, "unknown or revoked API token", "invalid_token")
    token, slug = row
    if not token_matches(secret, token.salt, token.digest):
        raise http_error(401, "unknown or revoked API token", "invalid_token")
    return Caller(
        id=token.institute_id, slug=slug, scopes=frozenset(token.scopes.split())
    )


def required_caller(
    caller: Annotated[Caller | None, Depends(optional_caller)],
) -> Caller:
    """The calling institute; 401 without a token."""
    if caller is None:
        raise http_error(401, "this endpoint needs an API token (Bearer)")
    return caller


OptionalCaller = Annotated[Caller | None, Depends(optional_caller)]
RequiredCaller = Annotated[Caller, Depends(required_caller)]


def _insufficient(scope: TokenScope) -> Exception:
    return http_error(
        403,
        f"this API token lacks the scope '{scope.value}' "
        "(ask the registry operator for a token that has it)",
        "insufficient_scope",
    )


def scoped(scope: TokenScope) -> Callable[[Caller], Caller]:
    """A dependency: the calling institute, whose token must carry `scope`.

    401 without a token, 403 (`insufficient_scope`, naming the scope) without the scope.
    """

    def dependency(caller: RequiredCaller) -> Caller:
        if not caller.may(scope):
            raise _insufficient(scope)
        return caller

    return dependency


def optionally_scoped(scope: TokenScope) -> Callable[[Caller | None], Caller | None]:
    """A dependency for reads open to anonymous callers: a given token needs `scope`."""

    def dependency(caller: OptionalCaller) -> Caller | None:
        if caller is not None and not caller.may(scope):
            raise _insufficient(scope)
        return caller

    return dependency


ReportPublisher = Annotated[Caller, Depends(scoped(TokenScope.REPORTS_PUBLISH))]
ReportReader = Annotated[
    Caller | None, Depends(optionally_scoped(TokenScope.REPORTS_READ))
]
ExerciseCaller = Annotated[Caller, Depends(scoped(TokenScope.EXERCISES))]
IncidentReader = Annotated[Caller, Depends(scoped(TokenScope.INCIDENTS_READ))]
IncidentSubmitter = Annotated[Caller, Depends(scoped(TokenScope.INCIDENTS_SUBMIT))]
IncidentEditor = Annotated[Caller, Depends(scoped(TokenScope.INCIDENTS_EDIT))]
KeyManager = Annotated[Caller, Depends(scoped(TokenScope.KEYS_MANAGE))]
