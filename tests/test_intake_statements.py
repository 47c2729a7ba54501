"""The intake's state-store work: on PostgreSQL a new ticket is one statement, committed when it returns (the
insert, its journal line and the row back); elsewhere one transaction of at most three; a known reference is still
the same ticket, also when several requests race with it; and `POST /tickets` hops to the thread pool once.

Judged with our own SQL over the store's tables, never with the store's reads alone."""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from eraser.demo import DEMO_EMAIL
from eraser.store.state import StateStore
from tests.conftest import fresh_database
from tests.daemon_helpers import InProcessDaemon
from tests.test_daemon import HELPDESK

OTHER = "another-desk-token"


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StateStore]:
    for url in fresh_database(request.param, tmp_path):
        s = StateStore(url)
        s.migrate()
        try:
            yield s
        finally:
            s.dispose()


def submit(store: StateStore, ref: str | None, ticket_id: str | None = None) -> tuple[dict[str, Any], bool]:
    ticket, created = store.submit(kind="erase", subject_ref="s" * 64, identifier_refs=["r1", "r2"],
                                   identifier_types=["email"], sealed=b"\x00sealed", ticket_id=ticket_id or str(
                                       uuid.uuid4()), external_ref=ref, received_at=datetime.now(UTC),
                                   requested_by="agent 7", submitted_by="helpdesk")
    return dict(ticket), created


def statements(store: StateStore) -> list[str]:
    seen: list[str] = []
    sa.event.listen(store.engine, "before_cursor_execute",
                    lambda _c, _cur, statement, *_a: seen.append(statement.split()[0].upper()))
    return seen


def rows(url: str, ref: str | None = None, ticket_id: str | None = None) -> tuple[list[Any], list[Any]]:
    """The ticket rows with this reference (or id) and their journal lines, read over a connection of our own."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            where, value = ("external_ref", ref) if ref is not None else ("id", ticket_id)
            found = conn.execute(sa.text(f"SELECT id, status, sealed_subject FROM tickets WHERE {where} = :v"),
                                 {"v": value}).all()
            lines = conn.execute(sa.text("SELECT ticket_id, node, step FROM journal WHERE ticket_id IN "
                                         "(SELECT id FROM tickets WHERE " + where + " = :v)"), {"v": value}).all()
    finally:
        engine.dispose()
    return list(found), list(lines)


def test_a_new_ticket_is_one_statement_on_postgresql_and_three_elsewhere(store: StateStore) -> None:
    seen = statements(store)
    ticket, created = submit(store, "HD-1")
    assert created and ticket["status"] == "received" and ticket["external_ref"] == "HD-1"
    # One statement: no look-up before the insert, no read back after it, no BEGIN or COMMIT round trip.
    assert seen == (["WITH"] if store.is_postgres else ["SELECT", "INSERT", "INSERT"])
    found, lines = rows(store.url, "HD-1")  # committed: another connection sees the ticket and its journal line
    assert [(r.id, r.status, bytes(r.sealed_subject)) for r in found] == [(ticket["id"], "received", b"\x00sealed")]
    assert [tuple(line) for line in lines] == [(ticket["id"], "intake", "received")]
    assert store.ticket(ticket["id"]) == ticket  # the row returned is the row stored


def test_a_ticket_without_a_reference_skips_the_look_up(store: StateStore) -> None:
    seen = statements(store)
    ticket, created = submit(store, None)
    assert created and seen == (["WITH"] if store.is_postgres else ["INSERT", "INSERT"])
    found, lines = rows(store.url, ticket_id=ticket["id"])
    assert len(found) == 1 and [line.step for line in lines] == ["received"]


def test_a_known_reference_returns_that_ticket_and_writes_nothing(store: StateStore) -> None:
    first, created = submit(store, "HD-2")
    again, created_again = submit(store, "HD-2")
    assert created and not created_again and again == first
    found, lines = rows(store.url, "HD-2")
    assert len(found) == 1 and [line.step for line in lines] == ["received"]


def test_requests_racing_with_one_reference_make_one_ticket(store: StateStore) -> None:
    results: list[tuple[dict[str, Any], bool]] = []
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def post() -> None:
        start.wait()
        try:
            results.append(submit(store, "HD-RACE"))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=post) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sum(created for _t, created in results) == 1
    assert len({t["id"] for t, _c in results}) == 1
    found, lines = rows(store.url, "HD-RACE")
    assert len(found) == 1 and [line.step for line in lines] == ["received"]


def test_a_failed_insert_leaves_nothing_and_says_so(store: StateStore) -> None:
    """A clash other than the reference (here the id) is an error, not a quiet 'already known'."""
    ticket_id = str(uuid.uuid4())
    submit(store, "HD-3", ticket_id)
    with pytest.raises(sa.exc.IntegrityError):
        submit(store, "HD-4", ticket_id)
    assert rows(store.url, "HD-4") == ([], [])


def _tokens() -> str:
    digest = lambda t: hashlib.sha256(t.encode()).hexdigest()  # noqa: E731
    return (f"api:\n  rate_limit: {{per_minute: 60000, burst: 1000}}\n"
            f"  tokens:\n    - {{name: helpdesk, sha256: {digest(HELPDESK)}, roles: [submit]}}\n"
            f"    - {{name: other, sha256: {digest(OTHER)}, roles: [submit]}}\n")


@pytest.fixture(params=["sqlite", "postgresql"])
def intake(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[InProcessDaemon]:
    from fastapi.testclient import TestClient

    from eraser.daemon.api import create_app

    daemon = InProcessDaemon(tmp_path / "d", _tokens(), HELPDESK)
    try:
        if request.param == "sqlite":
            yield daemon
            return
        for url in fresh_database("postgresql", tmp_path):
            store = StateStore(url)
            store.migrate()
            daemon.client = TestClient(create_app(daemon.config, store))
            try:
                yield daemon
            finally:
                store.dispose()
    finally:
        daemon.store.dispose()


def test_post_tickets_twice_with_one_reference_is_one_ticket_on_each_store(intake: InProcessDaemon) -> None:
    body = {"subject": {"email": DEMO_EMAIL}, "external_ref": "HD-HTTP", "requested_by": "agent"}
    first, second = intake.post("/tickets", body), intake.post("/tickets", body)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json() and first.json()["status"] == "received"
    assert DEMO_EMAIL not in first.text  # the subject's identifier never comes back
    other = intake.post("/tickets", body, token=OTHER)
    assert other.status_code == 409 and "another token" in other.json()["detail"]


def test_post_tickets_hops_to_the_thread_pool_once(intake: InProcessDaemon, monkeypatch: pytest.MonkeyPatch) -> None:
    """The token check, its role check and the response run on the event loop; only sealing and the store go to a
    thread (a plain endpoint with plain dependencies costs four hops, each a wake-up of a thread and of the loop)."""
    import anyio.to_thread

    hops: list[str] = []
    original = anyio.to_thread.run_sync

    async def counted(func: Any, *args: Any, **kw: Any) -> Any:
        hops.append(getattr(func, "__name__", repr(func)))
        return await original(func, *args, **kw)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    answer = intake.post("/tickets", {"subject": {"email": DEMO_EMAIL}, "external_ref": "HD-HOP",
                                      "requested_by": "agent"})
    assert answer.status_code == 201 and len(hops) == 1, hops
    assert intake.post("/tickets", {"subject": {"email": DEMO_EMAIL}}, token="wrong").status_code == 401
