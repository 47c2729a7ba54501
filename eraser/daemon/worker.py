"""The daemon's worker: it claims tickets from the state store, unseals their identifiers and runs them, and
records their failures to retry them later.

An erasure ticket runs through the one orchestration of every erasure (eraser.erasure.carry_out) with the
ticket's journal, `TicketJournal`: every step is written on the ticket in the state store. What an attempt is
about to commit is recorded before the customer databases commit, each commit is journaled as it happens, and the
committed outcome is written once (eraser.outcome): a worker killed or failing at any point, however often,
resumes the ticket without doing harm twice, and the one certificate is derived from that outcome. Purges
(eraser.purge) and the access and restrict tickets (eraser.rights.care) are claimed here too.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import threading
import time
from collections.abc import Callable
from datetime import timedelta

import structlog

from eraser import logging as eraser_logging
from eraser.config import Config
from eraser.daemon.reach import databases_answer, unreachable
from eraser.engine.execute import Outcome
from eraser.engine.holds import hold_on
from eraser.engine.plan import Plan
from eraser.engine.retention import ActiveHold
from eraser.engine.session import Session, open_session
from eraser.erasure import carry_out
from eraser.errors import ConnectError, EraserError, PlanChangedError, VerificationError
from eraser.outcome import certificate_row, committed_connectors, intent, plan_changes, union
from eraser.proof import space
from eraser.proof.certificates import Issued, certify, ready_to_certify
from eraser.rights import care as rights
from eraser.rights.suppression import Repeat, close_on_earlier
from eraser.store.lease import Heartbeat, backoff_seconds
from eraser.store.sealing import Sealer
from eraser.store.state import StateStore
from eraser.store.tables import FINAL, READY, now
from eraser.store.tickets import Prepared, TicketRow
from eraser.subjects import Subject, parse_subject

__all__ = ["Worker"]
log = structlog.get_logger("eraser.daemon.worker")
NODE = f"{socket.gethostname()}:{os.getpid()}"


def fault(step: str) -> None:
    """Crash on purpose at a named step (ERASER_FAULT=step), to test that every step is recoverable."""
    if os.environ.get("ERASER_FAULT") == step:
        log.warning("fault injected", step=step)
        os.kill(os.getpid(), signal.SIGKILL)


class DatabaseAway(Exception):
    """A customer database could not be reached while a ticket ran (or still cannot): the ticket waits (no
    attempt spent) and the worker pauses until every database answers again."""


def retry_delay(attempt: int) -> timedelta:
    """Exponential backoff with jitter: about 2 s, 4 s, 8 s ... at most an hour."""
    return timedelta(seconds=min(3600.0, 2.0 ** attempt) + random.uniform(0, 2))


class Worker:
    """Claims ready tickets from the state store and executes them, one at a time. It survives outages of the
    state store and the customer databases: it backs off and carries on."""

    def __init__(self, config: Config, store: StateStore, node: str = NODE, poll: float = 1.0,
                 lease: timedelta = timedelta(seconds=30)) -> None:
        self.config = config
        self.store = store
        self.node = node
        self.poll = poll
        self.lease = lease
        self.stop = threading.Event()
        self.current: str | None = None
        self.processed = 0
        self.restarts = 0  # times the loop recovered from an error (/metrics)
        self.running = False  # in its loop and not backing off (/readyz)
        self.heartbeat: Heartbeat | None = None
        self._session: Session | None = None
        self.on_done: Callable[[float], None] | None = None  # called with the seconds one ticket took
        self.away = False  # a ticket met a customer database that could not be reached
        self.sessions_opened = 0  # times the schemas were reflected (once per process, unless reloaded or lost)

    def session(self) -> Session:
        """The customer databases' connectors and reflected schemas, opened once and kept between tickets (again
        only after a reload or a lost connection)."""
        if self._session is None:
            self._session = open_session(self.config)
            self.sessions_opened += 1
            log.info("customer database schemas read", connectors=len(self._session.connectors),
                     times=self.sessions_opened, pid=os.getpid())
        return self._session

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    def run(self) -> None:
        log.info("worker started", node=self.node)
        failures = 0
        while not self.stop.is_set():
            try:
                if self.away:  # claim nothing until every customer database answers again
                    if not databases_answer(self.config):
                        raise DatabaseAway()
                    self.away = False
                    log.info("worker resumed: the customer databases answer again")
                self.running = True
                if not self.run_once():
                    rights.deliver_webhooks(self.config, self.store)  # recipients' notifications, when idle
                    self.stop.wait(self.poll)
                if self.away:
                    raise DatabaseAway()
                failures = 0
            except Exception as exc:  # the state store or a database is away: wait, then carry on
                failures += 1
                probing = isinstance(exc, DatabaseAway) and failures > 1
                self.restarts += 0 if probing else 1  # an outage counts once, however often it is probed
                self.running = False
                self.close()
                # A database outage is probed often (a cheap SELECT 1), so the work resumes soon after it ends.
                delay = backoff_seconds(failures, self.poll, 5.0 if self.away else 30.0)
                if not probing:
                    log.warning("worker paused", error=type(exc).__name__, retry_in_s=round(delay, 1))
                self.stop.wait(delay)
        self.running = False
        self.close()
        log.info("worker stopped", node=self.node, processed=self.processed)

    def run_once(self) -> bool:
        """Claim and process one ticket; False when none was ready."""
        # With approval: auto a planned ticket goes on by itself; with required, it waits for a person.
        statuses = READY if self.config.approval == "required" else (*READY, "planned")
        ticket = self.store.claim(self.node, self.lease, kinds=("erase", "purge", *rights.TICKET_KINDS),
                                 statuses=statuses)
        if ticket is None:
            return False
        self.current = ticket["id"]
        try:
            with Heartbeat(self.store, ticket["id"], self.node, self.lease) as self.heartbeat:
                self.process(ticket)
        finally:
            self.current = None
            self.heartbeat = None
        return True

    def process(self, ticket: TicketRow) -> None:
        tid = ticket["id"]
        secret = self.config.secret_bytes()
        with structlog.contextvars.bound_contextvars(ticket=tid, node=self.node):
            fault("claimed")
            if ticket["kind"] == "purge":  # end of contract: a tenant, not a subject (eraser.purge)
                from eraser import purge

                self._guarded(ticket, purge.process_ticket, self, ticket)
                return
            if ticket["sealed_subject"] is None:
                self.store.update(tid, self.node, "failed", "identifiers missing", status="rejected",
                                  last_error="the ticket's identifiers are no longer available")
                return
            subject = parse_subject(Sealer(secret).unseal(ticket["sealed_subject"], tid), self.config)
            with eraser_logging.redacting(subject.terms()):
                if ticket["kind"] in rights.TICKET_KINDS:  # access and restrict: eraser.rights.care
                    self._guarded(ticket, rights.process_ticket, self, ticket, subject)
                else:
                    self._guarded(ticket, self._process, ticket, subject)

    def _guarded(self, ticket: TicketRow, step: Callable[..., None], *args: object) -> None:
        """Run one ticket's work; any failure is recorded on the ticket and retried later, never fatal."""
        from eraser.purge.ticket import PurgeStopped

        try:
            step(*args)
        except PurgeStopped:  # SIGTERM during a purge: its batches are journaled, the next start resumes it
            self.store.release_claim(ticket["id"], self.node)
            log.info("purge stopped at a batch boundary; it resumes at the next batch", ticket=ticket["id"])
        except Exception as exc:
            if unreachable(exc):  # an outage, not the ticket's fault: no attempt spent, the worker waits it out
                self._failed(ticket, exc, outage=True)
                self.away = True
                return
            if not isinstance(exc, VerificationError | EraserError | OSError):  # OSError: e.g. a full disk
                log.exception("ticket failed unexpectedly")  # a bug must not kill the worker
            self._failed(ticket, exc)

    def _process(self, ticket: TicketRow, subject: Subject) -> None:
        """Erase (unless an earlier attempt committed), then certify from the committed outcome only."""
        carry_out(TicketJournal(self, ticket, subject), self.session(), subject, ticket["received_at"].date())

    def _failed(self, ticket: TicketRow, exc: BaseException, outage: bool = False) -> None:
        attempts = ticket["attempts"] + (0 if outage else 1)
        delay = timedelta(0) if outage else retry_delay(attempts)
        if isinstance(exc, EraserError):
            message = str(exc)
        elif outage:  # never str(exc): a driver's message may quote the statement and its values
            message = (f"a database could not be reached ({type(exc).__name__}); the ticket waits until it "
                       "answers, no attempt spent")
        elif isinstance(exc, OSError) and exc.strerror:
            message = f"{exc.strerror} ({exc.filename or 'no file'})" if exc.filename else str(exc.strerror)
        else:
            message = f"internal error ({type(exc).__name__})"
        if outage or isinstance(exc, ConnectError):
            self.close()  # reconnect from scratch next time
        status = "failed"
        latest = self.store.ticket(ticket["id"])
        if latest is not None and latest["status"] in FINAL:  # failed after it was finished
            log.warning("ticket finished, then an error", error=message)
            return
        if ticket["kind"] == "erase" and self.store.outcome(ticket["id"]) is not None:
            status, message = "committed", f"committed, certificate pending: {message}"
        else:
            space.release(self.config.certificates, ticket["id"])
        self.store.update(ticket["id"], self.node, "failed", message, status=status, attempts=attempts,
                          next_attempt_at=now() + delay, last_error=message, claimed_by=None, claimed_until=None)
        log.warning("ticket failed, will retry", attempt=attempts, retry_in_s=int(delay.total_seconds()),
                    error=message)


class TicketJournal:
    """The journal (eraser.erasure.Journal) of an erasure ticket: every step written on the ticket in the state
    store, so that an attempt that stops anywhere is resumed by the next without doing harm twice."""

    def __init__(self, worker: Worker, ticket: TicketRow, subject: Subject) -> None:
        self.worker = worker
        self.config = worker.config
        self.store = worker.store
        self.node = worker.node
        self.ticket = ticket
        self.tid = ticket["id"]
        self.subject = subject
        self.plan_first = ticket["status"] == "received" or ticket["plan"] is None
        self.prepared: Prepared | None = None  # this attempt's intent, once recorded

    def hold(self) -> ActiveHold | None:
        refs = {self.ticket["subject_ref"], *self.ticket["identifier_refs"]}
        return hold_on(self.config, self.store, refs, now().date())

    def resume(self, fresh: Callable[[], Plan]) -> Prepared | None:
        """The outcome an earlier attempt recorded; else, when it recorded its intent and stopped, the connectors
        it committed are journaled (their rows are gone), and when nothing is left to change its outcome is the
        union of what was committed."""
        record = self.store.outcome(self.tid)
        earlier = self.ticket["prepared"]
        if record is not None or earlier is None or "payload" not in earlier:
            return record
        plan = fresh()
        for connector in committed_connectors(earlier, plan):
            self.store.record_commit(self.tid, self.node, connector, earlier, "found committed on resume")
        commits = self.store.commits(self.tid)
        if not commits or any(plan_changes(plan).values()):
            return None
        log.info("recovered an erasure committed by an earlier attempt")
        return self.store.record_outcome(self.tid, self.node, union(commits, earlier, self.tid))

    def on_plan(self, plan: Plan, dialects: dict[str, str], repeat: Repeat | None) -> None:
        self.store.update(self.tid, self.node, "planned", None, status="planned", plan=plan.to_dict(),
                          plan_fingerprint=plan.fingerprint())
        log.info("ticket planned", **plan.totals())
        if repeat is not None:  # a subject erased before: the journal says so
            log.info("subject erased before", certificate=repeat.certificate_id,
                     nothing_remains=repeat.nothing_remains)
            if not repeat.nothing_remains:
                self.store.update(self.tid, self.node, "already erased", f"{repeat.sentence}; what remains is erased")

    def close_on_earlier(self, repeat: Repeat) -> None:
        close_on_earlier(self.store, self.tid, self.node, repeat)  # instead of certifying a new `nothing_found`
        self.worker.processed += 1

    def go_ahead(self, plan: Plan | None) -> bool:
        if plan is not None:
            fault("planned")
            if self.config.approval == "required" and plan.hold is None:
                self.store.update(self.tid, self.node, "awaiting approval", None, claimed_by=None,
                                  claimed_until=None)
                return False
        ready_to_certify(self.config)
        self.store.update_claimed(self.tid, self.node, "running", None, status="running", started_at=now())
        fault("running")
        return True

    def expected(self, plan: Plan | None) -> str | None:
        """The approved plan's fingerprint, when it was approved (not planned just now) and no attempt prepared."""
        approved = plan is None and self.config.approval == "required" and self.ticket["prepared"] is None
        return self.ticket["plan_fingerprint"] if approved else None

    def before_commit(self, outcome: Outcome) -> None:
        heartbeat = self.worker.heartbeat
        if heartbeat is not None and heartbeat.lost.is_set():
            raise EraserError(f"ticket {self.tid} was claimed by another node; this attempt stops.")
        care = rights.prepare_erasure(self.config, self.worker.session(), outcome, self.subject, self.tid)
        prepared = intent(self.config, self.ticket, outcome, care)
        space.reserve(self.config.certificates, self.tid, space.expected_size(prepared["payload"]))
        self.store.update_claimed(self.tid, self.node, "prepared", None, prepared=prepared)
        self.prepared = prepared
        fault("prepared")

    def after_commit(self, connector: str) -> None:
        if self.prepared is None or self.prepared["rights"].get("held"):
            return
        try:
            self.store.record_commit(self.tid, self.node, connector, self.prepared)
        except Exception as exc:  # the next attempt infers it: the rows are gone
            log.warning("commit not journaled", connector=connector, error=type(exc).__name__)
        fault(f"committed:{connector}")

    def plan_changed(self, error: PlanChangedError, fresh: Callable[[], Plan]) -> None:
        plan = fresh()
        self.store.update(self.tid, self.node, "plan changed", "approval needed again", status="planned",
                          plan=plan.to_dict(), plan_fingerprint=plan.fingerprint(), claimed_by=None,
                          claimed_until=None)
        log.warning("plan changed since approval; ticket waits for approval again")

    def committed(self, outcome: Outcome) -> Prepared:
        fault("committed")
        prepared = self.prepared
        assert prepared is not None  # before_commit ran
        if prepared["rights"].get("held"):
            return prepared
        return self.store.record_outcome(self.tid, self.node, union(self.store.commits(self.tid), prepared,
                                                                    self.tid))

    def certify(self, record: Prepared) -> Issued:
        """Sign the certificate of the recorded outcome (the same one however often this runs), then finish."""
        fault("recorded")
        started = time.perf_counter()
        payload = rights.daemon_payload(self.config, self.worker.session(), record, self.tid)  # files, after commit
        space.release(self.config.certificates, self.tid)  # the reserved bytes are the certificate's now
        issued = certify(self.config, None, None, payload=payload, cert_id=record["certificate_id"])
        fault("certified")
        rights.erasure_certified(self.config, self.store, record, issued, self.ticket)  # journal, suppression
        self.store.finish(self.tid, self.node, record["status"], certificate_row(issued), record["retained"])
        self.worker.processed += 1
        if self.worker.on_done is not None:
            self.worker.on_done(time.perf_counter() - started)
        log.info("ticket done", status=record["status"], certificate=issued.certificate_id)
        fault("finished")
        return issued
