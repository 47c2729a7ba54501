"""The daemon's scheduled jobs (module-level functions, so the persistent job store can name them): the daily
retention sweep, the due-date warnings, end-of-contract purges; the leadership that runs them on one node; and the
scheduler of a node (`ScheduledJobs`), which runs in the worker's process, beside the erasures, never in the
intake's."""

from __future__ import annotations

import os
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar

import structlog

from eraser.config import Config
from eraser.daemon.worker import NODE
from eraser.outcome import final_status as final_status
from eraser.outcome import record_cli_erasure as record_cli_erasure
from eraser.outcome import retained_records as retained_records
from eraser.store.state import StateStore
from eraser.store.tables import now

log = structlog.get_logger("eraser.daemon.jobs")


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
    from eraser.engine.retention import add_period

    hour, minute = (int(x) for x in config.daemon.sweep_at.split(":"))
    scheduler.add_job("eraser.daemon.jobs:job_retention_sweep", "cron", hour=hour, minute=minute,
                      args=[config_path, state_url], id="retention-sweep", replace_existing=True,
                      coalesce=True, misfire_grace_time=6 * 3600)
    hour, minute = (int(x) for x in config.daemon.warnings_at.split(":"))
    scheduler.add_job("eraser.daemon.jobs:job_due_warnings", "cron", hour=hour, minute=minute,
                      args=[config_path, state_url], id="due-warnings", replace_existing=True, coalesce=True,
                      misfire_grace_time=6 * 3600)
    for contract in config.contracts:
        run_on = add_period(contract.ends_on, contract.grace)
        when = datetime(run_on.year, run_on.month, run_on.day, 3, 0, tzinfo=UTC)
        scheduler.add_job("eraser.daemon.jobs:job_contract_end", "date", run_date=max(when, now()),
                          args=[config_path, contract.tenant, contract.action, state_url],
                          id=f"contract-end:{contract.tenant}", replace_existing=True, misfire_grace_time=None)


@dataclass(eq=False)
class Leadership:
    """Scheduled jobs run on one node: the holder of a PostgreSQL advisory lock (SQLite: the only node).
    When the leader dies its session ends, the lock is freed and another node takes over."""

    LOCK: ClassVar[int] = 814160

    store: StateStore
    on_gain: Any
    on_lose: Any
    interval: float = 2.0
    leader: bool = field(default=False, init=False)
    stop: threading.Event = field(default_factory=threading.Event, init=False)
    _conn: Any = field(default=None, init=False)

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
        log.info("leadership gained", node=NODE, pid=os.getpid())
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


class ScheduledJobs:
    """A node's scheduler (APScheduler, its jobs kept in the state store) and the leadership that runs it: paused
    until this node leads, its jobs rescheduled on a reload. The worker's process runs it, so a retention sweep
    never takes the interpreter the intake needs."""

    def __init__(self, store: StateStore, config: Config, config_path: str, state_url: str | None) -> None:
        from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
        from apscheduler.schedulers.background import BackgroundScheduler

        self.config, self.config_path, self.state_url = config, config_path, state_url
        self.scheduler = BackgroundScheduler(jobstores={"default": SQLAlchemyJobStore(engine=store.engine)},
                                             timezone=UTC)
        with store.exclusive():  # the job store creates its table on start: not twice at once
            self.scheduler.start(paused=True)
        self.leadership = Leadership(store, self._gain, self.scheduler.pause)
        self._thread = threading.Thread(target=self.leadership.run, name="leadership", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _gain(self) -> None:
        schedule_jobs(self.scheduler, self.config, self.config_path, self.state_url)
        self.scheduler.resume()

    def reload(self, config: Config) -> None:
        self.config = config
        if self.leadership.leader:
            schedule_jobs(self.scheduler, config, self.config_path, self.state_url)

    def stop(self) -> None:
        self.leadership.stop.set()
        self._thread.join(timeout=5)
        self.scheduler.shutdown(wait=False)
