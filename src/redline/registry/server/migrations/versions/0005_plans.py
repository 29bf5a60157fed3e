"""Pre-registration plans.

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the plans table."""
    op.create_table(
        "plans",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("digest", sa.String(length=80), nullable=False),
        sa.Column("institute_id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=40), nullable=False),
        sa.Column("model", sa.String(length=300), nullable=False),
        sa.Column("framework_id", sa.String(length=200), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("envelope", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["institute_id"],
            ["institutes.id"],
            name=op.f("fk_plans_institute_id_institutes"),
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_plans")),
        sa.UniqueConstraint("digest", name=op.f("uq_plans_digest")),
    )
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_plans_institute_id"), ["institute_id"], unique=False
        )


def downgrade() -> None:
    """Drop the plans table."""
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plans_institute_id"))
    op.drop_table("plans")
