"""Keeping a claim alive, and waiting after a failure.

A worker renews its ticket's claim every third of the lease while the ticket runs (purges included), so a
long ticket is never claimed twice, and a node that dies stops renewing: its tickets are taken over once the
lease runs out, not after a fixed long timeout.
"""

from __future__ import annotations

import random
import threading
from datetime import timedelta
from types import TracebackType

import structlog

from eraser.store.state import StateStore

log = structlog.get_logger("eraser.store.lease")


def backoff_seconds(failures: int, base: float, cap: float) -> float:
    """Exponential backoff with jitter: base, 2 base, 4 base ... at most cap, each shortened by up to a half."""
    return float(min(cap, base * 2 ** max(0, failures - 1)) * random.uniform(0.5, 1.0))


class Heartbeat:
    """Renews one ticket's claim in the background; `lost` is set if another node holds it now."""

    def __init__(self, store: StateStore, ticket_id: str, node: str, lease: timedelta) -> None:
        self.store = store
        self.ticket_id = ticket_id
        self.node = node
        self.lease = lease
        self.interval = max(0.2, lease.total_seconds() / 3)
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                if not self.store.renew_claim(self.ticket_id, self.node, self.lease):
                    self.lost.set()
                    log.warning("claim lost to another node", ticket=self.ticket_id)
                    return
            except Exception as exc:  # the state store is away: try again at the next beat
                log.warning("claim not renewed", ticket=self.ticket_id, error=type(exc).__name__)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
