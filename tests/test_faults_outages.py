"""Outages and disks with real processes: the customer database unreachable for 30 s under a running daemon, two
daemons on a PostgreSQL state store with the one running a tenant purge SIGKILLed in the middle of it, a purge
killed in a batch two and three times in a row, and a
certificates directory that has no room (a real full tmpfs before the erasure, an injected ENOSPC at the
certificate write after the commit). After each, the oracle (tests/faults_oracle.py, its own SQL) checks every
ticket done once with one certificate whose counts are what changed, no temporary file, no identifier on disk."""

from __future__ import annotations

import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
import yaml

from tests.conftest import fill, fresh_database
from tests.faults_oracle import (
    certificates_by_ticket,
    changes,
    disagreements,
    files_naming,
    snapshot,
    temporary_files,
)
from tests.faults_proxy import Proxy
from tests.test_daemon_processes import start, stop, wait_until
from tests.test_faults_processes import FINAL, Setup, _final_checks, _get, _record, _setup

pytestmark = pytest.mark.slow


def via(url: str, port: int) -> str:
    return sa.engine.make_url(url).set(port=port).render_as_string(hide_password=False)


def summed(payloads: list[dict[str, Any]]) -> dict[str, Any]:
    """One payload whose per-table counts are the sums of the given certificates' (for tickets that ran at the
    same time, where the oracle sees only the union of what they changed)."""
    tables: dict[str, dict[str, Any]] = {}
    for payload in payloads:
        for db in payload["databases"]:
            for t in db["tables"]:
                entry = tables.setdefault(t["table"], {"table": t["table"], "counts": Counter(), "done": Counter()})
                entry["counts"].update(t["counts"])
                entry["done"].update(t.get("done", {}))
    return {"databases": [{"tables": list(tables.values())}]}


def readiness(port: int) -> dict[str, Any]:
    try:
        answer = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
        return {**answer.json(), "http": answer.status_code}
    except (httpx.HTTPError, ValueError):
        return {"http": 0}


@pytest.fixture
def pg_pg(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A customer database and a state store, both on PostgreSQL."""
    customer, state = fresh_database("postgresql", tmp_path), fresh_database("postgresql", tmp_path)
    yield next(customer), next(state)
    for gen in (state, customer):
        next(gen, None)


def test_the_customer_database_unreachable_for_thirty_seconds(tmp_path: Path, pg_pg: tuple[str, str],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Connections to the customer database are reset and refused for 30 s while the daemon works through 12
    tickets: /readyz names the database, the worker backs off and carries on, and afterwards every ticket is
    done once with one certificate, the certificates' counts are what changed, nothing is left on disk."""
    customer_url, state_url = pg_pg
    proxy = Proxy(("127.0.0.1", 5432))
    s = _setup(tmp_path, customer_url, state_url, monkeypatch)
    s.env["COVER_DB_URL"] = via(customer_url, proxy.port)  # the daemon reaches the customer database through it
    log = tmp_path / "daemon.log"
    proc, port = start(s.config, s.env, log)
    seen: list[dict[str, Any]] = []
    try:
        wait_until(lambda: _get(port, "/healthz") == 200, 60, "daemon to listen")
        before = snapshot(s.customer)
        ids = [s.ticket(f"DB-{i}", email) for i, email in enumerate(s.emails[:12])]
        wait_until(lambda: s.status(ids[0]) in FINAL, 60, "the first ticket")
        proxy.down()
        began = time.monotonic()
        while time.monotonic() - began < 30:
            seen.append({**readiness(port), "healthz": _get(port, "/healthz")})
            time.sleep(2)
        done_during = sum(s.status(t) in FINAL for t in ids)
        proxy.restore()
        restored = time.monotonic()
        wait_until(lambda: all(s.status(t) in FINAL for t in ids), 120, "every ticket after the outage")
        recovered = time.monotonic() - restored
        after = readiness(port)
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
        assert proc.poll() is None, "the daemon died"
        assert stop(proc) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        proxy.close()
    assert all(r["healthz"] == 200 for r in seen), seen
    assert all(r["http"] == 503 and r["checks"]["database:cover"] is False for r in seen[1:]), seen
    assert after["http"] == 200, after
    certs = certificates_by_ticket(tmp_path / "certificates")
    assert sorted(certs) == sorted(ids) and all(len(v) == 1 for v in certs.values())
    assert not any(v[0]["outcome"] == "nothing_found" for v in certs.values()), "a false nothing_found"
    observed = changes(before, snapshot(s.customer))
    assert disagreements(summed([v[0] for v in certs.values()]), observed) == []
    _final_checks(s, log)
    failures = _failed_attempts(s.store.engine)
    with s.store.engine.connect() as conn:  # the outage was not charged to the tickets
        charged = conn.execute(sa.text("SELECT count(*) FROM tickets WHERE attempts > 0")).scalar()
    assert charged == 0, f"{charged} ticket(s) were charged an attempt for the outage"
    assert failures <= 3, f"{failures} failed attempts: the worker kept claiming tickets during the outage"
    assert recovered < 20, f"the tickets were done {recovered:.0f} s after the database came back"
    s.rows.append({"scenario": "customer database (PostgreSQL) unreachable 30 s (proxy resets and refuses)",
                   "state": "postgresql", "injections": 1, "kills": 0, "tickets": len(ids),
                   "result": f"healthz 200, readyz 503 naming database:cover; {done_during - 1} more done during, "
                             f"{failures} ticket(s) met it (no attempt charged); all done {recovered:.0f} s after; "
                             f"{_metric(metrics, 'eraser_worker_restarts_total')} worker restart(s); all done once"})
    _record(s.rows)
    s.store.dispose()
    s.customer.dispose()


def _failed_attempts(state: sa.Engine) -> int:
    with state.connect() as conn:
        return int(conn.execute(sa.text("SELECT count(*) FROM journal WHERE step = 'failed'")).scalar() or 0)


def _metric(text: str, name: str) -> int:
    return int(float(next(line.split()[1] for line in text.splitlines() if line.startswith(name))))


# -- two daemons, one killed mid-purge ------------------------------------------------------------------------

TENANT, TENANT_ID = "T002", 2


def _purge_setup(tmp_path: Path, customer_url: str, state_url: str, monkeypatch: pytest.MonkeyPatch) -> Setup:
    from eraser.demo import populate

    s = _setup(tmp_path, customer_url, state_url, monkeypatch)
    with s.customer.begin() as conn:  # _setup's data, replaced with three tenants' worth
        for table in reversed(sa.MetaData().sorted_tables):
            conn.execute(table.delete())
    meta = sa.MetaData()
    meta.reflect(s.customer)
    meta.drop_all(s.customer)
    populate(s.customer, persons=90, seed=11, tenants=3)
    data = yaml.safe_load(s.config.read_text())
    data["tenants"] = {"table": "tenants", "key": "code", "batch_size": 8}
    data["contracts"] = [{"tenant": TENANT, "ends_on": "2099-01-31", "action": "return_and_destroy"}]
    for table in ("persons", "projects"):
        data["connectors"]["cover"]["tables"][table]["tenant"] = "tenant_id"
    s.config.write_text(yaml.safe_dump(data, sort_keys=False))
    with s.customer.connect() as conn:
        s.emails = list(conn.execute(sa.text("SELECT email FROM persons WHERE tenant_id = :t AND email IS NOT NULL"),
                                     {"t": TENANT_ID}).scalars())
    return s


def _purge_progress(state: sa.Engine) -> tuple[int, int, int, str | None]:
    """Batches done, batches journaled but not marked done, all batches, and who holds the purge ticket's claim
    (own SQL on the state store)."""
    with state.connect() as conn:
        done, pending, total = conn.execute(sa.text(
            "SELECT count(*) FILTER (WHERE status = 'done'), count(*) FILTER (WHERE status = 'pending'), count(*) "
            "FROM purge_batches")).one()
        holder = conn.execute(sa.text("SELECT claimed_by FROM tickets WHERE kind = 'purge'")).scalar()
    return int(done), int(pending), int(total), holder


@pytest.mark.parametrize("stage", ["journaled", "committed"])
def test_two_daemons_one_killed_in_the_middle_of_a_purge(tmp_path: Path, pg_pg: tuple[str, str], stage: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Two daemons share a PostgreSQL state store; the one running a tenant purge (return and destroy, batches
    of 8 rows) is SIGKILLed in its 90th batch (ERASER_FAULT=purge-STAGE@90: executed and journaled, not
    committed; or committed, not marked done). The other takes the ticket over when the dead node's heartbeat
    lease runs out (5 s), resumes at that batch, and the purge completes once: one certificate, counts equal
    what changed, one return package, no temporary folder, no identifier anywhere else."""
    from eraser.daemon.jobs import job_contract_end

    customer_url, state_url = pg_pg
    s = _purge_setup(tmp_path, customer_url, state_url, monkeypatch)
    before = snapshot(s.customer)
    state = s.store.engine
    gate = tmp_path / "b-is-up"  # A's kill waits for it: the takeover is always between two running daemons
    victim, port_a = start(s.config, {**s.env, "ERASER_FAULT_GATE": str(gate)}, tmp_path / "daemon-a.log",
                           fault=f"purge-{stage}@90")
    survivor: subprocess.Popen[bytes] | None = None
    try:
        wait_until(lambda: _get(port_a, "/healthz") == 200, 60, "daemon A to listen")
        job_contract_end(str(s.config), TENANT, "return_and_destroy")
        tid = s.store.tickets()[0]["id"]
        wait_until(lambda: (_purge_progress(state)[3] or "").endswith(f":{victim.pid}"), 30, "A to claim the purge")
        survivor, port_b = start(s.config, s.env, tmp_path / "daemon-b.log")
        wait_until(lambda: _get(port_b, "/healthz") == 200, 60, "daemon B to listen")
        assert victim.poll() is None, "A was killed before B was up: not a takeover between running daemons"
        gate.touch()
        victim.wait(timeout=120)
        assert victim.returncode == -signal.SIGKILL, victim.returncode
        killed = time.monotonic()
        at_kill = _purge_progress(state)
        wait_until(lambda: (_purge_progress(state)[3] or "").endswith(f":{survivor.pid}"), 30,
                   "daemon B to take the purge over")
        takeover = time.monotonic() - killed
        wait_until(lambda: s.status(tid) in FINAL, 180, "the purge to complete")
        assert survivor.poll() is None
        assert stop(survivor) == 0
    finally:
        for proc in (victim, survivor):
            if proc is not None and proc.poll() is None:
                proc.kill()
    holder = f":{victim.pid}"
    assert at_kill[:2] == (89, 1), at_kill  # 89 batches done, the 90th journaled when A died
    journal = s.store.journal_of(tid)
    assert any((j.get("detail") or "").startswith("taken over from") and (j.get("detail") or "").endswith(holder)
               for j in journal), journal
    payload = _check_purge(s, tid, before)
    what = "executed and journaled, not committed" if stage == "journaled" else "committed, not marked done"
    s.rows.append({"scenario": f"two daemons (PostgreSQL state store), the one running a tenant purge SIGKILLed "
                               f"in its 90th batch ({what})", "state": "postgresql", "injections": 1, "kills": 1,
                   "tickets": 1,
                   "result": f"killed at batch 90 of {at_kill[2]}; taken over in {takeover:.1f} s; "
                             f"{payload['execution']['batches']} batches, 1 certificate "
                             f"({payload['outcome']}), counts match, 1 package"})
    _record(s.rows)
    s.store.dispose()
    s.customer.dispose()


@pytest.mark.parametrize(("stage", "times"), [("journaled", 3), ("committed", 2)])
def test_a_purge_killed_in_a_batch_again_and_again(tmp_path: Path, pg_pg: tuple[str, str], stage: str, times: int,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """One daemon, SIGKILLed in the 10th batch of each of its runs (ERASER_FAULT=purge-STAGE@10) two or three
    times in a row on the same purge ticket, then started without a fault: each run resumes where the last one
    stopped and the purge completes once, with one certificate whose counts are what changed."""
    from eraser.daemon.jobs import job_contract_end

    customer_url, state_url = pg_pg
    s = _purge_setup(tmp_path, customer_url, state_url, monkeypatch)
    before = snapshot(s.customer)
    state = s.store.engine
    job_contract_end(str(s.config), TENANT, "return_and_destroy")
    tid = s.store.tickets()[0]["id"]
    done_at_kill = []
    for run in range(times + 1):
        proc, _port = start(s.config, s.env, tmp_path / "daemon.log", fault=f"purge-{stage}@10" if run < times else None)
        try:
            if run < times:
                proc.wait(timeout=120)
                assert proc.returncode == -signal.SIGKILL, proc.returncode
                done_at_kill.append(_purge_progress(state)[0])
            else:
                wait_until(lambda: s.status(tid) in FINAL, 120, "the purge to complete")
                assert stop(proc) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
    # each run redoes the batch the last one died in, then goes 9 further
    assert done_at_kill == [9 * (i + 1) for i in range(times)], done_at_kill
    payload = _check_purge(s, tid, before)
    s.rows.append({"scenario": f"SIGKILL in a purge batch ({'journaled, not committed' if stage == 'journaled' else 'committed, not marked done'}) "
                               "on the same purge ticket, then a clean start",
                   "state": "postgresql", "injections": times, "kills": times, "tickets": 1,
                   "result": f"batches done at each kill: {', '.join(map(str, done_at_kill))}; "
                             f"{payload['execution']['batches']} batches, 1 certificate ({payload['outcome']}), "
                             "counts match, 1 package"})
    _record(s.rows)
    s.store.dispose()
    s.customer.dispose()


def test_the_customer_database_unreachable_in_the_middle_of_a_purge(tmp_path: Path, pg_pg: tuple[str, str],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The customer database goes away for 10 s after 30 batches of a tenant purge: the worker waits, the purge
    resumes at its next batch when the database answers, and completes once with counts equal to what changed."""
    from eraser.daemon.jobs import job_contract_end

    customer_url, state_url = pg_pg
    proxy = Proxy(("127.0.0.1", 5432))
    s = _purge_setup(tmp_path, customer_url, state_url, monkeypatch)
    s.env["COVER_DB_URL"] = via(customer_url, proxy.port)
    before = snapshot(s.customer)
    state = s.store.engine
    proc, port = start(s.config, s.env, tmp_path / "daemon.log")
    try:
        wait_until(lambda: _get(port, "/healthz") == 200, 60, "daemon to listen")
        job_contract_end(str(s.config), TENANT, "return_and_destroy")
        tid = s.store.tickets()[0]["id"]
        wait_until(lambda: _purge_progress(state)[0] >= 30, 120, "30 batches of the purge")
        proxy.down()
        at_outage = _purge_progress(state)
        time.sleep(10)
        during = readiness(port)
        proxy.restore()
        restored = time.monotonic()
        wait_until(lambda: s.status(tid) in FINAL, 120, "the purge to complete")
        recovered = time.monotonic() - restored
        assert proc.poll() is None, "the daemon died"
        assert stop(proc) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        proxy.close()
    assert during["http"] == 503 and during["checks"]["database:cover"] is False, during
    payload = _check_purge(s, tid, before)
    s.rows.append({"scenario": "customer database (PostgreSQL) unreachable 10 s in the middle of a tenant purge",
                   "state": "postgresql", "injections": 1, "kills": 0, "tickets": 1,
                   "result": f"cut after {at_outage[0]} of {at_outage[2]} batches; resumed, done {recovered:.0f} s "
                             f"after; 1 certificate ({payload['outcome']}), counts match, 1 package"})
    _record(s.rows)
    s.store.dispose()
    s.customer.dispose()


def _check_purge(s: Setup, tid: str, before: dict[str, Any]) -> dict[str, Any]:
    """The oracle on a purge ticket: one certificate whose counts are what changed, the tenant's emails gone, one
    return package matching the certificate, the purge done once, nothing temporary, no identifier elsewhere."""
    from eraser.purge import verify_package

    state = s.store.engine
    certs = certificates_by_ticket(s.root / "certificates")
    assert list(certs) == [f"contract-end:{TENANT}"] and len(certs[f"contract-end:{TENANT}"]) == 1, list(certs)
    payload = certs[f"contract-end:{TENANT}"][0]
    observed = changes(before, snapshot(s.customer))
    problems = []
    for db in payload["databases"]:
        for t in db["tables"]:
            seen = observed.pop(t["table"], Counter())
            if (seen["deleted"], seen["changed"], seen["added"]) != (t["counts"]["delete"], t["counts"]["anonymize"], 0):
                problems.append(f"{t['table']}: certificate {t['counts']}, observed {dict(seen)}")
    assert problems == [] and observed == {}, (problems, observed)
    assert payload["execution"]["resumed"] is True
    with s.customer.connect() as conn:  # own SQL: none of the tenant's people's emails is left
        left = conn.execute(sa.text("SELECT count(*) FROM persons WHERE email = ANY(:e)"), {"e": s.emails}).scalar()
    assert left == 0
    packages = list((s.root / "exports").iterdir())
    assert [p.name for p in packages] == [f"purge-{tid}"], packages
    assert payload["export"]["manifest_sha256"] == verify_package(packages[0])
    with state.connect() as conn:
        purges = conn.execute(sa.text("SELECT status, count(*) FROM purges GROUP BY status")).all()
    assert [tuple(r) for r in purges] == [("done", 1)]
    assert temporary_files(s.root) == []
    assert files_naming(s.root, s.emails, skip=(packages[0],)) == [], "an identifier outside the return package"
    tickets = _done_once(state)
    assert tickets == {tid: ("done_with_retention", 1)}, tickets
    return payload


def _done_once(state: sa.Engine) -> dict[str, tuple[str, int]]:
    with state.connect() as conn:
        rows = conn.execute(sa.text("SELECT t.id, t.status, (SELECT count(*) FROM certificates c WHERE "
                                    "c.ticket_id = t.id) FROM tickets t")).all()
    return {r[0]: (r[1], int(r[2])) for r in rows}


# -- no room for certificates ----------------------------------------------------------------------------------

@pytest.fixture
def sqlite_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Setup]:
    customer = fresh_database("postgresql", tmp_path)
    s = _setup(tmp_path, next(customer), f"sqlite:///{tmp_path / 'eraser-state.db'}", monkeypatch)
    yield s
    s.store.dispose()
    s.customer.dispose()
    next(customer, None)


def test_a_full_certificates_disk_under_a_running_daemon(sqlite_state: Setup, small_disk: Path) -> None:
    """The certificates directory on a 1 MiB tmpfs, filled to 2 KiB while the daemon runs: three tickets fail
    before anything is erased (the customer database is unchanged, no temporary file); once there is room, each
    is erased and certified once, truly."""
    s = sqlite_state
    certificates = small_disk / "certificates"
    s.env["ERASER_CERTIFICATES"] = str(certificates)
    log = s.root / "daemon.log"
    proc, port = start(s.config, s.env, log)
    try:
        wait_until(lambda: _get(port, "/healthz") == 200, 60, "daemon to listen")
        certificates.mkdir(exist_ok=True)
        filler = fill(small_disk, leave=2048)
        before = snapshot(s.customer)
        ids = [s.ticket(f"FULL-{i}", email) for i, email in enumerate(s.emails[:3])]
        wait_until(lambda: all(s.status(t) == "failed" for t in ids), 60, "the tickets to fail for want of room")
        errors = [(s.store.ticket(t) or {}).get("last_error") or "" for t in ids]
        assert all("nothing was erased" in e for e in errors), errors
        assert changes(before, snapshot(s.customer)) == {}, "erased without room for the certificate"
        assert temporary_files(small_disk) == []
        filler.unlink()
        wait_until(lambda: all(s.status(t) in FINAL for t in ids), 90, "the tickets once there is room")
        assert stop(proc) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    certs = certificates_by_ticket(certificates)
    assert sorted(certs) == sorted(ids) and all(len(v) == 1 for v in certs.values())
    assert disagreements(summed([v[0] for v in certs.values()]), changes(before, snapshot(s.customer))) == []
    assert temporary_files(small_disk, s.root) == []
    assert files_naming(small_disk, s.emails) == []
    _final_checks_on(s, certificates, log)
    s.rows.append({"scenario": "ENOSPC: certificates on a 1 MiB tmpfs filled under the running daemon",
                   "state": "sqlite", "injections": 1, "kills": 0, "tickets": len(ids),
                   "result": "all 3 failed with nothing erased (DB unchanged, no .tmp); after room is made: "
                             "1 certificate each, counts match"})
    _record(s.rows)


def _final_checks_on(s: Setup, certificates: Path, log: Path) -> None:
    """_final_checks with the certificates directory elsewhere than under the test's root."""
    link = s.root / "certificates"
    if not link.exists():
        link.symlink_to(certificates)
    try:
        _final_checks(s, log)
    finally:
        if link.is_symlink():
            link.unlink()


@pytest.mark.parametrize(("where", "times"), [("certificate", 2), ("certificate", 3), ("log", 2)])
def test_enospc_after_the_commit_leaves_the_ticket_committed_and_pending(sqlite_state: Setup, where: str,
                                                                         times: int) -> None:
    """ENOSPC injected in the daemon process (ERASER_FAULT=enospc:WHERE:N) at the ticket's first two or three
    certificate writes (or transparency-log appends) in a row, after the customer database committed: the ticket
    is `committed, certificate pending`, no temporary file, and the retry certifies it once, with what was
    erased, never nothing_found."""
    s = sqlite_state
    log = s.root / "daemon.log"
    proc, port = start(s.config, s.env, log, fault=f"enospc:{where}:{times}")
    pending: list[str] = []
    try:
        wait_until(lambda: _get(port, "/healthz") == 200, 60, "daemon to listen")
        before = snapshot(s.customer)
        ids = [s.ticket(f"NOSPACE-{where}-{times}", s.emails[0])]

        def watch() -> bool:
            for t in ids:
                ticket = s.store.ticket(t) or {}
                if ticket.get("status") == "committed" and ticket.get("last_error") and \
                        ticket["last_error"] not in pending:
                    pending.append(ticket["last_error"])
                    assert temporary_files(s.root) == [], "a temporary file while pending"
            return all(s.status(t) in FINAL for t in ids)

        wait_until(watch, 90, "the tickets to be certified")
        assert stop(proc) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert pending and all("certificate pending" in p and "No space left" in p for p in pending), pending
    certs = certificates_by_ticket(s.root / "certificates")
    assert sorted(certs) == sorted(ids) and all(len(v) == 1 for v in certs.values())
    assert all(v[0]["outcome"] != "nothing_found" for v in certs.values())
    assert disagreements(summed([v[0] for v in certs.values()]), changes(before, snapshot(s.customer))) == []
    _final_checks(s, log)
    injected = sum("enospc injected" in line for line in log.read_text().splitlines())
    assert injected == times, injected
    s.rows.append({"scenario": f"ENOSPC (injected in the daemon) at the {'certificate write' if where == 'certificate' else 'transparency-log append'} after the commit",
                   "state": "sqlite", "injections": injected, "kills": 0, "tickets": len(ids),
                   "result": f"`committed, certificate pending` after each; no .tmp; then 1 true certificate "
                             f"({certs[ids[0]][0]['outcome']}), counts match, logged"})
    _record(s.rows)
