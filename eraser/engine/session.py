"""A config with its connectors open and each database's schema model built: what every erasure, export,
sweep and purge works in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from connectors.sql import SQLConnector, open_connector
from eraser.config import Config
from eraser.engine.schema import Graph, build_graph


@dataclass
class Session:
    """A config with its connectors open and checked against their live schemas."""

    config: Config
    connectors: dict[str, SQLConnector]
    graphs: dict[str, Graph]
    # the state store whose holds apply, by URL: opened once for the session's plans and erasures (its holds are
    # read again by each; eraser.engine.holds.holds_store); (store, whether the session opened it and closes it)
    stores: dict[str, tuple[Any, bool]] = field(default_factory=dict, repr=False)

    def close(self) -> None:
        for store, owned in self.stores.values():
            if owned:
                store.dispose()
        self.stores.clear()
        for c in self.connectors.values():
            c.dispose()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def dialects(self) -> dict[str, str]:
        return {name: c.dialect for name, c in self.connectors.items()}

    @property
    def statements(self) -> int:
        return sum(c.statements for c in self.connectors.values())


def open_session(config: Config) -> Session:
    connectors: dict[str, SQLConnector] = {}
    try:
        for name, conf in config.connectors.items():
            connectors[name] = open_connector(name, conf.url, conf.schema_)
        graphs = {name: build_graph(config, name, c) for name, c in connectors.items()}
    except Exception:
        for c in connectors.values():
            c.dispose()
        raise
    return Session(config, connectors, graphs)
