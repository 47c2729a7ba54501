"""What the live database says beyond SQLAlchemy's reflection: which columns hold text, which have a pg_trgm
index, and which tables are partitions of which (PostgreSQL). The schema model built on it is
eraser.engine.schema."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from connectors.base import Edge
from connectors.sql import SQLConnector


def is_text(column: sa.Column[Any]) -> bool:
    """VARCHAR, CHAR, TEXT, CLOB, JSON and JSONB, and untyped columns (SQLite); not enumerations."""
    kind = column.type
    return isinstance(kind, sa.String | sa.JSON | sa.types.NullType) and not isinstance(kind, sa.Enum) and \
        type(kind).__name__.upper() != "SET"


def trigram_indexes(connector: SQLConnector, conn: Any) -> dict[str, set[str]]:
    """Per table, the columns with a valid pg_trgm GIN or GiST index over all rows (not partial), which serves
    (I)LIKE '%...%' (PostgreSQL)."""
    if connector.dialect != "postgresql":
        return {}
    # the catalog, not pg_indexes: deparsing every index definition (the long search expressions) took 40 ms
    rows = connector._run(conn, sa.text(
        "SELECT t.relname, a.attname FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid "
        "JOIN pg_namespace n ON n.oid = t.relnamespace "
        "CROSS JOIN LATERAL unnest(i.indkey::int2[], i.indclass::oid[]) AS k(attnum, opclass) "
        "JOIN pg_opclass o ON o.oid = k.opclass JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum "
        "WHERE n.nspname = :s AND i.indisvalid AND i.indpred IS NULL "
        "AND o.opcname IN ('gin_trgm_ops', 'gist_trgm_ops')"), {"s": connector.schema or "public"})
    found: dict[str, set[str]] = {}
    for table, name in map(tuple, rows):
        if table in connector.table_names() and name in connector.columns(table):
            found.setdefault(str(table), set()).add(str(name))
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
