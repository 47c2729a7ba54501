"""PostgreSQL specifics (psycopg 3): expression indexes (ICU case folding), short connect timeout."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from connectors.base import DialectSpecifics
from eraser.matching import WHITESPACE

ICU = "und-x-icu"


class PostgreSQLSpecifics(DialectSpecifics):
    name = "postgresql"
    after_erasure_note = ("PostgreSQL keeps deleted and updated row versions (dead tuples) until VACUUM "
                          "reclaims them; WAL archives and replicas hold copies until they are recycled.")

    def folded(self, column: Any) -> Any:
        # ICU's root collation folds every letter, whatever the column's collation (lower() under "C" folds ASCII).
        return sa.func.lower(sa.func.btrim(column, sa.literal_column(unicode_literal(WHITESPACE))).collate(ICU))

    def lowered(self, column: Any) -> Any:
        return sa.func.lower(sa.collate(column, ICU))

    def uses_index(self, conn: Any, statement: str) -> bool:
        conn.execute(sa.text("SET LOCAL enable_seqscan = off"))  # a tiny table is read whole even with an index
        plan = "\n".join(conn.execute(sa.text("EXPLAIN " + statement)).scalars())
        return "Index Cond" in plan  # a full index scan with a filter reads the whole index


def unicode_literal(text: str) -> str:
    """A PostgreSQL string constant with every character outside printable ASCII written as an escape."""
    def escape(ch: str) -> str:
        if " " < ch < "\x7f" and ch not in "\\'":
            return ch
        return f"\\{ord(ch):04X}" if ord(ch) <= 0xFFFF else f"\\+{ord(ch):06X}"
    return "U&'" + "".join(escape(ch) for ch in text) + "'"


SPECIFICS = PostgreSQLSpecifics()
