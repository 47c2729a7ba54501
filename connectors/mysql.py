"""MySQL/MariaDB specifics (PyMySQL): no expression indexes on MariaDB, binlog copies."""

from __future__ import annotations

from typing import Any

from connectors.base import DialectSpecifics


class MySQLSpecifics(DialectSpecifics):
    name = "mysql"
    after_erasure_note = ("InnoDB frees deleted rows when its purge thread runs; the binary log, relay logs "
                          "and replicas hold copies of the changed rows until they are purged.")

    def engine_options(self) -> dict[str, Any]:
        return {"pool_pre_ping": True, "connect_args": {"connect_timeout": 5}}

    def normalized_index_statement(self, name: str, table: str, column: str) -> str:
        # MariaDB cannot index an expression directly: index a stored generated column instead.
        return (f"CREATE INDEX {name} ON {table} ({column}); -- emails compare by the column's "
                "case-insensitive collation; for a _bin/_cs collation add a generated lower(trim()) column")


SPECIFICS = MySQLSpecifics()
