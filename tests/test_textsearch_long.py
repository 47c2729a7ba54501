"""The free-text search finds an identifier at the end of a long text full of near misses, on every dialect. On
MariaDB the search is a REGEXP, and MariaDB answers "no match" (with only a warning) when PCRE2's match limit is
exceeded: a pattern that backtracked on such a text would be a silent miss. Judged by this test's own reading of the
rows."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from connectors.sql import open_connector
from eraser.engine.textsearch import Search, find_all
from tests.test_textsearch_spellings import TERMS

NEAR = "kristof.maes@example.b 0470 12 34 5 KM-229 kristof.maes@exampl "  # each a term with its last part missing
TEXTS = [NEAR * 15_000 + "kristof.maes@example.be", NEAR * 15_000 + "0470 12 34 56", NEAR * 15_000 + "KM-2291",
         NEAR * 15_000]


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql", "mariadb"], indirect=True)
def test_an_identifier_after_two_megabytes_of_near_misses_is_found(db_url: str) -> None:
    engine = sa.create_engine(db_url)
    body = "LONGTEXT" if engine.dialect.name == "mysql" else "TEXT"
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE TABLE notes (id INTEGER PRIMARY KEY, body {body})"))
        for i, text in enumerate(TEXTS):
            conn.execute(sa.text("INSERT INTO notes VALUES (:i, :t)"), {"i": i, "t": text})
    with engine.connect() as conn:
        lengths = [r[0] for r in conn.execute(sa.text("SELECT length(body) FROM notes ORDER BY id"))]
    engine.dispose()
    assert min(lengths) > 900_000
    connector = open_connector("db", db_url)
    with connector.read() as conn:
        hit, _ = find_all(connector, conn, {"notes": Search(["body"])}, TERMS)["notes"]
    connector.dispose()
    assert {k[0] for k in hit.rows} == {0, 1, 2}
