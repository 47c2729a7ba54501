"""What /readyz and /metrics say about the daemon's ability to work: the worker, the state store and every
customer database. Each check is one short query with a short timeout; a failure is a `false`, never an error."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from eraser.config import Config
from eraser.errors import ConnectError
from eraser.store.state import StateStore, now

_engines: dict[str, sa.Engine] = {}


def _answers(engine: sa.Engine) -> bool:
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        return True
    except Exception:
        return False


def _engine(url: str) -> sa.Engine:
    """One small pool per customer database, kept for the process (readiness is polled often)."""
    if url not in _engines:
        options: dict[str, Any] = {"pool_pre_ping": True, "pool_size": 1, "max_overflow": 1}
        if url.startswith(("postgresql", "mysql", "mariadb")):
            options["connect_args"] = {"connect_timeout": 2}
        if url.startswith("sqlite"):
            options = {}
        _engines[url] = sa.create_engine(url, **options)
    return _engines[url]


def unreachable(exc: BaseException) -> bool:
    """Whether an error says a database cannot be reached (refused, reset, closed under a statement), as opposed
    to a statement that failed: an outage to wait out, not a fault of the ticket."""
    if isinstance(exc, ConnectError):
        return True
    if isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError):
        return bool(exc.connection_invalidated) or exc.statement is None  # no statement: the connect failed
    return False


def databases_answer(config: Config) -> bool:
    """Whether every customer database answers a `SELECT 1` (what the worker waits for after an outage)."""
    return all(_answers(_engine(conf.url)) for conf in config.connectors.values())


def readiness(config: Config, store: StateStore, worker: Any) -> dict[str, bool]:
    """Per check, whether it passes: `worker` (when this process runs one), `state_store`, `database:NAME`."""
    checks: dict[str, bool] = {}
    if worker is not None:
        checks["worker"] = bool(worker.running) and not worker.stop.is_set()
    checks["state_store"] = _answers(store.engine)
    for name, conf in sorted(config.connectors.items()):
        checks[f"database:{name}"] = _answers(_engine(conf.url))
    return checks


def worker_metrics(store: StateStore, worker: Any) -> Iterator[Any]:
    """Worker restarts (recoveries from an error) and the age of the oldest ticket ready to run."""
    if worker is not None:
        yield CounterMetricFamily("eraser_worker_restarts", "Times the worker recovered from an error and went on",
                                  value=worker.restarts)
    oldest = store.oldest_ready(now())
    yield GaugeMetricFamily("eraser_oldest_ready_ticket_age_seconds",
                            "Age of the oldest ticket ready to run (0 when none is)",
                            value=(now() - oldest).total_seconds() if oldest else 0.0)
