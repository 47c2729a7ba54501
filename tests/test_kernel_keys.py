"""Composite primary and foreign keys work in locate, plan, execute and verify on every dialect, or the config
check refuses the config with one sentence naming the relation; tables without a primary key are refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

from eraser.cli import main
from eraser.proof.certificates import read_jws
from tests import oracle
from tests.conftest import tiny_config

EMAIL = "lea.claes@example.be"
SCHEMA = [
    "CREATE TABLE customers (tenant VARCHAR(10) NOT NULL, id INTEGER NOT NULL, email VARCHAR(120) NOT NULL, "
    "name VARCHAR(80), PRIMARY KEY (tenant, id))",
    "CREATE TABLE orders (tenant VARCHAR(10) NOT NULL, id INTEGER NOT NULL, customer_id INTEGER NOT NULL, "
    "PRIMARY KEY (tenant, id), UNIQUE (id, tenant), FOREIGN KEY (tenant, customer_id) REFERENCES customers (tenant, id))",
    "CREATE TABLE order_lines (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL, tenant VARCHAR(10) NOT NULL, "
    "item VARCHAR(60) NOT NULL, FOREIGN KEY (order_id, tenant) REFERENCES orders (id, tenant) ON DELETE CASCADE)",
    # the same ids in both tenants: a key compared by one column would reach the other tenant's rows
    "INSERT INTO customers VALUES ('T1', 1, 'lea.claes@example.be', 'Léa Claes'), ('T2', 1, 'bo@example.be', 'Bo')",
    "INSERT INTO orders VALUES ('T1', 7, 1), ('T2', 7, 1), ('T1', 8, 1)",
    "INSERT INTO order_lines VALUES (1, 7, 'T1', 'pergola'), (2, 7, 'T2', 'carport'), (3, 8, 'T1', 'veranda'), "
    "(4, 7, 'T2', 'shed')",
]
RULES = {"customers": {"action": "delete", "identify": {"email": "email"}},
         "orders": {"action": "delete"}, "order_lines": {"action": "delete"}}


def schema_and_config(url: str, tmp_path: Path, rules: dict | None = None) -> tuple[sa.Engine, Path]:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for statement in SCHEMA:
            conn.execute(sa.text(statement))
    return engine, tiny_config(tmp_path, "Keys Test BV", url, rules or RULES)


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_composite_keys_erase_only_the_subjects_tenant(db_url: str, tmp_path: Path) -> None:
    """Composite primary keys and a composite foreign key in another column order: the subject's customer,
    orders and lines of tenant T1 go; tenant T2's rows with the same ids stay byte-identical; the certificate's
    counts equal what the oracle sees."""
    engine, config = schema_and_config(db_url, tmp_path)
    try:
        before = oracle.snapshot(engine)
        result = cli("erase", "--config", str(config), "--subject", f"email={EMAIL}", "--yes")
        assert result.exit_code == 0, result.output
        (cert,) = (tmp_path / "certificates").glob("*.cert.json")
        mine = {"customers": {("str:T1", "int:1")}, "orders": {("str:T1", "int:7"), ("str:T1", "int:8")},
                "order_lines": {("int:1",), ("int:3",)}}
        after = oracle.snapshot(engine)
        assert oracle.check(before, after, read_jws(cert)[1], [EMAIL], mine, set(RULES)) == []
        assert sorted(after.rows["order_lines"]) == [("int:2",), ("int:4",)]
    finally:
        engine.dispose()


def test_old_sqlite_refuses_composite_keys_naming_the_relation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    """On an SQLite without row values (before 3.15), `config check` refuses each composite key of a configured
    relation in one sentence that names it, and `erase` refuses before changing anything."""
    path = tmp_path / "keys.db"
    engine, config = schema_and_config(f"sqlite:///{path}", tmp_path)
    before = oracle.snapshot(engine)
    monkeypatch.setattr(sqlite3.dbapi2, "sqlite_version_info", (3, 14, 2))  # the module SQLAlchemy loads
    result = cli("config", "check", str(config))
    assert result.exit_code == 2, result.output
    assert "table 'customers' has the composite primary key (tenant, id), which needs SQLite 3.15 or later " \
           "(this is 3.14.2)." in result.output
    assert "foreign key order_lines(order_id, tenant) -> orders(id, tenant) is composite, which needs SQLite 3.15 " \
           "or later (this is 3.14.2)." in result.output
    result = cli("erase", "--config", str(config), "--subject", f"email={EMAIL}", "--yes")
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1, result.output
    assert oracle.unchanged(before, oracle.snapshot(engine)) == []
    engine.dispose()


def test_owns_on_part_of_a_composite_key_is_refused_naming_it(tmp_path: Path) -> None:
    """`owns:` naming one column of a composite foreign key is refused with a sentence naming that relation
    (the old message said no foreign key starts at the column, which is untrue)."""
    rules = {**RULES, "orders": {"action": "delete", "identify": {"email": []}, "owns": ["customer_id"]}}
    rules["customers"] = {"action": "delete"}
    rules["orders"] = {"action": "delete", "owns": ["customer_id"]}
    rules["order_lines"] = {"action": "delete", "identify": {"email": ["item"]}}
    engine, config = schema_and_config(f"sqlite:///{tmp_path / 'owns.db'}", tmp_path, rules)
    result = cli("config", "check", str(config))
    assert result.exit_code == 2, result.output
    assert "table 'orders' owns 'customer_id', which is part of the composite foreign key orders(tenant, " \
           "customer_id) -> customers(tenant, id); owns: follows single-column relations only." in result.output
    engine.dispose()


def test_configured_table_without_primary_key_is_refused(tmp_path: Path) -> None:
    """A configured table without a primary key is refused in one sentence; nothing changes."""
    engine, config = schema_and_config(f"sqlite:///{tmp_path / 'nopk.db'}", tmp_path,
                           {**RULES, "notes": {"action": "delete", "identify": {"email": ["email"]}}})
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE notes (email VARCHAR(120), body VARCHAR(200))"))
        conn.execute(sa.text("INSERT INTO notes VALUES (:e, 'x'), (:e, 'x')"), {"e": EMAIL})
    before = oracle.snapshot(engine)
    result = cli("erase", "--config", str(config), "--subject", f"email={EMAIL}", "--yes")
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.strip().splitlines()
    assert "table 'notes' has no primary key; Eraser needs one to address rows exactly" in line
    assert oracle.unchanged(before, oracle.snapshot(engine)) == []
    engine.dispose()
