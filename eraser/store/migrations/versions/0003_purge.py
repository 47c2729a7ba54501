"""End-of-contract purges: the purge, its batches (journaled one by one) and the keys of owned parent rows.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "purges",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("tenant", sa.String(120), nullable=False, index=True),
        sa.Column("mode", sa.String(12), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("ticket_id", sa.String(36)),
        sa.Column("plan", sa.Text, nullable=False),
        sa.Column("export_dir", sa.Text),
        sa.Column("export_sha256", sa.String(64)),
        sa.Column("certificate_id", sa.String(36)),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("completed_at", TZ),
    )
    op.create_table(
        "purge_batches",
        sa.Column("purge_id", sa.String(36), sa.ForeignKey("purges.id"), primary_key=True),
        sa.Column("connector", sa.String(120), primary_key=True),
        sa.Column("table_name", sa.String(200), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("lo", sa.BigInteger, nullable=False),
        sa.Column("hi", sa.BigInteger, nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("counts", sa.Text),
        sa.Column("seconds", sa.Float),
    )
    op.create_table(
        "purge_keys",
        sa.Column("purge_id", sa.String(36), sa.ForeignKey("purges.id"), primary_key=True),
        sa.Column("connector", sa.String(120), primary_key=True),
        sa.Column("table_name", sa.String(200), primary_key=True),
        sa.Column("pk", sa.BigInteger, primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("purge_keys")
    op.drop_table("purge_batches")
    op.drop_table("purges")
