"""Every check of the verification runs and can fail: a trigger that undoes part of the erasure makes it roll
back with one sentence and no certificate, and the oracle sees every row as it was."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

from eraser.cli import main
from tests import oracle
from tests.conftest import tiny_config

EMAIL = "ann.vermeulen@example.be"
SCHEMA = [
    "CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR(120) NOT NULL, name VARCHAR(80))",
    "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers (id), "
    "note VARCHAR(200) NOT NULL)",
    "CREATE TABLE invoices (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers (id), "
    "amount INTEGER NOT NULL)",
    "INSERT INTO customers VALUES (1, 'ann.vermeulen@example.be', 'Ann Vermeulen'), "
    "(2, 'piet@example.be', 'Piet Janssens')",
    "INSERT INTO orders VALUES (10, 1, 'ring Ann after six'), (11, 1, 'second order'), (20, 2, 'Piet''s order')",
]
RULES = {
    "customers": {"action": "delete", "identify": {"email": "email"},
                  "columns": {"email": "faker:email", "name": "faker:name"}},
    "orders": {"action": "anonymize", "columns": {"note": "redact"}},
    "invoices": {"action": "retain", "retain": {"basis": "invoices are kept ten years under tax law",
                                                "period": "10y", "from": "request"}},
}

DELETING = {**RULES, "orders": {"action": "delete"}}


def schema_and_config(url: str, tmp_path: Path, *statements: str, invoices: bool = True) -> tuple[sa.Engine, Path]:
    """The three tables, two customers, and the extra statements (triggers); a config erasing by email. Without
    invoices, the subject's orders are deleted and so is the customer; with them, both are anonymized."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for statement in [*SCHEMA, *(["INSERT INTO invoices VALUES (100, 1, 250), (200, 2, 90)"] if invoices else []),
                          *statements]:
            conn.execute(sa.text(statement))
    return engine, tiny_config(tmp_path, "Verify Test BV", url, RULES if invoices else DELETING)


def erase(config: Path) -> Result:
    return CliRunner().invoke(main, ["erase", "--config", str(config), "--subject", f"email={EMAIL}", "--yes"],
                              catch_exceptions=False)


def refused(engine: sa.Engine, config: Path, tmp_path: Path) -> str:
    """Erase, which must roll back: the one-sentence error; nothing changed, no certificate."""
    before = oracle.snapshot(engine)
    result = erase(config)
    assert result.exit_code == 4, result.output
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("Error: verification failed, everything was rolled back: ") and "Traceback" not in line
    assert EMAIL not in line
    assert oracle.unchanged(before, oracle.snapshot(engine)) == []
    assert not list((tmp_path / "certificates").glob("*.cert.json"))
    return line


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    path = tmp_path / "verify.db"
    sa.create_engine(f"sqlite:///{path}").connect().close()
    return f"sqlite:///{path}"


def test_trigger_that_reinserts_a_deleted_row_rolls_back(sqlite_url: str, tmp_path: Path) -> None:
    """Deleted rows are gone: a trigger putting the deleted customer back fails the erasure."""
    engine, config = schema_and_config(sqlite_url, tmp_path, "CREATE TRIGGER back AFTER DELETE ON customers BEGIN "
                           "INSERT INTO customers VALUES (old.id, old.email, old.name); END", invoices=False)
    line = refused(engine, config, tmp_path)
    assert "1 row(s) of customers were not deleted" in line


def test_trigger_that_rewrites_a_kept_row_rolls_back(sqlite_url: str, tmp_path: Path) -> None:
    """Kept rows are unchanged (SHA-256): a trigger that changes the retained invoice when the customer is
    anonymized fails the erasure."""
    engine, config = schema_and_config(sqlite_url, tmp_path, "CREATE TRIGGER touch AFTER UPDATE ON customers BEGIN "
                           "UPDATE invoices SET amount = amount + 1 WHERE customer_id = old.id; END")
    line = refused(engine, config, tmp_path)
    assert "1 kept row(s) of invoices changed" in line


def test_trigger_that_restores_a_redacted_column_rolls_back(sqlite_url: str, tmp_path: Path) -> None:
    """Anonymized columns changed: a trigger that puts an order's note back after its redaction fails the
    erasure (the old check looked at faker and hash columns only, so a restored `redact` column passed)."""
    engine, config = schema_and_config(sqlite_url, tmp_path, "CREATE TRIGGER undo AFTER UPDATE OF note ON orders "
                           "WHEN new.note <> old.note BEGIN UPDATE orders SET note = old.note WHERE id = old.id; END")
    line = refused(engine, config, tmp_path)
    assert "2 anonymized row(s) of orders still hold an original value" in line


def test_trigger_that_copies_the_subject_into_a_new_row_rolls_back(sqlite_url: str, tmp_path: Path) -> None:
    """Re-located: a trigger that inserts a new customer row with the erased address makes the subject found
    again inside the transaction."""
    engine, config = schema_and_config(sqlite_url, tmp_path, "CREATE TRIGGER copy AFTER DELETE ON customers BEGIN "
                           "INSERT INTO customers VALUES (old.id + 100, old.email, NULL); END", invoices=False)
    line = refused(engine, config, tmp_path)
    assert "the subject is still found in 1 row(s) of customers" in line


def test_residual_scan_failure_rolls_back(sqlite_url: str, tmp_path: Path) -> None:
    """Residual scan: a trigger that writes the address into a table no rule covers fails the erasure."""
    engine, config = schema_and_config(sqlite_url, tmp_path, "CREATE TABLE journal (id INTEGER PRIMARY KEY, line VARCHAR(200))",
                           "CREATE TRIGGER log AFTER UPDATE ON customers BEGIN "
                           "INSERT INTO journal (line) VALUES ('was ' || old.email); END")
    line = refused(engine, config, tmp_path)
    assert "the residual scan found the subject's identifiers in journal.line (1 row(s))" in line


def test_deferred_foreign_key_violation_is_caught_before_commit(tmp_path: Path) -> None:
    """Foreign keys hold on every dialect: on PostgreSQL a deferred foreign key lets a trigger leave an order
    pointing at the deleted customer until commit; verification sees it first and rolls back with a sentence
    (the old verification checked SQLite's foreign_key_check only, and the commit failed afterwards)."""
    from tests.conftest import fresh_database

    for url in fresh_database("postgresql", tmp_path):
        engine, config = schema_and_config(
            url, tmp_path,
            "CREATE TABLE notes (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers (id) "
            "DEFERRABLE INITIALLY DEFERRED)",
            "CREATE FUNCTION late() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "INSERT INTO notes VALUES (old.id + 1000, old.id); RETURN OLD; END $$",
            "CREATE TRIGGER late AFTER DELETE ON customers FOR EACH ROW EXECUTE FUNCTION late()", invoices=False)
        try:
            line = refused(engine, config, tmp_path)
            assert "foreign-key violation(s), first: 1 row(s) of notes still refer to deleted rows through " \
                   "foreign key notes(customer_id) -> customers(id)" in line
        finally:
            engine.dispose()
