"""Tickets record the API token that submitted them: four eyes and ticket visibility go by token.

Revision ID: 0004_submitted_by
Revises: 0003
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_submitted_by"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("submitted_by", sa.String(120)))


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("submitted_by")
