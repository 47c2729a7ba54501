"""The other rights: erasure journal (replay after a restore), suppression list, restrictions, webhook deliveries.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "erasures",
        sa.Column("certificate_id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("ticket_id", sa.String(36), index=True),
        sa.Column("ticket_reference", sa.String(200), nullable=False),
        sa.Column("subject_ref", sa.String(80)),
        sa.Column("completed_at", TZ, nullable=False, index=True),
        sa.Column("certificate_sha256", sa.String(64), nullable=False),
        sa.Column("recorded_at", TZ, nullable=False),
    )
    op.create_table(
        "erasure_rows",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("certificate_id", sa.String(36), sa.ForeignKey("erasures.certificate_id"), nullable=False,
                  index=True),
        sa.Column("connector", sa.String(120), nullable=False),
        sa.Column("table_name", sa.String(200), nullable=False),
        sa.Column("primary_key", sa.Text, nullable=False),
        sa.Column("action", sa.String(12), nullable=False),
        sa.Column("strategies", sa.Text),
    )
    op.create_table(
        "suppression",
        sa.Column("reference", sa.String(80), primary_key=True),
        sa.Column("identifier_type", sa.String(40), nullable=False),
        sa.Column("first_erased_at", TZ, nullable=False),
        sa.Column("last_erased_at", TZ, nullable=False),
        sa.Column("certificate_id", sa.String(36)),
    )
    op.create_table(
        "restrictions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("ticket_id", sa.String(36), index=True),
        sa.Column("subject_ref", sa.String(80), nullable=False),
        sa.Column("identifier_refs", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("lifted_by", sa.String(200)),
        sa.Column("lifted_at", TZ),
    )
    op.create_table(
        "restricted_rows",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("restriction_id", sa.String(36), sa.ForeignKey("restrictions.id"), nullable=False, index=True),
        sa.Column("connector", sa.String(120), nullable=False),
        sa.Column("table_name", sa.String(200), nullable=False),
        sa.Column("primary_key", sa.Text, nullable=False),
        sa.Column("key_ref", sa.String(80), nullable=False, index=True),
        sa.Column("method", sa.String(8), nullable=False),
        sa.Column("previous", sa.Text),
        sa.Column("ended_at", TZ),
        sa.Column("ended_reason", sa.String(40)),
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("ticket_id", sa.String(36), nullable=False),
        sa.Column("recipient", sa.String(200), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", TZ, index=True),
        sa.Column("delivered_at", TZ),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", TZ, nullable=False),
        sa.UniqueConstraint("ticket_id", "recipient", name="uq_webhook_ticket_recipient"),
    )


def downgrade() -> None:
    for table in ("webhook_deliveries", "restricted_rows", "restrictions", "suppression", "erasure_rows", "erasures"):
        op.drop_table(table)
