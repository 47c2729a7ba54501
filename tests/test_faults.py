"""Faults in a row on one ticket, in process: each ticket gets exactly one certificate, and it is the true one.
Judged by the oracle in tests/faults_oracle.py (its own SQL), never by Eraser's own code."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from eraser import erasure
from eraser.daemon import worker as daemon_module
from eraser.demo import DEMO_EMAIL
from eraser.store.tables import FINAL
from tests.conftest import fill
from tests.faults_oracle import (
    certificates_by_ticket,
    changes,
    disagreements,
    done_once,
    snapshot,
    temporary_files,
)
from tests.test_daemon import Daemon


class Faults:
    """Raise at named steps, in order: the given list of steps is consumed one injection at a time."""

    def __init__(self, steps: list[str]) -> None:
        self.steps = list(steps)
        self.injected: list[str] = []

    def __call__(self, step: str) -> None:
        if self.steps and self.steps[0] == step:
            self.injected.append(self.steps.pop(0))
            raise RuntimeError(f"fault injected at {step}")


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Daemon]:
    monkeypatch.setattr("eraser.daemon.worker.retry_delay", lambda attempt: timedelta(0))
    d = Daemon(tmp_path / "d")
    yield d
    d.close()


def customer(d: Daemon) -> sa.Engine:
    return sa.create_engine(f"sqlite:///{d.root / 'cover.db'}")


def run_until_final(d: Daemon, ticket_id: str, rounds: int = 8) -> dict[str, Any]:
    """One claim at a time (a ticket that keeps failing would keep a drain going forever)."""
    for _ in range(rounds):
        d.worker.run_once()
        ticket = d.store.ticket(ticket_id)
        assert ticket is not None
        if ticket["status"] in ("done", "done_with_retention", "held"):
            return ticket
    raise AssertionError(f"ticket still {ticket['status']}: {ticket['last_error']}")


def check_one_true_certificate(d: Daemon, ticket_id: str, before: dict[str, Any], engine: sa.Engine) -> dict[str, Any]:
    """Exactly one certificate for the ticket, its counts what changed, done once, no temporary files."""
    certs = certificates_by_ticket(d.root / "certificates")
    assert len(certs.get(ticket_id, [])) == 1, f"{len(certs.get(ticket_id, []))} certificates"
    payload = certs[ticket_id][0]
    assert disagreements(payload, changes(before, snapshot(engine))) == []
    state = sa.create_engine(d.config.state or "")
    status, finished, stored = done_once(state)[ticket_id]
    assert (finished, stored) == (1, 1), (status, finished, stored)
    with state.connect() as conn:
        retained = conn.execute(sa.text("SELECT count(*) FROM retained_rows WHERE ticket_id = :t"), {"t": ticket_id}).scalar()
        journal = conn.execute(sa.text("SELECT count(*) FROM erasure_rows WHERE certificate_id = :c"),
                               {"c": payload["certificate"]["id"]}).scalar()
    state.dispose()
    assert retained == sum(r["rows"] for r in payload["retained"])
    assert journal and journal > 0, "no replay journal entry for the certificate"
    assert temporary_files(d.root) == []
    return payload


@pytest.mark.parametrize("steps", [["committed", "committed"], ["committed", "recorded", "certified"],
                                   ["certified", "certified"], ["certified", "certified", "certified"],
                                   ["finished", "finished"]])
def test_faults_after_the_commit_keep_the_one_true_certificate(demo: Daemon, monkeypatch: pytest.MonkeyPatch,
                                                               steps: list[str]) -> None:
    """A ticket that fails two or three times after the database committed is certified once, with what was
    really deleted and anonymized (not `nothing_found`), its replay journal and retained-row schedule."""
    faults = Faults(steps)
    monkeypatch.setattr(daemon_module, "fault", faults)
    engine = customer(demo)
    before = snapshot(engine)
    ticket = demo.submit()
    run_until_final(demo, ticket["id"])
    assert faults.injected, "no fault was injected"
    payload = check_one_true_certificate(demo, ticket["id"], before, engine)
    assert payload["outcome"] == "erased_with_retention"
    engine.dispose()


def test_a_certificate_write_failure_after_commit_leaves_it_pending(demo: Daemon, monkeypatch: pytest.MonkeyPatch) -> None:
    """ENOSPC at the certificate write, after the commit: the ticket is `committed` with the certificate pending,
    no temporary file is left, and the retry writes the true certificate, never `nothing_found`."""
    real = os.replace
    failures = []

    def full(src: Any, dst: Any) -> None:
        if str(dst).endswith(".cert.json") and len(failures) < 2:
            failures.append(dst)
            raise OSError(errno.ENOSPC, "No space left on device", str(src))
        real(src, dst)

    monkeypatch.setattr("eraser.proof.certificates.os.replace", full)
    engine = customer(demo)
    before = snapshot(engine)
    ticket = demo.submit()
    demo.worker.run_once()
    pending = demo.store.ticket(ticket["id"])
    assert pending is not None and pending["status"] == "committed", pending and pending["status"]
    assert "certificate pending" in (pending["last_error"] or "") and "No space left" in pending["last_error"]
    assert temporary_files(demo.root) == []
    run_until_final(demo, ticket["id"])
    assert len(failures) == 2
    payload = check_one_true_certificate(demo, ticket["id"], before, engine)
    assert payload["outcome"] == "erased_with_retention"
    engine.dispose()


def test_a_full_certificates_disk_stops_the_erasure_before_anything_changes(tmp_path: Path, small_disk: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """With the certificates on a full file system (a real ENOSPC), the subject is not erased and the ticket
    says why; once there is room, the retry erases and certifies truly; no temporary file is ever left."""
    monkeypatch.setattr("eraser.daemon.worker.retry_delay", lambda attempt: timedelta(0))
    d = Daemon(tmp_path / "d", extra=f"certificates: {small_disk / 'certificates'}\n")
    engine = customer(d)
    try:
        before = snapshot(engine)
        (small_disk / "certificates").mkdir()
        filler = fill(small_disk, leave=2048)
        ticket = d.submit()
        d.worker.run_once()
        failed = d.store.ticket(ticket["id"])
        assert failed is not None and failed["status"] == "failed", failed and failed["status"]
        assert "nothing was erased" in (failed["last_error"] or "")
        assert changes(before, snapshot(engine)) == {}, "the subject was erased without room for a certificate"
        assert temporary_files(small_disk) == []
        filler.unlink()
        run_until_final(d, ticket["id"])
        certs = certificates_by_ticket(small_disk / "certificates")
        assert len(certs[ticket["id"]]) == 1
        assert disagreements(certs[ticket["id"]][0], changes(before, snapshot(engine))) == []
        assert temporary_files(small_disk) == []
    finally:
        engine.dispose()
        d.close()


def test_a_certificate_left_unlogged_is_logged_when_the_ticket_resumes(demo: Daemon,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Stopped between writing a certificate and logging it, the resumed ticket logs that certificate (the same
    file, in the transparency log) in the same recovery step."""
    import eraser.proof.certificates as certificates
    import eraser.proof.translog as translog

    real = certificates.append_entry
    calls: list[str] = []

    def killed(directory: Path, index: int, digest: str, name: str) -> Any:
        calls.append(name)
        if len(calls) == 1:
            raise RuntimeError("stopped before logging")
        return real(directory, index, digest, name)

    monkeypatch.setattr(certificates, "append_entry", killed)
    ticket = demo.submit()
    run_until_final(demo, ticket["id"])
    files = sorted((demo.root / "certificates").glob("*.cert.json"))
    assert len(files) == 1
    logged = [e.certificate for e in translog.read_log(demo.root / "certificates")]
    assert logged == [files[0].name]


def test_the_worker_survives_a_state_store_outage(demo: Daemon, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two seconds without the state store do not kill the worker: it backs off, counts a restart, and then
    processes the ticket that was waiting."""
    real = demo.store.claim
    down_until = time.monotonic() + 2.0

    def claim(*args: Any, **kw: Any) -> Any:
        if time.monotonic() < down_until:
            raise sa.exc.OperationalError("SELECT", {}, Exception("connection refused"))
        return real(*args, **kw)

    monkeypatch.setattr(demo.store, "claim", claim)
    demo.worker.poll = 0.05
    thread = threading.Thread(target=demo.worker.run, daemon=True)
    thread.start()
    try:
        ticket = demo.submit()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (demo.store.ticket(ticket["id"]) or {})["status"] != "done_with_retention":
            time.sleep(0.1)
        assert thread.is_alive(), "the worker thread died"
        assert demo.store.ticket(ticket["id"])["status"] == "done_with_retention"  # type: ignore[index]
        assert demo.worker.restarts >= 1
    finally:
        demo.worker.stop.set()
        thread.join(timeout=10)


def test_healthz_is_liveness_and_readyz_names_what_is_down(demo: Daemon) -> None:
    """/healthz answers 200 while the state store is down; /readyz answers 503 and says which of the worker,
    the state store and each customer database is not ready; /metrics has restarts and the oldest ready ticket."""
    from fastapi.testclient import TestClient

    from eraser.daemon.api import create_app
    from eraser.store.state import StateStore

    demo.worker.running = True
    app = TestClient(create_app(demo.config, demo.store, worker=demo.worker))
    ready = app.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"worker": True, "state_store": True, "database:cover": True}
    demo.submit()
    metrics = app.get("/metrics").text
    assert "eraser_worker_restarts_total 0.0" in metrics and "eraser_oldest_ready_ticket_age_seconds" in metrics
    down = StateStore("postgresql+psycopg://postgres@127.0.0.1:9/nothing")
    demo.worker.running = False
    app = TestClient(create_app(demo.config, down, worker=demo.worker))
    assert app.get("/healthz").status_code == 200
    not_ready = app.get("/readyz")
    assert not_ready.status_code == 503
    assert not_ready.json()["checks"] == {"worker": False, "state_store": False, "database:cover": True}
    down.dispose()


def test_the_shared_pieces_sit_below_the_api_and_the_daemon() -> None:
    """Importing the API or the erasure care (rights) does not import the daemon: no import loop."""
    code = ("import sys, eraser.daemon.api, eraser.rights.care; "
            "sys.exit('eraser.daemon.worker' in sys.modules and 'the daemon was imported')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_identifier_on_disk_after_faults(demo: Daemon, monkeypatch: pytest.MonkeyPatch) -> None:
    """After faults at every step after the commit, no file outside the customer database names the subject."""
    from tests.faults_oracle import files_naming

    monkeypatch.setattr(daemon_module, "fault", Faults(["prepared", "committed", "recorded", "certified"]))
    ticket = demo.submit()
    run_until_final(demo, ticket["id"], rounds=12)
    assert files_naming(demo.root, [DEMO_EMAIL], skip=(demo.root / "cover.db", demo.root / "files")) == []


def test_a_customer_database_outage_pauses_the_worker_and_spends_no_attempt(demo: Daemon,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """For 2 s every connection to the customer database fails: the ticket that met the outage is charged no
    attempt and says so in words (not `internal error`), the worker waits by probing the database instead of
    claiming the ticket again and again, and it processes the ticket as soon as the database answers."""
    down_until = time.monotonic() + 2.0
    real_plan = erasure.make_plan

    def plan(*args: Any, **kw: Any) -> Any:
        if time.monotonic() < down_until:  # what SQLAlchemy raises when the connect fails: no statement
            raise sa.exc.OperationalError(None, None, Exception("connection refused"))
        return real_plan(*args, **kw)

    monkeypatch.setattr(erasure, "make_plan", plan)
    monkeypatch.setattr(daemon_module, "databases_answer", lambda config: time.monotonic() >= down_until,
                        raising=False)
    demo.worker.poll = 0.05
    ticket = demo.submit()
    thread = threading.Thread(target=demo.worker.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (demo.store.ticket(ticket["id"]) or {})["status"] not in FINAL:
            time.sleep(0.05)
        resumed_after = time.monotonic() - down_until
        assert thread.is_alive(), "the worker thread died"
    finally:
        demo.worker.stop.set()
        thread.join(timeout=10)
    final = demo.store.ticket(ticket["id"])
    assert final is not None and final["status"] == "done_with_retention", final and final["last_error"]
    assert final["attempts"] == 0, "the outage was charged to the ticket"
    failed = [j["detail"] for j in demo.store.journal_of(ticket["id"]) if j["step"] == "failed"]
    assert len(failed) == 1, failed  # claimed once during the outage, not again and again
    assert "could not be reached" in failed[0] and "internal error" not in failed[0], failed
    assert resumed_after < 6.0, f"processed {resumed_after:.1f} s after the database came back"
    assert demo.worker.restarts == 1


def test_an_injected_enospc_at_the_reservation_erases_nothing(demo: Daemon, monkeypatch: pytest.MonkeyPatch) -> None:
    """ERASER_FAULT=enospc:reserve:1: the reservation fails as on a full disk, so nothing is erased and the ticket
    says why; the retry erases and certifies once, and no reservation or temporary file is left."""
    from collections import Counter

    from eraser import faults

    monkeypatch.setattr(faults, "_injected", Counter())
    monkeypatch.setenv("ERASER_FAULT", "enospc:reserve:1")
    engine = customer(demo)
    before = snapshot(engine)
    ticket = demo.submit()
    demo.worker.run_once()
    failed = demo.store.ticket(ticket["id"])
    assert failed is not None and failed["status"] == "failed", failed and failed["status"]
    assert "No space left" in failed["last_error"] and "nothing was erased" in failed["last_error"]
    assert changes(before, snapshot(engine)) == {}
    assert temporary_files(demo.root) == []
    run_until_final(demo, ticket["id"])
    check_one_true_certificate(demo, ticket["id"], before, engine)
    engine.dispose()
