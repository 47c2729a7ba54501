"""Several databases in one config cannot commit atomically: when one commits and the next fails, the retry
erases the rest and the one certificate covers the union of what each attempt committed."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from eraser.config import load_config
from eraser.daemon.intake import submit_ticket
from eraser.daemon.worker import Worker
from eraser.proof.certificates import generate_keys
from eraser.store.state import StateStore
from tests.faults_oracle import certificates_by_ticket, changes, disagreements, snapshot, temporary_files

EMAIL = "ana.peeters@example.be"
CONFIG = """organisation: Two Databases BV
secret: two-database-secret-0123456789abcdef
signing: {private_key: keys/eraser-signing.pem, public_key: keys/eraser-signing.pub.pem}
certificates: certificates
identifiers: {email: {kind: email}}
connectors:
  crm:
    url: sqlite:///crm.db
    tables:
      contacts: {action: delete, identify: {email: email}}
  shop:
    url: sqlite:///shop.db
    tables:
      customers: {action: delete, identify: {email: email}}
"""


def _database(path: Path, table: str) -> sa.Engine:
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, email TEXT, note TEXT)"))
        for i, email in enumerate([EMAIL, "other@example.be", EMAIL.upper(), "third@example.be"]):
            conn.execute(sa.text(f"INSERT INTO {table} (id, email, note) VALUES (:i, :e, 'n')"), {"i": i + 1, "e": email})
    return engine


@pytest.mark.parametrize("failing", ["crm", "shop"])
def test_a_failed_second_commit_is_resumed_and_certified_as_the_union(tmp_path: Path, failing: str,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Whichever database's commit fails after the other committed: the retry erases the rest, and the single
    certificate counts the deletions of both databases, as the oracle sees them."""
    monkeypatch.setattr("eraser.daemon.worker.retry_delay", lambda attempt: timedelta(0))
    generate_keys(tmp_path / "keys")
    engines = {"crm": _database(tmp_path / "crm.db", "contacts"), "shop": _database(tmp_path / "shop.db", "customers")}
    (tmp_path / "two.yaml").write_text(CONFIG)
    config = load_config(tmp_path / "two.yaml")
    store = StateStore(config.state or "")
    store.migrate()
    before = {name: snapshot(e) for name, e in engines.items()}
    ticket, _ = submit_ticket(store, config, kind="erase", subject={"email": EMAIL}, external_ref="MD-1",
                              received_at=None, requested_by="test")
    worker = Worker(config, store)
    commits_seen = {"n": 0}

    def failing_commit(conn: Any) -> None:
        commits_seen["n"] += 1
        if commits_seen["n"] == 1:
            raise sa.exc.OperationalError("COMMIT", {}, Exception("disk I/O error"))

    session = worker.session()
    sa.event.listen(session.connectors[failing].engine, "commit", failing_commit)
    worker.run_once()
    after_first = {name: changes(before[name], snapshot(e)) for name, e in engines.items()}
    failed = store.ticket(ticket["id"])
    assert failed is not None and failed["status"] == "failed"
    for _ in range(4):
        worker.run_once()
    final = store.ticket(ticket["id"])
    assert final is not None and final["status"] == "done", (final and final["status"], final and final["last_error"])
    certs = certificates_by_ticket(tmp_path / "certificates")
    assert len(certs[ticket["id"]]) == 1
    payload = certs[ticket["id"]][0]
    observed = {}
    for name, engine in engines.items():
        observed.update(changes(before[name], snapshot(engine)))
    assert observed == {"contacts": {"deleted": 2}, "customers": {"deleted": 2}}
    assert disagreements(payload, observed) == []
    assert payload["totals"]["delete"] == 4 and payload["outcome"] == "erased"
    committed_first = [n for n, c in after_first.items() if c]
    if committed_first:  # one database committed before the other failed: two commits, both recorded
        assert committed_first == [n for n in engines if n != failing]
        assert sorted(c["connector"] for c in payload["commits"]) == ["crm", "shop"]
    with store.engine.connect() as conn:
        journaled = sorted(conn.execute(sa.text("SELECT connector FROM ticket_commits WHERE ticket_id = :t"),
                                        {"t": ticket["id"]}).scalars())
    assert journaled == ["crm", "shop"]
    assert temporary_files(tmp_path) == []
    assert not any(EMAIL.encode() in p.read_bytes() for p in (tmp_path / "certificates").iterdir() if p.is_file())
    assert hashlib.sha256(EMAIL.encode()).hexdigest() not in (tmp_path / "eraser-state.db").read_bytes().decode("latin-1")
    worker.close()
    store.dispose()
    for e in engines.values():
        e.dispose()
