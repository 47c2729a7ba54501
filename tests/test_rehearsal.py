"""`eraser plan --trace`: the erasure rehearsed in its transactions and rolled back; the SQL shown holds
placeholders, never a value. Judged by the database's own bytes before and after."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from eraser.cli import main
from eraser.demo import DEMO_EMAIL, prepare


def _digest(db: Path) -> str:
    con = sqlite3.connect(db)
    try:
        h = hashlib.sha256()
        for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
            for row in con.execute(f'SELECT * FROM "{table}" ORDER BY rowid'):
                h.update(repr(row).encode())
        return h.hexdigest()
    finally:
        con.close()


def test_trace_rehearses_rolls_back_and_shows_no_value(tmp_path: Path) -> None:
    config = prepare(tmp_path / "demo", 20)
    dbs = sorted((tmp_path / "demo").rglob("*.db"))  # the customer database and the state store
    assert dbs
    before = [_digest(db) for db in dbs]
    certificates = {p.name for p in (tmp_path / "demo").rglob("*.cert.json")}
    result = CliRunner().invoke(main, ["plan", "--config", str(config), "--subject", f"email={DEMO_EMAIL}",
                                       "--trace"])
    assert result.exit_code == 0, result.output
    assert "Rehearsal: verification PASS; everything was rolled back." in result.output
    assert "DELETE FROM" in result.output and "UPDATE" in result.output
    assert DEMO_EMAIL not in result.output and DEMO_EMAIL.split("@")[0] not in result.output
    assert [_digest(db) for db in dbs] == before
    assert {p.name for p in (tmp_path / "demo").rglob("*.cert.json")} == certificates
