"""Links whose key sits inside a JSON value (`json: $.customer_id`): a job or log table whose `args` column holds
`{"customer_id": 42, ...}`.

The database compares: a child row refers to a parent key when the value at the path, read as text, equals the
key as text (a JSON number 42 and a JSON string "42" both name key 42; true, null, 42.5, objects name none). It
reads the path with json_extract on SQLite, JSON_UNQUOTE(JSON_EXTRACT()) on MariaDB and json_extract_path_text
on PostgreSQL (a text or jsonb column cast to json). Rows already in hand are read the same way in Python (`value_at`).

A stored value that is not JSON could name anyone: the link cannot tell, so the erasure is refused before
anything changes (`NotJSON`, `refusal`), never passed over.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from connectors.base import Edge, Key, Row
from connectors.sql import CHUNK
from eraser.errors import ConfigError
from eraser.link_rules import json_steps


class NotJSON(ValueError):
    """A stored value is not valid JSON."""


def _no_constant(name: str) -> Any:
    raise NotJSON(name)  # NaN and Infinity: Python reads them, the databases do not


def value_at(stored: Any, path: str) -> str | None:
    """The value at the path as text (a JSON number or string), None when the value holds none there; NotJSON
    when the stored value is not JSON."""
    doc = stored
    if isinstance(doc, bytes | bytearray):
        doc = doc.decode("utf-8", "replace")
    if isinstance(doc, str):
        try:
            doc = json.loads(doc, parse_constant=_no_constant)
        except ValueError:
            raise NotJSON(path) from None
    for step in json_steps(path):
        if isinstance(step, int):
            doc = doc[step] if isinstance(doc, list) and step < len(doc) else None
        else:
            doc = doc.get(step) if isinstance(doc, dict) else None
    if isinstance(doc, bool) or not isinstance(doc, int | str):
        return None
    return str(doc)


def text_at(dialect: str, column: Any, path: str) -> Any:
    """The SQL value at the path as text; NULL where it is no number or string, and (SQLite, MariaDB) where the
    stored value is not JSON."""
    typed: Any
    if dialect == "sqlite":
        typed = sa.func.json_type(column, path).in_(["integer", "text"])
        inner = sa.case((typed, sa.cast(sa.func.json_extract(column, path), sa.Text)))
        return sa.case((sa.func.json_valid(column) == 1, inner))
    if dialect == "postgresql":
        # The dialect package of a database in use only: a SQLite or MariaDB erasure never loads PostgreSQL's.
        from sqlalchemy.dialects import postgresql

        doc = sa.cast(column, postgresql.JSON)  # json, not jsonb: a number reads as written (1e3 stays 1e3)
        steps = [sa.literal(str(s), sa.Text) for s in json_steps(path)]
        kind = sa.func.json_typeof(sa.func.json_extract_path(doc, *steps))
        text = sa.func.json_extract_path_text(doc, *steps)
        typed = sa.or_(kind == "string", sa.and_(kind == "number", text.regexp_match("^-?[0-9]+$")))  # no decimals
        return sa.case((typed, text))
    value = sa.func.json_extract(column, path)
    kind, text = sa.func.json_type(value), sa.func.json_unquote(value)
    typed = sa.or_(kind == "STRING", sa.and_(kind.in_(["INTEGER", "UNSIGNED INTEGER"]),
                                             text.regexp_match("^-?[0-9]+$")))  # MariaDB calls 1e3 an integer
    return sa.case((sa.func.json_valid(column) == 1, sa.case((typed, text))))


def refusal(edge: Edge, path: str) -> ConfigError:
    return ConfigError(f"rows of {edge.child} hold a value in {edge.child_cols[0]} that is not valid JSON, so the "
                       f"link's json: {path} cannot tell whom they refer to; nothing was changed; repair or delete "
                       "those rows, or narrow the link with where:.")


def children(connector: Any, conn: Any, edge: Edge, path: str, keys: Sequence[Key], select: Sequence[str] | None,
             for_update: bool, where: Any) -> list[Row]:
    """The rows of edge.child whose value at the path is one of the keys (as text) and that satisfy `where`;
    ConfigError if a row the link reads holds a value that is not JSON."""
    tab = connector.table(edge.child)
    column = tab.c[edge.child_cols[0]]
    if connector.dialect == "postgresql":
        if isinstance(column.type, sa.JSON):  # json and jsonb hold only JSON
            return _rows(connector, conn, tab, column, path, keys, select, for_update, where)
        try:  # PostgreSQL 15 has no test of JSON validity: a value that is not JSON fails the cast
            with conn.begin_nested():
                return _rows(connector, conn, tab, column, path, keys, select, for_update, where)
        except sa.exc.DataError:
            raise refusal(edge, path) from None
    invalid = sa.and_(column.is_not(None), sa.func.json_valid(column) == 0, *([where] if where is not None else []))
    if connector.run(conn, sa.select(sa.func.count()).select_from(tab).where(invalid)).scalar():
        raise refusal(edge, path)
    return _rows(connector, conn, tab, column, path, keys, select, for_update, where)


def _rows(connector: Any, conn: Any, tab: sa.Table, column: Any, path: str, keys: Sequence[Key],
          select: Sequence[str] | None, for_update: bool, where: Any) -> list[Row]:
    values = sorted({str(k[0]) for k in keys if k[0] is not None})
    value = text_at(connector.dialect, column, path)
    if where is not None and connector.dialect == "postgresql":
        value = sa.case((where, value))  # the cast is tried only in the rows the link reads
    chunks = [value.in_(values[start:start + CHUNK]) for start in range(0, len(values), CHUNK)]
    rows: list[Row] = connector.rows_matching(conn, tab.name, chunks, select, for_update, where)
    return rows
