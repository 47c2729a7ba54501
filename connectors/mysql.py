"""MySQL/MariaDB specifics (PyMySQL): no expression indexes, binlog copies."""

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
        # MariaDB cannot index lower(trim(column)), nor use a generated column's index for it.
        return (f"-- MariaDB cannot index lower(trim({column})): lookups on {table} scan it. Store the column "
                f"normalized and declare the identifier kind 'exact', with CREATE INDEX {name} ON {table} ({column});")


SPECIFICS = MySQLSpecifics()
