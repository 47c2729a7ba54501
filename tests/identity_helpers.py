"""Small databases and configs for the identity tests, and an oracle that reads every row with plain SQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from eraser.config import load_config
from eraser.engine.execute import Outcome, erase, make_plan
from eraser.engine.plan import Plan
from eraser.engine.session import open_session
from eraser.subjects import parse_subject


def dialect(url: str) -> str:
    return sa.engine.make_url(url).get_backend_name()


def create(url: str, statements: list[str], rows: dict[str, list[dict[str, Any]]]) -> sa.Engine:
    """The tables (DDL as written) and their rows."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(sa.text(statement))
        meta = sa.MetaData()
        meta.reflect(conn)
        for table, values in rows.items():
            if values:
                conn.execute(meta.tables[table].insert(), values)
    return engine


def write_config(tmp_path: Path, url: str, identifiers: dict[str, Any], tables: dict[str, Any],
                 scan: dict[str, Any] | None = None, extra: dict[str, Any] | None = None) -> Path:
    """A config (JSON is YAML) with one connector."""
    connector: dict[str, Any] = {"url": url, "tables": tables}
    connector["residual_scan"] = scan or {"mode": "report"}
    config = {"organisation": "Test BV", "secret": "s" * 32,
              "signing": {"private_key": str(tmp_path / "key.pem")}, "certificates": str(tmp_path / "certs"),
              "identifiers": identifiers, "connectors": {"db": connector}, **(extra or {})}
    path = tmp_path / "config.yaml"
    path.write_text(json.dumps(config))
    return path


def erase_subject(config: Path, *pairs: str) -> Outcome:
    cfg = load_config(config)
    with open_session(cfg) as session:
        return erase(session, parse_subject(list(pairs), cfg))


def plan_subject(config: Path, *pairs: str) -> Plan:
    cfg = load_config(config)
    with open_session(cfg) as session:
        return make_plan(session, parse_subject(list(pairs), cfg))


def rows(engine: sa.Engine, table: str, *cols: str) -> dict[Any, tuple[Any, ...]]:
    """id -> the columns, read with plain SQL."""
    with engine.connect() as conn:
        result = conn.execute(sa.text(f"SELECT id, {', '.join(cols)} FROM {table}"))
        return {r[0]: tuple(r[1:]) for r in result}


def ids(engine: sa.Engine, table: str) -> set[Any]:
    with engine.connect() as conn:
        return {r[0] for r in conn.execute(sa.text(f"SELECT id FROM {table}"))}
