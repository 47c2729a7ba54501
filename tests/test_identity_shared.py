"""A row the subject reaches by an identifier that other people's rows also use is left for review, and the reason
names every table that uses it with its count (Pagila: an address found by its phone number is also a store's
and three staff members'); on SQLite, PostgreSQL and MariaDB, judged by plain SQL."""

from __future__ import annotations

from pathlib import Path

from tests.identity_helpers import create, erase_subject, plan_subject, rows, write_config

DDL = ["CREATE TABLE address (id INTEGER PRIMARY KEY, street VARCHAR(100), phone VARCHAR(40))",
       "CREATE TABLE customer (id INTEGER PRIMARY KEY, email VARCHAR(100), "
       "address_id INTEGER REFERENCES address(id))",
       "CREATE TABLE store (id INTEGER PRIMARY KEY, address_id INTEGER REFERENCES address(id))",
       "CREATE TABLE staff (id INTEGER PRIMARY KEY, address_id INTEGER REFERENCES address(id))"]


def test_address_found_by_phone_and_shared_with_a_store_and_staff_is_left_for_review(db_url: str,
                                                                                       tmp_path: Path) -> None:
    """The address found by the subject's phone number is kept unchanged for review, with a reason naming the store
    (1 row) and the staff (3 rows); the store and staff rows are untouched; an address only the subject uses goes."""
    engine = create(db_url, DDL, {
        "address": [{"id": 1, "street": "Kerkstraat 1", "phone": "0470 12 34 56"},
                    {"id": 2, "street": "Veldstraat 9", "phone": "0470 12 34 56"}],
        "customer": [{"id": 1, "email": "an@example.be", "address_id": 2}],
        "store": [{"id": 1, "address_id": 1}],
        "staff": [{"id": i, "address_id": 1} for i in (1, 2, 3)]})
    identifiers = {"phone": {"kind": "phone", "region": "BE"}, "email": {"kind": "email"}}
    tables = {"address": {"identify": {"phone": "phone"}, "action": "delete",
                          "columns": {"street": "faker:street_name", "phone": "faker:phone_number"}},
              "customer": {"identify": {"email": "email"}, "action": "delete"}}
    config = write_config(tmp_path, db_url, identifiers, tables)
    cols = {"address": ("street", "phone"), "store": ("address_id",), "staff": ("address_id",)}
    before = {t: rows(engine, t, *c) for t, c in cols.items()}
    plan = plan_subject(config, "phone=+32470123456")
    decision = plan.table("db", "address").decisions[(1,)]
    assert decision.action == "review"
    assert "1 row(s) of store" in decision.reason and "3 row(s) of staff" in decision.reason
    erase_subject(config, "phone=+32470123456")
    assert rows(engine, "address", *cols["address"]) == {1: before["address"][1]}
    assert all(rows(engine, t, *cols[t]) == before[t] for t in ("store", "staff"))
    assert rows(engine, "customer", "email") == {}
    engine.dispose()
