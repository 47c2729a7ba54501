"""The daemon's moving parts: the worker that executes tickets, the leader that runs scheduled jobs, and the
jobs themselves (retention sweep, due-date warnings, end-of-contract purges).

Every step of a ticket is journaled in the state store. What an attempt is about to commit is recorded before
the customer databases commit, each commit is journaled as it happens, and the committed outcome is written
once (eraser.outcome): a worker killed or failing at any point, however often, resumes the ticket without
doing harm twice, and the one certificate is derived from that outcome.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import threading
import time
from datetime import timedelta
from typing import Any

import structlog

from eraser import logging as eraser_logging
from eraser.config import Config
from eraser.daemon.reach import databases_answer, unreachable
from eraser.engine.execute import Outcome, erase, make_plan
from eraser.engine.holds import hold_on
from eraser.engine.session import Session, open_session
from eraser.errors import ConnectError, EraserError, PlanChangedError, VerificationError
from eraser.outcome import committed_connectors, intent, plan_changes, union
from eraser.outcome import final_status as final_status
from eraser.outcome import record_cli_erasure as record_cli_erasure
from eraser.outcome import retained_records as retained_records
from eraser.proof import space
from eraser.proof.certificates import certify, ready_to_certify
from eraser.rights import care as rights
from eraser.rights.suppression import close_on_earlier, repeat_request
from eraser.store.lease import Heartbeat, backoff_seconds
from eraser.store.sealing import Sealer
from eraser.store.state import StateStore
from eraser.store.tables import FINAL, READY, now
from eraser.subjects import parse_subject

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
        self.on_done: Any = None  # called with the seconds one ticket took
        self.away = False  # a ticket met a customer database that could not be reached

    def session(self) -> Session:
        if self._session is None:
            self._session = open_session(self.config)
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

    def process(self, ticket: dict[str, Any]) -> None:
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

    def _guarded(self, ticket: dict[str, Any], step: Any, *args: Any) -> None:
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

    def _process(self, ticket: dict[str, Any], subject: Any) -> None:
        """Erase (unless an earlier attempt committed), then certify from the committed outcome only."""
        record = self.store.outcome(ticket["id"])
        if record is None:
            record = self._erase(ticket, subject)
            if record is None:
                return
        fault("recorded")
        self._certify(ticket, record)

    def _erase(self, ticket: dict[str, Any], subject: Any) -> dict[str, Any] | None:
        """Plan, erase and commit; the committed outcome (None when the ticket waits for a person)."""
        tid = ticket["id"]
        today = now().date()
        hold_reason = hold_on(self.config, self.store, {ticket["subject_ref"], *ticket["identifier_refs"]}, today)
        session = self.session()
        received = ticket["received_at"].date()
        approval = self.config.approval
        expected = None
        earlier = ticket["prepared"]
        if ticket["status"] == "received" or ticket["plan"] is None:
            plan = make_plan(session, subject, received, hold_reason=hold_reason)
            self.store.update(tid, self.node, "planned", None, status="planned", plan=plan.to_dict(),
                              plan_fingerprint=plan.fingerprint())
            log.info("ticket planned", **plan.totals())
            if self._repeat(ticket, subject, plan):
                return None
            fault("planned")
            if approval == "required" and plan.hold is None:
                self.store.update(tid, self.node, "awaiting approval", None, claimed_by=None, claimed_until=None)
                return None
        elif approval == "required" and earlier is None:
            expected = ticket["plan_fingerprint"]
        if earlier is not None and "payload" in earlier:
            recovered = self._recover(ticket, earlier, make_plan(session, subject, received, hold_reason=hold_reason))
            if recovered is not None:
                return recovered
        ready_to_certify(self.config)
        self.store.update_claimed(tid, self.node, "running", None, status="running", started_at=now())
        fault("running")
        prepared: dict[str, Any] = {}

        def record(outcome: Outcome) -> None:
            if self.heartbeat is not None and self.heartbeat.lost.is_set():
                raise EraserError(f"ticket {tid} was claimed by another node; this attempt stops.")
            prepared.update(intent(self.config, ticket, outcome))
            prepared["rights"] = rights.prepare_erasure(self.config, session, outcome, subject, tid)
            space.reserve(self.config.certificates, tid, space.expected_size(prepared["payload"]))
            self.store.update_claimed(tid, self.node, "prepared", None, prepared=prepared)
            fault("prepared")

        def committed(connector: str) -> None:
            if prepared.get("rights", {}).get("held"):
                return
            try:
                self.store.record_commit(tid, self.node, connector, prepared)
            except Exception as exc:  # the next attempt infers it: the rows are gone
                log.warning("commit not journaled", connector=connector, error=type(exc).__name__)
            fault(f"committed:{connector}")

        try:
            erase(session, subject, received, hold_reason=hold_reason, expected_fingerprint=expected,
                  before_commit=record, after_commit=committed)
        except PlanChangedError:
            plan = make_plan(session, subject, received, hold_reason=hold_reason)
            self.store.update(tid, self.node, "plan changed", "approval needed again", status="planned",
                              plan=plan.to_dict(), plan_fingerprint=plan.fingerprint(), claimed_by=None,
                              claimed_until=None)
            log.warning("plan changed since approval; ticket waits for approval again")
            return None
        fault("committed")
        if prepared["rights"].get("held"):
            return prepared
        return self.store.record_outcome(tid, self.node, union(self.store.commits(tid), prepared, tid))

    def _repeat(self, ticket: dict[str, Any], subject: Any, plan: Any) -> bool:
        """A subject erased before: the journal says so; when nothing of theirs remains, the ticket is closed on
        the earlier certificate (True) instead of certifying a new `nothing_found`."""
        repeat = repeat_request(self.config, self.store, subject, plan)
        if repeat is None:
            return False
        log.info("subject erased before", certificate=repeat.certificate_id, nothing_remains=repeat.nothing_remains)
        if not repeat.nothing_remains:
            self.store.update(ticket["id"], self.node, "already erased", f"{repeat.sentence}; what remains is erased")
            return False
        close_on_earlier(self.store, ticket["id"], self.node, repeat)
        self.processed += 1
        return True

    def _recover(self, ticket: dict[str, Any], earlier: dict[str, Any], fresh: Any) -> dict[str, Any] | None:
        """An earlier attempt recorded its intent and stopped: journal the connectors it committed (their rows
        are gone); when nothing is left to change, its outcome is the union of what was committed."""
        tid = ticket["id"]
        for connector in committed_connectors(earlier, fresh):
            self.store.record_commit(tid, self.node, connector, earlier, "found committed on resume")
        commits = self.store.commits(tid)
        if not commits or any(plan_changes(fresh).values()):
            return None
        log.info("recovered an erasure committed by an earlier attempt")
        return self.store.record_outcome(tid, self.node, union(commits, earlier, tid))

    def _certify(self, ticket: dict[str, Any], record: dict[str, Any]) -> None:
        """Sign the certificate of the recorded outcome (the same one however often this runs), then finish."""
        tid = ticket["id"]
        started = time.perf_counter()
        payload = rights.daemon_payload(self.config, self.session(), record, tid)  # files destroyed after commit
        space.release(self.config.certificates, tid)  # the reserved bytes are the certificate's now
        issued = certify(self.config, None, None, payload=payload, cert_id=record["certificate_id"])
        fault("certified")
        rights.erasure_certified(self.config, self.store, record, issued, ticket)  # journal, suppression, webhooks
        body = issued.path.read_text(encoding="utf-8")
        self.store.finish(tid, self.node, record["status"],
                          {"id": issued.certificate_id, "type": "erasure", "parent_id": None,
                           "sequence": issued.sequence, "path": str(issued.path), "sha256": issued.digest,
                           "body": body},
                          record["retained"])
        self.processed += 1
        if self.on_done is not None:
            self.on_done(time.perf_counter() - started)
        log.info("ticket done", status=record["status"], certificate=issued.certificate_id)
        fault("finished")

    def _failed(self, ticket: dict[str, Any], exc: BaseException, outage: bool = False) -> None:
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
        if (self.store.ticket(ticket["id"]) or {}).get("status") in FINAL:  # failed after it was finished
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
