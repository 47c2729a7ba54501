"""The plan and the certificate count every free-text redaction, other people's rows included: by table, rows and
rows per column, never a value; the counts equal what a plain SQL diff of the table before and after finds, on
SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from eraser.cli.report import format_plan
from eraser.config import load_config
from eraser.proof.certificates import erasure_payload
from eraser.proof.pdf import describe
from eraser.tickets import new_ticket
from tests.identity_helpers import create, erase_subject, plan_subject, write_config

MESSAGES = [  # (id, customer, subject, body): Els is customer 1
    (1, 1, "Mijn offerte", "Groeten, Els (0470 12 34 56)"),
    (2, 2, "Vraag van ELS@example.be", "Stuur het ook naar els@example.be, groeten."),
    (3, 3, "Terugbellen", "Bel de buurvrouw op 0470/12.34.56 na 18u."),
    (4, 3, "Factuur", "Graag een kopie van de factuur."),
    (5, 2, "Els", "De naam alleen is geen identificatie."),
]


def _shop(url: str, tmp_path: Path) -> tuple[sa.Engine, Path]:
    engine = create(url, ["CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR(200), phone VARCHAR(40))",
                          "CREATE TABLE messages (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES "
                          "customers(id), subject VARCHAR(200), body TEXT)"],
                    {"customers": [{"id": 1, "email": "els@example.be", "phone": "+32 470 12 34 56"},
                                   {"id": 2, "email": "bart@example.be", "phone": None},
                                   {"id": 3, "email": "an@example.be", "phone": None}],
                     "messages": [{"id": i, "customer_id": c, "subject": s, "body": b} for i, c, s, b in MESSAGES]})
    identifiers = {"email": {"kind": "email"}, "phone": {"kind": "phone", "region": "BE"}}
    tables = {"customers": {"identify": {"email": "email", "phone": "phone"}, "action": "delete"},
              "messages": {"action": "delete", "free_text": ["subject", "body"]}}
    return engine, write_config(tmp_path, url, identifiers, tables)


def _messages(engine: sa.Engine) -> dict[int, dict[str, Any]]:
    with engine.connect() as conn:
        return {r.id: dict(r._mapping) for r in conn.execute(sa.text("SELECT * FROM messages"))}


def _diff(before: dict[int, dict[str, Any]], after: dict[int, dict[str, Any]], subject_customer: int
          ) -> dict[str, Any]:
    """The rows that remain and changed, per column, and how many belong to other customers."""
    changed = {i: [c for c in ("subject", "body") if row[c] != after[i][c]] for i, row in before.items() if i in after}
    changed = {i: cols for i, cols in changed.items() if cols}
    columns: dict[str, int] = {}
    for cols in changed.values():
        for c in cols:
            columns[c] = columns.get(c, 0) + 1
    others = sum(1 for i in changed if before[i]["customer_id"] != subject_customer)
    return {"connector": "db", "table": "messages", "rows": len(changed), "rows_of_others": others,
            "columns": dict(sorted(columns.items()))}


def test_plan_and_certificate_count_free_text_redactions_in_other_peoples_rows(db_url: str, tmp_path: Path
                                                                                ) -> None:
    engine, config = _shop(db_url, tmp_path)
    before = _messages(engine)
    plan = plan_subject(config, "email=els@example.be")
    assert _messages(engine) == before  # planning changes nothing
    outcome = erase_subject(config, "email=els@example.be")
    after = _messages(engine)
    expected = _diff(before, after, subject_customer=1)
    assert expected["rows"] == 2 and expected["rows_of_others"] == 2  # oracle sanity: messages 2 and 3
    assert after[2]["subject"] == "Vraag van [erased]" and after[5] == before[5] and 1 not in after
    assert plan.free_text == [expected]
    assert plan.to_dict()["free_text_redactions"] == [expected]
    assert outcome.free_text == [expected]
    payload = erasure_payload(load_config(config), outcome, new_ticket("REQ-7", None, "dpo"))
    assert payload["free_text_redactions"] == [expected]
    described = " ".join(str(b.content) for b in describe(payload, "en") if b.kind == "para")
    assert "identifiers were replaced in 2\u00a0records of table messages, 2 of them other persons'" in described
    shown = format_plan(plan, {"db": engine.dialect.name})
    assert "messages" in shown and "2 row(s), 2 of them other people's (rows per column: body 2, subject 1)" in shown
    engine.dispose()
