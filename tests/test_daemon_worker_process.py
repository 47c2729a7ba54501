"""The daemon's worker in a process of its own: it erases outside the intake's interpreter, reads the schemas once for
the process, is restarted when it dies, and never outlives the daemon. And the intake does no erasure work."""

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

from connectors.sql import SQLConnector
from eraser.store.state import StateStore
from tests.test_daemon import HELPDESK, Daemon, token_block
from tests.test_daemon_processes import free_port, healthy, wait_until

ROOT = Path(__file__).resolve().parents[1]
FINAL = ("done", "done_with_retention", "held", "rejected")


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def running(pid: int) -> bool:
    """Alive and not a zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def events(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]


def worker_pids(log: Path) -> list[int]:
    return [int(e["pid"]) for e in events(log) if e["event"] == "worker process started"]


def ready(port: int) -> bool:
    try:
        answer = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2)
    except httpx.HTTPError:
        return False
    return answer.status_code == 200 and answer.json()["checks"].get("worker") is True


class Served:
    """A real `eraser serve` over a SQLite demo (customer database and state store)."""

    def __init__(self, root: Path) -> None:
        from eraser.demo import prepare

        self.config = prepare(root / "d", persons=40, seed=5)
        with self.config.open("a") as fh:
            fh.write(token_block() + "daemon:\n  poll_seconds: 0.2\n  lease_seconds: 10\n")
        self.customer = sa.create_engine(f"sqlite:///{root / 'd' / 'cover.db'}")
        self.store = StateStore(f"sqlite:///{root / 'd' / 'eraser-state.db'}")
        self.log = root / "serve.log"
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if k != "ERASER_FAULT"}
        self.proc = subprocess.Popen([sys.executable, "-m", "eraser", "--log-format", "json", "serve", "--config",
                                      str(self.config), "--port", str(self.port)], cwd=ROOT, env=env,
                                     stdout=self.log.open("w"), stderr=subprocess.STDOUT)
        wait_until(lambda: healthy(self.port), 60, "the daemon to listen")
        wait_until(lambda: ready(self.port), 60, "the worker to be ready")

    def emails(self, n: int, offset: int = 0) -> list[str]:
        with self.customer.connect() as conn:
            return list(conn.execute(sa.text("SELECT email FROM persons WHERE email IS NOT NULL ORDER BY id "
                                             "LIMIT :n OFFSET :o"), {"n": n, "o": offset}).scalars())

    def submit(self, email: str, ref: str) -> str:
        answer = httpx.post(f"http://127.0.0.1:{self.port}/tickets", headers={"Authorization": f"Bearer {HELPDESK}"},
                            json={"subject": {"email": email}, "external_ref": ref, "requested_by": "t"}, timeout=10)
        assert answer.status_code == 201, answer.text
        return str(answer.json()["id"])

    def finished(self, ids: list[str]) -> bool:
        return all((self.store.ticket(t) or {}).get("status") in FINAL for t in ids)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.store.dispose()
        self.customer.dispose()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    daemon = Served(tmp_path)
    try:
        yield daemon
    finally:
        daemon.close()


@pytest.mark.slow
def test_the_worker_erases_in_its_own_process_reads_the_schemas_once_and_stops_with_the_daemon(served: Served) -> None:
    """The tickets are done by a process other than the one serving HTTP, which read the customer database's
    schema once for four tickets; SIGTERM stops the daemon and its worker cleanly, leaving no process behind."""
    workers = worker_pids(served.log)
    assert len(workers) == 1 and workers[0] != served.proc.pid
    assert workers[0] in children(served.proc.pid)
    ids = [served.submit(email, f"W-{i}") for i, email in enumerate(served.emails(4))]
    wait_until(lambda: served.finished(ids), 90, "four tickets to finish")
    with served.store.engine.connect() as conn:
        nodes = set(conn.execute(sa.text("SELECT node FROM journal WHERE step LIKE 'done%'")).scalars())
    assert nodes == {f"{socket.gethostname()}:{served.proc.pid}"}  # the node is the daemon, whatever its processes
    family = children(served.proc.pid)
    served.proc.send_signal(signal.SIGTERM)
    assert served.proc.wait(timeout=60) == 0, served.log.read_text()[-2000:]
    wait_until(lambda: not any(running(pid) for pid in family), 10, "the daemon's processes to end")
    said = events(served.log)
    reads = [e for e in said if e["event"] == "customer database schemas read"]
    assert len(reads) == 1 and reads[0]["pid"] == workers[0], reads
    assert [e["event"] for e in said if e["event"] in ("worker stopped", "daemon stopped")] == \
        ["worker stopped", "daemon stopped"]
    assert not any("unexpectedly" in e["event"] for e in said)


@pytest.mark.slow
def test_a_daemon_killed_takes_its_worker_with_it(served: Served) -> None:
    """SIGKILL of the daemon (no chance to stop anything) still ends its worker process: no orphan erasing on."""
    worker = worker_pids(served.log)[0]
    assert running(worker)
    served.proc.kill()
    served.proc.wait(timeout=10)
    wait_until(lambda: not running(worker), 10, "the orphaned worker to end")


@pytest.mark.slow
def test_a_worker_killed_in_a_ticket_is_restarted_and_the_ticket_resumes_at_once(served: Served) -> None:
    """The worker process killed while it holds a ticket: the daemon stays up, frees the claim (no waiting for the
    lease), starts another worker, is ready again, counts the restart in /metrics, and the ticket is done by the
    new worker."""
    first = worker_pids(served.log)[0]
    ticket = served.submit(served.emails(1)[0], "R-1")
    deadline = time.monotonic() + 30
    while (served.store.ticket(ticket) or {}).get("claimed_by") is None:  # polled often: a ticket takes ~0.5 s
        assert time.monotonic() < deadline, "the ticket was never claimed"
        time.sleep(0.01)
    os.kill(first, signal.SIGKILL)
    wait_until(lambda: len(worker_pids(served.log)) == 2, 30, "a new worker process")
    wait_until(lambda: ready(served.port), 30, "the daemon to be ready again")
    second = worker_pids(served.log)[1]
    assert second != first and served.proc.poll() is None
    metrics = httpx.get(f"http://127.0.0.1:{served.port}/metrics", timeout=5).text
    assert "eraser_worker_restarts_total 1.0" in metrics
    wait_until(lambda: served.finished([ticket]), 60, "the ticket to finish")
    steps = [j["step"] for j in served.store.journal_of(ticket)]
    assert "released" in steps, steps  # freed by the daemon when its worker died, not after the lease
    assert any(e["event"].startswith("worker process stopped unexpectedly") for e in events(served.log))
    served.proc.send_signal(signal.SIGTERM)  # the restarted worker stops as cleanly as the first would have
    assert served.proc.wait(timeout=60) == 0
    assert [e["event"] for e in events(served.log) if e["event"] in ("worker stopped", "daemon stopped")] == \
        ["worker stopped", "daemon stopped"]


@pytest.mark.slow
def test_a_reloaded_config_reaches_the_worker_process(served: Served) -> None:
    """SIGHUP with `approval: required`: the worker process takes the new config before its next ticket, so that
    ticket is planned and waits for a person instead of being erased."""
    served.config.write_text(served.config.read_text() + "approval: required\n")
    served.proc.send_signal(signal.SIGHUP)
    wait_until(lambda: any(e["event"] == "config reloaded" for e in events(served.log)), 30, "the reload")
    time.sleep(1.0)  # the config crosses to the worker process between tickets
    ticket = served.submit(served.emails(1)[0], "A-1")
    wait_until(lambda: (served.store.ticket(ticket) or {}).get("status") == "planned", 60, "the ticket planned")
    time.sleep(1.0)
    assert (served.store.ticket(ticket) or {}).get("status") == "planned"  # not erased: it awaits approval
    steps = [j["step"] for j in served.store.journal_of(ticket)]
    assert "awaiting approval" in steps and not any(step.startswith("done") for step in steps), steps


def scheduled(store: StateStore) -> dict[str, float]:
    """The jobs in the scheduler's job store, and when each runs next (read with our own SQL)."""
    with store.engine.connect() as conn:
        return {row.id: row.next_run_time for row in conn.execute(sa.text(
            "SELECT id, next_run_time FROM apscheduler_jobs"))}


@pytest.mark.slow
def test_the_scheduled_jobs_run_in_the_worker_process_not_in_the_intake(served: Served) -> None:
    """The leadership and the scheduler (retention sweep, due-date warnings) are the worker process's: the intake
    process runs none of them; a reload reschedules them there, and a restarted worker takes them over."""
    wait_until(lambda: any(e["event"] == "leadership gained" for e in events(served.log)), 30, "leadership")
    first = worker_pids(served.log)[0]
    gained = [e["pid"] for e in events(served.log) if e["event"] == "leadership gained"]
    assert gained == [first] and first != served.proc.pid
    wait_until(lambda: {"retention-sweep", "due-warnings"} <= set(scheduled(served.store)), 30, "the jobs scheduled")
    before = scheduled(served.store)["retention-sweep"]
    served.config.write_text(served.config.read_text().replace("daemon:\n", "daemon:\n  sweep_at: \"00:07\"\n", 1))
    served.proc.send_signal(signal.SIGHUP)
    wait_until(lambda: scheduled(served.store)["retention-sweep"] != before, 30, "the sweep rescheduled")
    assert time.gmtime(scheduled(served.store)["retention-sweep"])[3:5] == (0, 7)
    os.kill(first, signal.SIGKILL)
    wait_until(lambda: len(worker_pids(served.log)) == 2, 30, "a new worker process")
    second = worker_pids(served.log)[1]
    wait_until(lambda: [e["pid"] for e in events(served.log) if e["event"] == "leadership gained"] == [first, second],
               30, "the new worker to lead")
    served.proc.send_signal(signal.SIGTERM)
    assert served.proc.wait(timeout=60) == 0, served.log.read_text()[-2000:]


def test_the_worker_reflects_the_schemas_once_for_several_tickets(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Four tickets through one worker: the customer database's schema is read once, not per ticket."""
    reflected: list[str] = []
    original = SQLConnector._reflect

    def counting(self: SQLConnector) -> sa.MetaData:
        reflected.append(self.name)
        return original(self)

    monkeypatch.setattr(SQLConnector, "_reflect", counting)
    daemon = Daemon(tmp_path / "d")
    try:
        with daemon.store.engine.connect():
            pass
        engine = sa.create_engine(f"sqlite:///{tmp_path / 'd' / 'cover.db'}")
        with engine.connect() as conn:
            emails = list(conn.execute(sa.text("SELECT email FROM persons WHERE email IS NOT NULL ORDER BY id "
                                               "LIMIT 4")).scalars())
        engine.dispose()
        for i, email in enumerate(emails):
            daemon.submit(email=email, ref=f"F-{i}")
        assert reflected == []  # intake reads no schema
        assert daemon.drain() == 4
        assert reflected == ["cover"] and daemon.worker.sessions_opened == 1
    finally:
        daemon.close()


def test_post_tickets_is_one_state_store_transaction_and_no_customer_database_work(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """POST /tickets opens no connector, reflects nothing and runs in one transaction of the state store."""
    def forbidden(*_args: Any, **_kw: Any) -> Any:
        raise AssertionError("customer database work on intake")

    daemon = Daemon(tmp_path / "d")
    try:
        import eraser.engine.session

        monkeypatch.setattr(eraser.engine.session, "open_connector", forbidden)
        monkeypatch.setattr(SQLConnector, "_reflect", forbidden)
        begins: list[int] = []
        sa.event.listen(daemon.store.engine, "begin", lambda _conn: begins.append(1))
        ticket = daemon.submit(ref="ONE-1")
        assert ticket["status"] == "received" and len(begins) == 1
    finally:
        daemon.close()
