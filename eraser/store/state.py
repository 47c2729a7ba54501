"""The state store: tickets (their typed records and reads in eraser.store.tickets), their claims and journal,
certificates, retained rows and legal holds (eraser.store.legal_holds).

SQLite by default (a file, no set-up), PostgreSQL when several daemons share the work. The schema is
managed by Alembic migrations applied at start. Nothing here holds a subject's identifiers in clear:
subjects are keyed hashes; the identifiers a pending ticket needs are sealed (AES-GCM under a key
derived from the controller's secret) and wiped when the ticket ends.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from functools import cache
from itertools import islice
from pathlib import Path
from typing import Any, cast

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta

from eraser.errors import EraserError
from eraser.store.legal_holds import HoldRecords
from eraser.store.tables import (
    FINAL,
    READY,
    certificates,
    journal,
    now,
    retained_rows,
    tickets,
)
from eraser.store.tickets import (
    CertificateRow,
    JournalStep,
    Retained,
    RetainedRow,
    TicketRecords,
    TicketRow,
    ticket_row,
)

REVISION = re.compile(r'^(down_)?revision\s*=\s*(?:"([^"]*)"|None)', re.MULTILINE)


@cache
def head_revision() -> str | None:
    """The newest migration, read from the revision files as Alembic reads them (the one no other follows)."""
    revisions: set[str] = set()
    followed: set[str] = set()
    for path in (Path(__file__).parent / "migrations" / "versions").glob("*.py"):
        for down, name in REVISION.findall(path.read_text(encoding="utf-8")):
            (followed if down else revisions).add(name)
    heads = revisions - followed
    return heads.pop() if len(heads) == 1 else None


class StateStore(TicketRecords, HoldRecords):
    """Every read and write of the daemon's state, each in its own short transaction."""

    def __init__(self, url: str) -> None:
        self.url = url
        options: dict[str, Any] = {"pool_pre_ping": True, "hide_parameters": True}
        if not url.startswith("sqlite"):  # the API's thread pool and the worker share it
            options.update(pool_size=20, max_overflow=20)
        if url.startswith("sqlite"):
            options["connect_args"] = {"timeout": 30, "check_same_thread": False}
        self.engine = sa.create_engine(url, **options)
        if url.startswith("sqlite"):
            @sa.event.listens_for(self.engine, "connect")
            def _wal(dbapi_conn: sqlite3.Connection, _record: object) -> None:
                cur = dbapi_conn.cursor()
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA busy_timeout=30000")
                cur.close()
        self.is_postgres = self.engine.dialect.name == "postgresql"
        self._autocommit = self.engine.execution_options(isolation_level="AUTOCOMMIT")  # the same pool

    def migrate(self) -> None:
        """Apply the Alembic migrations (under an advisory lock on PostgreSQL, so two daemons can start at once).
        A store already at the newest revision is left as it is without loading Alembic (about 0.3 s of every
        command that opens the store)."""
        if self._at_head():
            return
        from alembic import command
        from alembic.config import Config as AlembicConfig

        cfg = AlembicConfig()
        cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
        try:
            with self.engine.begin() as conn:
                if self.is_postgres:
                    conn.execute(sa.text("SELECT pg_advisory_xact_lock(814159)"))
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        except sa.exc.OperationalError as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "connection failed"
            raise EraserError(f"cannot open the state store {sa.engine.make_url(self.url).render_as_string()}: "
                              f"{reason}") from None

    def _at_head(self) -> bool:
        try:
            with self.engine.connect() as conn:
                versions = set(conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars())
        except sa.exc.DBAPIError:
            return False  # no store yet, or unreachable: Alembic creates it, or says why not
        return versions == {head_revision()}

    def dispose(self) -> None:
        self.engine.dispose()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """One node at a time (PostgreSQL advisory lock); e.g. while a library creates its tables."""
        if not self.is_postgres:
            yield
            return
        with self.engine.connect() as conn:
            conn.execute(sa.text("SELECT pg_advisory_lock(814161)"))
            conn.commit()
            try:
                yield
            finally:
                conn.execute(sa.text("SELECT pg_advisory_unlock(814161)"))
                conn.commit()

    @contextmanager
    def tx(self) -> Iterator[sa.Connection]:
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def single_statement(self) -> Iterator[sa.Connection]:
        """A connection for one statement that is its own transaction (PostgreSQL: committed when it returns,
        without the BEGIN and COMMIT round trips); elsewhere the same as `tx`."""
        engine = self._autocommit if self.is_postgres else self.engine
        with engine.begin() as conn:
            yield conn

    # -- tickets ----------------------------------------------------------------------------------

    def claim(self, node: str, lease: timedelta, kinds: tuple[str, ...] | None = None,
              statuses: tuple[str, ...] = READY) -> TicketRow | None:
        """Take one ticket that is ready (or whose holder stopped renewing its claim), so no other worker runs it.
        Compare-and-set on every backend: the UPDATE re-checks that the claim is still free and still held by
        whoever held it when read, and only a changed row counts as claimed."""
        moment = now()
        free = sa.or_(tickets.c.claimed_until.is_(None), tickets.c.claimed_until < moment)
        ready = sa.and_(free, sa.or_(
            sa.and_(tickets.c.status.in_(statuses),
                    sa.or_(tickets.c.next_attempt_at.is_(None), tickets.c.next_attempt_at <= moment)),
            tickets.c.status == "running"))
        stmt = sa.select(tickets.c.id, tickets.c.claimed_by).where(ready)
        if kinds:
            stmt = stmt.where(tickets.c.kind.in_(kinds))
        stmt = stmt.order_by(tickets.c.due_at, tickets.c.received_at).limit(1)
        if self.is_postgres:
            stmt = stmt.with_for_update(skip_locked=True)
        with self.tx() as conn:
            found = conn.execute(stmt).first()
            if found is None:
                return None
            done = conn.execute(tickets.update().where(tickets.c.id == found.id, ready,
                                                       tickets.c.claimed_by.is_not_distinct_from(found.claimed_by))
                                .values(claimed_by=node, claimed_until=moment + lease, updated_at=moment))
            if done.rowcount != 1:
                return None
            self._journal(conn, found.id, node, "claimed", f"taken over from {found.claimed_by}"
                          if found.claimed_by else None)
            return ticket_row(conn.execute(sa.select(tickets).where(tickets.c.id == found.id)).one())

    def renew_claim(self, ticket_id: str, node: str, lease: timedelta) -> bool:
        """The heartbeat: extend this node's claim; False when the claim is no longer this node's."""
        with self.tx() as conn:
            done = conn.execute(tickets.update().where(tickets.c.id == ticket_id, tickets.c.claimed_by == node)
                                .values(claimed_until=now() + lease))
            return bool(done.rowcount == 1)

    def release_dead_claims(self, host: str, alive: Callable[[int], bool]) -> int:
        """Free the claims of earlier processes on this host that are gone (killed), so a restart resumes at once
        instead of waiting for their lease to run out."""
        freed = 0
        with self.tx() as conn:
            rows = conn.execute(sa.select(tickets.c.id, tickets.c.claimed_by)
                                .where(tickets.c.claimed_by.like(f"{host}:%"))).all()
            for ticket_id, node in rows:
                pid = node.rsplit(":", 1)[1]
                if pid.isdigit() and not alive(int(pid)):
                    conn.execute(tickets.update().where(tickets.c.id == ticket_id, tickets.c.claimed_by == node)
                                 .values(claimed_by=None, claimed_until=None, updated_at=now()))
                    self._journal(conn, ticket_id, f"{host}:{os.getpid()}", "claim freed", f"{node} is gone")
                    freed += 1
        return freed

    def release_claim(self, ticket_id: str, node: str) -> None:
        with self.tx() as conn:
            conn.execute(tickets.update().where(tickets.c.id == ticket_id, tickets.c.claimed_by == node)
                         .values(claimed_by=None, claimed_until=None, updated_at=now()))
            self._journal(conn, ticket_id, node, "released", None)

    def update(self, ticket_id: str, node: str, step: str, detail: str | None = None, **values: object) -> None:
        """Change a ticket and journal the step in the same transaction."""
        for key in ("plan", "prepared"):
            if key in values and values[key] is not None and not isinstance(values[key], str):
                values[key] = json.dumps(values[key])
        with self.tx() as conn:
            conn.execute(tickets.update().where(tickets.c.id == ticket_id).values(updated_at=now(), **values))
            self._journal(conn, ticket_id, node, step, detail)

    def update_claimed(self, ticket_id: str, node: str, step: str, detail: str | None = None, **values: object
                       ) -> None:
        """`update`, only while `node` still holds the ticket's claim; EraserError when it lost it."""
        for key in ("plan", "prepared"):
            if key in values and values[key] is not None and not isinstance(values[key], str):
                values[key] = json.dumps(values[key])
        with self.tx() as conn:
            done = conn.execute(tickets.update().where(tickets.c.id == ticket_id, tickets.c.claimed_by == node)
                                .values(updated_at=now(), **values))
            if done.rowcount != 1:
                raise EraserError(f"ticket {ticket_id} was claimed by another node; this attempt stops.")
            self._journal(conn, ticket_id, node, step, detail)

    def _journal(self, conn: sa.Connection, ticket_id: str, node: str, step: str, detail: str | None) -> None:
        # Full precision: the journal also tells where a ticket's time went.
        conn.execute(journal.insert().values(ticket_id=ticket_id, at=datetime.now(UTC), node=node, step=step,
                                             detail=detail))

    def journal_of(self, ticket_id: str) -> list[JournalStep]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(journal).where(journal.c.ticket_id == ticket_id).order_by(journal.c.id))
            return [cast(JournalStep, dict(r._mapping)) for r in rows]

    def approve(self, ticket_id: str, by: str) -> TicketRow:
        ticket = self._require(ticket_id)
        if ticket["status"] != "planned":
            raise EraserError(f"ticket {ticket_id} is {ticket['status']}; only a planned ticket can be approved.")
        # Four eyes: the API token that filed the ticket (its free-text requested_by for tickets filed otherwise).
        if by == (ticket["submitted_by"] or ticket["requested_by"]):
            raise EraserError(f"ticket {ticket_id} was submitted by {by}; another person must approve it (four eyes).")
        self.update(ticket_id, by, "approved", None, status="approved", approved_by=by, approved_at=now(),
                    next_attempt_at=None)
        return self._require(ticket_id)

    def extend(self, ticket_id: str, reason: str, months: int, by: str) -> TicketRow:
        ticket = self._require(ticket_id)
        if ticket["extended_reason"]:
            raise EraserError(f"ticket {ticket_id} was already extended once; GDPR Art. 12(3) allows one extension.")
        if not 1 <= months <= 2:
            raise EraserError("an extension is 1 or 2 months (GDPR Art. 12(3)).")
        if ticket["status"] in FINAL:
            raise EraserError(f"ticket {ticket_id} is {ticket['status']}; there is nothing to extend.")
        if len(reason.strip()) < 5:
            raise EraserError("an extension needs a reason the data subject can be told.")
        self.update(ticket_id, by, "extended", f"{months} month(s)", extended_reason=reason.strip(),
                    due_at=ticket["due_at"] + relativedelta(months=months))
        return self._require(ticket_id)

    def reject(self, ticket_id: str, reason: str, by: str) -> TicketRow:
        ticket = self._require(ticket_id)
        if ticket["status"] in (*FINAL, "running", "committed"):
            raise EraserError(f"ticket {ticket_id} is {ticket['status']}; it can no longer be rejected.")
        self.update(ticket_id, by, "rejected", reason, status="rejected", sealed_subject=None,
                    completed_at=now(), last_error=reason)
        return self._require(ticket_id)

    def _require(self, ticket_id: str) -> TicketRow:
        ticket = self.ticket(ticket_id)
        if ticket is None:
            raise EraserError(f"there is no ticket {ticket_id}.")
        return ticket

    # -- certificates and retained rows -----------------------------------------------------------

    def finish(self, ticket_id: str, node: str, status: str, certificate: CertificateRow,
               retained: Iterable[Retained]) -> None:
        """Record the certificate and the retained rows, and close the ticket, in one transaction; the retained
        rows may be an iterator (a tenant purge keeps many), inserted 5,000 at a time."""
        with self.tx() as conn:
            exists = conn.execute(sa.select(certificates.c.id).where(certificates.c.id == certificate["id"])).first()
            if not exists:
                conn.execute(certificates.insert().values(ticket_id=ticket_id, issued_at=now(), **certificate))
                rows = iter(retained)
                while schedule := [{"ticket_id": ticket_id, "certificate_id": certificate["id"],
                                    "connector": row["connector"], "table_name": row["table_name"],
                                    "primary_key": row["primary_key"],
                                    "release_on": date.fromisoformat(r) if isinstance(r := row["release_on"], str)
                                    else r} for row in islice(rows, 5000)]:
                    conn.execute(retained_rows.insert(), schedule)
            # A held ticket keeps its sealed identifiers: lifting the hold puts it back in the queue.
            sealed = {} if status == "held" else {"sealed_subject": None}
            conn.execute(tickets.update().where(tickets.c.id == ticket_id).values(
                status=status, certificate_id=certificate["id"], prepared=None, **sealed,
                claimed_by=None, claimed_until=None, completed_at=now(), last_error=None, updated_at=now()))
            self._journal(conn, ticket_id, node, status, f"certificate {certificate['id']}")

    def certificate(self, certificate_id: str) -> CertificateRow | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(certificates).where(certificates.c.id == certificate_id)).first()
            return cast(CertificateRow, dict(row._mapping)) if row else None

    def record_followup(self, certificate: CertificateRow, released: list[int]) -> None:
        with self.tx() as conn:
            conn.execute(certificates.insert().values(issued_at=now(), **certificate))
            conn.execute(retained_rows.update().where(retained_rows.c.id.in_(released))
                         .values(released_at=now(), followup_certificate_id=certificate["id"]))

    def due_retained(self, today: date) -> list[RetainedRow]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(retained_rows).where(retained_rows.c.released_at.is_(None),
                                                               retained_rows.c.release_on <= today)
                                .order_by(retained_rows.c.certificate_id, retained_rows.c.id))
            return [cast(RetainedRow, dict(r._mapping) | {"primary_key": tuple(json.loads(r.primary_key))})
                    for r in rows]

    # -- holds ------------------------------------------------------------------------------------
