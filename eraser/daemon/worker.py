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
import sys
import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import structlog

from eraser import logging as eraser_logging
from eraser import rights, space
from eraser.certificates import certify, ready_to_certify
from eraser.config import Config
from eraser.errors import ConnectError, EraserError, PlanChangedError, VerificationError
from eraser.execute import Outcome, Session, erase, make_plan, open_session
from eraser.holds import hold_on
from eraser.intake import public_ticket, submit_ticket
from eraser.lease import Heartbeat, backoff_seconds
from eraser.outcome import committed_connectors, intent, plan_changes, union
from eraser.outcome import final_status as final_status
from eraser.outcome import record_cli_erasure as record_cli_erasure
from eraser.outcome import retained_records as retained_records
from eraser.state import FINAL, READY, Sealer, StateStore, now
from eraser.subjects import parse_subject

__all__ = ["Worker", "public_ticket", "serve", "submit_ticket"]
log = structlog.get_logger("eraser.daemon")
NODE = f"{socket.gethostname()}:{os.getpid()}"


def fault(step: str) -> None:
    """Crash on purpose at a named step (ERASER_FAULT=step), to test that every step is recoverable."""
    if os.environ.get("ERASER_FAULT") == step:
        log.warning("fault injected", step=step)
        os.kill(os.getpid(), signal.SIGKILL)


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
                self.running = True
                if not self.run_once():
                    rights.deliver_webhooks(self.config, self.store)  # recipients' notifications, when idle
                    self.stop.wait(self.poll)
                failures = 0
            except Exception as exc:  # the state store or a database is away: wait, then carry on
                failures += 1
                self.restarts += 1
                self.running = False
                self.close()
                delay = backoff_seconds(failures, self.poll, 30.0)
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
                if ticket["kind"] in rights.TICKET_KINDS:  # access and restrict: eraser.rights
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
        except (ConnectError, VerificationError, EraserError) as exc:
            self._failed(ticket, exc)
        except OSError as exc:  # e.g. a full certificates disk: said in words, retried
            self._failed(ticket, exc)
        except Exception as exc:  # a bug must not kill the worker
            log.exception("ticket failed unexpectedly")
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

    def _failed(self, ticket: dict[str, Any], exc: BaseException) -> None:
        attempts = ticket["attempts"] + 1
        delay = retry_delay(attempts)
        if isinstance(exc, EraserError):
            message = str(exc)
        elif isinstance(exc, OSError) and exc.strerror:
            message = f"{exc.strerror} ({exc.filename or 'no file'})" if exc.filename else str(exc.strerror)
        else:
            message = f"internal error ({type(exc).__name__})"
        if isinstance(exc, ConnectError):
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


def release_retained_rows(config: Config, store: StateStore, today: date | None = None,
                          dry_run: bool = False) -> Any:
    """The retention sweep: destroy retained rows whose release date has passed, and issue for each
    original certificate a follow-up certificate that references it (errors are logged and reported)."""
    from eraser.sweep import sweep

    return sweep(config, store, today or now().date(), dry_run)


def due_date_warnings(store: StateStore, within_days: int = 7) -> dict[str, int]:
    """Log tickets due within a week and overdue ones; the counts also feed /metrics."""
    moment = now()
    soon = store.overdue(moment, timedelta(days=within_days))
    overdue = [t for t in soon if t["due_at"] < moment]
    for t in soon:
        log.warning("ticket overdue" if t["due_at"] < moment else "ticket due soon", ticket=t["id"],
                    status=t["status"], due=t["due_at"].isoformat())
    return {"due_soon": len(soon) - len(overdue), "overdue": len(overdue)}


# -- scheduled jobs (module-level, so the persistent job store can name them) -----------------------

def _with_state(config_path: str, state_url: str | None) -> tuple[Config, StateStore]:
    from eraser.config import load_config

    config = load_config(config_path)
    return config, StateStore(state_url or config.state or "")


def job_retention_sweep(config_path: str, state_url: str | None = None) -> None:
    config, store = _with_state(config_path, state_url)
    try:
        release_retained_rows(config, store)
    finally:
        store.dispose()


def job_due_warnings(config_path: str, state_url: str | None = None) -> None:
    _config, store = _with_state(config_path, state_url)
    try:
        counts = due_date_warnings(store)
        log.info("due-date check", **counts)
    finally:
        store.dispose()


def job_contract_end(config_path: str, tenant: str, action: str, state_url: str | None = None) -> None:
    """At a contract's end (plus grace), record a purge ticket for the tenant, run like any other ticket."""
    config, store = _with_state(config_path, state_url)
    try:
        ticket, created = store.submit(kind="purge", subject_ref=f"tenant:{tenant}", identifier_refs=[],
                                       identifier_types=[], sealed=None, ticket_id=str(uuid.uuid4()),
                                       external_ref=f"contract-end:{tenant}", received_at=now(),
                                       requested_by="scheduler", tenant=tenant)
        log.info("end-of-contract purge ticket", ticket=ticket["id"], tenant=tenant, action=action, created=created)
    finally:
        store.dispose()


def schedule_jobs(scheduler: Any, config: Config, config_path: str, state_url: str | None) -> None:
    from eraser.retention import add_period

    hour, minute = (int(x) for x in config.daemon.sweep_at.split(":"))
    scheduler.add_job("eraser.daemon:job_retention_sweep", "cron", hour=hour, minute=minute,
                      args=[config_path, state_url], id="retention-sweep", replace_existing=True,
                      coalesce=True, misfire_grace_time=6 * 3600)
    hour, minute = (int(x) for x in config.daemon.warnings_at.split(":"))
    scheduler.add_job("eraser.daemon:job_due_warnings", "cron", hour=hour, minute=minute,
                      args=[config_path, state_url], id="due-warnings", replace_existing=True, coalesce=True,
                      misfire_grace_time=6 * 3600)
    for contract in config.contracts:
        run_on = add_period(contract.ends_on, contract.grace)
        when = datetime(run_on.year, run_on.month, run_on.day, 3, 0, tzinfo=UTC)
        scheduler.add_job("eraser.daemon:job_contract_end", "date", run_date=max(when, now()),
                          args=[config_path, contract.tenant, contract.action, state_url],
                          id=f"contract-end:{contract.tenant}", replace_existing=True, misfire_grace_time=None)


class Leadership:
    """Scheduled jobs run on one node: the holder of a PostgreSQL advisory lock (SQLite: the only node).
    When the leader dies its session ends, the lock is freed and another node takes over."""

    LOCK = 814160

    def __init__(self, store: StateStore, on_gain: Any, on_lose: Any, interval: float = 2.0) -> None:
        self.store = store
        self.on_gain = on_gain
        self.on_lose = on_lose
        self.interval = interval
        self.leader = False
        self.stop = threading.Event()
        self._conn: Any = None

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self._check()
            except Exception as exc:  # a lost connection is lost leadership, never a crash
                if self.leader:
                    self._lose(type(exc).__name__)
            self.stop.wait(self.interval)
        if self.leader:
            self._lose("shutdown")

    def _check(self) -> None:
        import sqlalchemy as sa

        if not self.store.is_postgres:
            if not self.leader:
                self._gain()
            return
        if self.leader:
            self._conn.execute(sa.text("SELECT 1"))
            return
        conn = self.store.engine.connect()
        if conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": self.LOCK}).scalar():
            conn.commit()
            self._conn = conn
            self._gain()
        else:
            conn.close()

    def _gain(self) -> None:
        self.leader = True
        log.info("leadership gained", node=NODE)
        self.on_gain()

    def _lose(self, why: str) -> None:
        self.leader = False
        log.info("leadership released", node=NODE, reason=why)
        self.on_lose()
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:
                pass
            self._conn = None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def serve(config_path: str, state_url: str | None, host: str, port: int) -> None:
    """One process: HTTP intake, a worker, and the scheduler on the leader. SIGTERM/SIGINT stop it cleanly:
    the running ticket finishes (or rolls back) and its claim is released."""
    import uvicorn
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler
    from prometheus_client import CollectorRegistry

    from eraser.api import create_app, duration_histogram
    from eraser.serve_control import Reloader, ReloadingWorker, Stops, SwappableApp

    # The worker thread is CPU-bound between statements; a shorter switch interval lets the intake thread
    # take the interpreter lock sooner, which is what an HTTP client waiting on POST /tickets feels.
    sys.setswitchinterval(0.0005)
    from eraser.config import load_config

    config = load_config(config_path)
    if state_url:
        config = config.model_copy(update={"state": state_url})
    stops = Stops()  # uvicorn's own handlers take over while it serves and give the signals back after
    stops.install()
    stopping = stops.stopping
    store = StateStore(config.state or "")
    store.migrate()
    freed = store.release_dead_claims(socket.gethostname(), _alive)
    if freed:
        log.info("claims of stopped processes freed", tickets=freed)
    registry = CollectorRegistry()
    histogram = duration_histogram(registry)
    worker = ReloadingWorker(config, store, poll=config.daemon.poll_seconds,
                             lease=timedelta(seconds=config.daemon.lease_seconds))
    worker.on_done = histogram.observe
    scheduler = BackgroundScheduler(jobstores={"default": SQLAlchemyJobStore(engine=store.engine)}, timezone=UTC)
    with store.exclusive():  # the job store creates its table on start: not twice at once
        scheduler.start(paused=True)

    def gain() -> None:
        schedule_jobs(scheduler, reloader.config, str(config_path), state_url)
        scheduler.resume()

    def apply(new: Config) -> None:
        reloaded = CollectorRegistry()
        reloaded.register(histogram)
        app.app = create_app(new, store, reloaded, worker)
        worker.pending = new
        if leadership.leader:
            schedule_jobs(scheduler, new, str(config_path), state_url)

    reloader = Reloader(config_path, state_url, config, apply, stops.reload)
    app = SwappableApp(create_app(config, store, registry, worker))
    leadership = Leadership(store, gain, scheduler.pause)
    threads = [threading.Thread(target=worker.run, name="worker", daemon=True),
               threading.Thread(target=leadership.run, name="leadership", daemon=True),
               threading.Thread(target=reloader.run, name="reload", daemon=True)]
    for thread in threads:
        thread.start()
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port,
                                           log_config=None, access_log=False, timeout_graceful_shutdown=10))
    stops.server = server
    log.info("daemon starting", node=NODE, host=host, port=port, approval=config.approval)
    try:
        server.should_exit = stopping.is_set()
        if not server.should_exit:
            server.run()
    finally:
        worker.stop.set()
        leadership.stop.set()
        reloader.stop.set()
        stops.wait_for(threads[0], config.daemon.lease_seconds)
        if worker.current is not None:
            store.release_claim(worker.current, worker.node)
        threads[1].join(timeout=5)
        scheduler.shutdown(wait=False)
        store.dispose()
        log.info("daemon stopped", node=NODE, processed=worker.processed)
    if not server.started and not stopping.is_set():
        raise EraserError(f"the daemon could not listen on {host}:{port} (in use, or not an address of this host).")
