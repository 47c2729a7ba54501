"""The residual scan covers every column that can hold text, whatever its declared type or length: SQLite keeps a
long value in a VARCHAR(10) and any value in an untyped column."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.identity_helpers import create, erase_subject, rows, write_config


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_scan_reads_short_declared_and_untyped_sqlite_columns(db_url: str, tmp_path: Path) -> None:
    """An email in a VARCHAR(10) column and in an untyped column of an unconfigured table is found and redacted."""
    engine = create(db_url, ["CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR(100))",
                             "CREATE TABLE legacy (id INTEGER PRIMARY KEY, code VARCHAR(10), extra)"],
                    {"customers": [{"id": 1, "email": "an.peeters@example.be"}],
                     "legacy": [{"id": 1, "code": "an.peeters@example.be", "extra": "cc an.peeters@example.be"}]})
    config = write_config(tmp_path, db_url, {"email": {"kind": "email"}},
                          {"customers": {"identify": {"email": "email"}, "action": "delete"}},
                          scan={"mode": "redact"})
    outcome = erase_subject(config, "email=an.peeters@example.be")
    assert rows(engine, "legacy", "code", "extra") == {1: ("[erased]", "cc [erased]")}
    assert outcome.verification["residual_scan"]["redacted_rows"] == 1
    engine.dispose()
