"""The text searches of several tables in one statement (eraser.engine.textsearch.find_all) find, per table, the rows
that hold the subject's identifier: judged by reading every row with SQL and a pattern of this test's own, on every
dialect, for primary keys of different types, a composite key, a table without one and a table read in part."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from connectors.sql import open_connector
from eraser.engine.terms import Terms
from eraser.engine.textsearch import Search, find_all

OWN = re.compile(r"(?<![\w.+-])ann@example\.be(?![\w-]|\.\w)", re.IGNORECASE)
TERMS = Terms((("ann@example.be", "fold"),), re.compile(r"(?<![\w.+-])ann@example\.be(?![\w-]|\.\w)", re.I))
TEXTS = ["mail ann@example.be please", "ANN@Example.BE", "xann@example.be is someone else", "nothing here",
         None, "two: Ann@example.be and ann@example.be", "ann@example.benl is not it"]


def _schema(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE a (id INTEGER PRIMARY KEY, body VARCHAR(200), note TEXT)"))
        conn.execute(sa.text("CREATE TABLE e (id INTEGER PRIMARY KEY, body VARCHAR(200))"))
        conn.execute(sa.text("CREATE TABLE b (code VARCHAR(20) PRIMARY KEY, body VARCHAR(200))"))
        conn.execute(sa.text("CREATE TABLE c (x INTEGER NOT NULL, y INTEGER NOT NULL, body TEXT, PRIMARY KEY (x, y))"))
        conn.execute(sa.text("CREATE TABLE d (body TEXT)"))
        for i, text in enumerate(TEXTS):
            conn.execute(sa.text("INSERT INTO a VALUES (:i, :t, :n)"), {"i": i, "t": text, "n": TEXTS[-1 - i]})
            conn.execute(sa.text("INSERT INTO e VALUES (:i, :t)"), {"i": i, "t": TEXTS[(i + 3) % len(TEXTS)]})
            conn.execute(sa.text("INSERT INTO b VALUES (:c, :t)"), {"c": f"k{i}", "t": text})
            conn.execute(sa.text("INSERT INTO c VALUES (:x, :y, :t)"), {"x": i % 2, "y": i, "t": text})
            conn.execute(sa.text("INSERT INTO d VALUES (:t)"), {"t": text})


def _own(engine: sa.Engine, table: str, pk: list[str], cols: list[str], newest: int | None = None) -> dict:
    """Per primary key, the columns that hold the address, read row by row."""
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(sa.text(f"SELECT * FROM {table}"))]
    if newest is not None:
        rows = sorted(rows, key=lambda r: tuple(r[c] for c in pk))[-newest:]
    out = {}
    for row in rows:
        found = sorted(c for c in cols if row[c] and OWN.search(row[c]))
        if found:
            out[tuple(row[c] for c in pk)] = found
    return out


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql", "mariadb"], indirect=True)
def test_find_all_finds_per_table_what_reading_every_row_finds(db_url: str) -> None:
    engine = sa.create_engine(db_url)
    _schema(engine)
    connector = open_connector("db", db_url)
    searches = {"a": Search(["body", "note"]), "e": Search(["body"], limit=4), "b": Search(["body"]),
                "c": Search(["body"]), "d": Search(["body"])}
    before = connector.statements
    with connector.read() as conn:
        found = find_all(connector, conn, searches, TERMS)
    statements = connector.statements - before
    connector.dispose()
    got = {t: {k: sorted(cols) for k, cols in hit.rows.items()} for t, (hit, _) in found.items()}
    assert got["a"] == _own(engine, "a", ["id"], ["body", "note"]) and len(got["a"]) == 4
    assert got["e"] == _own(engine, "e", ["id"], ["body"], newest=4) != _own(engine, "e", ["id"], ["body"])
    assert found["e"][1] and not found["a"][1]  # read in part, and said so
    assert got["b"] == _own(engine, "b", ["code"], ["body"]) and len(got["b"]) == 3
    assert got["c"] == _own(engine, "c", ["x", "y"], ["body"]) and len(got["c"]) == 3
    assert len(got["d"]) == 3 and all(cols == ["body"] for cols in got["d"].values())  # no key: one entry per row
    assert statements == 4  # a and e share one statement (integer keys); b, c and d each their own
    engine.dispose()
