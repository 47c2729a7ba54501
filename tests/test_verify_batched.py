"""The verification's reads, batched into fewer statements, still prove what they proved one by one: every foreign
key and declared link of a deleted table is its own count (judged here by SQL over the tables), a count that is not
zero fails the erasure, and more keys than one statement carries are all counted."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from eraser.config import load_config
from eraser.engine.execute import make_plan
from eraser.engine.session import open_session
from eraser.engine.verify import dangling_references
from eraser.subjects import parse_subject
from tests.conftest import tiny_config

EMAIL = "ann.vermeulen@example.be"
ORDERS = 620  # more than one statement's keys (connectors.batch.CHUNK)


def _schema(engine: sa.Engine) -> None:
    statements = [
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR(120) NOT NULL)",
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, note VARCHAR(50), "
        "FOREIGN KEY (customer_id) REFERENCES customers (id))",
        "CREATE TABLE order_lines (order_id INTEGER NOT NULL, pos INTEGER NOT NULL, PRIMARY KEY (order_id, pos), "
        "FOREIGN KEY (order_id) REFERENCES orders (id))",
        # a declared link, only where kind = 'customer', the key stored as text
        "CREATE TABLE tags (id INTEGER PRIMARY KEY, kind VARCHAR(20) NOT NULL, ref VARCHAR(20) NOT NULL)",
        "INSERT INTO customers VALUES (1, 'ann.vermeulen@example.be'), (2, 'piet@example.be')",
    ]
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(sa.text(statement))
        conn.execute(sa.text("INSERT INTO orders VALUES (:id, :c, 'x')"),
                     [{"id": i, "c": 1} for i in range(1, ORDERS + 1)] + [{"id": 5000, "c": 2}])
        conn.execute(sa.text("INSERT INTO order_lines VALUES (:o, :p)"),
                     [{"o": i, "p": p} for i in range(1, ORDERS + 1) for p in (1, 2)] + [{"o": 5000, "p": 1}])
        conn.execute(sa.text("INSERT INTO tags VALUES (:id, :k, :r)"),
                     [{"id": 1, "k": "customer", "r": "1"}, {"id": 2, "k": "customer", "r": "1"},
                      {"id": 3, "k": "order", "r": "1"}, {"id": 4, "k": "customer", "r": "2"}])


RULES = {
    "customers": {"action": "delete", "identify": {"email": "email"}},
    "orders": {"action": "delete"},
    "order_lines": {"action": "delete"},
    "tags": {"action": "delete", "links": [{"column": "ref", "references": "customers.id", "where": {"kind": "customer"},
                        "cast": "text"}]},
}


def _own_counts(engine: sa.Engine) -> dict[str, int]:
    """Rows that refer to the subject's rows, by SQL over the tables (the subject is customer 1)."""
    with engine.connect() as conn:
        return {
            "orders": conn.execute(sa.text("SELECT count(*) FROM orders WHERE customer_id = 1")).scalar_one(),
            "order_lines": conn.execute(sa.text("SELECT count(*) FROM order_lines WHERE order_id IN "
                                          "(SELECT id FROM orders WHERE customer_id = 1)")).scalar_one(),
            "tags": conn.execute(sa.text("SELECT count(*) FROM tags WHERE kind = 'customer' AND ref = '1'"))
            .scalar_one(),
        }


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql", "mariadb"], indirect=True)
def test_each_edge_counts_the_rows_that_still_refer(db_url: str, tmp_path: Path) -> None:
    """Before anything is deleted, every child row of the plan's deleted rows still refers to them: the batched
    verification names each edge with exactly the count SQL gives (620 orders in two chunks, 1,240 lines, and the
    declared link's two rows, not the order tag nor the other customer's)."""
    engine = sa.create_engine(db_url)
    _schema(engine)
    expected = _own_counts(engine)
    assert expected == {"orders": ORDERS, "order_lines": 2 * ORDERS, "tags": 2}
    config = load_config(tiny_config(tmp_path, "Batch Test BV", db_url, RULES))
    with open_session(config) as session:
        plan = make_plan(session, parse_subject([f"email={EMAIL}"], config))
        assert plan.table("db", "orders").keys("delete") and plan.table("db", "order_lines").keys("delete")
        connector = session.connectors["db"]
        before = connector.statements
        with connector.read() as conn:
            problems = dangling_references(session.graphs["db"], plan, conn)
        statements = connector.statements - before
    engine.dispose()
    assert sorted(problems) == sorted([
        f"{expected['orders']} row(s) of orders still refer to deleted rows through foreign key "
        "orders(customer_id) -> customers(id)",
        f"{expected['order_lines']} row(s) of order_lines still refer to deleted rows through foreign key "
        "order_lines(order_id) -> orders(id)",
        f"{expected['tags']} row(s) of tags still refer to deleted rows through link tags(ref) -> customers(id)"
        + next(p for p in problems if "tags" in p).split("customers(id)", 1)[1],
    ])
    assert statements == 1  # not one per edge and chunk of keys (4)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_nothing_left_nothing_reported(db_url: str, tmp_path: Path) -> None:
    """After the rows are gone the same counts are zero and nothing is reported."""
    engine = sa.create_engine(db_url)
    _schema(engine)
    config = load_config(tiny_config(tmp_path, "Batch Test BV", db_url, RULES))
    with open_session(config) as session:
        plan = make_plan(session, parse_subject([f"email={EMAIL}"], config))
        with engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM order_lines WHERE order_id IN (SELECT id FROM orders WHERE customer_id = 1)"))
            conn.execute(sa.text("DELETE FROM orders WHERE customer_id = 1"))
            conn.execute(sa.text("DELETE FROM tags WHERE kind = 'customer' AND ref = '1'"))
        with session.connectors["db"].read() as conn:
            assert dangling_references(session.graphs["db"], plan, conn) == []
        with engine.begin() as conn:  # one line comes back: exactly that one is counted
            conn.execute(sa.text("INSERT INTO order_lines VALUES (7, 9)"))
        with session.connectors["db"].read() as conn:
            assert dangling_references(session.graphs["db"], plan, conn) == [
                "1 row(s) of order_lines still refer to deleted rows through foreign key order_lines(order_id) -> orders(id)"]
    engine.dispose()
