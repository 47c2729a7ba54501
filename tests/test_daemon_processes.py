"""The daemon as real processes: killed at every step of a ticket, and two nodes sharing one PostgreSQL state store."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from eraser.engine.verify import row_digest
from eraser.proof.certificates import read_jws, verify
from eraser.store.state import StateStore
from tests.conftest import fresh_database
from tests.test_daemon import HELPDESK, token_block

ROOT = Path(__file__).resolve().parents[1]
STEPS = ["claimed", "planned", "running", "prepared", "committed", "certified", "finished"]
FINAL = ("done", "done_with_retention", "held", "rejected")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(config: Path, env: dict[str, str], log: Path, fault: str | None = None) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    full = {**os.environ, **env}
    full.pop("ERASER_FAULT", None)
    if fault:
        full["ERASER_FAULT"] = fault
    proc = subprocess.Popen([sys.executable, "-m", "eraser", "--log-format", "json", "serve", "--config",
                             str(config), "--port", str(port)], cwd=ROOT, env=full,
                            stdout=log.open("ab"), stderr=subprocess.STDOUT)
    return proc, port


def wait_until(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def stop(proc: subprocess.Popen[bytes]) -> int:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            return proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    return int(proc.returncode)


def invoicing(engine: sa.Engine) -> dict[tuple[str, int], str]:
    meta = sa.MetaData()
    meta.reflect(engine, only=["invoices", "invoice_lines", "payments"])
    with engine.connect() as conn:
        return {(t, r.id): row_digest(dict(r._mapping)) for t in ("invoices", "invoice_lines", "payments")
                for r in conn.execute(sa.select(meta.tables[t]))}


def subjects_with_invoices(engine: sa.Engine, n: int) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(sa.text(
            "SELECT p.email FROM persons p WHERE EXISTS (SELECT 1 FROM invoices i WHERE i.person_id = p.id "
            "AND i.invoice_date >= '2023-06-01') AND p.email IS NOT NULL ORDER BY p.id LIMIT :n"), {"n": n}).scalars())


def test_killed_at_every_step_completes_exactly_once(tmp_path: Path) -> None:
    """SIGKILL the daemon at each step of a ticket, restart it: each ticket completes once, with one certificate,
    the subject gone, retained rows intact and foreign keys holding."""
    from eraser.demo import prepare

    config = prepare(tmp_path / "d", persons=80, seed=9)
    with config.open("a") as fh:
        fh.write(token_block())
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'd' / 'cover.db'}")
    emails = subjects_with_invoices(engine, len(STEPS))
    before = invoicing(engine)
    store = StateStore(f"sqlite:///{tmp_path / 'd' / 'eraser-state.db'}")
    store.migrate()
    from eraser.config import load_config
    from eraser.daemon.intake import submit_ticket

    loaded = load_config(config)
    log = tmp_path / "daemon.log"
    tickets = {}
    for step, email in zip(STEPS, emails, strict=True):
        ticket, _ = submit_ticket(store, loaded, kind="erase", subject={"email": email}, external_ref=f"K-{step}",
                                  received_at=None, requested_by="test")
        tickets[step] = ticket["id"]
        crashing, _ = start(config, {}, log, fault=step)
        assert crashing.wait(timeout=60) == -signal.SIGKILL, f"the daemon was not killed at {step}"
        clean, port = start(config, {}, log)
        try:
            wait_until(lambda p=port: healthy(p), 60, "daemon to listen")
            wait_until(lambda tid=ticket["id"]: (store.ticket(tid) or {}).get("status") in FINAL, 60,
                       f"ticket killed at {step} to complete")
        finally:
            assert stop(clean) == 0
    certs = sorted((tmp_path / "d" / "certificates").glob("*.cert.json"))
    per_ticket: dict[str, int] = {}
    for path in certs:
        verify(path, [tmp_path / "d" / "keys" / "eraser-signing.pub.pem"])
        tid = read_jws(path)[1]["ticket"].get("id")
        per_ticket[tid] = per_ticket.get(tid, 0) + 1
    for step, tid in tickets.items():
        final = store.ticket(tid)
        assert final is not None and final["status"] == "done_with_retention", (step, final and final["status"])
        assert per_ticket.get(tid) == 1, f"killed at {step}: {per_ticket.get(tid)} certificates"
    after = invoicing(engine)
    assert [k for k in after if after[k] != before[k]] == []
    with engine.connect() as conn:
        assert conn.execute(sa.text("PRAGMA foreign_key_check")).fetchall() == []
        for email in emails:
            assert conn.execute(sa.text("SELECT count(*) FROM persons WHERE email = :e"), {"e": email}).scalar() == 0
    assert not any(e.encode() in log.read_bytes() for e in emails)
    store.dispose()
    engine.dispose()


@pytest.fixture
def pg_pair(tmp_path: Path) -> Iterator[tuple[str, str]]:
    customer = fresh_database("postgresql", tmp_path)
    state = fresh_database("postgresql", tmp_path)
    try:
        yield next(customer), next(state)
    finally:
        for gen in (customer, state):
            next(gen, None)


def test_two_daemons_share_200_tickets_and_leadership(tmp_path: Path, pg_pair: tuple[str, str]) -> None:
    """Two daemons on one PostgreSQL state store: 200 tickets over HTTP, each executed exactly once, both nodes
    work, the certificate chain stays whole; when the leader is killed the other node takes over the scheduler."""
    from eraser.demo import populate
    from eraser.proof.certificates import generate_keys

    customer_url, state_url = pg_pair
    engine = sa.create_engine(customer_url)
    populate(engine, persons=210, seed=3)
    with engine.connect() as conn:
        emails = list(conn.execute(sa.text("SELECT email FROM persons ORDER BY id LIMIT 200")).scalars())
    generate_keys(tmp_path / "keys")
    env = {"COVER_DB_URL": customer_url, "ERASER_SECRET": "two-node-secret-" + "0" * 32,
           "ERASER_SIGNING_KEY": str(tmp_path / "keys" / "eraser-signing.pem"),
           "ERASER_PUBLIC_KEY": str(tmp_path / "keys" / "eraser-signing.pub.pem"),
           "ERASER_CERTIFICATES": str(tmp_path / "certificates")}
    config = tmp_path / "two.yaml"
    config.write_text((ROOT / "configs" / "cover_group.yaml").read_text() + f"state: {state_url}\n" + token_block())
    logs = [tmp_path / "node1.log", tmp_path / "node2.log"]
    nodes = [start(config, env, logs[0]), start(config, env, logs[1])]
    try:
        for _, port in nodes:
            wait_until(lambda p=port: healthy(p), 60, "daemon to listen")
        headers = {"Authorization": f"Bearer {HELPDESK}"}
        with httpx.Client(timeout=10) as client:
            for i, email in enumerate(emails):
                port = nodes[i % 2][1]
                r = client.post(f"http://127.0.0.1:{port}/tickets", headers=headers,
                                json={"subject": {"email": email}, "external_ref": f"N-{i}", "requested_by": "t"})
                assert r.status_code == 201, r.text
        store = StateStore(state_url)
        wait_until(lambda: sum(store.counts_by_status()[s] for s in FINAL) == 200, 240, "200 tickets to finish")
        counts = store.counts_by_status()
        assert counts["done"] + counts["done_with_retention"] == 200, counts
        with store.engine.connect() as conn:
            finished = conn.execute(sa.text("SELECT ticket_id, node FROM journal WHERE step LIKE 'done%'")).all()
            certs = conn.execute(sa.text("SELECT count(*), count(DISTINCT ticket_id) FROM certificates")).one()
        assert len(finished) == 200 and len({t for t, _ in finished}) == 200  # each executed exactly once
        assert len({n for _, n in finished}) == 2, "both nodes must have done work"
        assert tuple(certs) == (200, 200)
        files = sorted((tmp_path / "certificates").glob("*.cert.json"))
        assert [int(p.name.split("-")[0]) for p in files] == list(range(1, 201))
        for path in files[-5:]:
            assert verify(path, [tmp_path / "keys" / "eraser-signing.pub.pem"]).chain.startswith("linked")
        gained = ["leadership gained" in log.read_text() for log in logs]
        assert gained.count(True) == 1
        leader = gained.index(True)
        nodes[leader][0].kill()
        nodes[leader][0].wait(timeout=10)
        other = 1 - leader
        wait_until(lambda: "leadership gained" in logs[other].read_text(), 30, "the other node to take over")
        assert stop(nodes[other][0]) == 0
        store.dispose()
    finally:
        for proc, _ in nodes:
            if proc.poll() is None:
                proc.kill()
        engine.dispose()
    for log in logs:
        text = log.read_text()
        assert not any(email in text for email in emails[:50])
        assert all(json.loads(line) for line in text.splitlines() if line.startswith("{"))
