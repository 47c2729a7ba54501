"""Finding the person however their data is written, and never someone else: phone numbers by their digits in
any spelling, emails with Unicode case folding and whitespace, exact keys exactly; on SQLite, PostgreSQL and
MariaDB. Results are judged by plain SQL over the tables, never by Eraser's own locate."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.identity_helpers import create, dialect, erase_subject, ids, plan_subject, rows, write_config

# (stored spelling, country column, the number it is): every spelling the lookup must find as stored.
PHONE_SPELLINGS = [
    ("0470/12.34.56", None, "+32470123456"),
    ("0470-12-34-56", None, "+32470123456"),
    ("0470.12.34.56", None, "+32470123456"),
    ("+32 (0)470 12 34 56", None, "+32470123456"),
    ("0032 470 12 34 56", None, "+32470123456"),
    ("32470123456", None, "+32470123456"),
    ("(02) 201 24 67", None, "+3222012467"),
    ("+353 01 6792424", None, "+35316792424"),
    ("030-0074321", "Germany", "+49300074321"),
    ("0171 2345678", "DE", "+491712345678"),
]
# Spellings of other people's numbers that share digits with the ones above: never found.
PHONE_DECOYS = [
    ("0470 12 34 57", None),
    ("+49 470 123456", None),
    ("030-0074321", "Belgium"),  # in Belgium, 030 007 43 21 is another (invalid) number
    ("4701234560", None),
]
# (stored email, what the subject gives): every form the lookup must find.
EMAIL_FORMS = [
    ("JÜRGEN.ÖZ@EXAMPLE.BE", "jürgen.öz@example.be"),
    ("Jan.Peeters@Example.be\t", "jan.peeters@example.be"),
    ("\u00a0marie.dubois@example.be\u00a0", "Marie.Dubois@example.be"),
    ("  ÉLODIE@EXEMPLE.FR ", "élodie@exemple.fr"),
]
EMAIL_DECOYS = ["jurgen.oz@example.be", "jan.peeters@example.bel", "élodie@exemple.fr.eu"]


def _customers(url: str) -> tuple:
    collate = ' COLLATE "C"' if dialect(url) == "postgresql" else ""
    spellings = [*PHONE_SPELLINGS, *((s, c, None) for s, c in PHONE_DECOYS)]
    phones = [{"id": i, "phone": s, "country": c, "email": None, "customer_number": None}
              for i, (s, c, _) in enumerate(spellings, start=1)]
    emails = [{"id": 100 + i, "phone": None, "country": None, "email": e, "customer_number": None}
              for i, e in enumerate([f for f, _ in EMAIL_FORMS] + EMAIL_DECOYS)]
    keys = [{"id": 200, "phone": None, "country": None, "email": None, "customer_number": "Val2 "},
            {"id": 201, "phone": None, "country": None, "email": None, "customer_number": "Val2"},
            {"id": 202, "phone": None, "country": None, "email": None, "customer_number": "VAL2 "}]
    engine = create(url, [f"CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR(200){collate}, "
                          "phone VARCHAR(40), country VARCHAR(40), customer_number VARCHAR(20))"],
                    {"customers": phones + emails + keys})
    return engine, phones, emails


def _config(tmp_path: Path, url: str, region: object = "BE", country: bool = False) -> Path:
    phone = {"kind": "phone", "region": region, **({"country_column": "country"} if country else {})}
    identifiers = {"email": {"kind": "email"}, "customer_number": {"kind": "exact"}, "phone": phone}
    tables = {"customers": {"identify": {"email": "email", "phone": "phone", "customer_number": "customer_number"},
                            "action": "delete"}}
    return write_config(tmp_path, url, identifiers, tables)


def test_phone_spellings_are_found_as_stored_and_no_other_number(db_url: str, tmp_path: Path) -> None:
    """Each number, given in one canonical form, erases exactly the rows that hold it in any spelling (separators,
    (0) after the country code, 00 prefix, a national number read in the row's country) and none of the rows
    holding other numbers with the same digits."""
    engine, phones, _ = _customers(db_url)
    config = _config(tmp_path, db_url, region=["BE", "IE"], country=True)
    before = ids(engine, "customers")
    for number in sorted({n for _, _, n in PHONE_SPELLINGS}):
        erase_subject(config, f"phone={number}")
    holders = {p["id"] for p, (_, _, n) in zip(phones, PHONE_SPELLINGS, strict=False) if n}
    assert ids(engine, "customers") == before - holders
    engine.dispose()


def test_single_region_form_stays_valid_and_national_numbers_need_it(db_url: str, tmp_path: Path) -> None:
    """`region: BE` as a single value still works; a German national number in a row without a country is not
    read as German when only BE is configured, and is once DE is listed."""
    engine = create(db_url, ["CREATE TABLE customers (id INTEGER PRIMARY KEY, phone VARCHAR(40))"],
                    {"customers": [{"id": 1, "phone": "030 0074321"}, {"id": 2, "phone": "02/201.24.67"}]})
    identifiers = {"phone": {"kind": "phone", "region": "BE"}}
    tables = {"customers": {"identify": {"phone": "phone"}, "action": "delete"}}
    config = write_config(tmp_path, db_url, identifiers, tables)
    erase_subject(config, "phone=+49 30 0074321")
    erase_subject(config, "phone=02 201 24 67")
    assert ids(engine, "customers") == {1}
    config.write_text(config.read_text().replace('"region": "BE"', '"region": ["BE", "DE"]'))
    erase_subject(config, "phone=+49 30 0074321")
    assert ids(engine, "customers") == set()
    engine.dispose()


def test_emails_fold_unicode_case_and_whitespace_and_nothing_else(db_url: str, tmp_path: Path) -> None:
    """Every email form (non-ASCII capitals, trailing tab, no-break spaces) is found from the lower-case address;
    an address that differs by an accent, or is longer, is not (MariaDB's accent-blind collation included;
    PostgreSQL's column is COLLATE "C")."""
    engine, _, emails = _customers(db_url)
    config = _config(tmp_path, db_url)
    before = ids(engine, "customers")
    for _, given in EMAIL_FORMS:
        erase_subject(config, f"email={given}")
    assert ids(engine, "customers") == before - {e["id"] for e in emails[:len(EMAIL_FORMS)]}
    engine.dispose()


def test_exact_key_with_trailing_space_is_erased_alone(db_url: str, tmp_path: Path) -> None:
    """customer_number='Val2 ' erases the row whose key is 'Val2 ' and neither 'Val2' nor 'VAL2 '."""
    engine, _, _ = _customers(db_url)
    config = _config(tmp_path, db_url)
    erase_subject(config, "customer_number=Val2 ")
    left = rows(engine, "customers", "customer_number")
    assert 200 not in left and left[201] == ("Val2",) and left[202] == ("VAL2 ",)
    engine.dispose()


@pytest.mark.parametrize("stored", ["bel 0470/12.34.56 na 18u", "of +32 (0)470 12 34 56.", "gsm 0470-12-34-56"])
def test_residual_scan_redacts_phone_spellings_in_free_text(db_url: str, tmp_path: Path, stored: str) -> None:
    """The residual scan finds the number in an unconfigured table's text in any spelling and, in redact mode,
    replaces only it; a note with another number stays as it was."""
    engine = create(db_url, ["CREATE TABLE customers (id INTEGER PRIMARY KEY, phone VARCHAR(40))",
                             "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"],
                    {"customers": [{"id": 1, "phone": "0470 12 34 56"}],
                     "notes": [{"id": 1, "body": stored}, {"id": 2, "body": "bel 0470/12.34.57 na 18u"}]})
    identifiers = {"phone": {"kind": "phone", "region": "BE"}}
    tables = {"customers": {"identify": {"phone": "phone"}, "action": "delete"}}
    config = write_config(tmp_path, db_url, identifiers, tables, scan={"mode": "redact"})
    outcome = erase_subject(config, "phone=+32470123456")
    notes = rows(engine, "notes", "body")
    assert "[erased]" in notes[1][0] and "470" not in notes[1][0]
    assert notes[2] == ("bel 0470/12.34.57 na 18u",)
    assert outcome.verification["residual_scan"]["redacted_rows"] == 1
    engine.dispose()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_config_check_proposes_expression_indexes_and_lookups_use_them(db_url: str, tmp_path: Path) -> None:
    """On PostgreSQL, `config check` proposes an expression index for the email and the phone lookup; once it is
    created, EXPLAIN of the lookup Eraser runs shows an index scan, and the check no longer warns."""
    from eraser.checks import check_config

    people = [{"id": i, "email": f"p{i}@example.be", "phone": f"0470 {i:06d}", "country": None,
               "customer_number": f"C{i}"} for i in range(1, 5001)]
    engine = create(db_url, ["CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR(200), "
                             "phone VARCHAR(40), country VARCHAR(40), customer_number VARCHAR(20))"],
                    {"customers": people})
    config = _config(tmp_path, db_url)
    problems, _ = check_config(config)
    fixes = [p.fix for p in problems if p.fix and ("_folded" in p.fix or "_digits" in p.fix)]
    assert len(fixes) == 2, [str(p) for p in problems]
    with engine.begin() as conn:
        for fix in fixes:
            conn.execute(sa.text(fix))
        conn.execute(sa.text("ANALYZE customers"))
    assert not [p for p in check_config(config)[0] if "customers.email" in p.message or "customers.phone" in p.message]
    from connectors.sql import open_connector

    connector = open_connector("db", db_url)
    try:
        for column, kind, values in [("email", "email", ["p7@example.be"]), ("phone", "phone", ["0470000007"])]:
            lookup = sa.select(connector.table("customers")).where(
                connector.lookup_expression("customers", column, kind).in_(values))
            with engine.connect() as conn:
                plan = "\n".join(conn.execute(sa.text("EXPLAIN " + connector._sql(lookup))).scalars())
            assert "Index Scan" in plan or "Bitmap Index Scan" in plan, plan
    finally:
        connector.dispose()
    engine.dispose()


def test_identifiers_on_the_subjects_rows_find_their_other_rows(db_url: str, tmp_path: Path) -> None:
    """Given by phone, the customer's email (on their customer row) finds their newsletter row, keyed only by email,
    and the plan says it was found via the customer row; an email that another customer shares is not followed."""
    engine = create(db_url, ["CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR(200), phone VARCHAR(40))",
                             "CREATE TABLE newsletter (id INTEGER PRIMARY KEY, email VARCHAR(200))"],
                    {"customers": [{"id": 1, "email": "an@example.be", "phone": "0470 12 34 56"},
                                   {"id": 2, "email": "gezin@example.be", "phone": "0470 99 99 99"},
                                   {"id": 3, "email": "gezin@example.be", "phone": "0471 11 11 11"},
                                   {"id": 4, "email": "other@example.be", "phone": "0472 22 22 22"}],
                     "newsletter": [{"id": 1, "email": "AN@example.be "}, {"id": 2, "email": "gezin@example.be"},
                                    {"id": 3, "email": "other@example.be"}]})
    identifiers = {"email": {"kind": "email"}, "phone": {"kind": "phone", "region": "BE"}}
    tables = {"customers": {"identify": {"email": "email", "phone": "phone"}, "action": "delete"},
              "newsletter": {"identify": {"email": "email"}, "action": "delete"}}
    config = write_config(tmp_path, db_url, identifiers, tables)
    plan = plan_subject(config, "phone=+32470123456")
    assert plan.table("db", "newsletter").reached == ["identifier (email, found on customers) in newsletter"]
    erase_subject(config, "phone=+32470123456")
    assert ids(engine, "customers") == {2, 3, 4} and ids(engine, "newsletter") == {2, 3}
    erase_subject(config, "phone=0470 99 99 99")  # their email is a household's: customer 3 and the newsletter stay
    assert ids(engine, "customers") == {3, 4} and ids(engine, "newsletter") == {2, 3}
    engine.dispose()


def spellings_table() -> str:
    """The README's table of the phone spellings and email forms the tests above find, made from their lists."""
    lines = ["| stored as | found for | read in |", "|---|---|---|"]
    for stored, country, number in PHONE_SPELLINGS:
        where = f"the row's country (`{country}`)" if country else (
            "any region (country code given)" if stored.startswith(("+", "00", "32")) else "a configured region")
        lines.append(f"| `{stored}` | `{number}` | {where} |")
    for stored, given in EMAIL_FORMS:
        shown = stored.replace("\t", "\\t").replace("\u00a0", "\\u00a0")
        lines.append(f"| `\"{shown}\"` | `{given}` | Unicode case folding, whitespace trimmed |")
    return "\n".join(lines) + "\n"


def test_readme_lists_the_spellings_that_are_found() -> None:
    """README.md carries the table of spellings generated from this file's lists, so it cannot drift from them."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    unindented = "".join(line.strip() + "\n" for line in readme.splitlines())  # the table sits in a list item
    assert spellings_table() in unindented, spellings_table()
