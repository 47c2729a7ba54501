"""What /readyz and /metrics say about the daemon's ability to work: the worker, the state store and every
customer database (eraser.daemon.reach: one short query each, a failure is a `false`, never an error)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from eraser.config import Config
from eraser.daemon.reach import answers, probe_engine
from eraser.store.state import StateStore
from eraser.store.tables import now


def readiness(config: Config, store: StateStore, worker: Any) -> dict[str, bool]:
    """Per check, whether it passes: `worker` (when this process runs one), `state_store`, `database:NAME`."""
    checks: dict[str, bool] = {}
    if worker is not None:
        checks["worker"] = bool(worker.running) and not worker.stop.is_set()
    checks["state_store"] = answers(store.engine)
    for name, conf in sorted(config.connectors.items()):
        checks[f"database:{name}"] = answers(probe_engine(conf.url))
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
