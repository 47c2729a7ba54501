"""What the live database says beyond SQLAlchemy's reflection: which columns hold text, which have a pg_trgm
index, and which tables are partitions of which (PostgreSQL). The schema model built on it is
eraser.engine.schema."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from connectors.base import Edge
from connectors.sql import SQLConnector


def is_text(column: sa.Column[Any]) -> bool:
    """VARCHAR, CHAR, TEXT, CLOB, JSON and JSONB, and untyped columns (SQLite); not enumerations."""
    kind = column.type
    return isinstance(kind, sa.String | sa.JSON | sa.types.NullType) and not isinstance(kind, sa.Enum) and \
        type(kind).__name__.upper() != "SET"


def in_transaction(conn: Any) -> dict[str, Any]:
    """Facts that hold until the connection's current transaction ends (a new dict for each transaction, and for a
    connection that is not SQLAlchemy's)."""
    transaction = conn.get_transaction() if hasattr(conn, "get_transaction") else None
    if transaction is None:
        return {}
    memo = conn.info.get("eraser.transaction")
    if memo is None or memo[0] is not transaction:
        memo = conn.info["eraser.transaction"] = (transaction, {})
    facts: dict[str, Any] = memo[1]
    return facts


@dataclass(frozen=True)
class Catalog:
    """What PostgreSQL's catalog says of the schema's search indexes, pg_trgm indexes and row estimates."""

    search_indexes: frozenset[tuple[str, str]]  # (table, index) of valid, ready indexes named ix_<table>_search_<hash>
    trigram_columns: dict[str, set[str]]  # table -> columns with a valid pg_trgm GIN or GiST index, not partial
    estimates: dict[str, float]  # table -> the planner's row estimate (reltuples; negative: never analyzed)


# Three catalog questions in one round trip (the catalog, not pg_indexes: deparsing every index definition, the long
# search expressions included, took 40 ms); each branch is the query each question was asked with on its own.
CATALOG = sa.text(
    "SELECT 's' AS q, t.relname::text AS a, c.relname::text AS b, NULL::float8 AS n FROM pg_index i "
    "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid "
    "JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = :s AND i.indisvalid AND i.indisready "
    "AND c.relname LIKE 'ix!_%!_search!_%' ESCAPE '!' "
    "UNION ALL SELECT 't', t.relname::text, a.attname::text, NULL FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid "
    "JOIN pg_namespace n ON n.oid = t.relnamespace "
    "CROSS JOIN LATERAL unnest(i.indkey::int2[], i.indclass::oid[]) AS k(attnum, opclass) "
    "JOIN pg_opclass o ON o.oid = k.opclass JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum "
    "WHERE n.nspname = :s AND i.indisvalid AND i.indpred IS NULL AND o.opcname IN ('gin_trgm_ops', 'gist_trgm_ops') "
    "UNION ALL SELECT 'r', c.relname::text, NULL, c.reltuples::float8 FROM pg_class c "
    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = :s AND c.relkind IN ('r', 'p', 'm', 'f', 'v')")


def catalog(connector: SQLConnector, conn: Any) -> Catalog:
    """The schema's search indexes, pg_trgm indexes and row estimates (PostgreSQL), in one statement per transaction:
    an index built or dropped meanwhile by another session only makes a table read instead of looked up, or looked
    up through a search text that the table is then read for (the rows found are the same); an estimate only
    chooses between a table's window and all of it, and the certificate says which."""
    facts = in_transaction(conn)
    found: Catalog | None = facts.get("catalog")
    if found is None:
        search: set[tuple[str, str]] = set()
        trigram: dict[str, set[str]] = {}
        estimates: dict[str, float] = {}
        for q, a, b, n in map(tuple, connector._run(conn, CATALOG, {"s": connector.schema or "public"})):
            if q == "s":
                search.add((str(a), str(b)))
            elif q == "t":
                trigram.setdefault(str(a), set()).add(str(b))
            else:
                estimates[str(a)] = float(n)
        found = facts["catalog"] = Catalog(frozenset(search), trigram, estimates)
    return found


def trigram_indexes(connector: SQLConnector, conn: Any) -> dict[str, set[str]]:
    """Per table, the columns with a valid pg_trgm GIN or GiST index over all rows (not partial), which serves
    (I)LIKE '%...%' (PostgreSQL)."""
    if connector.dialect != "postgresql":
        return {}
    found: dict[str, set[str]] = {}
    for table, names in catalog(connector, conn).trigram_columns.items():
        for name in names:
            if table in connector.table_names() and name in connector.columns(table):
                found.setdefault(table, set()).add(name)
    return found


def partition_roots(connector: SQLConnector) -> dict[str, str]:
    """PostgreSQL declarative partitions: partition -> the partitioned table at the top of its tree."""
    if connector.dialect != "postgresql":
        return {}
    query = sa.text("SELECT c.relname, p.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                    "JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE c.relispartition AND n.nspname = :s")
    with connector.engine.connect() as conn:
        rows = [tuple(r) for r in connector._run(conn, query, {"s": connector.schema or "public"})]
    parent = {str(r[0]): str(r[1]) for r in rows}
    roots = {}
    for table in parent:
        root = table
        while root in parent:
            root = parent[root]
        roots[table] = root
    return roots


def as_partitioned(edges: list[Edge], roots: dict[str, str]) -> list[Edge]:
    """A partition's rows are its partitioned table's rows: its foreign keys (cloned from the partitioned table,
    or its own) count as the partitioned table's, once; otherwise a subject's own rows, seen through a
    partition, would look like rows of someone else that still refer to them."""
    out: list[Edge] = []
    for e in edges:
        moved = Edge(roots.get(e.child, e.child), e.child_cols, e.parent, e.parent_cols, e.declared, e.condition)
        if moved not in out:
            out.append(moved)
    return out
