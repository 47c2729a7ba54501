"""The daemon's moving parts: the worker that executes tickets, the leader that runs scheduled jobs, and the
jobs themselves (retention sweep, due-date warnings, end-of-contract purges).

Every step of a ticket is journaled in the state store. The outcome of an erasure is recorded before the
customer database commits, so a worker killed at any point resumes the ticket without doing harm twice and
without issuing a second certificate.
"""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import sys
import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import structlog
import tenacity

from eraser import logging as eraser_logging
from eraser import rights
from eraser.certificates import canonical, certify, erasure_payload, ready_to_certify
from eraser.config import Config
from eraser.errors import ConnectError, EraserError, PlanChangedError, VerificationError
from eraser.execute import Outcome, Session, erase, make_plan, open_session
from eraser.holds import hold_on
from eraser.state import READY, Sealer, StateStore, now
from eraser.subjects import identifier_references, parse_subject, subject_reference
from eraser.tickets import Ticket

log = structlog.get_logger("eraser.daemon")
NODE = f"{socket.gethostname()}:{os.getpid()}"
CERTIFICATE_NAMESPACE = uuid.UUID("6f1d7c52-8f2a-4a51-9c43-2d1c7e0b9a10")
_backoff = tenacity.wait_exponential_jitter(multiplier=2, max=3600, jitter=2)


def fault(step: str) -> None:
    """Crash on purpose at a named step (ERASER_FAULT=step), to test that every step is recoverable."""
    if os.environ.get("ERASER_FAULT") == step:
        log.warning("fault injected", step=step)
        os.kill(os.getpid(), signal.SIGKILL)


def retry_delay(attempt: int) -> timedelta:
    """Exponential backoff with jitter: about 2 s, 4 s, 8 s ... at most an hour."""
    state = tenacity.RetryCallState(retry_object=tenacity.Retrying(), fn=None, args=(), kwargs={})
    state.attempt_number = attempt
    return timedelta(seconds=_backoff(state))


def submit_ticket(store: StateStore, config: Config, *, kind: str, subject: dict[str, Any],
                  external_ref: str | None, received_at: datetime | None, requested_by: str,
                  tenant: str | None = None, submitted_by: str | None = None) -> tuple[dict[str, Any], bool]:
    """Validate the subject against the config, seal its identifiers, and record the ticket."""
    parsed = parse_subject(subject, config)
    secret = config.secret_bytes()
    ticket_id = str(uuid.uuid4())
    identifiers = {t: list(v) for t, v in parsed.identifiers.items()}
    received = received_at or now()
    if received.tzinfo is None:
        received = received.replace(tzinfo=UTC)
    ticket, created = store.submit(kind=kind, subject_ref=subject_reference(parsed, secret),
                                   identifier_refs=identifier_references(parsed, secret),
                                   identifier_types=parsed.types, sealed=Sealer(secret).seal(identifiers, ticket_id),
                                   ticket_id=ticket_id, external_ref=external_ref, received_at=received,
                                   requested_by=requested_by, tenant=tenant, submitted_by=submitted_by)
    if created:
        log.info("ticket received", ticket=ticket["id"], kind=kind, due=ticket["due_at"].isoformat())
    return ticket, created


def public_ticket(ticket: dict[str, Any]) -> dict[str, Any]:
    """What the API and CLI show of a ticket: no sealed identifiers, no internal leases."""
    hidden = {"sealed_subject", "identifier_refs", "claimed_until", "prepared"}
    out = {k: (v.isoformat() if isinstance(v, datetime | date) else v) for k, v in ticket.items() if k not in hidden}
    out["overdue"] = ticket["status"] not in ("done", "done_with_retention", "held", "rejected") and \
        ticket["due_at"] < now()
    return out


class Worker:
    """Claims ready tickets from the state store and executes them, one at a time."""

    def __init__(self, config: Config, store: StateStore, node: str = NODE, poll: float = 1.0,
                 lease: timedelta = timedelta(minutes=5)) -> None:
        self.config = config
        self.store = store
        self.node = node
        self.poll = poll
        self.lease = lease
        self.stop = threading.Event()
        self.current: str | None = None
        self.processed = 0
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
        while not self.stop.is_set():
            if not self.run_once():
                rights.deliver_webhooks(self.config, self.store)  # recipients' notifications, when idle
                self.stop.wait(self.poll)
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
            self.process(ticket)
        finally:
            self.current = None
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
        try:
            step(*args)
        except (ConnectError, VerificationError, EraserError) as exc:
            self._failed(ticket, exc)
        except Exception as exc:  # a bug must not kill the worker
            log.exception("ticket failed unexpectedly")
            self._failed(ticket, exc)

    def _process(self, ticket: dict[str, Any], subject: Any) -> None:
        tid = ticket["id"]
        today = now().date()
        hold_reason = hold_on(self.config, self.store, {ticket["subject_ref"], *ticket["identifier_refs"]}, today)
        session = self.session()
        received = ticket["received_at"].date()
        approval = self.config.approval
        expected = None
        if ticket["status"] == "received" or ticket["plan"] is None:
            plan = make_plan(session, subject, received, hold_reason=hold_reason)
            self.store.update(tid, self.node, "planned", None, status="planned", plan=plan.to_dict(),
                              plan_fingerprint=plan.fingerprint())
            log.info("ticket planned", **plan.totals())
            fault("planned")
            if approval == "required" and plan.hold is None:
                self.store.update(tid, self.node, "awaiting approval", None, claimed_by=None, claimed_until=None)
                return
        elif approval == "required" and ticket["prepared"] is None:
            expected = ticket["plan_fingerprint"]
        ready_to_certify(self.config)
        self.store.update(tid, self.node, "running", None, status="running", started_at=now())
        fault("running")
        started = time.perf_counter()
        prepared: dict[str, Any] = {}

        def record(outcome: Outcome) -> None:
            prepared.update(self._prepare(ticket, outcome))
            prepared["rights"] = rights.prepare_erasure(self.config, session, outcome, subject, tid)
            self.store.update(tid, self.node, "prepared", None, prepared=prepared)
            fault("prepared")

        try:
            outcome = erase(session, subject, received, hold_reason=hold_reason, expected_fingerprint=expected,
                            before_commit=record)
        except PlanChangedError:
            plan = make_plan(session, subject, received, hold_reason=hold_reason)
            self.store.update(tid, self.node, "plan changed", "approval needed again", status="planned",
                              plan=plan.to_dict(), plan_fingerprint=plan.fingerprint(), claimed_by=None,
                              claimed_until=None)
            log.warning("plan changed since approval; ticket waits for approval again")
            return
        fault("committed")
        earlier = ticket["prepared"]
        totals = outcome.plan.totals()
        if earlier and not (totals["delete"] or totals["anonymize"]) and earlier["changed_rows"]:
            # An earlier attempt committed and was killed before certifying: its record is the truth.
            prepared = earlier
            log.info("recovered an erasure committed by an earlier attempt")
        payload = rights.daemon_payload(self.config, session, prepared, tid)  # files destroyed after the commit
        issued = certify(self.config, None, None, payload=payload, cert_id=prepared["certificate_id"])
        fault("certified")
        rights.erasure_certified(self.config, self.store, prepared, issued, ticket)  # journal, suppression, webhooks
        body = issued.path.read_text(encoding="utf-8")
        self.store.finish(tid, self.node, prepared["status"],
                          {"id": issued.certificate_id, "type": "erasure", "parent_id": None,
                           "sequence": issued.sequence, "path": str(issued.path), "sha256": issued.digest,
                           "body": body},
                          prepared["retained"])
        self.processed += 1
        if self.on_done is not None:
            self.on_done(time.perf_counter() - started)
        log.info("ticket done", status=prepared["status"], certificate=issued.certificate_id)
        fault("finished")

    def _prepare(self, ticket: dict[str, Any], outcome: Outcome) -> dict[str, Any]:
        engine_ticket = Ticket(ticket["external_ref"] or ticket["id"], ticket["received_at"],
                               ticket["requested_by"])
        payload = erasure_payload(self.config, outcome, engine_ticket)
        payload["ticket"]["id"] = ticket["id"]
        payload["ticket"]["due_at"] = ticket["due_at"].astimezone(UTC).isoformat().replace("+00:00", "Z")
        if ticket["extended_reason"]:
            payload["ticket"]["extension_reason"] = ticket["extended_reason"]
        retained = retained_records(outcome)
        totals = outcome.plan.totals()
        digest = hashlib.sha256(canonical(payload)).hexdigest()
        return {"payload": payload, "certificate_id": str(uuid.uuid5(CERTIFICATE_NAMESPACE, f"{ticket['id']}:{digest}")),
                "retained": retained, "status": final_status(outcome, retained),
                "changed_rows": totals["delete"] + totals["anonymize"]}

    def _failed(self, ticket: dict[str, Any], exc: BaseException) -> None:
        attempts = ticket["attempts"] + 1
        delay = retry_delay(attempts)
        message = str(exc) if isinstance(exc, EraserError) else f"internal error ({type(exc).__name__})"
        if isinstance(exc, ConnectError):
            self.close()  # reconnect from scratch next time
        self.store.update(ticket["id"], self.node, "failed", message, status="failed", attempts=attempts,
                          next_attempt_at=now() + delay, last_error=message, claimed_by=None, claimed_until=None)
        log.warning("ticket failed, will retry", attempt=attempts, retry_in_s=int(delay.total_seconds()),
                    error=message)


def retained_records(outcome: Outcome) -> list[dict[str, Any]]:
    """Per retained row: connector, table, primary key and release date (what the retention sweep needs)."""
    return [{"connector": tp.connector, "table_name": tp.table, "primary_key": canonical(list(k)).decode(),
             "release_on": str(tp.decisions[k].release)}
            for tp in outcome.plan.tables for k in tp.keys("retain")]


def final_status(outcome: Outcome, retained: list[dict[str, Any]]) -> str:
    return "held" if outcome.plan.hold else ("done_with_retention" if retained else "done")


def record_cli_erasure(config: Config, store: StateStore, subject: Any, ticket: Ticket, outcome: Outcome,
                       issued: Any) -> None:
    """An erasure run with `eraser erase` enters the state store as a finished ticket: the register lists it
    and the retention sweep releases its retained rows."""
    secret = config.secret_bytes()
    known = ticket.reference if not store.tickets_by_ref(ticket.reference) else None
    ticket_id = str(uuid.uuid4())
    store.submit(kind="erase", subject_ref=subject_reference(subject, secret),
                 identifier_refs=identifier_references(subject, secret), identifier_types=subject.types,
                 sealed=None, ticket_id=ticket_id, external_ref=known, received_at=ticket.received_at,
                 requested_by=ticket.operator, node="cli")
    retained = retained_records(outcome)
    store.finish(ticket_id, "cli", final_status(outcome, retained),
                 {"id": issued.certificate_id, "type": "erasure", "parent_id": None, "sequence": issued.sequence,
                  "path": str(issued.path), "sha256": issued.digest, "body": issued.path.read_text(encoding="utf-8")},
                 retained)


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
        app.app = create_app(new, store, reloaded)
        worker.pending = new
        if leadership.leader:
            schedule_jobs(scheduler, new, str(config_path), state_url)

    reloader = Reloader(config_path, state_url, config, apply, stops.reload)
    app = SwappableApp(create_app(config, store, registry))
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
