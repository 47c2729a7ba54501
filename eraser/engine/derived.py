"""Materialized views (PostgreSQL): copies of base-table data that an erasure does not change until they are
refreshed. The residual scan searches their text columns too and lists each view that holds the subject's
identifiers as a derived copy, with the command that refreshes it; `residual_scan.refresh_materialized_views`
refreshes them inside the erasure's transaction first."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from connectors.sql import SQLConnector
from eraser.engine.terms import Terms

TEXT_TYPES = ("text", "character varying", "character", "json", "jsonb")


def materialized_views(connector: SQLConnector, conn: Any) -> dict[str, list[str]]:
    """Each materialized view of the connector's schema with its text-like columns."""
    if connector.dialect != "postgresql":
        return {}
    found: dict[str, list[str]] = {}
    rows = connector._run(conn, sa.text(
        "SELECT c.relname, a.attname, format_type(a.atttypid, NULL) FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid "
        "WHERE c.relkind = 'm' AND n.nspname = :s AND a.attnum > 0 AND NOT a.attisdropped "
        "ORDER BY c.relname, a.attnum"), {"s": connector.schema or "public"})
    for view, column, kind in map(tuple, rows):
        found.setdefault(str(view), [])
        if kind in TEXT_TYPES:
            found[str(view)].append(str(column))
    return found


def _rows_with_hits(connector: SQLConnector, conn: Any, view: sa.Table, terms: Terms) -> int:
    def like(column: Any, term: str, mode: str) -> Any:
        text = sa.cast(column, sa.Text)
        pattern = "%" + term.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"
        if mode == "digits":
            return connector.specifics.digits(text).like(pattern, escape="/")
        if mode == "fold":
            return connector.specifics.lowered(text).like(pattern.lower(), escape="/")
        return text.like(pattern, escape="/")

    clauses = [like(c, t, mode) for c in view.c for t, mode in terms.search]
    stmt = sa.select(*(sa.cast(c, sa.Text) for c in view.c)).where(sa.or_(*clauses))
    return sum(1 for row in connector._run(conn, stmt) if any(terms.found(v) for v in row))


def derived_copies(connector: SQLConnector, conn: Any, terms: Terms, refresh: bool) -> list[dict[str, Any]]:
    """Per materialized view that holds the subject's identifiers (after refreshing, if asked): rows and the
    refresh command."""
    prep = connector.engine.dialect.identifier_preparer
    out = []
    for name, columns in sorted(materialized_views(connector, conn).items()):
        view = sa.Table(name, sa.MetaData(), *(sa.Column(c, sa.Text) for c in columns), schema=connector.schema)
        command = f"REFRESH MATERIALIZED VIEW {prep.format_table(view)};"
        if refresh:
            connector._run(conn, sa.text(command.rstrip(";")))
        n = _rows_with_hits(connector, conn, view, terms) if columns and terms else 0
        if n or refresh:
            out.append({"view": name, "rows_with_hits": n, "refresh": command, "refreshed": refresh})
    return out
