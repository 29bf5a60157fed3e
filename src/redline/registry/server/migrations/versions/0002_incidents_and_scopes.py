"""Token scopes; the incident database (incidents, facets, classifications, submissions).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Frozen here, not read from the code: tokens issued before scopes existed could do
# everything, and must keep doing exactly what they could at this revision.
_ALL_SCOPES_AT_0002 = (
    "reports:publish reports:read exercises incidents:read incidents:submit "
    "incidents:edit"
)


def upgrade() -> None:
    """Add token scopes and the incident tables."""
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "scopes",
                sa.Text(),
                server_default=_ALL_SCOPES_AT_0002,
                nullable=False,
            )
        )

    op.create_table(
        "incidents",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=1000), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("record", sa.Text(), nullable=False),
        sa.Column("content_digest", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_incidents")),
        sa.UniqueConstraint("id", name=op.f("uq_incidents_id")),
        sa.UniqueConstraint(
            "source", "external_id", name="uq_incidents_source_external"
        ),
    )
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.create_index("ix_incidents_date_seq", ["date", "seq"], unique=False)

    op.create_table(
        "incident_classifications",
        sa.Column("incident_seq", sa.Integer(), nullable=False),
        sa.Column("namespace", sa.String(length=64), nullable=False),
        sa.Column("classification", sa.Text(), nullable=False),
        sa.Column("set_by", sa.Integer(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_seq"],
            ["incidents.seq"],
            name=op.f("fk_incident_classifications_incident_seq_incidents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["set_by"],
            ["institutes.id"],
            name=op.f("fk_incident_classifications_set_by_institutes"),
        ),
        sa.PrimaryKeyConstraint(
            "incident_seq", "namespace", name=op.f("pk_incident_classifications")
        ),
    )
    op.create_table(
        "incident_facets",
        sa.Column("incident_seq", sa.Integer(), nullable=False),
        sa.Column("facet", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_seq"],
            ["incidents.seq"],
            name=op.f("fk_incident_facets_incident_seq_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "incident_seq", "facet", "value", name=op.f("pk_incident_facets")
        ),
    )
    with op.batch_alter_table("incident_facets", schema=None) as batch_op:
        batch_op.create_index(
            "ix_incident_facets_facet_value", ["facet", "value"], unique=False
        )

    op.create_table(
        "incident_submissions",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("institute_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.Column("proposal", sa.Text(), nullable=False),
        sa.Column("suggestions", sa.Text(), nullable=False),
        sa.Column("classification", sa.Text(), nullable=False),
        sa.Column("incident_seq", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["institutes.id"],
            name=op.f("fk_incident_submissions_decided_by_institutes"),
        ),
        sa.ForeignKeyConstraint(
            ["incident_seq"],
            ["incidents.seq"],
            name=op.f("fk_incident_submissions_incident_seq_incidents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["institute_id"],
            ["institutes.id"],
            name=op.f("fk_incident_submissions_institute_id_institutes"),
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_incident_submissions")),
        sa.UniqueConstraint("id", name=op.f("uq_incident_submissions_id")),
    )
    with op.batch_alter_table("incident_submissions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_submissions_incident_seq"),
            ["incident_seq"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_incident_submissions_institute_id"),
            ["institute_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_incident_submissions_status"), ["status"], unique=False
        )


def downgrade() -> None:
    """Drop the incident tables and token scopes."""
    with op.batch_alter_table("incident_submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_submissions_status"))
        batch_op.drop_index(batch_op.f("ix_incident_submissions_institute_id"))
        batch_op.drop_index(batch_op.f("ix_incident_submissions_incident_seq"))

    op.drop_table("incident_submissions")
    with op.batch_alter_table("incident_facets", schema=None) as batch_op:
        batch_op.drop_index("ix_incident_facets_facet_value")

    op.drop_table("incident_facets")
    op.drop_table("incident_classifications")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index("ix_incidents_date_seq")

    op.drop_table("incidents")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("scopes")
