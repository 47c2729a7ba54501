"""Whether the databases can be reached: what /readyz reports, and what the worker waits for after a customer
database went away. Each check is one short query with a short timeout; a failure is a `false`, never an error.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from eraser.config import Config
from eraser.errors import ConnectError

_engines: dict[str, sa.Engine] = {}


def answers(engine: sa.Engine) -> bool:
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        return True
    except Exception:
        return False


def probe_engine(url: str) -> sa.Engine:
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
    return all(answers(probe_engine(conf.url)) for conf in config.connectors.values())
