"""Finding the subject's identifiers in text columns, for the residual scan, free-text redaction and the plan's
search for rows kept for others (eraser.engine.residual, redaction, kept).

The database filters with (I)LIKE (through a table's search index where it has one: eraser.engine.search_index);
each candidate is then confirmed in Python (`Terms.found`). `find` searches one table; `find_all` searches many in
one UNION ALL statement, each table in its own branch with exactly the condition `find` would send for it, so the
rows found are the same and only the round trips are shared.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from connectors.base import Key, Row
from connectors.sql import SQLConnector
from eraser.engine.search_index import _declared_length, search_clause
from eraser.engine.terms import Mode, Terms


def _escape(term: str) -> str:
    return "%" + term.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"


def _as_text(column: Any) -> Any:
    return sa.cast(column, sa.Text) if isinstance(column.type, sa.JSON | sa.types.NullType) else column


@dataclass
class Hit:
    """Rows of one table whose text holds an identifier: by primary key, with the columns that hold it."""

    table: str
    rows: dict[Key, dict[str, str]] = field(default_factory=dict)  # key -> column -> text (never reported)

    def columns(self) -> dict[str, int]:
        counted: dict[str, int] = {}
        for cols in self.rows.values():
            for col in cols:
                counted[col] = counted.get(col, 0) + 1
        return counted


def _select(connector: SQLConnector, table: str, columns: Sequence[str], terms: Terms, limit: int | None,
            indexed: bool = False, search: list[str] | None = None, tag: int | None = None,
            width: int | None = None) -> Any:
    """The SELECT of rows with any search term in any of the columns: the primary key as k_0.., the columns as
    text as t_0... Case is ignored with ILIKE where a trigram index serves it, else with the dialect's Unicode
    lower() LIKE, which a scan evaluates faster on PostgreSQL; phone numbers are looked for among the text's
    digits. With `search` (the columns of the table's search index), one LIKE per term on the table's search text
    instead, which finds every row the per-column comparisons find (eraser/engine/search_index.py). With `tag`
    (a branch of find_all): a first column q = tag, every text column as TEXT, padded with NULLs to `width`."""
    tab = connector.table(table)
    pk = [c.name for c in tab.primary_key.columns]
    source: Any = tab
    if limit is not None:
        newest = sa.select(*(tab.c[c] for c in dict.fromkeys([*pk, *columns])))
        source = newest.order_by(*(tab.c[c].desc() for c in pk)).limit(limit).subquery()

    def match(column: Any, term: str, mode: Mode) -> Any:
        text = _as_text(column)
        if not indexed and (faster := connector.specifics.contains(text, term, mode)) is not None:
            return faster  # MariaDB: a REGEXP that finds at least what the LIKE below finds (connectors/mysql.py)
        if mode == "digits":
            return connector.specifics.digits(text).like(_escape(term), escape="/")
        if mode == "exact":
            return text.like(_escape(term), escape="/")
        return text.ilike(_escape(term), escape="/") if indexed else \
            connector.specifics.lowered(text).like(_escape(term.lower()), escape="/")

    if search is not None:
        where = search_clause(connector, table, search, sorted({_escape(t.lower() if mode == "fold" else t)
                                                                for t, mode in terms.search}))
    else:
        where = sa.or_(*(match(source.c[c], t, mode) for c in columns
                         for t, mode in _fitting(connector, tab.c[c], terms)))
    keys = [source.c[c].label(f"k_{i}") for i, c in enumerate(pk)]
    if tag is None:
        return sa.select(*keys, *(_as_text(source.c[c]).label(f"t_{i}") for i, c in enumerate(columns))).where(where)
    texts = [sa.cast(source.c[c], sa.Text).label(f"t_{i}") for i, c in enumerate(columns)]
    texts += [sa.cast(sa.null(), sa.Text).label(f"t_{i}") for i in range(len(columns), width or len(columns))]
    return sa.select(sa.literal_column(str(tag)).label("q"), *keys, *texts).where(where)


def _candidates(connector: SQLConnector, conn: Any, table: str, columns: Sequence[str], terms: Terms,
                limit: int | None, indexed: bool = False, search: list[str] | None = None) -> list[Row]:
    """Rows with any search term in any of the columns (pk and those columns as text), the newest `limit`."""
    pk = [c.name for c in connector.table(table).primary_key.columns]
    out = []
    for r in connector._run(conn, _select(connector, table, columns, terms, limit, indexed, search)):
        m = r._mapping
        row: Row = {c: m[f"k_{i}"] for i, c in enumerate(pk)}
        row.update({c: m[f"t_{i}"] for i, c in enumerate(columns)})
        out.append(row)
    return out


def _fitting(connector: SQLConnector, column: sa.Column[Any], terms: Terms) -> list[tuple[str, Mode]]:
    """The search strings a column is long enough to hold."""
    length = _declared_length(connector, column)
    return [t for t in terms.search if length is None or len(t[0]) <= length]


Group = tuple[list[str], int | None, bool]  # columns, the newest rows to read (None: all), through a trigram index


def _groups(connector: SQLConnector, table: str, columns: Sequence[str], terms: Terms, limit: int | None,
            indexed: set[str] | None, search: list[str] | None) -> tuple[list[Group], list[str] | None, bool]:
    """What find reads of a table: the statements' column groups, the search index's columns (None: no search
    index), and whether only part of the table is read."""
    if not columns or not terms:
        return [], None, False
    tab = connector.table(table)
    columns = [c for c in columns if _fitting(connector, tab.c[c], terms)]  # VARCHAR(12) cannot hold a 22-character email
    if not columns:
        return [], None, False
    indexed = indexed or set()
    if search is not None and not set(columns) <= set(search):
        search = None
    groups: list[Group] = [] if search is not None else [([c], None, True) for c in columns if c in indexed]
    rest = columns if search is not None else [c for c in columns if c not in indexed]
    partial = False
    if rest:
        partial = limit is not None and search is None
        groups.append((rest, None if search is not None else limit, False))
    return groups, search, partial


def _confirm(hit: Hit, pk: Sequence[str], cols: Sequence[str], row: Row, terms: Terms) -> None:
    matched = {c: row[c] for c in cols if terms.found(row[c])}
    if matched:
        key = tuple(row[c] for c in pk) if pk else (len(hit.rows),)
        hit.rows.setdefault(key, {}).update(matched)


def find(connector: SQLConnector, conn: Any, table: str, columns: Sequence[str], terms: Terms,
         limit: int | None = None, indexed: set[str] | None = None,
         search: list[str] | None = None) -> tuple[Hit, bool]:
    """The confirmed hits in a table's columns, and whether only part of the table was read. With `search` (the
    columns of the table's search index, which must include `columns`) the whole table is searched through that
    index in one statement. Otherwise columns with a trigram index are searched in full (an index lookup); the
    others in the newest `limit` rows if given (the caller passes a limit only for a table larger than it)."""
    hit = Hit(table)
    groups, search, partial = _groups(connector, table, columns, terms, limit, indexed, search)
    pk = [c.name for c in connector.table(table).primary_key.columns]
    for cols, group_limit, through_index in groups:
        for row in _candidates(connector, conn, table, cols, terms, group_limit, indexed=through_index,
                               search=search):
            _confirm(hit, pk, cols, row, terms)
    return hit, partial


@dataclass(frozen=True)
class Search:
    """One table's search for find_all, with find's arguments."""

    columns: list[str]
    limit: int | None = None
    indexed: set[str] | None = None
    search: list[str] | None = None


def _signature(connector: SQLConnector, table: str) -> tuple[Any, ...]:
    """Tables whose primary keys have the same Python types can share a UNION ALL (its key columns line up)."""
    pk = list(connector.table(table).primary_key.columns)
    try:
        return ("key", *(c.type.python_type for c in pk)) if pk else ("no key", table)
    except NotImplementedError:
        return ("own", table)


def find_all(connector: SQLConnector, conn: Any, searches: dict[str, Search], terms: Terms
             ) -> dict[str, tuple[Hit, bool]]:
    """find for each table, in one statement per kind of primary key instead of one (or more) per table."""
    out: dict[str, tuple[Hit, bool]] = {}
    branches: list[tuple[str, Group, list[str] | None]] = []
    for table, s in searches.items():
        groups, search, partial = _groups(connector, table, s.columns, terms, s.limit, s.indexed, s.search)
        out[table] = (Hit(table), partial)
        branches += [(table, group, search) for group in groups]
    shared: dict[tuple[Any, ...], list[int]] = {}
    for n, (table, _, _) in enumerate(branches):
        shared.setdefault(_signature(connector, table), []).append(n)
    for numbers in shared.values():
        width = max(len(branches[n][1][0]) for n in numbers)
        selects = [_select(connector, table, cols, terms, group_limit, through_index, search, tag=n, width=width)
                   for n in numbers for table, (cols, group_limit, through_index), search in [branches[n]]]
        stmt: Any = selects[0] if len(selects) == 1 else sa.union_all(*selects)
        for r in connector._run(conn, stmt):
            m = r._mapping
            table, (cols, _, _), _ = branches[int(m["q"])]
            pk = [c.name for c in connector.table(table).primary_key.columns]
            row: Row = {c: m[f"k_{i}"] for i, c in enumerate(pk)}
            row.update({c: m[f"t_{i}"] for i, c in enumerate(cols)})
            _confirm(out[table][0], pk, cols, row, terms)
    return out
