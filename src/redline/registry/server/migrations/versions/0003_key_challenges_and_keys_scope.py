"""Key registration challenges; the `keys:manage` token scope.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Frozen here, not read from the code: the scopes a full token carried at 0002.
_ALL_SCOPES_AT_0002 = {
    "reports:publish",
    "reports:read",
    "exercises",
    "incidents:read",
    "incidents:submit",
    "incidents:edit",
}
_KEYS = "keys:manage"


def _rescope(add: bool) -> None:
    tokens = sa.table("api_tokens", sa.column("id"), sa.column("scopes"))
    conn = op.get_bind()
    for token_id, scopes in conn.execute(sa.select(tokens.c.id, tokens.c.scopes)):
        names = scopes.split()
        if add and set(names) >= _ALL_SCOPES_AT_0002:
            # A token that could do everything keeps managing its keys; a narrow
            # token (say, incidents:read only) no longer can.
            names.append(_KEYS)
        elif not add and _KEYS in names:
            names.remove(_KEYS)
        else:
            continue
        conn.execute(
            tokens.update()
            .where(tokens.c.id == token_id)
            .values(scopes=" ".join(names))
        )


def upgrade() -> None:
    """Add the challenge table; grant `keys:manage` to tokens that had every scope."""
    op.create_table(
        "key_challenges",
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("institute_id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=40), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["institute_id"],
            ["institutes.id"],
            name=op.f("fk_key_challenges_institute_id_institutes"),
        ),
        sa.PrimaryKeyConstraint("nonce", name=op.f("pk_key_challenges")),
    )
    with op.batch_alter_table("key_challenges", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_key_challenges_institute_id"),
            ["institute_id"],
            unique=False,
        )
    _rescope(add=True)


def downgrade() -> None:
    """Drop the challenge table and the `keys:manage` scope."""
    _rescope(add=False)
    with op.batch_alter_table("key_challenges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_key_challenges_institute_id"))
    op.drop_table("key_challenges")
