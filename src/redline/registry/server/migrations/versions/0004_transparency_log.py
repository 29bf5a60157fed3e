"""The append-only transparency log.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the log table; entries made before it existed are not backfilled."""
    op.create_table(
        "transparency_log",
        sa.Column("leaf_index", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=80), nullable=False),
        sa.Column("ref", sa.String(length=100), nullable=True),
        sa.Column("leaf", sa.Text(), nullable=False),
        sa.Column("leaf_hash", sa.String(length=44), nullable=False),
        sa.Column("root_hash", sa.String(length=44), nullable=False),
        sa.Column("frontier", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("leaf_index", name=op.f("pk_transparency_log")),
    )
    with op.batch_alter_table("transparency_log", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_transparency_log_subject"), ["subject"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_transparency_log_ref"), ["ref"], unique=False
        )


def downgrade() -> None:
    """Drop the log table."""
    with op.batch_alter_table("transparency_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transparency_log_ref"))
        batch_op.drop_index(batch_op.f("ix_transparency_log_subject"))
    op.drop_table("transparency_log")
