"""`eraser config check`: a config file checked against its live databases, every problem listed."""

from __future__ import annotations

from pathlib import Path

from connectors.sql import open_connector
from eraser.config import load_config
from eraser.engine.schema import Problem, graph_problems
from eraser.errors import EraserError
from eraser.purge.scope import scope_problems


def check_config(path: Path) -> tuple[list[Problem], str]:
    """Every problem of a config file against its live databases, and a one-line summary of what was checked."""
    config = load_config(path)
    problems: list[Problem] = []
    tables = 0
    for name, conf in config.connectors.items():
        try:
            connector = open_connector(name, conf.url, conf.schema_)
        except EraserError as exc:
            problems.append(Problem("error", str(exc), ("connectors", name, "url"), None, config.path))
            continue
        try:
            graph, found = graph_problems(config, name, connector)
            problems += found
            if graph is not None and config.tenants is not None:
                problems += scope_problems(config, name, graph)
            tables += len(conf.tables)
        finally:
            connector.dispose()
    if not config.signing.private_key.exists():
        problems.append(Problem("warning", f"signing key {config.signing.private_key} does not exist yet; create it "
                                "with `eraser keys generate`.", ("signing", "private_key"), None, config.path))
    return problems, f"{path}: {tables} table(s) in {len(config.connectors)} connector(s) checked"
