"""Redaction inside serialized values, end to end on SQLite: a PHP session (with a serialized value nested inside
it) and JSON order meta of other people lose the subject's email and still unserialize, with every other value
unchanged; a serialized value that cannot be rewritten exactly is reported and left byte for byte. Judged by an
oracle that reads the stored values with plain SQL and unserializes them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import phpserialize
import sqlalchemy as sa

from eraser.proof.certificates import generate_keys
from tests.identity_helpers import create, erase_subject, write_config
from tests.oracle import snapshot

SUBJECT = "jan.peeters@example.be"
DDL = [
    "CREATE TABLE users (id INTEGER PRIMARY KEY, user_email VARCHAR(100), display_name VARCHAR(250))",
    "CREATE TABLE activity (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, payload TEXT, "
    "FOREIGN KEY (user_id) REFERENCES users(id))",
    "CREATE TABLE sessions (session_id INTEGER PRIMARY KEY, session_key VARCHAR(32) NOT NULL, "
    "session_value TEXT NOT NULL, session_expiry INTEGER NOT NULL)",
    "CREATE TABLE order_meta (meta_id INTEGER PRIMARY KEY, order_id INTEGER, meta_key VARCHAR(255), "
    "meta_value TEXT)",
]
CUSTOMER = {b"first_name": b"Sofie", b"email": SUBJECT.encode(), b"city": "Liège".encode()}
CART = {b"gift_to": SUBJECT.encode(), b"message": f"Voor {SUBJECT}, van Sofie — proficiat!".encode(), b"qty": 2}
SESSION = {b"cart": CART, b"customer": phpserialize.dumps(CUSTOMER), b"ok": True}
JSON_META = {"billing": {"email": SUBJECT, "name": "Sofie Maes"}, "note": 'zeg "hallo" tegen Jan', "n": 3}


def value(obj: Any) -> str:
    return phpserialize.dumps(obj).decode("utf-8")


ROWS: dict[str, list[dict[str, Any]]] = {
    "users": [{"id": 1, "user_email": SUBJECT, "display_name": "Jan Peeters"},
              {"id": 2, "user_email": "sofie.maes@example.be", "display_name": "Sofie Maes"}],
    "activity": [{"id": 1, "user_id": 1, "payload": "{}"},
                 {"id": 2, "user_id": 2, "payload": value({b"invited": SUBJECT.encode(), b"at": b"2026-01-02"})}],
    "sessions": [{"session_id": 1, "session_key": "t_5f2b", "session_value": value(SESSION),
                  "session_expiry": 1767225600},
                 # its declared length is wrong: the application cannot read it either; never rewritten
                 {"session_id": 2, "session_key": "t_9c1d", "session_expiry": 1767225600,
                  "session_value": f'a:1:{{s:5:"email";s:3:"{SUBJECT}";}}'}],
    "order_meta": [{"meta_id": 1, "order_id": 7, "meta_key": "_billing",
                    "meta_value": json.dumps(JSON_META, separators=(",", ":"), ensure_ascii=False)}],
}
TABLES = {"users": {"action": "delete", "identify": {"email": "user_email"}},
          "activity": {"action": "delete", "free_text": ["payload"]}}


def stored(engine: sa.Engine, sql: str) -> str:
    with engine.connect() as conn:
        return conn.execute(sa.text(sql)).scalar_one()


def erased_shop(tmp_path: Path, url: str | None = None) -> tuple[sa.Engine, dict[str, Any], Any]:
    url = url or f"sqlite:///{tmp_path / 'cms.db'}"
    engine = create(url, DDL, ROWS)
    generate_keys(tmp_path / "keys")
    config = write_config(tmp_path, url, {"email": {"kind": "email"}}, TABLES, {"mode": "redact"})
    before = snapshot(engine)
    outcome = erase_subject(config, f"email={SUBJECT}")
    return engine, outcome.verification, before


def test_php_session_still_unserializes_without_the_subject(tmp_path: Path) -> None:
    """The other shopper's session: the cart and the nested customer record lose the email (lengths recomputed,
    multibyte text included); every other value is as it was."""
    engine, _, _ = erased_shop(tmp_path)
    session = phpserialize.loads(stored(engine, "SELECT session_value FROM sessions WHERE session_id = 1").encode(),
                                 decode_strings=False)
    assert session[b"cart"] == {b"gift_to": b"[erased]",
                                b"message": "Voor [erased], van Sofie — proficiat!".encode(), b"qty": 2}
    assert session[b"ok"] is True
    nested = phpserialize.loads(session[b"customer"], decode_strings=False)
    assert nested == {**CUSTOMER, b"email": b"[erased]"}


def test_json_meta_keeps_layout_and_escaping(tmp_path: Path) -> None:
    """Compact JSON with a quoted note: the email is replaced inside the structure, layout and escaping kept."""
    engine, _, _ = erased_shop(tmp_path)
    text = stored(engine, "SELECT meta_value FROM order_meta WHERE meta_id = 1")
    expected = {**JSON_META, "billing": {"email": "[erased]", "name": "Sofie Maes"}}
    assert json.loads(text) == expected
    assert text == json.dumps(expected, separators=(",", ":"), ensure_ascii=False)


def test_free_text_column_holding_php_is_rewritten_inside_it(tmp_path: Path) -> None:
    """A `free_text:` column (another user's activity) goes through the same structure-aware rewrite."""
    engine, _, _ = erased_shop(tmp_path)
    payload = stored(engine, "SELECT payload FROM activity WHERE id = 2").encode()
    assert phpserialize.loads(payload, decode_strings=False) == {b"invited": b"[erased]", b"at": b"2026-01-02"}


def test_unparseable_value_is_reported_and_left_byte_for_byte(tmp_path: Path) -> None:
    """The session whose length is already wrong: byte-identical, listed by table, key and column, and the
    verdict says matches were left (never PASS)."""
    engine, verification, before = erased_shop(tmp_path)
    after = snapshot(engine)
    assert after.rows["sessions"][("int:2",)] == before.rows["sessions"][("int:2",)]
    scan = verification["residual_scan"]
    assert scan["unparseable_values"] == [{"connector": "db", "table": "sessions", "key": ["2"],
                                           "column": "session_value"}]
    assert verification["result"] == "RESIDUAL MATCHES REPORTED, NOT REMOVED"
    assert SUBJECT not in json.dumps(verification)


def test_every_dialect_keeps_the_session_readable(db_url: str, tmp_path: Path) -> None:
    """SQLite, PostgreSQL and MariaDB: the session unserializes after redaction (byte lengths of multibyte text
    recomputed), the unparseable one is byte-identical."""
    engine, verification, before = erased_shop(tmp_path, db_url)
    session = phpserialize.loads(stored(engine, "SELECT session_value FROM sessions WHERE session_id = 1").encode(),
                                 decode_strings=False)
    assert session[b"cart"][b"message"] == "Voor [erased], van Sofie — proficiat!".encode()
    assert snapshot(engine).rows["sessions"][("int:2",)] == before.rows["sessions"][("int:2",)]
    assert len(verification["residual_scan"]["unparseable_values"]) == 1
    engine.dispose()
