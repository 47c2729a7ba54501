"""Fault injection with real processes: the daemon is killed by name at every step of a ticket, two and three
times in a row on the same ticket, with the state store on SQLite and on PostgreSQL and the customer database on
PostgreSQL; and the state store is taken away for 5 s under a running daemon. After each scenario the oracle
(tests/faults_oracle.py, its own SQL) checks every ticket done once, one certificate per ticket whose counts are
what changed in the customer database, no temporary file, and no identifier on disk or in the state store."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from eraser.config import load_config
from eraser.daemon.intake import submit_ticket
from eraser.proof.certificates import generate_keys, verify
from eraser.store.state import StateStore
from tests.conftest import fresh_database
from tests.faults_oracle import (
    certificates_by_ticket,
    changes,
    disagreements,
    done_once,
    files_naming,
    rows_naming,
    snapshot,
    temporary_files,
)
from tests.faults_proxy import Proxy
from tests.test_daemon import token_block
from tests.test_daemon_processes import ROOT, start, stop, wait_until

STEPS = ["claimed", "planned", "running", "prepared", "committed", "recorded", "certified", "finished"]
FINAL = ("done", "done_with_retention", "held", "rejected")
RESULTS = os.environ.get("ERASER_FAULT_RESULTS")  # a JSON file to collect the scenario table in


@dataclass
class Setup:
    root: Path
    config: Path
    env: dict[str, str]
    customer: sa.Engine
    store: StateStore
    emails: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)

    def ticket(self, ref: str, email: str) -> str:
        ticket, _ = submit_ticket(self.store, load_config(self.config), kind="erase", subject={"email": email},
                                  external_ref=ref, received_at=None, requested_by="fault test")
        return str(ticket["id"])

    def status(self, ticket_id: str) -> str:
        return str((self.store.ticket(ticket_id) or {}).get("status"))


def _setup(tmp_path: Path, customer_url: str, state_url: str, monkeypatch: pytest.MonkeyPatch) -> Setup:
    from eraser.demo import populate

    engine = sa.create_engine(customer_url)
    populate(engine, persons=60, seed=21)
    with engine.connect() as conn:
        emails = list(conn.execute(sa.text(
            "SELECT p.email FROM persons p WHERE p.email IS NOT NULL AND EXISTS (SELECT 1 FROM invoices i WHERE "
            "i.person_id = p.id AND i.invoice_date >= '2023-06-01') ORDER BY p.id LIMIT 24")).scalars())
    generate_keys(tmp_path / "keys")
    env = {"COVER_DB_URL": customer_url, "ERASER_SECRET": "fault-secret-0123456789abcdef0123456789",
           "ERASER_SIGNING_KEY": str(tmp_path / "keys" / "eraser-signing.pem"),
           "ERASER_PUBLIC_KEY": str(tmp_path / "keys" / "eraser-signing.pub.pem"),
           "ERASER_CERTIFICATES": str(tmp_path / "certificates")}
    config = tmp_path / "faults.yaml"
    config.write_text((ROOT / "configs" / "cover_group.yaml").read_text() + f"state: {state_url}\n" + token_block()
                      + "daemon:\n  poll_seconds: 0.2\n  lease_seconds: 5\n")
    for key, value in env.items():  # the test process loads the config too
        monkeypatch.setenv(key, value)
    store = StateStore(state_url)
    store.migrate()
    return Setup(tmp_path, config, env, engine, store, emails)


def _run_to_end(s: Setup, ticket_id: str, log: Path, fault: str | None, timeout: float = 90) -> bool:
    """Start the daemon (with a fault, or none) and wait until it is killed or the ticket is final; True if the
    fault killed it."""
    proc, _ = start(s.config, s.env, log, fault=fault)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            assert proc.returncode == -signal.SIGKILL, f"daemon exited with {proc.returncode}"
            return True
        if s.status(ticket_id) in FINAL:
            time.sleep(0.3)  # a fault after the last step may still kill it
            if proc.poll() is not None:
                return proc.returncode == -signal.SIGKILL
            assert stop(proc) == 0
            return False
        time.sleep(0.1)
    proc.kill()
    raise AssertionError(f"ticket {ticket_id} not final after {timeout} s with fault {fault}: {s.status(ticket_id)}")


def _check(s: Setup, ticket_id: str, before: dict[str, Any]) -> str:
    """The oracle on one ticket; returns the certificate's outcome word."""
    certs = certificates_by_ticket(s.root / "certificates").get(ticket_id, [])
    assert len(certs) == 1, f"{len(certs)} certificates for {ticket_id}"
    problems = disagreements(certs[0], changes(before, snapshot(s.customer)))
    assert problems == [], problems
    return str(certs[0]["outcome"])


def _final_checks(s: Setup, log: Path) -> None:
    tickets = done_once(s.store.engine)
    bad = {t: v for t, v in tickets.items() if v[0] not in FINAL or v[1:] != (1, 1)}
    assert bad == {}, f"tickets not done exactly once with one certificate: {bad}"
    files = sorted((s.root / "certificates").glob("*.cert.json"))
    assert len(files) == len(tickets)
    for path in files:
        verify(path, [s.root / "keys" / "eraser-signing.pub.pem"])
    logged = [json.loads(line)["certificate"] for line in (s.root / "certificates" / "transparency.log").read_text()
              .splitlines()] if (s.root / "certificates" / "transparency.log").exists() else None
    if logged is not None:
        assert sorted(logged) == [p.name for p in files], "a certificate is missing from the transparency log"
    assert temporary_files(s.root) == []
    assert files_naming(s.root, s.emails) == [], "an identifier was written to disk"
    assert rows_naming(s.store.engine, s.emails) == [], "an identifier is in the state store"


@pytest.fixture(params=["sqlite", "postgresql"])
def setup(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Setup]:
    customer = fresh_database("postgresql", tmp_path)
    customer_url = next(customer)
    state = fresh_database(request.param, tmp_path)
    state_url = next(state)
    if request.param == "sqlite":
        state_url = f"sqlite:///{tmp_path / 'eraser-state.db'}"
    s = _setup(tmp_path, customer_url, state_url, monkeypatch)
    try:
        yield s
    finally:
        s.store.dispose()
        s.customer.dispose()
        for gen in (state, customer):
            next(gen, None)


@pytest.mark.slow
def test_faults_at_every_step_two_and_three_times_in_a_row(setup: Setup) -> None:
    """Every step, killed two and then three times in a row on one ticket, then a clean start: each ticket done
    once, one certificate, its counts what changed; nothing left behind."""
    s = setup
    log = s.root / "daemon.log"
    backend = "sqlite" if s.store.url.startswith("sqlite") else "postgresql"
    emails = iter(s.emails)
    for times in (2, 3):
        for step in STEPS:
            ticket_id = s.ticket(f"F-{step}-{times}", next(emails))
            before = snapshot(s.customer)
            kills = sum(_run_to_end(s, ticket_id, log, step) for _ in range(times)
                        if s.status(ticket_id) not in FINAL)
            if s.status(ticket_id) not in FINAL:
                _run_to_end(s, ticket_id, log, None)
            outcome = _check(s, ticket_id, before)
            s.rows.append({"scenario": f"SIGKILL at `{step}`", "state": backend, "injections": times,
                           "kills": kills, "tickets": 1, "result": f"1 certificate, {outcome}, counts match"})
    _final_checks(s, log)
    _record(s.rows)


@pytest.mark.slow
def test_a_state_store_down_for_five_seconds_under_a_running_daemon(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The PostgreSQL state store goes away for 5 s while the daemon works through 8 tickets: /healthz stays 200,
    /readyz says 503, the worker backs off and carries on, and every ticket is done once with one true certificate."""
    customer = fresh_database("postgresql", tmp_path)
    state = fresh_database("postgresql", tmp_path)
    customer_url, state_url = next(customer), next(state)
    proxy = Proxy(("127.0.0.1", 5432))
    proxied = sa.engine.make_url(state_url).set(port=proxy.port).render_as_string(hide_password=False)
    s = _setup(tmp_path, customer_url, proxied, monkeypatch)
    direct = StateStore(state_url)
    log = tmp_path / "daemon.log"
    proc, port = start(s.config, s.env, log)
    try:
        wait_until(lambda: _get(port, "/healthz") == 200, 60, "daemon to listen")
        before = snapshot(s.customer)
        s.store = direct
        ids = [s.ticket(f"OUT-{i}", email) for i, email in enumerate(s.emails[:8])]
        wait_until(lambda: s.status(ids[0]) in FINAL, 60, "the first ticket")
        proxy.down()
        time.sleep(1.0)
        during = (_get(port, "/healthz"), _get(port, "/readyz"))
        time.sleep(4.0)
        proxy.restore()
        wait_until(lambda: all(s.status(t) in FINAL for t in ids), 120, "every ticket after the outage")
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
        assert proc.poll() is None
        assert stop(proc) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        proxy.close()
    assert during == (200, 503), during
    restarts = float(next(line.split()[1] for line in metrics.splitlines()
                          if line.startswith("eraser_worker_restarts_total")))
    observed = changes(before, snapshot(s.customer))
    certs = certificates_by_ticket(tmp_path / "certificates")
    assert sorted(certs) == sorted(ids) and all(len(v) == 1 for v in certs.values())
    total: dict[str, Any] = {}
    for payloads in certs.values():
        for db in payloads[0]["databases"]:
            for t in db["tables"]:
                entry = total.setdefault(t["table"], {"deleted": 0})
                entry["deleted"] += t["counts"].get("delete", 0)
    assert {t: v["deleted"] for t, v in total.items() if v["deleted"]} == \
        {t: c["deleted"] for t, c in observed.items() if c["deleted"]}
    _final_checks(s, log)
    s.rows.append({"scenario": "state store (PostgreSQL) down 5 s", "state": "postgresql", "injections": 1,
                   "kills": 0, "tickets": len(ids),
                   "result": f"healthz 200, readyz 503 during; {int(restarts)} worker restart(s); all done once"})
    _record(s.rows)
    direct.dispose()
    s.customer.dispose()
    for gen in (state, customer):
        next(gen, None)


def _get(port: int, path: str) -> int:
    try:
        return httpx.get(f"http://127.0.0.1:{port}{path}", timeout=3).status_code
    except httpx.HTTPError:
        return 0


def _record(rows: list[dict[str, Any]]) -> None:
    """Add this run's scenarios to $ERASER_FAULT_RESULTS (the table in bench/RESULTS.md is made from it)."""
    if not RESULTS:
        return
    path = Path(RESULTS)
    existing = json.loads(path.read_text()) if path.exists() else []
    keys = {(r["scenario"], r["state"], r["injections"]) for r in rows}
    path.write_text(json.dumps([r for r in existing if (r["scenario"], r["state"], r["injections"]) not in keys]
                                  + rows, indent=1) + "\n")

