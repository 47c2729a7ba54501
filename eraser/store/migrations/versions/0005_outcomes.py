"""The committed outcome of a ticket, written once: per connector as it commits, then the whole outcome.

Revision ID: 0005
Revises: 0004_submitted_by
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004_submitted_by"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "ticket_commits",
        sa.Column("ticket_id", sa.String(36), sa.ForeignKey("tickets.id"), primary_key=True),
        sa.Column("connector", sa.String(120), primary_key=True),
        sa.Column("record", sa.Text, nullable=False),
        sa.Column("committed_at", TZ, nullable=False),
    )
    op.create_table(
        "outcomes",
        sa.Column("ticket_id", sa.String(36), sa.ForeignKey("tickets.id"), primary_key=True),
        sa.Column("record", sa.Text, nullable=False),
        sa.Column("recorded_at", TZ, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("outcomes")
    op.drop_table("ticket_commits")
