"""The free-text search finds every spelling the confirmation accepts: an email in any case (also with the letters
Python's case-insensitive matching takes for i, s and k), a phone number whatever its separators. Judged by reading
every row with SQL and labelling it by this test's own pattern and digit rule, on every dialect; on MariaDB the
search is a REGEXP (connectors/mysql.py), and there every spelling must be found."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from connectors.mysql import containing_pattern
from connectors.sql import open_connector
from eraser.engine.terms import Terms
from eraser.engine.textsearch import Search, find_all

EMAIL = re.compile(r"(?<![\w.+-])kristof\.maes@example\.be(?![\w-]|\.\w)", re.IGNORECASE)
NSN = "470123456"
TERMS = Terms((("kristof.maes@example.be", "fold"), (NSN, "digits"), ("KM-2291", "exact")),
              re.compile(r"(?<![\w.+-])kristof\.maes@example\.be(?![\w-]|\.\w)|(?<!\w)(?-i:KM\-2291)(?!\w)", re.I),
              phones=("+32470123456",), regions=("BE",))
PLAIN = ["mail kristof.maes@example.be please", "KRISTOF.MAES@EXAMPLE.BE", "Kristof.Maes@Example.Be.",
         "call 0470/12.34.56 tonight", "+32 (0)470 12 34 56", "0470-123-456", "ref KM-2291", "nothing here", None,
         "xkristof.maes@example.be is someone else", "0470 12 34 57", "km-2291 in lower case", "4 7 0 1 2 3 4 5"]
# spelled with characters that Python's re.IGNORECASE takes for k, s and i: dotless ı, long ſ, the Kelvin sign
UNICODE = ["kr\u0131stof.maes@example.be", "krı\u017ftof.mae\u017f@example.be", "\u212aristof.maes@example.be",
           "KR\u0130STOF.MAES@EXAMPLE.BE"]


def _holds(text: str | None) -> bool:
    """This test's own judgement: the address in any case, the number among the digits, the key as it is."""
    if text is None:
        return False
    return bool(EMAIL.search(text) or NSN in re.sub(r"[^0-9]", "", text) and
                re.search(r"(?<!\d)(?:\+32 \(0\)|0)4[\d /.\-]*", text) or re.search(r"(?<!\w)KM-2291(?!\w)", text))


def _found(db_url: str, texts: list[str | None]) -> tuple[set[int], set[int]]:
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
        for i, text in enumerate(texts):
            conn.execute(sa.text("INSERT INTO notes VALUES (:i, :t)"), {"i": i, "t": text})
    with engine.connect() as conn:
        expected = {r[0] for r in conn.execute(sa.text("SELECT id, body FROM notes")) if _holds(r[1])}
    engine.dispose()
    connector = open_connector("db", db_url)
    with connector.read() as conn:
        hit, _ = find_all(connector, conn, {"notes": Search(["body"])}, TERMS)["notes"]
    connector.dispose()
    return {k[0] for k in hit.rows}, expected


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql", "mariadb"], indirect=True)
def test_every_plain_spelling_is_found(db_url: str) -> None:
    got, expected = _found(db_url, PLAIN)
    assert expected == {0, 1, 2, 3, 4, 5, 6}
    assert got == expected


@pytest.mark.parametrize("db_url", ["mariadb"], indirect=True)
def test_mariadb_finds_the_spellings_the_confirmation_accepts(db_url: str) -> None:
    """lower(body) LIKE under utf8mb4_unicode_ci did not find the dotless ı; the REGEXP does, and the rest too."""
    got, expected = _found(db_url, PLAIN + UNICODE)
    assert expected == {0, 1, 2, 3, 4, 5, 6} | set(range(len(PLAIN), len(PLAIN) + len(UNICODE)))
    assert got == expected


def test_patterns() -> None:
    assert containing_pattern("470123456", "digits") == "4[^0-9]*7[^0-9]*0[^0-9]*1[^0-9]*2[^0-9]*3[^0-9]*4[^0-9]*5[^0-9]*6"
    assert containing_pattern("ki.s@x", "fold") == "[kK\u212a][iI\u0130\u0131]\\.[sS\u017f]\\@[xX]"
    assert containing_pattern("KM-2291", "exact") == "KM\\-2291"
    assert containing_pattern("jos\u00e9@x.be", "fold") is None  # not ASCII: LIKE, as before
    assert all(re.fullmatch(containing_pattern("kristof.maes@example.be", "fold") or "", t)
               for t in ("kr\u0131stof.maes@example.be", "\u212aRISTOF.MAES@EXAMPLE.BE", "kri\u017ftof.maes@example.be"))


PHONES = ["0470 12 34 56", "+32 470 12 34 56", "0470/12.34.56", "0032470123456", "470123456", "0470 12 34 57",
          "04701234567", "x0470-123-456y", None, "", "tel: 0470 12 34 56\n", "32470123456"]


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql", "mariadb"], indirect=True)
def test_phone_lookup_finds_the_rows_whose_digits_are_a_value(db_url: str) -> None:
    """The locate's lookup of a phone column (on MariaDB a REGEXP instead of regexp_replace() IN): the rows whose
    digits, everything else removed, are one of the values, as this test's own SQL and Python say."""
    values = ["0470123456", "32470123456", "+32470123456"]  # the last one has no row: no text's digits hold a '+'
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE people (id INTEGER PRIMARY KEY, phone VARCHAR(40))"))
        for i, phone in enumerate(PHONES):
            conn.execute(sa.text("INSERT INTO people VALUES (:i, :p)"), {"i": i, "p": phone})
    with engine.connect() as conn:
        rows = list(conn.execute(sa.text("SELECT id, phone FROM people")))
    engine.dispose()
    expected = {i for i, p in rows if p is not None and re.sub(r"[^0-9]", "", p) in values}
    assert expected == {0, 1, 2, 7, 10, 11}
    connector = open_connector("db", db_url)
    tab = connector.table("people")
    with connector.read() as conn:
        got = {r[0] for r in conn.execute(sa.select(tab.c.id).where(connector.lookup_clause("people", "phone", "phone",
                                                                                            values)))}
    connector.dispose()
    assert got == expected
