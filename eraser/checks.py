"""`eraser config check`: a config file checked against its live databases, every problem listed."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from connectors.sql import SQLConnector, open_connector
from eraser.config import Config, load_config
from eraser.engine.schema import Problem, graph_problems
from eraser.engine.search_index import slow_scans
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


def slow_scan_problems(config: Config, name: str, connector: SQLConnector) -> list[Problem]:
    """A warning for each large table the residual scan or free-text redaction will read instead of looking up,
    with the search index that serves it (PostgreSQL). Only `eraser config check` asks: it costs a query."""
    tables = config.connectors[name].tables
    with connector.engine.connect() as conn:
        slow = slow_scans(config, name, connector, conn)
    return [Problem("warning", scan.message, ("connectors", name, *(("tables", scan.table) if scan.table in tables
                                                                   else ("residual_scan",))), scan.fix, config.path)
            for scan in slow]


INDEX_FIX = re.compile(r"^\s*CREATE (EXTENSION|(UNIQUE )?INDEX)\b", re.IGNORECASE)


def statements(fix: str) -> list[str]:
    """The statements of a fix, split at semicolons outside quotes."""
    out: list[str] = []
    current: list[str] = []
    quote = ""
    for ch in fix:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == ";":
            out.append("".join(current).strip())
            current = []
            continue
        current.append(ch)
    out.append("".join(current).strip())
    return [s for s in out if s]


def apply_indexes(path: Path, problems: list[Problem], say: Any) -> int:
    """Run the index statements among the problems' fixes, connector by connector, one at a time outside a
    transaction (CREATE INDEX CONCURRENTLY needs that, and leaves the table writable meanwhile); each one is
    said before and timed after. Returns how many ran."""
    config = load_config(path)
    wanted: dict[str, list[str]] = {}
    for p in problems:
        if p.fix and len(p.loc) > 1 and p.loc[0] == "connectors" and p.loc[1] in config.connectors:
            wanted.setdefault(p.loc[1], []).extend(s for s in statements(p.fix) if INDEX_FIX.match(s))
    ran = 0
    for name, todo in wanted.items():
        conf = config.connectors[name]
        connector = open_connector(name, conf.url, conf.schema_)
        try:
            with connector.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                for statement in dict.fromkeys(todo):
                    say(f"{name}: {statement}")
                    clock = time.perf_counter()
                    conn.exec_driver_sql(statement.replace("%", "%%") if connector.dialect != "sqlite"
                                         else statement)
                    say(f"  done in {time.perf_counter() - clock:.1f} s")
                    ran += 1
        finally:
            connector.dispose()
    return ran


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
            if not any(p.severity == "error" for p in found):
                problems += slow_scan_problems(config, name, connector)
            if graph is not None and config.tenants is not None:
                problems += scope_problems(config, name, graph)
            tables += len(conf.tables)
        finally:
            connector.dispose()
    if not config.signing.private_key.exists():
        problems.append(Problem("warning", f"signing key {config.signing.private_key} does not exist yet; create it "
                                "with `eraser keys generate`.", ("signing", "private_key"), None, config.path))
    return problems, f"{path}: {tables} table(s) in {len(config.connectors)} connector(s) checked"
