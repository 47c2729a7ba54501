"""The state store's tables (as migrations 0001-0005 leave them), its ticket statuses, and its clock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

metadata = sa.MetaData()
TZ = sa.DateTime(timezone=True)


def table_place(primary_key: bool = False) -> list[sa.Column[Any]]:
    """A customer table as the state store names it: its connector and its name, the same widths everywhere."""
    return [sa.Column("connector", sa.String(120), primary_key=primary_key, nullable=False),
            sa.Column("table_name", sa.String(200), primary_key=primary_key, nullable=False)]


def row_place() -> list[sa.Column[Any]]:
    """A customer row as the state store names it: its table and its primary key (canonical JSON)."""
    return [*table_place(), sa.Column("primary_key", sa.Text, nullable=False)]

STATUSES = ("received", "planned", "approved", "running", "committed", "done", "done_with_retention", "held",
            "failed", "rejected")
FINAL = ("done", "done_with_retention", "held", "rejected")
# "committed": the customer databases committed, the certificate is still to be written (retried like a failure).
READY = ("received", "approved", "failed", "committed")

tickets = sa.Table(
    "tickets", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("status", sa.String(24), nullable=False, index=True),
    sa.Column("external_ref", sa.String(200), unique=True),
    sa.Column("subject_ref", sa.String(80), nullable=False, index=True),
    sa.Column("identifier_refs", sa.Text, nullable=False),
    sa.Column("identifier_types", sa.String(200), nullable=False),
    sa.Column("sealed_subject", sa.LargeBinary),
    sa.Column("requested_by", sa.String(200), nullable=False),
    sa.Column("submitted_by", sa.String(120)),  # the API token that filed it (migration 0004_submitted_by)
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

journal = sa.Table(
    "journal", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("ticket_id", sa.String(36), sa.ForeignKey("tickets.id"), nullable=False, index=True),
    sa.Column("at", TZ, nullable=False),
    sa.Column("node", sa.String(120), nullable=False),
    sa.Column("step", sa.String(40), nullable=False),
    sa.Column("detail", sa.Text),
)

certificates = sa.Table(
    "certificates", metadata,
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

retained_rows = sa.Table(
    "retained_rows", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("ticket_id", sa.String(36), sa.ForeignKey("tickets.id"), nullable=False),
    sa.Column("certificate_id", sa.String(36), nullable=False, index=True),
    *row_place(),
    sa.Column("release_on", sa.Date, nullable=False, index=True),
    sa.Column("released_at", TZ),
    sa.Column("followup_certificate_id", sa.String(36)),
)

# What an erasure committed, written once (eraser.outcome): one row per connector as it commits, then the
# ticket's whole outcome. Neither is ever updated; a resumed ticket certifies from them.
ticket_commits = sa.Table(
    "ticket_commits", metadata,
    sa.Column("ticket_id", sa.String(36), sa.ForeignKey("tickets.id"), primary_key=True),
    sa.Column("connector", sa.String(120), primary_key=True),
    sa.Column("record", sa.Text, nullable=False),
    sa.Column("committed_at", TZ, nullable=False),
)

outcomes = sa.Table(
    "outcomes", metadata,
    sa.Column("ticket_id", sa.String(36), sa.ForeignKey("tickets.id"), primary_key=True),
    sa.Column("record", sa.Text, nullable=False),
    sa.Column("recorded_at", TZ, nullable=False),
)

holds = sa.Table(
    "holds", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("identifier_refs", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("until", sa.Date),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Column("created_at", TZ, nullable=False),
    sa.Column("lifted_by", sa.String(200)),
    sa.Column("lifted_at", TZ),
)


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _utc(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes: they were stored as UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
