"""MariaDB: the erasure reads its text tables once before the changes and the residual scan then reads again by key
only the rows found and the planned ones (eraser/engine/candidates.py). Whatever the transaction itself writes
elsewhere must still be found: a trigger that copies the subject's email into another table (refused in `fail`
mode, redacted in `redact` mode), and, in a table read in its newest rows, an older row that the deletes bring
into that window. Judged by this test's own SQL over every table, never by Eraser's search."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from click.testing import CliRunner, Result

from eraser.cli import main
from eraser.proof.jws import read_jws
from tests import oracle
from tests.conftest import tiny_config

EMAIL = "ann.vermeulen@example.be"
SCHEMA = [
    "CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR(120) NOT NULL, name VARCHAR(80))",
    "CREATE TABLE messages (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers (id), "
    "body TEXT)",
    "CREATE TABLE visits (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers (id), "
    "agent VARCHAR(200))",
    "CREATE TABLE audit (id INTEGER PRIMARY KEY AUTO_INCREMENT, note TEXT)",
    "INSERT INTO customers VALUES (1, 'ann.vermeulen@example.be', 'Ann Vermeulen'), (2, 'piet@example.be', 'Piet')",
    "INSERT INTO messages VALUES (1, 2, 'please forward to ann.vermeulen@example.be'), (2, 2, 'nothing'), "
    "(3, 1, 'my own message')",
    # the newest two visits are the subject's: after their delete, visit 1 (Piet's, naming her) is among the newest two
    "INSERT INTO visits VALUES (1, 2, 'came with ANN.VERMEULEN@example.be'), (2, 2, 'alone'), (3, 1, 'a'), (4, 1, 'b')",
    "INSERT INTO audit (note) VALUES ('created')",
]
COPY = ("CREATE TRIGGER copy_email AFTER DELETE ON customers FOR EACH ROW "
        "INSERT INTO audit (note) VALUES (CONCAT('removed customer ', OLD.email))")
RULES: dict[str, Any] = {
    "customers": {"action": "delete", "identify": {"email": "email"}},
    "messages": {"action": "delete", "free_text": ["body"]},
    "visits": {"action": "delete"},
}


def build_case(url: str, tmp_path: Path, *extra: str, scan: dict[str, Any]) -> tuple[sa.Engine, Path]:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for statement in [*SCHEMA, *extra]:
            conn.execute(sa.text(statement))
        conn.execute(sa.text("ANALYZE TABLE customers, messages, visits, audit"))
    config = tiny_config(tmp_path, "Candidates Test BV", url, RULES)
    data = yaml.safe_load(config.read_text())
    data["connectors"]["db"]["residual_scan"] = scan
    config.write_text(yaml.safe_dump(data))
    return engine, config


def erase(config: Path) -> Result:
    return CliRunner().invoke(main, ["erase", "--config", str(config), "--subject", f"email={EMAIL}", "--yes"],
                              catch_exceptions=False)


def holding(engine: sa.Engine) -> dict[str, list[Any]]:
    """Every row of every table whose text holds the email in any case: this test's own reading."""
    out: dict[str, list[Any]] = {}
    with engine.connect() as conn:
        for table in sa.inspect(engine).get_table_names():
            for row in conn.execute(sa.text(f"SELECT * FROM {table}")).mappings():
                if any(isinstance(v, str) and EMAIL in v.lower() for v in row.values()):
                    out.setdefault(table, []).append(row["id"])
    return out


def certificate(tmp_path: Path) -> dict[str, Any]:
    (path,) = (tmp_path / "certificates").glob("*.cert.json")
    return read_jws(path)[1]


@pytest.mark.parametrize("db_url", ["mariadb"], indirect=True)
def test_trigger_copying_the_email_is_caught_and_refused(db_url: str, tmp_path: Path) -> None:
    engine, config = build_case(db_url, tmp_path, COPY, scan={"mode": "fail", "tables": "all"})
    before = oracle.snapshot(engine)
    result = erase(config)
    assert result.exit_code == 4, result.output
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("Error: verification failed, everything was rolled back: ") and "audit.note" in line
    assert EMAIL not in line
    assert oracle.unchanged(before, oracle.snapshot(engine)) == []
    assert holding(engine) == {"customers": [1], "messages": [1], "visits": [1]}
    assert not list((tmp_path / "certificates").glob("*.cert.json"))
    shown = CliRunner().invoke(main, ["plan", "--config", str(config), "--subject", f"email={EMAIL}"],
                               catch_exceptions=False)
    assert shown.exit_code == 0 and "db: its schema has 1 trigger(s)" in shown.output, shown.output


@pytest.mark.parametrize("db_url", ["mariadb"], indirect=True)
def test_rows_a_trigger_inserts_are_found_and_redacted(db_url: str, tmp_path: Path) -> None:
    engine, config = build_case(db_url, tmp_path, COPY, scan={"mode": "redact", "tables": "all"})
    result = erase(config)
    assert result.exit_code == 0, result.output + result.stderr
    assert holding(engine) == {}  # Piet's message and visit redacted, the audit row the trigger wrote too
    with engine.connect() as conn:
        notes = [r[0] for r in conn.execute(sa.text("SELECT note FROM audit ORDER BY id"))]
    assert len(notes) == 2 and notes[1].startswith("removed customer ")
    scan = certificate(tmp_path)["verification"]["residual_scan"]
    assert {h["table"] for c in scan["by_connector"] for h in c["hits"]} == {"audit", "visits"}


@pytest.mark.parametrize("db_url", ["mariadb"], indirect=True)
def test_an_older_row_the_deletes_bring_into_the_window_is_found(db_url: str, tmp_path: Path) -> None:
    """visits read in its newest 2 rows: before the changes those are the subject's own two; after their delete,
    Piet's visit 1 (naming her) is among the newest 2, and the scan must report it, as reading after the changes
    does."""
    engine, config = build_case(db_url, tmp_path, scan={"mode": "report", "tables": "all", "max_rows_per_table": 2})
    result = erase(config)
    assert result.exit_code == 0, result.output + result.stderr
    assert holding(engine) == {"visits": [1]}  # Piet's message was redacted (free_text), the visit left, reported
    scan = certificate(tmp_path)["verification"]["residual_scan"]
    assert "db.visits" in scan["tables_scanned_in_part"]
    assert [(h["table"], h["column"], h["rows"]) for c in scan["by_connector"] for h in c["hits"]] == \
        [("visits", "agent", 1)]
    assert scan["rows_left_in_place"] == 1
    shown = CliRunner().invoke(main, ["plan", "--config", str(config), "--subject", "email=piet@example.be"],
                               catch_exceptions=False)
    assert shown.exit_code == 0 and "trigger" not in shown.output, shown.output
