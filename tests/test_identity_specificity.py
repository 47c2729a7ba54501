"""An identifier must name one person: one that matches none of the subject's rows never redacts other people's
text, and one too common or of the wrong form is refused with a sentence and changes nothing; on SQLite,
PostgreSQL and MariaDB, judged by plain SQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from eraser.errors import SubjectError
from tests.identity_helpers import create, erase_subject, rows, write_config

MESSAGES = {1: "Bedankt voor de offerte. Groeten, Els", 2: "Groeten uit Gent", 3: "Mail an@example.be, groeten"}


def _shop(url: str, tmp_path: Path, pattern: str | None = None, scan: str = "redact") -> tuple:
    engine = create(url, ["CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR(200), "
                          "customer_number VARCHAR(20))",
                          "CREATE TABLE messages (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id), "
                          "body TEXT)"],
                    {"customers": [{"id": 1, "email": "els@example.be", "customer_number": "C00001"},
                                   {"id": 2, "email": "bart@example.be", "customer_number": "C00002"},
                                   {"id": 3, "email": "an@example.be", "customer_number": "C00003"}],
                     "messages": [{"id": i, "customer_id": min(i, 2), "body": b} for i, b in MESSAGES.items()]})
    exact = {"kind": "exact", **({"pattern": pattern} if pattern else {})}
    identifiers = {"email": {"kind": "email"}, "customer_number": exact}
    tables = {"customers": {"identify": {"email": "email", "customer_number": "customer_number"},
                            "action": "delete", "columns": {"email": "faker:email", "customer_number": "faker:uuid4"}},
              "messages": {"action": "delete", "free_text": ["body"]}}
    return engine, write_config(tmp_path, url, identifiers, tables, scan={"mode": scan})


def test_identifier_matching_no_subject_row_redacts_no_one_elses_text(db_url: str, tmp_path: Path) -> None:
    """customer_number=Groeten matches no customer: nobody's messages lose the word, in the free-text pass or in
    the residual scan's redact mode, and the certificate counts the hits it did not redact."""
    engine, config = _shop(db_url, tmp_path)
    outcome = erase_subject(config, "customer_number=Groeten")
    assert {k: v[0] for k, v in rows(engine, "messages", "body").items()} == MESSAGES
    assert outcome.verification["residual_scan"]["redacted_rows"] == 0
    assert outcome.verification["residual_scan"]["hits_not_redacted"] == 2
    assert not any("redact_free_text" in d for d in outcome.done.values())
    engine.dispose()


def test_given_identifier_that_matches_a_subject_row_is_redacted_elsewhere(db_url: str, tmp_path: Path) -> None:
    """The same erasure by a customer's email takes that email out of another customer's message, and counts it."""
    engine, config = _shop(db_url, tmp_path)
    outcome = erase_subject(config, "email=AN@example.be")
    body = rows(engine, "messages", "body")
    assert body[3] == ("Mail [erased], groeten",) and body[1][0] == MESSAGES[1]
    assert sum(d.get("redact_free_text", 0) for d in outcome.done.values()) == 1
    engine.dispose()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_value_failing_its_pattern_is_refused(db_url: str, tmp_path: Path) -> None:
    """With `pattern: C[0-9]{5}` a customer number 'Groeten' is refused with one sentence; nothing changes."""
    engine, config = _shop(db_url, tmp_path, pattern="C[0-9]{5}")
    with pytest.raises(SubjectError, match=r"^identifier 'customer_number' does not have the form .*\.$"):
        erase_subject(config, "customer_number=Groeten")
    erase_subject(config, "customer_number=C00002")
    assert set(rows(engine, "customers", "email")) == {1, 3}
    engine.dispose()


def test_value_too_common_to_name_one_person_is_refused(db_url: str, tmp_path: Path) -> None:
    """An email held by more customer rows than `max_rows` is refused with a sentence naming the table and count
    (never the value), and no row changes."""
    engine = create(db_url, ["CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR(200))"],
                    {"customers": [{"id": i, "email": "info@example.be"} for i in range(1, 8)]})
    identifiers = {"email": {"kind": "email", "max_rows": 5}}
    config = write_config(tmp_path, db_url, identifiers, {"customers": {"identify": {"email": "email"},
                                                                        "action": "delete"}})
    with pytest.raises(SubjectError) as refused:
        erase_subject(config, "email=info@example.be")
    assert "matches 7 rows of customers" in str(refused.value) and "info@" not in str(refused.value)
    assert len(rows(engine, "customers", "email")) == 7
    engine.dispose()
