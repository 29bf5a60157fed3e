"""The transparency log: signed tree heads, proofs and entries, readable by anyone.

An entry says that an institute published, submitted or changed a key at a time,
and the digest of what: never what a report holds. Anyone may audit the log, as in
Certificate Transparency; proofs are computed from the stored leaf hashes.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from redline.registry._api import LogEntryPage
from redline.registry.server import transparency_log as log
from redline.registry.server.deps import DB, optional_caller
from redline.registry.server.errors import http_error
from redline.transparency import ConsistencyProof, EntryKind, LogReceipt, SignedTreeHead

# No token needed; a token given must still be valid (401 otherwise), as everywhere.
router = APIRouter(
    prefix="/log",
    tags=["transparency log"],
    dependencies=[Depends(optional_caller)],
)

_ANONYMOUS: dict[str, Any] = {"security": [{}, {"HTTPBearer": []}]}
Size = Annotated[int, Query(ge=0, le=2**53)]


def _key(request: Request) -> Any:
    return request.app.state.log_key


@router.get("/sth", response_model=SignedTreeHead, openapi_extra=_ANONYMOUS)
def signed_tree_head(
    db: DB, request: Request, tree_size: Size | None = None
) -> SignedTreeHead:
    """The signed head of the whole log, or of its first `tree_size` entries."""
    with db.reader() as session:
        return log.tree_head(session, _key(request), tree_size)


@router.get("/proof", response_model=LogReceipt, openapi_extra=_ANONYMOUS)
def inclusion(
    db: DB,
    request: Request,
    index: Size | None = None,
    subject: Annotated[str | None, Query(pattern=r"^sha256:[0-9a-f]{64}$")] = None,
    kind: EntryKind | None = None,
    tree_size: Size | None = None,
) -> LogReceipt:
    """An entry, by `index` or by the `subject` digest it records, with its proof."""
    if (index is None) == (subject is None):
        raise http_error(422, "give exactly one of index and subject")
    with db.reader() as session:
        if index is None:
            assert subject is not None
            index = log.find_entry(session, subject, kind)
        return log.receipt(session, _key(request), index, tree_size)


@router.get("/consistency", response_model=ConsistencyProof, openapi_extra=_ANONYMOUS)
def consistency(db: DB, first: Size, second: Size) -> ConsistencyProof:
    """Proof that the tree of `second` entries extends the tree of `first`."""
    with db.reader() as session:
        return log.consistency(session, first, second)


@router.get("/entries", response_model=LogEntryPage, openapi_extra=_ANONYMOUS)
def entries(
    db: DB,
    request: Request,
    start: Size = 0,
    limit: Annotated[int, Query(ge=1)] = 100,
) -> LogEntryPage:
    """Entries from `start`, in log order."""
    limit = min(limit, request.app.state.settings.max_page_size)
    with db.reader() as session:
        return LogEntryPage(
            entries=tuple(log.entries(session, start, limit)),
            tree_size=log.log_size(session),
        )
