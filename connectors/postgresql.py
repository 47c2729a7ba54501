"""PostgreSQL specifics (psycopg 3): expression indexes, short connect timeout."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from connectors.base import DialectSpecifics


class PostgreSQLSpecifics(DialectSpecifics):
    name = "postgresql"
    after_erasure_note = ("PostgreSQL keeps deleted and updated row versions (dead tuples) until VACUUM "
                          "reclaims them; WAL archives and replicas hold copies until they are recycled.")

    def engine_options(self) -> dict[str, Any]:
        return {"pool_pre_ping": True, "connect_args": {"connect_timeout": 5}}

    def has_normalized_index(self, conn: Any, schema: str | None, table: str, column: str) -> bool:
        defs = conn.execute(sa.text("SELECT indexdef FROM pg_indexes WHERE schemaname = :s AND tablename = :t"),
                            {"s": schema or "public", "t": table}).scalars()
        wanted = f"lower(btrim(({column})::text))"
        alt = f"lower(btrim({column}))"
        return any(wanted in d.replace('"', "") or alt in d.replace('"', "") for d in defs)


SPECIFICS = PostgreSQLSpecifics()
