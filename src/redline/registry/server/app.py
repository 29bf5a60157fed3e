"""The registry service: `create_app(settings)` builds the FastAPI application."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from redline._version import __version__
from redline.registry.server.db import Database
from redline.registry.server.errors import (
    ERROR_RESPONSES,
    error_response,
    install_error_handlers,
)
from redline.registry.server.incident_submissions import SuggestionIndex
from redline.registry.server.routes import (
    exercises,
    health,
    incidents,
    institutes,
    reports,
)
from redline.registry.server.settings import Settings
from redline.registry.server.ui import UI_PREFIX, ui_router

API_PREFIX = "/v1"


class BodyLimit:
    """Refuse request bodies over a size limit with 413, before they are buffered.

    A declared Content-Length over the limit is refused at once; a chunked body is
    counted as it arrives and refused as soon as it passes the limit.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on with its body counted."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (
            not declared.isdigit() or int(declared) > self.max_bytes
        ):
            too_big = declared.isdigit()
            response = error_response(
                413 if too_big else 400,
                "payload_too_large" if too_big else "bad_request",
                f"request body over the {self.max_bytes}-byte limit"
                if too_big
                else "malformed Content-Length",
            )
            await response(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise HTTPException(
                    413, f"request body over the {self.max_bytes}-byte limit"
                )
            return message

        await self.app(scope, limited, send)


def create_app(
    settings: Settings | None = None, *, database: Database | None = None
) -> FastAPI:
    """The registry application.

    Args:
        settings: How to run; by default from `REDLINE_REGISTRY_*` variables.
        database: An open Database to use instead of one built from the settings
            (tests share one across apps).

    Returns:
        The FastAPI app, its database migrated to the newest revision when
        `settings.migrate` is set.
    """
    settings = settings or Settings.from_env()
    db = database or Database(settings)
    if settings.migrate:
        db.migrate()
    app = FastAPI(
        title="Redline registry",
        version=__version__,
        summary="Signed safety reports shared between institutes; joint exercises; "
        "an incident database.",
        responses=ERROR_RESPONSES,
    )
    app.state.db = db
    app.state.settings = settings
    # Duplicate suggestions over every incident; rebuilt only when incidents change.
    app.state.incident_index = SuggestionIndex()
    install_error_handlers(app)
    api = APIRouter(prefix=API_PREFIX)
    for module in (health, institutes, reports, exercises, incidents):
        api.include_router(module.router)
    app.include_router(api)
    # The dashboard, over exactly what the caller's token may read (issue 14).
    app.include_router(ui_router(db), prefix=UI_PREFIX)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    return app
