"""Rows kept for anyone are never changed: another customer's retained invoice, or a held customer's message, whose
text names the subject stays byte-identical through redaction and the residual scan; the plan and the certificate
list it (table, key, column, never the value) and the verdict says the identifier remains in rows kept for others.
Judged by an oracle that reads every row with plain SQL before and after."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from eraser.proof.certificates import generate_keys, read_jws, render_html
from eraser.proof.pdf import describe
from eraser.subjects import keyed_hash
from tests.identity_helpers import create, plan_subject, write_config
from tests.oracle import snapshot
from tests.test_bad_input import run

SUBJECT = "jan.peeters@example.be"
SECRET = "s" * 32
DDL = [
    "CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR(120), name VARCHAR(80))",
    "CREATE TABLE invoices (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, number VARCHAR(20) NOT NULL, "
    "invoice_date DATE NOT NULL, note TEXT, FOREIGN KEY (customer_id) REFERENCES customers(id))",
    "CREATE TABLE messages (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, body TEXT, "
    "FOREIGN KEY (customer_id) REFERENCES customers(id))",
]
ROWS: dict[str, list[dict[str, Any]]] = {
    "customers": [{"id": 1, "email": SUBJECT, "name": "Jan Peeters"},
                  {"id": 2, "email": "els.maes@example.be", "name": "Els Maes"},
                  {"id": 3, "email": "tom.claes@example.be", "name": "Tom Claes"},
                  {"id": 4, "email": "hilde.wouters@example.be", "name": "Hilde Wouters"}],
    "invoices": [{"id": 10, "customer_id": 1, "number": "F2025-010", "invoice_date": date(2025, 2, 1), "note": None},
                 # Els's invoice, kept by law until 2036: its note names the subject
                 {"id": 20, "customer_id": 2, "number": "F2025-020", "invoice_date": date(2025, 3, 1),
                  "note": f"Also deliver to her neighbour {SUBJECT}"},
                 # an invoice past its retention: not kept for anyone, so redacted like any text
                 {"id": 21, "customer_id": 2, "number": "F2010-021", "invoice_date": date(2010, 1, 4),
                  "note": f"copy to {SUBJECT}"}],
    "messages": [{"id": 11, "customer_id": 1, "body": "my own message"},
                 {"id": 31, "customer_id": 3, "body": f"please cc {SUBJECT} on the quote"},
                 # Hilde is under a legal hold: her message stays as it is
                 {"id": 41, "customer_id": 4, "body": f"forwarded by {SUBJECT}"}],
}
TABLES = {
    "customers": {"action": "delete", "identify": {"email": "email"},
                  "columns": {"email": "faker:email", "name": "faker:name"}},
    "invoices": {"action": "retain", "retain": {"basis": "Belgian VAT Code art. 60", "period": "10y",
                                                "from": "invoice_date"}},
    "messages": {"action": "delete", "free_text": ["body"]},
}


def held_ref(email: str) -> str:
    return "hmac-sha256:" + keyed_hash(SECRET.encode(), f"email:{email}")


def shop(tmp_path: Path, scan: dict[str, Any] | None = None, url: str | None = None) -> tuple[sa.Engine, Path]:
    url = url or f"sqlite:///{tmp_path / 'shop.db'}"
    engine = create(url, DDL, ROWS)
    _, public, _ = generate_keys(tmp_path / "keys")
    config = write_config(tmp_path, url, {"email": {"kind": "email"}}, TABLES, scan or {"mode": "redact"}, extra={
        "signing": {"private_key": str(tmp_path / "keys" / "eraser-signing.pem"), "public_key": str(public)},
        "holds": [{"subject": held_ref("hilde.wouters@example.be"), "reason": "litigation file 2026/17"}]})
    return engine, config


def erase_cli(config: Path) -> dict[str, Any]:
    result = run("erase", "--config", str(config), "--subject", f"email={SUBJECT}", "--yes")
    assert result.exit_code == 0, result.output
    return read_jws(Path(result.output.rsplit("Certificate: ", 1)[1].strip()))[1]


def text_of(engine: sa.Engine, table: str, column: str, key: int) -> str:
    with engine.connect() as conn:
        return conn.execute(sa.text(f"SELECT {column} FROM {table} WHERE id = :k"), {"k": key}).scalar_one()


@pytest.mark.parametrize("mode", ["redact", "fail", "report"])
def test_others_kept_rows_stay_byte_identical_and_are_listed(tmp_path: Path, mode: str) -> None:
    """In every scan mode: Els's retained invoice and Hilde's held message keep every byte and are listed in the
    certificate by table, key and column; the verdict is not PASS; nothing else of anyone else changed."""
    engine, config = shop(tmp_path, {"mode": mode})
    if mode != "redact":  # only the kept rows are left: the other hits were found with redaction in mind
        with engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM messages WHERE id = 31"))
            conn.execute(sa.text("DELETE FROM invoices WHERE id = 21"))
    before = snapshot(engine)
    certificate = erase_cli(config)
    after = snapshot(engine)
    for table, key in (("invoices", ("int:20",)), ("messages", ("int:41",)), ("customers", ("int:2",))):
        assert after.rows[table][key][0] == before.rows[table][key][0], (table, key)
    listed = certificate["verification"]["residual_scan"]["rows_kept_for_others"]
    assert {"connector": "db", "table": "invoices", "key": ["20"], "column": "note", "kept": "retain",
            "until": "2035-03-01"} in listed
    # a held row is "kept", as a row for review is: the certificate never tells that someone else is under a hold
    assert {"connector": "db", "table": "messages", "key": ["41"], "column": "body", "kept": "kept"} in listed
    assert len(listed) == 2
    assert "hold" not in {e["kept"] for e in listed}
    assert certificate["verification"]["result"] == "IDENTIFIERS REMAIN IN ROWS KEPT FOR OTHERS"
    assert certificate["outcome"] == "erased_with_residual_matches"
    assert SUBJECT not in json.dumps(certificate)


def test_certificate_renderings_name_the_kept_rows(tmp_path: Path) -> None:
    """The HTML and the PDF text (each language) state the verdict and where the kept rows are."""
    certificate = erase_cli(shop(tmp_path)[1])
    page = render_html(certificate)
    assert "db.invoices key 20, column note: retained until 2035-03-01" in page
    for lang, words in (("en", "kept for other persons"), ("nl", "voor anderen bewaard"),
                        ("fr", "conservées pour d'autres")):
        text = " ".join(str(b.content) for b in describe(certificate, lang))
        assert words in text and "invoices.note" in text, lang


def test_kept_rows_stay_on_every_dialect(db_url: str, tmp_path: Path) -> None:
    """SQLite, PostgreSQL and MariaDB: the retained invoice and the held message stay as they were, the ordinary
    message is redacted."""
    engine, config = shop(tmp_path, url=db_url)
    before = snapshot(engine)
    certificate = erase_cli(config)
    after = snapshot(engine)
    for table, key in (("invoices", ("int:20",)), ("messages", ("int:41",))):
        assert after.rows[table][key][0] == before.rows[table][key][0], (table, key)
    assert len(certificate["verification"]["residual_scan"]["rows_kept_for_others"]) == 2
    assert text_of(engine, "messages", "body", 31) == "please cc [erased] on the quote"
    engine.dispose()


def test_rows_not_kept_for_anyone_are_still_redacted(tmp_path: Path) -> None:
    """Tom's message (an ordinary row) and Els's invoice past its retention lose the identifier; their other
    text stays."""
    engine, config = shop(tmp_path)
    erase_cli(config)
    assert text_of(engine, "messages", "body", 31) == "please cc [erased] on the quote"
    assert text_of(engine, "invoices", "note", 21) == "copy to [erased]"


def test_plan_lists_the_kept_rows_before_anything_changes(tmp_path: Path) -> None:
    """The plan names each kept row of someone else that names the subject, without its text."""
    engine, config = shop(tmp_path)
    before = snapshot(engine)
    plan = plan_subject(config, f"email={SUBJECT}")
    kept = plan.to_dict()["kept_for_others"]
    assert [(e["table"], e["key"], e["column"], e["kept"]) for e in kept] == [
        ("invoices", ["20"], "note", "retain"), ("messages", ["41"], "body", "hold")]
    assert snapshot(engine).rows == before.rows
    out = run("plan", "--config", str(config), "--subject", f"email={SUBJECT}").output
    assert "invoices key 20, column note: retained until 2035-03-01" in out
    assert SUBJECT not in out


def test_plan_lists_rows_of_a_review_table(tmp_path: Path) -> None:
    """A table still `action: review` keeps every row: another customer's row there that names the subject is
    listed as kept for review (and erase refuses until the table is decided)."""
    engine, config = shop(tmp_path)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE reviews (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL "
                             "REFERENCES customers(id), text TEXT)"))
        conn.execute(sa.text(f"INSERT INTO reviews VALUES (5, 3, 'great service, ask {SUBJECT}')"))
    data = json.loads(config.read_text())
    data["connectors"]["db"]["tables"]["reviews"] = {"action": "review"}
    config.write_text(json.dumps(data))
    kept = plan_subject(config, f"email={SUBJECT}").to_dict()["kept_for_others"]
    assert {"connector": "db", "table": "reviews", "key": ["5"], "column": "text", "kept": "review"} in kept


def test_a_key_that_is_the_identifier_is_withheld(tmp_path: Path) -> None:
    """A kept row keyed by the subject's own email is listed without its key."""
    url = f"sqlite:///{tmp_path / 'k.db'}"
    create(url, ["CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR(120))",
                 "CREATE TABLE referrals (code VARCHAR(120) PRIMARY KEY, customer_id INTEGER REFERENCES "
                 "customers(id), created DATE NOT NULL)"],
           {"customers": [{"id": 1, "email": SUBJECT}, {"id": 2, "email": "els.maes@example.be"}],
            "referrals": [{"code": SUBJECT, "customer_id": 2, "created": date(2025, 1, 1)}]})
    config = write_config(tmp_path, url, {"email": {"kind": "email"}}, {
        "customers": {"action": "delete", "identify": {"email": "email"}},
        "referrals": {"action": "retain", "retain": {"basis": "Contract evidence kept", "period": "5y",
                                                     "from": "created"}}})
    kept = plan_subject(config, f"email={SUBJECT}").to_dict()["kept_for_others"]
    assert kept == [{"connector": "db", "table": "referrals", "key": "withheld: the key holds the identifier",
                     "column": "code", "kept": "retain", "until": "2030-01-01"}]


def test_per_table_mode_overrides_the_connector_mode(tmp_path: Path) -> None:
    """`per_table: {messages: report}`: Tom's message is left and reported, the old invoice still redacted."""
    engine, config = shop(tmp_path, {"mode": "redact", "per_table": {"messages": "report"}})
    # free_text redaction of messages happens during the erasure; report mode concerns the scan, so take it off
    data = json.loads(config.read_text())
    data["connectors"]["db"]["tables"]["messages"].pop("free_text")
    config.write_text(json.dumps(data))
    before = text_of(engine, "messages", "body", 31)
    certificate = erase_cli(config)
    assert text_of(engine, "messages", "body", 31) == before
    assert text_of(engine, "invoices", "note", 21) == "copy to [erased]"
    assert certificate["verification"]["result"] == "RESIDUAL MATCHES REPORTED, NOT REMOVED"


def test_unknown_per_table_name_is_one_sentence(tmp_path: Path) -> None:
    """A per_table entry naming no table: config check says which and where."""
    _, config = shop(tmp_path, {"mode": "redact", "per_table": {"mesages": "report"}})
    result = run("config", "check", str(config))
    assert result.exit_code != 0
    assert "residual_scan.per_table names table 'mesages'" in result.output + result.stderr


def test_a_table_without_primary_key_does_not_stop_the_judge(tmp_path: Path) -> None:
    """With a hold in force every table is judged; a log without a primary key that names the subject is
    reported by the scan as before (it cannot be redacted), not an error of the judge."""
    engine, config = shop(tmp_path, {"mode": "report"})
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE mail_log (sent_to VARCHAR(120), subject VARCHAR(80))"))
        conn.execute(sa.text(f"INSERT INTO mail_log VALUES ('{SUBJECT}', 'your quote')"))
    certificate = erase_cli(config)
    hits = certificate["verification"]["residual_scan"]["by_connector"][0]["hits"]
    assert {"table": "mail_log", "column": "sent_to", "rows": 1} in hits
