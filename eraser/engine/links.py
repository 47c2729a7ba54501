"""Declared links that carry a condition or a transform: `where:` on the child's columns (a polymorphic
`log(object_type, object_id)`), `cast:` (a key stored as text in the child, or as an integer), `prefix:` (a
session key `t_` + the parent's token) and `key_value:` (a meta table's `meta_key = '_customer_id'` row whose
`meta_value` holds the key as text); `json:` (the key inside a JSON value, eraser.engine.json_links).

The database compares: the child rows of a parent key are those whose column equals the parent key as the child
stores it (`child_keys`) and that satisfy `where` (`where_clause`), so its collation decides, as it does for
every other relation. Where rows are already in hand, both sides are put into one comparable form (`parent_ref`,
`child_ref`): the key as text when the link casts or prefixes, as stored otherwise.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from connectors.base import Edge, Key, Row
from eraser.engine import json_links

INTEGER = re.compile(r"^[+-]?[0-9]+$")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def _loose(value: Any) -> Any:
    """A value compared as loosely as a SQL collation may (case, accents, trailing spaces)."""
    if not isinstance(value, str):
        return value
    bare = "".join(ch for ch in unicodedata.normalize("NFKD", value) if not unicodedata.combining(ch))
    return bare.casefold().rstrip(" ")


@dataclass(frozen=True)
class Condition:
    """What a declared link adds to plain equality; `parent_int` says the parent's key column holds integers."""

    where: tuple[tuple[str, tuple[Any, ...]], ...] = ()
    cast: str | None = None  # "text": the child holds the key as text; "integer": as an integer
    prefix: str = ""
    parent_int: bool = False
    json: str = ""  # the JSON path inside the child's value that holds the key, compared as text

    @property
    def textual(self) -> bool:
        return self.cast is not None or bool(self.prefix) or bool(self.json)

    def to_child(self, value: Any) -> Any:
        """The parent key's value as the child stores it, or None if the child cannot hold it."""
        if value is None:
            return None
        if self.cast == "integer":
            text = _text(value).strip()
            return int(text) if INTEGER.match(text) else None
        if self.textual:
            return self.prefix + _text(value)
        return value

    def to_parent(self, value: Any) -> Any:
        """The child's stored value as the parent key it names, or None if it names none (json_links.NotJSON if
        the link reads a JSON path and the value is not JSON)."""
        if value is not None and self.json:
            value = json_links.value_at(value, self.json)
        if value is None:
            return None
        if not self.textual:
            return value
        text = _text(value)
        if not text.startswith(self.prefix):
            return None
        text = text[len(self.prefix):]
        if self.parent_int:
            return int(text) if INTEGER.match(text) else None
        return text

    def holds(self, row: Row) -> bool:
        """The child row satisfies `where` (compared loosely: a kept row is never missed for a case difference)."""
        for col, values in self.where:
            value = row.get(col)
            if value is None:
                if None not in values:
                    return False
            elif _loose(value) not in {_loose(v) for v in values if v is not None} and \
                    _text(value) not in {_text(v) for v in values if v is not None}:
                return False
        return True

    def describe(self) -> str:
        parts = []
        for col, values in self.where:
            shown = ", ".join("null" if v is None else repr(v) for v in values)
            parts.append(f"{col} = {shown}" if len(values) == 1 else f"{col} in ({shown})")
        text = f" where {' and '.join(parts)}" if parts else ""
        if self.json:
            text += f" (at {self.json})"
        if self.prefix:
            text += f" (prefix {self.prefix!r})"
        elif self.cast:
            text += f" (as {self.cast})"
        return text


def condition_of(edge: Edge) -> Condition | None:
    cond = getattr(edge, "condition", None)
    return cond if isinstance(cond, Condition) else None


def child_keys(edge: Edge, parent_keys: Sequence[Key]) -> list[Key]:
    """The values a child row holds in edge.child_cols when it refers to one of the parent keys."""
    cond = condition_of(edge)
    if cond is None:
        return list(parent_keys)
    out = []
    for key in parent_keys:
        value = cond.to_child(key[0])
        if value is not None:
            out.append((value,))
    return out


def where_clause(table: sa.Table, edge: Edge) -> Any:
    """The SQL form of the link's `where:` on the child table, or None."""
    cond = condition_of(edge)
    if cond is None or not cond.where:
        return None
    return sa.and_(*(values_clause(table.c[col], values) for col, values in cond.where))


def values_clause(column: Any, values: Sequence[Any]) -> Any:
    """`column IN (values)`, with a None among them as `IS NULL`; each value in the column's type (YAML's 1 for a
    text column is '1': PostgreSQL refuses to compare text with an integer)."""
    present = [_typed(column, v) for v in values if v is not None]
    term: Any = column.in_(present) if present else None
    if None in values:
        term = column.is_(None) if term is None else sa.or_(term, column.is_(None))
    return term


def _typed(column: Any, value: Any) -> Any:
    if isinstance(column.type, sa.String) and not isinstance(value, str):
        return str(value)
    if isinstance(column.type, sa.Integer) and isinstance(value, str) and INTEGER.match(value.strip()):
        return int(value)
    return value


def where_columns(edge: Edge) -> list[str]:
    cond = condition_of(edge)
    return [c for c, _ in cond.where] if cond else []


def children(connector: Any, conn: Any, edge: Edge, parent_keys: Sequence[Key], select: Sequence[str] | None = None,
             for_update: bool = False) -> list[Row]:
    """The rows of edge.child that refer to one of the parent keys through the edge."""
    keys = child_keys(edge, parent_keys)
    if not keys:
        return []
    where = where_clause(connector.table(edge.child), edge)
    if select is not None:
        select = list(dict.fromkeys([*select, *where_columns(edge)]))
    cond = condition_of(edge)
    if cond is not None and cond.json:
        return json_links.children(connector, conn, edge, cond.json, keys, select, for_update, where)
    return list(connector.rows_by_keys(conn, edge.child, edge.child_cols, keys, select=select, for_update=for_update,
                                       where=where))


def parent_ref(edge: Edge, parent_row: Row) -> Key:
    """The parent row's key in the form child_ref gives."""
    key = tuple(parent_row[c] for c in edge.parent_cols)
    cond = condition_of(edge)
    return (_text(key[0]),) if cond is not None and cond.textual and key[0] is not None else key


def child_ref(edge: Edge, child_row: Row) -> Key | None:
    """The parent key a child row refers to through the edge, in the form parent_ref gives; None if it refers to
    none (its `where` does not hold, or its value lacks the prefix)."""
    key = parent_key(edge, child_row)
    cond = condition_of(edge)
    if key is None or cond is None or not cond.textual:
        return key
    return (_text(key[0]),)


def parent_key(edge: Edge, child_row: Row) -> Key | None:
    """The parent's key value (as the parent stores it) a child row refers to, for looking the parent up."""
    key = tuple(child_row[c] for c in edge.child_cols)
    cond = condition_of(edge)
    if cond is None:
        return key
    if not cond.holds(child_row):
        return None
    try:
        value = cond.to_parent(key[0])
    except json_links.NotJSON:
        raise json_links.refusal(edge, cond.json) from None
    return None if value is None else (value,)


def link_edge(connector: Any, table: str, link: Any) -> tuple[Edge, str | None]:
    """The edge of a declared link, and why it cannot be followed as written (a text column compared to an
    integer key without `cast:`, which MariaDB would compare as numbers and PostgreSQL refuse)."""
    child, parent = connector.column(table, link.column).type, connector.column(link.table, link.target_column).type
    texts, ints = isinstance(child, sa.String), isinstance(child, sa.Integer)
    parent_int = isinstance(parent, sa.Integer)
    where = f"link {table}.{link.column} -> {link.references}"
    why = None
    if link.json_path is not None:
        if not texts and not isinstance(child, sa.JSON | sa.types.NullType):
            why = f"{where} has a json: path, but {table}.{link.column} holds neither text nor JSON."
    elif link.prefix and not texts and not isinstance(child, sa.types.NullType):
        why = f"{where} has a prefix:, but {table}.{link.column} does not hold text."
    elif link.cast is None and not link.prefix and texts and parent_int:
        why = (f"{where} compares a text column to an integer key; add 'cast: text' (the key stored as text) so "
               "that every database compares the same way.")
    elif link.cast is None and not link.prefix and ints and isinstance(parent, sa.String):
        why = (f"{where} compares an integer column to a text key; add 'cast: integer' so that every database "
               "compares the same way.")
    condition = None
    if link.conditional:
        condition = Condition(tuple(sorted(link.conditions().items())), link.cast, link.prefix or "", parent_int,
                              link.json_path or "")
    return Edge(table, (link.column,), link.table, (link.target_column,), declared=True, condition=condition), why
