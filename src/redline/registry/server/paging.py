"""Keyset paging shared by the list endpoints.

A page is fetched one row long: the extra row says whether a next page exists
without a COUNT. Cursors are opaque to clients (`c<seq>`); each query model's pattern
already ensures a cursor parses.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session


def seq_cursor(cursor: str) -> int:
    """The row sequence number a `c<seq>` cursor points after."""
    return int(cursor[1:])


def make_seq_cursor(seq: int) -> str:
    """The cursor of a page whose last row has this sequence number."""
    return f"c{seq}"


def fetch_page(
    session: Session, statement: Select[Any], limit: int
) -> tuple[list[Any], bool]:
    """Up to `limit` rows of an ordered select, and whether more follow."""
    rows = list(session.scalars(statement.limit(limit + 1)))
    return rows[:limit], len(rows) > limit
