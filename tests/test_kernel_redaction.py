"""Free-text redaction never overwrites a concurrent edit: another customer's message that names the subject is
rewritten from the text it holds when it is written, on SQLite, PostgreSQL and MariaDB.

The seams change the row between the moment Eraser read it and the moment it writes it, on the erasure's own
connection (what a concurrent transaction that committed in between would leave behind)."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from eraser.demo import DEMO_EMAIL
from eraser.engine import candidates, conditional, redaction
from tests.test_bad_input import run, snapshot

HOUSEMATE = "Offerte voor mijn huisgenoot"
REDACTED = "Stuur de offerte ook naar [erased] of bel [erased]. Zelfde adres, groeten."
EDIT = " PS: en bel ook Jan op {email}."


def body(engine: sa.Engine) -> str:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT body FROM support_messages WHERE subject = :s"),
                            {"s": HOUSEMATE}).scalar_one()


def edit(connector: Any, conn: Any) -> None:
    """Another customer adds a line to the housemate's message (the subject's address in it once more)."""
    connector._run(conn, sa.text("UPDATE support_messages SET body = body || :x WHERE subject = :s"
                                 if connector.dialect != "mysql" else
                                 "UPDATE support_messages SET body = CONCAT(body, :x) WHERE subject = :s"),
                   {"x": EDIT.format(email=DEMO_EMAIL), "s": HOUSEMATE})


def erase_ok(demo_env) -> str:
    result = run("erase", "--config", str(demo_env.config), "--subject", f"email={DEMO_EMAIL}", "--yes")
    assert result.exit_code == 0, result.output
    return result.output


def test_edit_between_search_and_write_is_kept_and_redacted(demo_env, monkeypatch: pytest.MonkeyPatch) -> None:
    """The message changes after the redaction found it and before it is written: the new line survives, with
    the subject's address in it redacted too (the old code wrote back the redaction of the text it had read)."""
    real = redaction.find_all
    edited: list[bool] = []
    searched: list[str] = []

    def find_then_edit(connector: Any, conn: Any, searches: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        found = real(connector, conn, searches, *args, **kwargs)
        searched.extend(searches)
        # under --yes no plan is made before the erasure, so the first search is the erasure's own
        if "support_messages" in searches and searched.count("support_messages") == 1 and not edited:
            edited.append(True)
            edit(connector, conn)
        return found

    monkeypatch.setattr(redaction, "find_all", find_then_edit)
    monkeypatch.setattr(candidates, "find_all", find_then_edit)  # MariaDB: the erasure's one read before its changes
    erase_ok(demo_env)
    assert edited
    assert body(demo_env.engine) == REDACTED + " PS: en bel ook Jan op [erased]."


def test_edit_between_read_and_conditional_write_is_read_again(demo_env, monkeypatch: pytest.MonkeyPatch) -> None:
    """The text changes after the conditional write read it: the UPDATE with the old text as its condition
    changes no row, the row is read again and redacted from its new text."""
    real = conditional.current_texts
    calls: list[str] = []

    def read_then_edit(connector: Any, conn: Any, table: str, *args: Any) -> Any:
        texts = real(connector, conn, table, *args)
        if table == "support_messages" and table not in calls:
            edit(connector, conn)
        calls.append(table)
        return texts

    monkeypatch.setattr(conditional, "current_texts", read_then_edit)
    erase_ok(demo_env)
    assert calls.count("support_messages") == 2  # read again after the write found the text changed
    assert body(demo_env.engine) == REDACTED + " PS: en bel ook Jan op [erased]."


def test_row_that_keeps_changing_refuses_the_erasure(demo_env, monkeypatch: pytest.MonkeyPatch) -> None:
    """A message edited after every read makes the erasure refuse with one sentence; nothing changes and no
    certificate is written."""
    real = conditional.current_texts

    def read_then_edit(connector: Any, conn: Any, table: str, *args: Any) -> Any:
        texts = real(connector, conn, table, *args)
        if table == "support_messages":
            edit(connector, conn)
        return texts

    before = snapshot(demo_env.engine)
    monkeypatch.setattr(conditional, "current_texts", read_then_edit)
    result = run("erase", "--config", str(demo_env.config), "--subject", f"email={DEMO_EMAIL}", "--yes")
    assert result.exit_code == 4 and "Traceback" not in result.output
    (message,) = result.stderr.strip().splitlines()
    assert "row(s) of support_messages changed 3 times while their free text was being redacted" in message
    assert DEMO_EMAIL not in message
    assert snapshot(demo_env.engine) == before
    assert not demo_env.certificates.exists() or not any(demo_env.certificates.glob("*.cert.json"))


def test_exact_comparison_sees_a_change_of_case_only(db_url: str, tmp_path) -> None:
    """The condition compares byte for byte: a concurrent edit that only changes case or adds a trailing space
    is a change (MariaDB's default collation would call both equal)."""
    from connectors.sql import open_connector

    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE notes (id INTEGER PRIMARY KEY, note VARCHAR(100))"))
        conn.execute(sa.text("INSERT INTO notes VALUES (1, 'Hello Jan'), (2, 'Hello Jan')"))
    engine.dispose()
    connector = open_connector("t", db_url)
    try:
        with connector.begin() as conn:
            assert not conditional.write_if_unchanged(connector, conn, "notes", (1,), {"note": "hello jan"},
                                                      {"note": "x"})
            assert not conditional.write_if_unchanged(connector, conn, "notes", (1,), {"note": "Hello Jan "},
                                                      {"note": "x"})
            assert conditional.write_if_unchanged(connector, conn, "notes", (2,), {"note": "Hello Jan"},
                                                  {"note": "y"})
    finally:
        connector.dispose()
