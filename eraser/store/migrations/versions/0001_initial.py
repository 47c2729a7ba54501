"""The state store: tickets, journal, certificates, retained rows, holds.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "tickets",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(24), nullable=False, index=True),
        sa.Column("external_ref", sa.String(200), unique=True),
        sa.Column("subject_ref", sa.String(80), nullable=False, index=True),
        sa.Column("identifier_refs", sa.Text, nullable=False),
        sa.Column("identifier_types", sa.String(200), nullable=False),
        sa.Column("sealed_subject", sa.LargeBinary),
        sa.Column("requested_by", sa.String(200), nullable=False),
        sa.Column("received_at", TZ, nullable=False),
        sa.Column("due_at", TZ, nullable=False, index=True),
        sa.Column("extended_reason", sa.Text),
        sa.Column("approved_by", sa.String(200)),
        sa.Column("approved_at", TZ),
        sa.Column("plan", sa.Text),
        sa.Column("plan_fingerprint", sa.String(64)),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", TZ),
        sa.Column("last_error", sa.Text),
        sa.Column("claimed_by", sa.String(120)),
        sa.Column("claimed_until", TZ),
        sa.Column("prepared", sa.Text),
        sa.Column("certificate_id", sa.String(36)),
        sa.Column("tenant", sa.String(120)),
        sa.Column("started_at", TZ),
        sa.Column("completed_at", TZ),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_table(
        "journal",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("ticket_id", sa.String(36), sa.ForeignKey("tickets.id"), nullable=False, index=True),
        sa.Column("at", TZ, nullable=False),
        sa.Column("node", sa.String(120), nullable=False),
        sa.Column("step", sa.String(40), nullable=False),
        sa.Column("detail", sa.Text),
    )
    op.create_table(
        "certificates",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("ticket_id", sa.String(36), sa.ForeignKey("tickets.id"), index=True),
        sa.Column("type", sa.String(24), nullable=False),
        sa.Column("parent_id", sa.String(36)),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("issued_at", TZ, nullable=False),
    )
    op.create_table(
        "retained_rows",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("ticket_id", sa.String(36), sa.ForeignKey("tickets.id"), nullable=False),
        sa.Column("certificate_id", sa.String(36), nullable=False, index=True),
        sa.Column("connector", sa.String(120), nullable=False),
        sa.Column("table_name", sa.String(200), nullable=False),
        sa.Column("primary_key", sa.Text, nullable=False),
        sa.Column("release_on", sa.Date, nullable=False, index=True),
        sa.Column("released_at", TZ),
        sa.Column("followup_certificate_id", sa.String(36)),
    )
    op.create_table(
        "holds",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("identifier_refs", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("until", sa.Date),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("lifted_by", sa.String(200)),
        sa.Column("lifted_at", TZ),
    )


def downgrade() -> None:
    for table in ("holds", "retained_rows", "certificates", "journal", "tickets"):
        op.drop_table(table)
