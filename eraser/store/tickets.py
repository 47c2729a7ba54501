"""The state store's ticket records, typed, and the reads and writes of tickets and of what they committed; a mixin
of StateStore.

A ticket row as read (`TicketRow`); what an erasure attempt is about to commit, recorded before the customer
databases commit and again, once, as the ticket's outcome (`Prepared`), with what it does besides the databases
(`Care`) and the schedule of the rows it retains (`Retained`); a certificate as the store keeps it
(`CertificateRow`). They are JSON in the store: the `prepared` column, `ticket_commits` and `outcomes`.
"""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any, NotRequired, Required, TypedDict, cast

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta

from eraser.errors import EraserError
from eraser.store.tables import FINAL, READY, STATUSES, _utc, journal, now, outcomes, ticket_commits, tickets

Payload = dict[str, Any]  # a certificate's content (eraser.proof.certificates.erasure_payload): JSON
TIMES = ("received_at", "due_at", "approved_at", "next_attempt_at", "claimed_until", "started_at", "completed_at",
         "updated_at")


class Retained(TypedDict):
    """One retained row, for the retention sweep: where it is and when it is released."""

    connector: str
    table_name: str
    primary_key: str  # canonical JSON of the key
    release_on: str | date


class RetainedRow(TypedDict):
    """A retained row due for release, as the retention sweep reads it (the key decoded)."""

    id: int
    ticket_id: str
    certificate_id: str
    connector: str
    table_name: str
    primary_key: tuple[Any, ...]
    release_on: date
    released_at: datetime | None
    followup_certificate_id: str | None


class JournalEntry(TypedDict):
    """One row an erasure changed or kept, without any value (eraser.rights.replay)."""

    connector: str
    table: str
    key: str
    action: str
    strategies: dict[str, str]


class Care(TypedDict, total=False):
    """What an erasure does besides the databases (eraser.rights.care.prepare_erasure): nothing when held."""

    held: Required[bool]
    has_files: bool
    files: str | None  # the paths, sealed: they may name the subject
    journal: list[JournalEntry]
    suppress: list[list[str]]  # (identifier type, keyed reference)
    recipients: list[str]
    subject_ref: str | None
    completed_at: str


class Prepared(TypedDict):
    """What an attempt commits: the certificate's payload and id, the retained rows, the final status."""

    payload: Payload
    certificate_id: str
    retained: list[Retained]
    status: str
    changed_rows: int
    rights: Care


class CertificateRow(TypedDict):
    """A certificate as the store keeps it (to close a ticket on a certificate already kept, its id is enough)."""

    id: str
    type: NotRequired[str]  # erasure, retention_release, purge
    parent_id: NotRequired[str | None]
    sequence: NotRequired[int]
    path: NotRequired[str]
    sha256: NotRequired[str]
    body: NotRequired[str]  # the signed JWS
    ticket_id: NotRequired[str | None]
    issued_at: NotRequired[datetime]


class JournalStep(TypedDict):
    """One step of a ticket's journal."""

    id: int
    ticket_id: str
    at: datetime
    node: str
    step: str
    detail: str | None


class TicketRow(TypedDict):
    """A ticket as read from the store (times in UTC; lists and records decoded)."""

    id: str
    kind: str  # erase, purge, access, restrict
    status: str
    external_ref: str | None
    subject_ref: str
    identifier_refs: list[str]
    identifier_types: list[str]
    sealed_subject: bytes | None
    requested_by: str
    submitted_by: str | None
    received_at: datetime
    due_at: datetime
    extended_reason: str | None
    approved_by: str | None
    approved_at: datetime | None
    plan: dict[str, Any] | None  # the plan (eraser.engine.plan.Plan.to_dict), or an access/restrict summary
    plan_fingerprint: str | None
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    claimed_by: str | None
    claimed_until: datetime | None
    prepared: Prepared | None
    certificate_id: str | None
    tenant: str | None
    started_at: datetime | None
    completed_at: datetime | None
    updated_at: datetime


def ticket_row(row: sa.Row[Any]) -> TicketRow:
    t = dict(row._mapping)
    for key in TIMES:
        t[key] = _utc(t[key])
    t["identifier_refs"] = json.loads(t["identifier_refs"])
    t["identifier_types"] = [x for x in t["identifier_types"].split(",") if x]
    t["plan"] = json.loads(t["plan"]) if t["plan"] else None
    t["prepared"] = json.loads(t["prepared"]) if t["prepared"] else None
    return cast(TicketRow, t)


# The statements of an intake, built once (SQLAlchemy compiles each once per dialect and caches it).
_COLUMNS = ("id", "kind", "status", "external_ref", "subject_ref", "identifier_refs", "identifier_types",
            "sealed_subject", "requested_by", "submitted_by", "received_at", "due_at", "tenant", "updated_at")
_BY_REF = sa.select(tickets).where(tickets.c.external_ref == sa.bindparam("ref"))
_INSERT_RETURNING = tickets.insert().values({c: sa.bindparam(c) for c in _COLUMNS}).returning(*tickets.c)
_JOURNAL_RECEIVED = journal.insert().values(ticket_id=sa.bindparam("ticket"), step="received", detail=None)


@cache
def _submit_postgres() -> sa.Select[Any]:
    """INSERT ... ON CONFLICT (external_ref) DO NOTHING RETURNING the row, and its journal line from the same
    statement: no row back means the reference was known."""
    from sqlalchemy.dialects.postgresql import insert

    added = (insert(tickets).values({c: sa.bindparam(c) for c in _COLUMNS})
             .on_conflict_do_nothing(index_elements=[tickets.c.external_ref]).returning(*tickets.c).cte("added"))
    line = journal.insert().from_select(
        ["ticket_id", "at", "node", "step", "detail"],
        sa.select(added.c.id, sa.bindparam("at", type_=journal.c.at.type), sa.bindparam("node", type_=sa.String),
                  sa.literal("received"), sa.null())).cte("line")
    return sa.select(added).add_cte(line)


class TicketRecords:
    """Tickets submitted and read, and what they committed; StateStore provides `engine`, `tx()`, `_journal`."""

    engine: sa.Engine
    is_postgres: bool

    if TYPE_CHECKING:
        def tx(self) -> AbstractContextManager[sa.Connection]: ...

        def single_statement(self) -> AbstractContextManager[sa.Connection]: ...

        def _journal(self, conn: sa.Connection, ticket_id: str, node: str, step: str, detail: str | None) -> None: ...

    def submit(self, *, kind: str, subject_ref: str, identifier_refs: list[str], identifier_types: list[str],
               sealed: bytes | None, ticket_id: str, external_ref: str | None, received_at: datetime,
               requested_by: str, tenant: str | None = None, node: str = "intake",
               submitted_by: str | None = None) -> tuple[TicketRow, bool]:
        """Record a ticket; with an external_ref already known, return that ticket instead (idempotent).

        On PostgreSQL a new ticket is one statement (the insert, its journal line and the row back, atomic and
        committed when it returns); elsewhere one transaction of up to three."""
        values = dict(id=ticket_id, kind=kind, status="received", external_ref=external_ref,
                      subject_ref=subject_ref, identifier_refs=json.dumps(identifier_refs),
                      identifier_types=",".join(identifier_types), sealed_subject=sealed,
                      requested_by=requested_by, submitted_by=submitted_by, received_at=received_at,
                      due_at=received_at + relativedelta(months=1), tenant=tenant, updated_at=now(),
                      at=datetime.now(UTC), node=node)  # the journal line's, at full precision
        if self.is_postgres:
            with self.single_statement() as conn:
                row = conn.execute(_submit_postgres(), values).first()
            if row is not None:
                return ticket_row(row), True
            known = self._known(external_ref)  # the reference was known (a race included): that ticket
            if known is None:  # only a reference clashes quietly; it cannot vanish (tickets are never deleted)
                raise EraserError(f"the ticket with the reference {external_ref!r} could not be read back.")
            return known, False
        try:
            with self.tx() as conn:
                if external_ref:
                    existing = conn.execute(_BY_REF, {"ref": external_ref}).first()
                    if existing:
                        return ticket_row(existing), False
                row = conn.execute(_INSERT_RETURNING, values).one()
                conn.execute(_JOURNAL_RECEIVED, {"ticket": ticket_id, "at": values["at"], "node": node})
                return ticket_row(row), True
        except sa.exc.IntegrityError:  # rolled back: the reference filed meanwhile by another request, or not
            known = self._known(external_ref)
            if known is None:  # a clash other than the reference's
                raise
            return known, False

    def _known(self, external_ref: str | None) -> TicketRow | None:
        if external_ref is None:
            return None
        with self.engine.connect() as conn:
            row = conn.execute(_BY_REF, {"ref": external_ref}).first()
        return ticket_row(row) if row is not None else None

    def tickets_by_ref(self, external_ref: str) -> list[TicketRow]:
        with self.engine.connect() as conn:
            return [ticket_row(r) for r in conn.execute(sa.select(tickets).where(tickets.c.external_ref == external_ref))]

    def ticket(self, ticket_id: str) -> TicketRow | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(tickets).where(tickets.c.id == ticket_id)).first()
            return ticket_row(row) if row else None

    def tickets(self, status: str | None = None, due_before: datetime | None = None,
                limit: int = 500, submitted_by: str | None = None) -> list[TicketRow]:
        stmt = sa.select(tickets).order_by(tickets.c.received_at, tickets.c.id).limit(limit)
        if submitted_by is not None:
            stmt = stmt.where(tickets.c.submitted_by == submitted_by)
        if status:
            stmt = stmt.where(tickets.c.status == status)
        if due_before:
            stmt = stmt.where(tickets.c.due_at < due_before)
        with self.engine.connect() as conn:
            return [ticket_row(r) for r in conn.execute(stmt)]

    def counts_by_status(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            found: dict[str, int] = dict(conn.execute(sa.select(tickets.c.status, sa.func.count()).group_by(tickets.c.status)).all())
        return {s: int(found.get(s, 0)) for s in STATUSES}

    def overdue(self, at: datetime | None = None, within: timedelta = timedelta(0)) -> list[TicketRow]:
        moment = (at or now()) + within
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(tickets).where(tickets.c.status.not_in(FINAL), tickets.c.due_at < moment)
                                .order_by(tickets.c.due_at))
            return [ticket_row(r) for r in rows]

    def oldest_ready(self, at: datetime) -> datetime | None:
        """When the oldest ticket that a worker could claim now was received (None when there is none)."""
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(sa.func.min(tickets.c.received_at)).where(
                tickets.c.status.in_(READY), tickets.c.claimed_by.is_(None),
                sa.or_(tickets.c.next_attempt_at.is_(None), tickets.c.next_attempt_at <= at))).scalar()
        return _utc(found)

    # -- what an erasure committed (eraser.outcome) ------------------------------------------------

    def record_commit(self, ticket_id: str, node: str, connector: str, record: Prepared,
                      detail: str | None = None) -> bool:
        """Journal that one connector committed, with the outcome it committed; the first record stays (False
        when there was one already)."""
        with self.tx() as conn:
            exists = conn.execute(sa.select(ticket_commits.c.connector).where(
                ticket_commits.c.ticket_id == ticket_id, ticket_commits.c.connector == connector)).first()
            if exists:
                return False
            conn.execute(ticket_commits.insert().values(ticket_id=ticket_id, connector=connector,
                                                        record=json.dumps(record), committed_at=now()))
            self._journal(conn, ticket_id, node, "committed", f"{connector}{': ' + detail if detail else ''}")
            return True

    def commits(self, ticket_id: str) -> dict[str, Prepared]:
        """The committed outcome per connector, as first recorded."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(ticket_commits).where(ticket_commits.c.ticket_id == ticket_id))
            return {r.connector: json.loads(r.record) for r in rows}

    def record_outcome(self, ticket_id: str, node: str, record: Prepared) -> Prepared:
        """Write a ticket's committed outcome once and return the stored one: the first record wins."""
        with self.tx() as conn:
            row = conn.execute(sa.select(outcomes.c.record).where(outcomes.c.ticket_id == ticket_id)).first()
            if row is not None:
                return cast(Prepared, json.loads(row.record))
            conn.execute(outcomes.insert().values(ticket_id=ticket_id, record=json.dumps(record), recorded_at=now()))
            conn.execute(tickets.update().where(tickets.c.id == ticket_id).values(status="committed", updated_at=now()))
            self._journal(conn, ticket_id, node, "outcome recorded", f"certificate {record.get('certificate_id')}")
            return record

    def outcome(self, ticket_id: str) -> Prepared | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(outcomes.c.record).where(outcomes.c.ticket_id == ticket_id)).first()
            return cast(Prepared, json.loads(row.record)) if row else None
