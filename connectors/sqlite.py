"""SQLite specifics: foreign keys must be switched on per connection and checked by PRAGMA; Unicode folding and
phone digits come from functions registered on each connection."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from connectors.base import DialectSpecifics
from eraser.matching import digits, folded_email

FOLD = "eraser_fold"
DIGITS = "eraser_digits"


def _folded(value: Any) -> Any:
    return folded_email(value) if isinstance(value, str) else value


def _digits(value: Any) -> Any:
    return digits(value) if value is not None else None


class SQLiteSpecifics(DialectSpecifics):
    name = "sqlite"
    after_erasure_note = ("SQLite keeps deleted content in free pages until VACUUM (or secure_delete) "
                          "overwrites them; the journal/WAL file may hold copies until checkpointed.")

    def engine_options(self) -> dict[str, Any]:
        return {"connect_args": {"timeout": 30}}

    def on_engine(self, engine: Any) -> None:
        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA secure_delete=ON")
            cur.close()
            # SQLite's lower() and trim() know ASCII only; these compare as PostgreSQL and MariaDB do.
            dbapi_conn.create_function(FOLD, 1, _folded, deterministic=True)
            dbapi_conn.create_function(DIGITS, 1, _digits, deterministic=True)

    def folded(self, column: Any) -> Any:
        return getattr(sa.func, FOLD)(column)

    def lowered(self, column: Any) -> Any:
        return getattr(sa.func, FOLD)(column)

    def digits(self, column: Any) -> Any:
        return getattr(sa.func, DIGITS)(column)

    def lookup_index_statement(self, name: str, table: str, expression: str) -> str | None:
        # An index on a function only Eraser registers would break every other program that writes the table.
        return None if FOLD in expression or DIGITS in expression else super().lookup_index_statement(
            name, table, expression)

    def uses_index(self, conn: Any, statement: str) -> bool:
        plan = " ".join(str(r[-1]) for r in conn.execute(sa.text("EXPLAIN QUERY PLAN " + statement)))
        return "SEARCH" in plan  # "SCAN ... USING COVERING INDEX" reads the whole index

    def integrity_problems(self, conn: Any) -> list[str]:
        rows = conn.execute(sa.text("PRAGMA foreign_key_check")).fetchall()
        return [f"{r[0]} row {r[1]} refers to a missing {r[2]} row" for r in rows]


SPECIFICS = SQLiteSpecifics()
