"""Claims and deliveries shared by several workers: compare-and-set claims, a heartbeat that keeps a long
ticket's claim, takeover of a dead node's ticket, webhook deliveries sent once and never redirected."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from eraser.rights import webhooks
from eraser.store.rights import RightsStore
from eraser.store.state import StateStore
from tests.test_webhooks import Recipient


def _store(tmp_path: Path) -> StateStore:
    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    store.migrate()
    return store


def _tickets(store: StateStore, n: int) -> list[str]:
    from eraser.store.tables import now

    ids = []
    for i in range(n):
        ticket, _ = store.submit(kind="erase", subject_ref=f"hmac-sha256:{i:02x}", identifier_refs=[f"r{i}"],
                                 identifier_types=["email"], sealed=None, ticket_id=f"00000000-0000-0000-0000-{i:012d}",
                                 external_ref=None, received_at=now(), requested_by="test")
        ids.append(ticket["id"])
    return ids


def test_a_claim_read_by_two_workers_is_taken_by_one(tmp_path: Path) -> None:
    """Worker A reads the ready ticket; before A's UPDATE runs, worker B claims it: A's UPDATE re-checks the
    claim and takes nothing (SQLite, where the SELECT runs outside a transaction)."""
    a, b = _store(tmp_path), StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    _tickets(a, 1)
    got: dict[str, Any] = {}

    @sa.event.listens_for(a.engine, "before_cursor_execute")
    def race(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith("UPDATE tickets") and "b" not in got:
            got["b"] = b.claim("node-b", timedelta(minutes=5))

    got["a"] = a.claim("node-a", timedelta(minutes=5))
    assert got["b"] is not None
    assert got["a"] is None, "both workers claimed the ticket"
    a.dispose()
    b.dispose()


def _claim_all(url: str, node: str, out: Any) -> None:
    store = StateStore(url)
    taken = []
    while (ticket := store.claim(node, timedelta(minutes=5))) is not None:
        taken.append(ticket["id"])
    out.put(taken)
    store.dispose()


def test_two_processes_racing_for_claims_on_sqlite_take_each_ticket_once(tmp_path: Path) -> None:
    """Two processes claim from 60 tickets on one SQLite state store as fast as they can: no ticket twice."""
    store = _store(tmp_path)
    ids = _tickets(store, 60)
    queue: Any = multiprocessing.get_context("spawn").Queue()
    procs = [multiprocessing.get_context("spawn").Process(target=_claim_all, args=(store.url, f"n{i}", queue))
             for i in range(2)]
    for p in procs:
        p.start()
    taken = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    claimed = taken[0] + taken[1]
    assert sorted(claimed) == sorted(ids), "a ticket was claimed twice, or not at all"
    with store.engine.connect() as conn:
        per_ticket = conn.execute(sa.text("SELECT ticket_id, count(*) FROM journal WHERE step = 'claimed' "
                                          "GROUP BY ticket_id HAVING count(*) > 1")).all()
    assert per_ticket == []
    store.dispose()


def test_a_heartbeat_keeps_a_long_ticket_and_a_dead_node_is_taken_over(tmp_path: Path) -> None:
    """A 1 s lease renewed by the heartbeat: another node cannot claim the ticket for the 3 s it runs; a node that
    stops renewing loses it once the lease runs out, and the journal says from whom it was taken over."""
    from eraser.store.lease import Heartbeat

    store = _store(tmp_path)
    (tid,) = _tickets(store, 1)
    lease = timedelta(seconds=1)
    assert store.claim("node-a", lease) is not None
    with Heartbeat(store, tid, "node-a", lease) as beat:
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            assert store.claim("node-b", lease) is None, "claimed while its heartbeat renewed it"
            time.sleep(0.3)
        assert not beat.lost.is_set()
    time.sleep(2.1)  # node-a is dead: no heartbeat
    taken = store.claim("node-b", lease)
    assert taken is not None and taken["claimed_by"] == "node-b"
    assert store.journal_of(tid)[-1]["detail"] == "taken over from node-a"
    store.dispose()


@pytest.fixture
def deliveries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, RightsStore]]:
    from tests.test_webhooks import NEWSLETTER, _daemon

    server = Recipient()
    daemon = _daemon(tmp_path, server.url, monkeypatch)
    rights = RightsStore(daemon.store, daemon.config.secret_bytes())
    webhooks.enqueue(daemon.config, rights, "t-1", "erase", "REF-1", "cert-1", [NEWSLETTER])
    yield daemon, rights, server
    server.close()
    daemon.close()


def test_two_daemons_deliver_a_webhook_once(deliveries: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """While one daemon is sending a delivery, another daemon's delivery round does not send it again."""
    daemon, rights, server = deliveries
    other = RightsStore(StateStore(daemon.store.url), daemon.config.secret_bytes())
    real = webhooks._post
    nested: list[int] = []
    started = []

    def post(url: str, body: bytes, token: str | None) -> int:
        if not started:
            started.append(url)
            nested.append(webhooks.deliver_due(daemon.config, other))  # the second daemon, meanwhile
        return real(url, body, token)

    monkeypatch.setattr(webhooks, "_post", post)
    assert webhooks.deliver_due(daemon.config, rights) == 1
    assert nested == [0]
    assert len(server.requests) == 1


def test_a_redirect_is_not_followed_and_the_token_stays_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A recipient answering 302 to another host is not followed: the other host never sees the bearer token,
    and the delivery waits for a retry, with the reason."""
    from tests.test_webhooks import NEWSLETTER, _daemon

    elsewhere = Recipient()
    redirect = Recipient()
    redirect.server.RequestHandlerClass.do_POST = _redirect_to(elsewhere.url)  # type: ignore[attr-defined]
    daemon = _daemon(tmp_path / "r", redirect.url, monkeypatch)
    try:
        rights = RightsStore(daemon.store, daemon.config.secret_bytes())
        webhooks.enqueue(daemon.config, rights, "t-1", "erase", "REF-1", "cert-1", [NEWSLETTER])
        assert webhooks.deliver_due(daemon.config, rights) == 0
        assert elsewhere.requests == [], "the redirect was followed"
        (item,) = rights.webhook_deliveries()
        assert item["delivered_at"] is None and "redirect" in item["last_error"]
    finally:
        daemon.close()
        redirect.close()
        elsewhere.close()


def _redirect_to(url: str) -> Any:
    def do_post(self: Any) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(302)
        self.send_header("Location", url + "/stolen")
        self.end_headers()
    return do_post
