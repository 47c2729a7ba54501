"""`eraser serve`: HTTP intake in this process; the worker and, on the leader, the scheduled jobs in a process of
their own (eraser.daemon.worker_process); signals."""

from __future__ import annotations

import socket
import threading

import structlog

from eraser.config import Config
from eraser.daemon.worker import NODE
from eraser.daemon.worker_process import WorkerProcess, alive
from eraser.errors import EraserError
from eraser.extras import need
from eraser.outcome import final_status as final_status
from eraser.outcome import record_cli_erasure as record_cli_erasure
from eraser.outcome import retained_records as retained_records
from eraser.store.state import StateStore

log = structlog.get_logger("eraser.daemon.serve")


def serve(config_path: str, state_url: str | None, host: str, port: int) -> None:
    """HTTP intake here; the worker and the scheduled jobs (on the leader) in a process of their own, so that
    neither an erasure nor a retention sweep holds the interpreter lock the intake needs. SIGTERM/SIGINT stop both
    cleanly: the running ticket finishes (or rolls back) and its claim is released; a second signal stops without
    waiting for it."""
    need("daemon", "eraser serve")
    import uvicorn
    from prometheus_client import CollectorRegistry

    from eraser.config import load_config
    from eraser.daemon.api import create_app, duration_histogram
    from eraser.daemon.serve_control import Reloader, Stops, SwappableApp

    config = load_config(config_path)
    if state_url:
        config = config.model_copy(update={"state": state_url})
    stops = Stops()  # uvicorn's own handlers take over while it serves and give the signals back after
    stops.install()
    stopping = stops.stopping
    store = StateStore(config.state or "")
    store.migrate()
    freed = store.release_dead_claims(socket.gethostname(), alive)
    if freed:
        log.info("claims of stopped processes freed", tickets=freed)
    registry = CollectorRegistry()
    histogram = duration_histogram(registry)
    worker = WorkerProcess(config, store, on_done=histogram.observe, forced=stops.forced,
                           jobs=(str(config_path), state_url))

    def apply(new: Config) -> None:
        reloaded = CollectorRegistry()
        reloaded.register(histogram)
        app.app = create_app(new, store, reloaded, worker)
        worker.reload(new)  # and its scheduled jobs

    reloader = Reloader(config_path, state_url, config, apply, stops.reload)
    app = SwappableApp(create_app(config, store, registry, worker))
    reloading = threading.Thread(target=reloader.run, name="reload", daemon=True)
    worker.start()
    reloading.start()
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port,
                                           log_config=None, access_log=False, timeout_graceful_shutdown=10))
    stops.server = server
    log.info("daemon starting", node=NODE, host=host, port=port, approval=config.approval)
    try:
        server.should_exit = stopping.is_set()
        if not server.should_exit:
            server.run()
    finally:
        reloader.stop.set()
        worker.shutdown(config.daemon.lease_seconds)
        store.dispose()
        log.info("daemon stopped", node=NODE, processed=worker.processed)
    if not server.started and not stopping.is_set():
        raise EraserError(f"the daemon could not listen on {host}:{port} (in use, or not an address of this host).")
