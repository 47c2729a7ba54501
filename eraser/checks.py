"""`eraser config check`: a config file checked against its live databases, every problem listed."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from connectors.sql import SQLConnector, open_connector
from eraser.config import Config, load_config
from eraser.engine.schema import Problem, graph_problems
from eraser.errors import EraserError
from eraser.purge.scope import scope_problems


def key_problems(config: Config, name: str, connector: SQLConnector) -> list[Problem]:
    """A declared `key:` that two rows share would address both: the erasure of one would delete the other."""
    found = []
    for table, rule in config.connectors[name].tables.items():
        if not rule.key:
            continue
        tab = connector.table(table)
        cols = [tab.c[c] for c in rule.key]
        stmt = sa.select(sa.func.count()).select_from(tab).group_by(*cols).having(sa.func.count() > 1).limit(1)
        with connector.engine.connect() as conn:
            if conn.execute(stmt).first() is not None:
                found.append(Problem("error", f"key: ({', '.join(rule.key)}) of table '{table}' is shared by several "
                                     "rows; name columns that identify one row.",
                                     ("connectors", name, "tables", table, "key"), None, config.path))
    return found


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
            if graph is not None:
                problems += key_problems(config, name, connector)
            if graph is not None and config.tenants is not None:
                problems += scope_problems(config, name, graph)
            tables += len(conf.tables)
        finally:
            connector.dispose()
    if not config.signing.private_key.exists():
        problems.append(Problem("warning", f"signing key {config.signing.private_key} does not exist yet; create it "
                                "with `eraser keys generate`.", ("signing", "private_key"), None, config.path))
    return problems, f"{path}: {tables} table(s) in {len(config.connectors)} connector(s) checked"
