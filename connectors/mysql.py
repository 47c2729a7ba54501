"""MySQL/MariaDB specifics (PyMySQL): no expression indexes (lookups by expression scan), binlog copies."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from connectors.base import DialectSpecifics
from eraser.matching import WHITESPACE

# Unicode whitespace as a PCRE class (MariaDB's REGEXP is PCRE2 in UTF-8 mode on utf8mb4 columns).
SPACE = "[" + "".join(f"\\\\x{{{ord(ch):04X}}}" for ch in WHITESPACE) + "]"


class MySQLSpecifics(DialectSpecifics):
    name = "mysql"
    after_erasure_note = ("InnoDB frees deleted rows when its purge thread runs; the binary log, relay logs "
                          "and replicas hold copies of the changed rows until they are purged.")

    def folded(self, column: Any) -> Any:
        return sa.func.lower(sa.func.regexp_replace(column, sa.literal_column(f"'^{SPACE}+|{SPACE}+$'"),
                                                    sa.literal_column("''")))

    def digits(self, column: Any) -> Any:
        return sa.func.regexp_replace(column, sa.literal_column("'[^0-9]+'"), sa.literal_column("''"))

    def lookup_index_statement(self, name: str, table: str, expression: str) -> str | None:
        # MariaDB cannot index an expression, nor use a generated column's index for it (before 11.8).
        return None if "regexp_replace" in expression.lower() else f"CREATE INDEX {name} ON {table} ({expression});"

    def uses_index(self, conn: Any, statement: str) -> bool:
        rows = conn.execute(sa.text("EXPLAIN " + statement)).mappings().all()
        return bool(rows) and all((r.get("key") and r.get("type") not in ("ALL", "index")) or _const_miss(r)
                                  for r in rows)


def _const_miss(row: Any) -> bool:
    """A unique index that was read while planning and holds no such value (the probe's '0'): MariaDB then shows
    no key, only that the index found no row."""
    extra = str(row.get("Extra") or "")
    return "after reading const tables" in extra or "no matching row in const table" in extra.lower()


SPECIFICS = MySQLSpecifics()
