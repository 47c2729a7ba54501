"""Search indexes: one index per table that lets the residual scan and free-text redaction find an identifier
anywhere in the table's text without reading the table.

On PostgreSQL it is a pg_trgm GIN index on one expression, the table's search text: every text column the scan
reads (as text, NULL as empty), then the digits of all of them, then all of that lower-cased with ICU's root
collation. The index is built without a pending list (`fastupdate = off`): a search would otherwise read
up to 4 MB of not yet merged entries on every lookup (40 ms instead of 3 ms measured), and pays instead a
little more on each insert. Each search term becomes one `LIKE '%term%'` on that expression, and each of those is a superset of
the per-column comparison it replaces: a column holding a term as it is (an exact identifier), lower-cased (an
email) or among its digits (a phone number) puts the term into the search text, as it is, lower-cased or among
the digits. Candidates are confirmed per column in Python as before, so the verdict is the same as a full read
of the table; only the reading is cheaper.

The index's name carries a hash of its expression, so an index built for other columns (a column added since)
is not taken for this one: that table is then searched as if it had no index (read in part under
`max_rows_per_table`, and said so). MariaDB and SQLite have no index that serves `LIKE '%term%'` (a FULLTEXT
index finds words, not substrings, and drops short ones): there the scan reads the table, and `eraser config
check` and `eraser plan` say which tables that makes slow.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from connectors.sql import SQLConnector
from eraser.config import Config
from eraser.engine.introspect import catalog, in_transaction, is_text
from eraser.engine.terms import MIN_TERM


def _declared_length(connector: SQLConnector, column: sa.Column[Any]) -> int | None:
    """The length a column's values are held to: none on SQLite, which stores longer text in a VARCHAR(10)."""
    return None if connector.dialect == "sqlite" else getattr(column.type, "length", None)


def text_columns(connector: SQLConnector, table: str, shortest: int = MIN_TERM) -> list[str]:
    """The text-like columns of a table long enough to hold an identifier."""
    out = []
    for column in connector.table(table).c:
        if not is_text(column):
            continue
        length = _declared_length(connector, column)
        if length is not None and length < shortest:
            continue
        out.append(column.name)
    return out


def larger_than(connector: SQLConnector, conn: Any, tables: Sequence[str], limit: int) -> set[str]:
    """The tables holding more than `limit` rows: from the planner's estimate on PostgreSQL, from InnoDB's on
    MariaDB (tables estimated within a factor of two of the limit are counted), else counted in one statement
    that reads at most limit + 1 rows of each. A table estimated larger than it is is read in its window and said
    to be scanned in part; one estimated smaller is read whole."""
    if not tables:
        return set()
    if connector.dialect == "postgresql":  # the planner's estimate is enough to choose a window, and free
        known = catalog(connector, conn).estimates
        if all(known.get(t, -1) >= 0 for t in tables):
            return {t for t in tables if known[t] > limit}
    if connector.dialect == "mysql":  # InnoDB's estimate, off by up to half: counted only near the limit
        estimate = connector._run(conn, sa.text("SELECT TABLE_NAME, TABLE_ROWS FROM information_schema.TABLES WHERE "
                                                "TABLE_SCHEMA = coalesce(:s, DATABASE()) AND TABLE_NAME IN :t")
                                  .bindparams(sa.bindparam("t", expanding=True)),
                                  {"s": connector.schema, "t": list(tables)})
        rows: list[Any] = list(estimate)
        known = {str(row[0]): float(row[1]) for row in rows if row[1] is not None}
        if all(t in known for t in tables):
            near = [t for t in tables if limit / 2 <= known[t] <= limit * 2]
            return {t for t in tables if known[t] > limit * 2} | (_counted(connector, conn, near, limit) if near
                                                                   else set())
    return _counted(connector, conn, list(tables), limit)


def _counted(connector: SQLConnector, conn: Any, tables: list[str], limit: int) -> set[str]:
    """The tables of more than `limit` rows, counted in one statement that reads at most limit + 1 rows of each."""
    counts = [sa.select(sa.literal(t).label("t"), sa.func.count().label("n")).select_from(
        sa.select(sa.literal_column("1").label("one")).select_from(connector.table(t)).limit(limit + 1).subquery())
        for t in tables]
    return {table for table, n in map(tuple, connector._run(conn, sa.union_all(*counts))) if n > limit}


ICU = "und-x-icu"
SLOW_ROWS = 5_000  # a table of fewer rows is read in a few milliseconds: not named as slow (10,000 persons took
# 94 ms per erasure, read whole for the residual scan, on the loaded 2-core benchmark machine)
EXPRESSION_VERSION = 1  # part of the hash: a change of the expression below renames the index


def search_expression(connector: SQLConnector, table: str, columns: list[str], qualified: bool = False) -> str:
    """The search text of a table's columns, as SQL (the index definition and the queries use the same words:
    PostgreSQL uses an expression index only for the very same expression)."""
    prep = connector.engine.dialect.identifier_preparer
    tab = prep.format_table(connector.table(table)) + "." if qualified else ""
    text = " || ' ' || ".join(f"coalesce(({tab}{prep.quote(c)})::text, '')" for c in columns)
    joined = f"({text})"
    return f"(({joined} || ' ' || regexp_replace({joined}, '[^0-9]+', '', 'g')) || ' ' || " \
           f"lower(({joined} || ' ' || regexp_replace({joined}, '[^0-9]+', '', 'g')) COLLATE \"{ICU}\"))"


def index_name(connector: SQLConnector, table: str, columns: list[str]) -> str:
    digest = hashlib.sha256(f"{EXPRESSION_VERSION}:{search_expression(connector, table, columns)}".encode())
    return f"ix_{table[:40]}_search_{digest.hexdigest()[:8]}"


def index_statements(connector: SQLConnector, table: str, columns: list[str]) -> str | None:
    """The statements that create a table's search index, or None where the database has no such index."""
    if connector.dialect != "postgresql" or not columns:
        return None
    prep = connector.engine.dialect.identifier_preparer
    return (f"CREATE EXTENSION IF NOT EXISTS pg_trgm; CREATE INDEX CONCURRENTLY IF NOT EXISTS "
            f"{prep.quote(index_name(connector, table, columns))} ON {prep.format_table(connector.table(table))} "
            f"USING gin ({search_expression(connector, table, columns)} gin_trgm_ops) WITH (fastupdate = off);")


def searchable_tables(connector: SQLConnector, conn: Any, columns_of: dict[str, list[str]]) -> set[str]:
    """The tables whose valid search index matches their columns today (one catalog query per transaction: an index
    built or dropped meanwhile by another session only makes a table read instead of looked up, or looked up
    through a search text that the table is then read for; the rows found are the same)."""
    if connector.dialect != "postgresql" or not columns_of:
        return set()
    present = catalog(connector, conn).search_indexes
    return {t for t, cols in columns_of.items() if cols and (t, index_name(connector, t, cols)) in present}


def search_clause(connector: SQLConnector, table: str, columns: list[str], patterns: list[str]) -> Any:
    """`search text LIKE p1 OR ... ` for LIKE patterns already escaped with '/' (lower-cased where the term is
    compared ignoring case)."""
    expression: Any = sa.literal_column(search_expression(connector, table, columns, qualified=True))
    return sa.or_(*(expression.like(p, escape="/") for p in patterns))


@contextmanager
def index_first(connector: SQLConnector, conn: Any, wanted: bool = True) -> Iterator[None]:
    """Within the transaction, make the planner read through the search indexes: it prices the search text's
    evaluation far too low and would read a table of long texts whole (seconds) rather than look it up (ms).
    One statement per transaction: the setting stays off until the transaction ends (SET LOCAL), since every
    later statement of an erasure or plan reads by key or through an index either way (a table without an index
    is still read whole); the commit or rollback puts it back. JIT compilation and parallel workers are off as
    well: a table read whole under this setting looks so costly to the planner that it would compile the statement
    (110-490 ms measured for a table of 4,000 rows read in 2 ms) and start workers (up to a second on the loaded
    benchmark machine)."""
    if wanted and connector.dialect == "postgresql":
        facts = in_transaction(conn)
        if not facts.get("index first"):
            connector._run(conn, sa.text("SELECT set_config('enable_seqscan', 'off', true), "
                                         "set_config('max_parallel_workers_per_gather', '0', true), set_config('jit', 'off', true)"))
            facts["index first"] = True
    yield


# -- what is slow without them ----------------------------------------------------------------------

@dataclass(frozen=True)
class SlowScan:
    """A table an erasure searches without a search index: why that is slow, and the fix where one exists."""

    table: str
    message: str
    fix: str | None


def slow_scans(config: Config, name: str, connector: SQLConnector, conn: Any) -> list[SlowScan]:
    """The tables of more than SLOW_ROWS rows that the residual scan or free-text redaction of connector `name`
    reads instead of looking up, each with one sentence saying what is read and why."""
    conf = config.connectors[name]
    tables = connector.table_names()
    settings = conf.residual_scan
    scanned = tables if settings.tables == "all" else [t for t in settings.tables if t in tables]
    free = {t for t, rule in conf.tables.items() if rule.free_text and t in tables}
    columns_of = {t: cols for t in sorted(set(scanned) | free) if (cols := text_columns(connector, t))}
    present = searchable_tables(connector, conn, columns_of)
    large = larger_than(connector, conn, [t for t in columns_of if t not in present], SLOW_ROWS)
    limit = settings.max_rows_per_table
    # MariaDB without triggers: one read of each table before the changes (eraser.engine.candidates)
    once = connector.dialect == "mysql" and bool(large) and not triggers(connector, conn)
    out = []
    for table, columns in columns_of.items():
        if table not in large:
            continue
        reads = []
        if table in free:
            reads.append("reads all of it for its free_text columns")
        if table in free and table in scanned and once and connector.table(table).primary_key.columns:
            reads[-1] = "reads all of it, once, for its free_text columns and the residual scan"
        elif table in scanned:
            reads.append(f"reads up to {limit:,} of its rows, the newest, for the residual scan (a larger table is "
                         "scanned in part, and the certificate says so)" if limit is not None else
                         "reads all of it for the residual scan")
        why = ("it has no search index" if connector.dialect == "postgresql" else
               f"{connector.dialect} has no index that finds text inside a value (LIKE '%...%')")
        out.append(SlowScan(table, f"table '{table}': every erasure {' and '.join(reads)}, because {why}; the time "
                            "this takes grows with the table.", index_statements(connector, table, columns)))
    return out


def triggers(connector: SQLConnector, conn: Any) -> int:
    """The triggers in a MariaDB connector's schema (eraser.engine.candidates)."""
    return int(connector._run(conn, sa.text("SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE "
                                            "EVENT_OBJECT_SCHEMA = coalesce(:s, DATABASE())"),
                              {"s": connector.schema}).scalar() or 0)


def slow_scan_note(config: Config, connectors: dict[str, SQLConnector]) -> str:
    """For `eraser plan`: which tables this erasure will read instead of looking up, and why
    (empty when every one has its search index)."""
    lines = []
    for name, connector in connectors.items():
        with connector.engine.connect() as conn:
            lines += [f"  {name}.{s.table}: {s.message.split(': ', 1)[1]}" for s in slow_scans(config, name, connector, conn)]
            if connector.dialect == "mysql" and (n := triggers(connector, conn)):
                lines.append(f"  {name}: its schema has {n} trigger(s), which may copy an identifier into any row, so "
                             "the residual scan reads its text tables again after the changes instead of reading "
                             "again only the rows found before them")
    if not lines:
        return ""
    fix = " (`eraser config check --apply-indexes` creates the search indexes)" \
        if any(c.dialect == "postgresql" for c in connectors.values()) else ""
    return f"Slow scans{fix}:\n" + "\n".join(lines)
