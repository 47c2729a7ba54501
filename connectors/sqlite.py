"""SQLite specifics: foreign keys must be switched on per connection and checked by PRAGMA."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from connectors.base import DialectSpecifics


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

    def normalized_index_statement(self, name: str, table: str, column: str) -> str:
        return f"CREATE INDEX {name} ON {table} (lower(trim({column})));"

    def has_normalized_index(self, conn: Any, schema: str | None, table: str, column: str) -> bool:
        rows = conn.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :t "
                                    "AND sql IS NOT NULL"), {"t": table}).scalars()
        wanted = f"lower(trim({column}))"
        return any(wanted in "".join(sql.split()).replace('"', "").lower() for sql in rows)

    def integrity_problems(self, conn: Any) -> list[str]:
        rows = conn.execute(sa.text("PRAGMA foreign_key_check")).fetchall()
        return [f"{r[0]} row {r[1]} refers to a missing {r[2]} row" for r in rows]


SPECIFICS = SQLiteSpecifics()
