"""A second erasure ticket (HTTP API, daemon worker) for a subject on the suppression list says "already erased on
DATE (certificate ID)"; when nothing of theirs remains it is closed on the original certificate instead of a new
`nothing_found` one, and when something came back it is erased under a new certificate that the list then names.
Judged by plain SQL over the state store and by the files in the certificate directory."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from eraser.demo import DEMO_EMAIL
from tests.test_daemon import Daemon


@pytest.fixture
def daemon(tmp_path: Path) -> Any:
    d = Daemon(tmp_path / "d")
    yield d
    d.close()


def _certificates(d: Daemon) -> set[Path]:
    return set((d.root / "certificates").rglob("*.cert.json"))


def _sql(path: Path, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(sql), params)]
    finally:
        engine.dispose()


def _state(d: Daemon, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    return _sql(d.root / "eraser-state.db", sql, **params)


def _erase(d: Daemon, ref: str, email: str = DEMO_EMAIL) -> dict[str, Any]:
    ticket = d.submit(email=email, ref=ref)
    assert d.drain() == 1
    return dict(d.get(f"/tickets/{ticket['id']}").json())


def test_second_ticket_for_an_erased_subject_is_closed_on_the_first_certificate(daemon: Daemon) -> None:
    first = _erase(daemon, "HD-1")
    assert first["status"] == "done_with_retention" and "already_erased" not in first
    issued = _certificates(daemon)
    assert len(issued) == 1
    second = _erase(daemon, "HD-2")
    erased_on = datetime.fromisoformat(first["completed_at"]).date().isoformat()
    assert second["already_erased"].startswith(f"already erased on {erased_on} (certificate {first['certificate_id']})")
    assert second["status"] == "done" and second["certificate_id"] == first["certificate_id"]
    assert _certificates(daemon) == issued  # no nothing_found certificate
    assert _state(daemon, "SELECT external_ref, certificate_id FROM tickets ORDER BY external_ref") == \
        [("HD-1", first["certificate_id"]), ("HD-2", first["certificate_id"])]
    assert _state(daemon, "SELECT count(*) FROM certificates") == [(1,)]
    assert {r[0] for r in _state(daemon, "SELECT certificate_id FROM suppression")} == {first["certificate_id"]}
    assert _state(daemon, "SELECT count(*) FROM tickets WHERE sealed_subject IS NOT NULL") == [(0,)]


def test_second_ticket_erases_what_came_back_under_a_new_certificate(daemon: Daemon) -> None:
    first = _erase(daemon, "HD-1")
    with sa.create_engine(f"sqlite:///{daemon.root / 'cover.db'}").begin() as conn:  # a re-imported subscription
        conn.execute(sa.text("INSERT INTO newsletter_subscriptions (id, email, language, subscribed_at, source) "
                             "VALUES (999999, :e, 'nl', '2026-11-30 10:00:00', 'import')"), {"e": DEMO_EMAIL})
    second = _erase(daemon, "HD-2")
    assert second["already_erased"].startswith("already erased on ") and first["certificate_id"] in \
        second["already_erased"]
    assert second["certificate_id"] not in (None, first["certificate_id"])
    assert len(_certificates(daemon)) == 2
    assert _sql(daemon.root / "cover.db", "SELECT count(*) FROM newsletter_subscriptions WHERE id = 999999") == [(0,)]
    assert {r[0] for r in _state(daemon, "SELECT certificate_id FROM suppression")} == {second["certificate_id"]}


def test_ticket_that_erases_nothing_is_not_put_on_the_suppression_list(daemon: Daemon) -> None:
    nobody = _erase(daemon, "HD-3", email="nobody.here@example.be")
    assert nobody["status"] == "done" and "already_erased" not in nobody
    assert len(_certificates(daemon)) == 1
    assert _state(daemon, "SELECT count(*) FROM suppression") == [(0,)]
    again = _erase(daemon, "HD-4", email="nobody.here@example.be")
    assert "already_erased" not in again and again["certificate_id"] != nobody["certificate_id"]
