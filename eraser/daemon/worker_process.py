"""The daemon's worker in a process of its own, so that erasing never holds the interpreter lock the HTTP intake
needs: `POST /tickets` stays a few milliseconds while a ticket runs.

`WorkerProcess` (in the daemon) starts the child, forwards a reloaded config to it, reports its state to /readyz
and /metrics, restarts it if it dies, and stops it cleanly: SIGTERM lets the running ticket finish (or roll
back), a forced stop kills it, and either way the child's claims are freed once it is gone. The child
(`worker_main`) runs one `ReloadingWorker`, which reads the customer databases' schemas once for the process
(its session is kept between tickets); it dies with the daemon (Linux: PR_SET_PDEATHSIG), and stops when the
daemon is gone on any other system, so it is never left behind. It claims and journals under the daemon's node name
(host:pid of the daemon), so a node is one daemon however its work is split into processes.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
import structlog

from eraser.config import Config
from eraser.daemon.worker import NODE
from eraser.store.lease import backoff_seconds
from eraser.store.state import StateStore
from eraser.store.tables import tickets

log = structlog.get_logger("eraser.daemon.worker_process")
PR_SET_PDEATHSIG = 1


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def logging_spec() -> dict[str, Any]:
    """How this process logs (format and level), for the child to log the same way into the same stream."""
    root = logging.getLogger()
    handler = root.handlers[0] if root.handlers else None
    processors = getattr(getattr(handler, "formatter", None), "processors", None) or [None]
    json = type(processors[-1]).__name__ == "JSONRenderer"
    files = [h.baseFilename for h in root.handlers if isinstance(h, logging.FileHandler)]
    return {"json": json, "level": logging.getLevelName(root.level), "file": files[0] if files else None}


class WorkerProcess:
    """The daemon's side of its worker process: what /readyz and /metrics read (`running`, `stop`, `restarts`,
    `processed`), the config a reload hands over, and a supervisor that restarts the child when it dies."""

    def __init__(self, config: Config, store: StateStore, on_done: Callable[[float], None] | None = None,
                 forced: threading.Event | None = None, jobs: tuple[str, str | None] | None = None) -> None:
        self.config = config
        self.jobs = jobs  # (config path, state URL): the child also runs the scheduled jobs (eraser.daemon.jobs)
        self.store = store
        self.on_done = on_done
        self.stop = threading.Event()  # the daemon is stopping: no restart, /readyz false
        self.forced = forced or threading.Event()  # a second signal: stop without waiting for the ticket
        self._context = multiprocessing.get_context("spawn")  # a fresh interpreter: no threads or sockets copied
        self._running = self._context.Value("b", 0)
        self._restarts = self._context.Value("i", 0)
        self._processed = self._context.Value("i", 0)
        self._events: Any = self._context.Queue()  # seconds per finished ticket, for the duration histogram
        self._commands: Any = self._context.Queue()  # reloaded configs
        self.process: Any = None
        self.crashes = 0  # times the child died without being asked to stop
        self._processed_before = 0
        self._supervisor = threading.Thread(target=self._supervise, name="worker-supervisor", daemon=True)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.is_alive() and bool(self._running.value)

    @property
    def restarts(self) -> int:
        return int(self._restarts.value) + self.crashes

    @property
    def processed(self) -> int:
        return self._processed_before + int(self._processed.value)

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def start(self) -> None:
        self._spawn()
        self._supervisor.start()

    def _spawn(self) -> None:
        self._running.value = 0
        self._processed_before += int(self._processed.value)
        self._processed.value = 0
        self.process = self._context.Process(
            target=worker_main, name="eraser-worker", daemon=True,
            args=(self.config, NODE, os.getpid(), logging_spec(), self._running, self._restarts, self._processed,
                  self._events, self._commands, self.jobs))
        self.process.start()
        log.info("worker process started", pid=self.process.pid)

    def reload(self, config: Config) -> None:
        """Hand a validated config to the worker; it switches to it before its next ticket."""
        self.config = config
        self._commands.put(config)

    def _supervise(self) -> None:
        """Restart the worker when it dies unasked. This thread lives as long as the child it started: on Linux the
        child's death signal follows the thread that started it, not the process."""
        failures = 0
        while True:
            self._drain()
            process = self.process
            process.join(0.2)
            if process.exitcode is None:
                if self.running:
                    failures = 0
                continue
            if self.stop.is_set():
                return
            self._drain()
            if process.exitcode == -signal.SIGKILL and os.environ.get("ERASER_FAULT"):
                os.kill(os.getpid(), signal.SIGKILL)  # a fault injected in the worker crashes the whole node
            failures += 1
            self.crashes += 1
            delay = backoff_seconds(failures, 1.0, 30.0)
            log.warning("worker process stopped unexpectedly; restarting it", exit_code=process.exitcode,
                        retry_in_s=round(delay, 1))
            self._free_claims()
            if not self.stop.wait(delay):
                self._spawn()

    def _drain(self) -> None:
        while True:
            try:
                seconds = self._events.get_nowait()
            except (queue.Empty, OSError, ValueError):
                return
            if self.on_done is not None:
                self.on_done(seconds)

    def _free_claims(self) -> None:
        """Free what the stopped worker still held: its claims are this node's (the intake claims nothing)."""
        try:
            with self.store.engine.connect() as conn:
                held = list(conn.execute(sa.select(tickets.c.id).where(tickets.c.claimed_by == NODE)).scalars())
            for ticket_id in held:
                self.store.release_claim(ticket_id, NODE)
        except Exception as exc:  # the state store is away: the claims' leases run out instead
            log.warning("claims of the stopped worker not freed", error=type(exc).__name__)
            return
        if held:
            log.info("claims of the stopped worker freed", tickets=len(held))

    def shutdown(self, timeout: float) -> None:
        """Stop the child: SIGTERM, up to `timeout` seconds for its ticket (less if `forced` is set), then SIGKILL;
        free whatever it still held."""
        self.stop.set()
        process = self.process
        if process is None:
            return
        if process.exitcode is None:
            os.kill(process.pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout
            while process.exitcode is None and time.monotonic() < deadline and not self.forced.is_set():
                process.join(0.2)
            if process.exitcode is None:
                process.kill()
                process.join(5)
        self._supervisor.join(timeout=5)
        self._drain()
        self._free_claims()
        for channel in (self._events, self._commands):
            channel.close()
            channel.join_thread()


def _die_with(parent: int) -> None:
    """Be killed when the daemon dies (Linux), and give up at once if it is already gone."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (AttributeError, OSError):
        pass  # not Linux: the worker loop checks the parent instead
    if os.getppid() != parent:
        os._exit(1)


def worker_main(config: Config, node: str, parent: int, logs: dict[str, Any], running: Any, restarts: Any,
                processed: Any, events: Any, commands: Any, jobs: tuple[str, str | None] | None = None) -> None:
    """The worker process: claims and runs tickets until SIGTERM (the running ticket finishes) or its daemon is
    gone, and with `jobs` (config path, state URL) the node's scheduled jobs on the leader. SIGINT and SIGHUP are
    the daemon's: it forwards a stop as SIGTERM and a reload as a new config."""
    _die_with(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    from pathlib import Path

    from eraser import logging as eraser_logging
    from eraser.daemon.serve_control import ReloadingWorker

    eraser_logging.configure(json=logs["json"], level=logs["level"], file=Path(logs["file"]) if logs["file"] else None)
    store = StateStore(config.state or "")
    worker = ReloadingWorker(config, store, node=node, poll=config.daemon.poll_seconds,
                             lease=timedelta(seconds=config.daemon.lease_seconds))
    worker.on_done = events.put
    signal.signal(signal.SIGTERM, lambda *_: worker.stop.set())
    scheduled = None
    if jobs is not None:
        from eraser.daemon.jobs import ScheduledJobs

        scheduled = ScheduledJobs(store, config, *jobs)
        scheduled.start()

    def report() -> None:
        while not worker.stop.wait(0.1):
            running.value = int(worker.running)
            restarts.value = worker.restarts
            processed.value = worker.processed
            if os.getppid() != parent:  # the daemon is gone (where PR_SET_PDEATHSIG is not available)
                worker.stop.set()
            try:
                worker.pending = reloaded = commands.get_nowait()
            except queue.Empty:
                continue
            if scheduled is not None:
                scheduled.reload(reloaded)
        running.value = 0

    reporter = threading.Thread(target=report, name="worker-report", daemon=True)
    reporter.start()
    try:
        worker.run()
    finally:
        processed.value = worker.processed
        reporter.join(timeout=1)
        if scheduled is not None:
            scheduled.stop()
        store.dispose()
        events.close()
        events.join_thread()
