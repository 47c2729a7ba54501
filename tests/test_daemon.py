"""The daemon: HTTP intake, the worker, approval, holds, deadlines, retries and the retention sweep."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from eraser.cli import main
from eraser.demo import DEMO_EMAIL, populate
from eraser.proof.certificates import verify
from tests.daemon_helpers import InProcessDaemon

HELPDESK, DPO = "helpdesk-secret-token", "dpo-secret-token"


def token_block() -> str:
    digest = lambda t: hashlib.sha256(t.encode()).hexdigest()  # noqa: E731
    return (f"api:\n  rate_limit: {{per_minute: 60000, burst: 1000}}\n"  # bulk intake in the process tests
            f"  tokens:\n    - {{name: helpdesk, sha256: {digest(HELPDESK)}, roles: [submit]}}\n"
            f"    - {{name: dpo, sha256: {digest(DPO)}, roles: [approve, hold, read]}}\n")


class Daemon(InProcessDaemon):
    """An in-process daemon (API + worker) on a SQLite demo database, with the helpdesk and DPO tokens."""

    def __init__(self, root: Path, extra: str = "", tokens: str | None = None) -> None:
        super().__init__(root, tokens or token_block(), HELPDESK, extra, persons=60)


@pytest.fixture
def daemon(tmp_path: Path) -> Any:
    d = Daemon(tmp_path / "d")
    yield d
    d.close()


def test_ticket_lifecycle_over_http(daemon: Daemon) -> None:
    """POST a ticket, the worker erases, GET shows done_with_retention and serves a certificate that verifies."""
    ticket = daemon.submit(ref="HD-1001")
    assert ticket["status"] == "received"
    received = datetime.fromisoformat(ticket["received_at"])
    assert datetime.fromisoformat(ticket["due_at"]) == received.replace(month=received.month % 12 + 1,
                                                                        year=received.year + received.month // 12)
    assert daemon.drain() == 1
    done = daemon.get(f"/tickets/{ticket['id']}").json()
    assert done["status"] == "done_with_retention" and done["certificate_id"]
    body = daemon.get(f"/certificates/{done['certificate_id']}")
    assert body.status_code == 200
    path = daemon.root / "from-api.cert.json"
    path.write_text(body.text)
    payload = verify(path, [daemon.root / "keys" / "eraser-signing.pub.pem"], partial=True).payload
    assert payload["ticket"]["id"] == ticket["id"] and payload["ticket"]["reference"] == "HD-1001"
    assert "Certificate of erasure" in daemon.get(f"/certificates/{done['certificate_id']}.html").text
    assert daemon.get("/tickets?status=done_with_retention").json()[0]["id"] == ticket["id"]


def test_external_ref_makes_intake_idempotent(daemon: Daemon) -> None:
    """The same helpdesk ticket posted twice is one ticket: 201 then 200 with the same id."""
    body = {"subject": {"email": DEMO_EMAIL}, "external_ref": "HD-2", "requested_by": "agent"}
    first, second = daemon.post("/tickets", body), daemon.post("/tickets", body)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]


@pytest.mark.parametrize(("body", "token", "status", "says"), [
    ({"subject": {"email": DEMO_EMAIL}, "requested_by": "a"}, None, 401, "bearer token is required"),
    ({"subject": {"email": DEMO_EMAIL}, "requested_by": "a"}, "wrong", 401, "not valid"),
    ({"subject": {"iban": "BE71096123456769"}, "requested_by": "a"}, HELPDESK, 422, "identifier type is not defined"),
    ({"subject": {"email": DEMO_EMAIL}}, HELPDESK, 422, "requested_by"),
    ({"subject": DEMO_EMAIL, "requested_by": "a"}, HELPDESK, 422, "subject"),
    ({"subject": {"email": DEMO_EMAIL}, "requested_by": "a", "kind": "nuke"}, HELPDESK, 422, "kind"),
])
def test_bad_requests_get_the_right_status_and_never_echo_identifiers(daemon: Daemon, body: Any, token: str | None,
                                                                      status: int, says: str) -> None:
    """Missing or wrong token: 401; a malformed body: 422 naming the field; the identifier is never echoed."""
    response = daemon.post("/tickets", body, token=token)
    assert response.status_code == status, response.text
    assert says in response.json()["detail"]
    assert DEMO_EMAIL not in response.text and "BE71096123456769" not in response.text


def test_malformed_json_huge_body_and_unknown_ticket(daemon: Daemon) -> None:
    """Malformed JSON: 422; a 10 MB body: 413; an unknown ticket: 404; the daemon keeps serving."""
    headers = {"Authorization": f"Bearer {HELPDESK}", "Content-Type": "application/json"}
    assert daemon.client.post("/tickets", content=b'{"subject": ', headers=headers).status_code == 422
    huge = daemon.client.post("/tickets", content=b"x" * (10 * 1024 * 1024), headers=headers)
    assert huge.status_code == 413 and "larger than" in huge.json()["detail"]
    assert daemon.get("/tickets/no-such-id").status_code == 404
    assert daemon.client.get("/healthz").json()["status"] == "ok"


def test_four_eyes_approval(tmp_path: Path) -> None:
    """With approval: required, a ticket waits in planned with its plan until someone else approves it."""
    d = Daemon(tmp_path / "d", "approval: required\n")
    try:
        ticket = d.submit()
        d.drain()
        planned = d.get(f"/tickets/{ticket['id']}").json()
        assert planned["status"] == "planned" and planned["plan"]["totals"]["delete"] > 0
        assert d.drain() == 0  # nothing happens without approval
        refused = d.post(f"/tickets/{ticket['id']}/approve", token=HELPDESK)
        assert refused.status_code == 403 and "'approve' role" in refused.json()["detail"]
        assert d.post(f"/tickets/{ticket['id']}/approve", token=DPO).json()["status"] == "approved"
        d.drain()
        assert d.get(f"/tickets/{ticket['id']}").json()["status"] == "done_with_retention"
    finally:
        d.close()


def test_one_extension_with_reason(daemon: Daemon) -> None:
    """A deadline is extended once, by up to two months, with a reason; a second extension is refused."""
    ticket = daemon.submit()
    extended = daemon.post(f"/tickets/{ticket['id']}/extend", {"reason": "complex request over 4 systems"},
                           token=DPO).json()
    assert datetime.fromisoformat(extended["due_at"]) > datetime.fromisoformat(ticket["due_at"]) + timedelta(days=55)
    again = daemon.post(f"/tickets/{ticket['id']}/extend", {"reason": "still complex", "months": 1}, token=DPO)
    assert again.status_code == 409 and "already extended" in again.json()["detail"]
    too_long = daemon.post(f"/tickets/{ticket['id']}/extend", {"reason": "x" * 10, "months": 3}, token=DPO)
    assert too_long.status_code == 422


def test_hold_blocks_then_lifting_requeues(daemon: Daemon) -> None:
    """A hold makes the ticket 'held' (certificate names it, nothing erased); lifting it re-queues the ticket."""
    hold = daemon.post("/holds", {"subject": {"email": DEMO_EMAIL}, "reason": "litigation 2026/44 pending"}, token=DPO)
    assert hold.status_code == 201 and DEMO_EMAIL not in hold.text
    ticket = daemon.submit()
    daemon.drain()
    held = daemon.get(f"/tickets/{ticket['id']}").json()
    assert held["status"] == "held"
    cert = json.loads(daemon.get(f"/certificates/{held['certificate_id']}").text)
    assert "payload" in cert
    assert daemon.client.delete(f"/holds/{hold.json()['id']}",
                                headers={"Authorization": f"Bearer {DPO}"}).status_code == 200
    assert daemon.get(f"/tickets/{ticket['id']}").json()["status"] == "received"
    daemon.drain()
    assert daemon.get(f"/tickets/{ticket['id']}").json()["status"] == "done_with_retention"


def test_database_down_then_back(daemon: Daemon, monkeypatch: pytest.MonkeyPatch) -> None:
    """A customer database that is down: the ticket fails with the error recorded (an outage: no attempt counted
    against it), and completes when it is back."""
    monkeypatch.setattr("eraser.daemon.worker.retry_delay", lambda attempt: timedelta(0))
    ticket = daemon.submit()
    db = daemon.root / "cover.db"
    shutil.move(db, daemon.root / "away.db")
    daemon.worker.run_once()
    failed = daemon.get(f"/tickets/{ticket['id']}").json()
    assert failed["status"] == "failed" and "does not exist" in failed["last_error"] and failed["attempts"] == 0
    shutil.move(daemon.root / "away.db", db)
    daemon.drain()
    assert daemon.get(f"/tickets/{ticket['id']}").json()["status"] == "done_with_retention"


def test_overdue_tickets_are_visible(daemon: Daemon) -> None:
    """A ticket received 40 days ago is overdue in the API and in /metrics."""
    old = (datetime.now(UTC) - timedelta(days=40)).isoformat()
    ticket = daemon.submit(received_at=old)
    assert daemon.get(f"/tickets/{ticket['id']}").json()["overdue"] is True
    assert "eraser_tickets_overdue 1.0" in daemon.client.get("/metrics").text


def test_retention_sweep_destroys_released_rows_and_certifies(daemon: Daemon) -> None:
    """With the clock past the release date, the sweep removes exactly the retained rows and issues a follow-up
    certificate that references the first one."""
    ticket = daemon.submit()
    daemon.drain()
    done = daemon.store.ticket(ticket["id"])
    assert done is not None
    with daemon.store.engine.connect() as conn:
        retained = conn.execute(sa.text("SELECT table_name, primary_key, release_on FROM retained_rows")).all()
    assert {r.table_name for r in retained} == {"invoices", "invoice_lines", "payments"}
    engine = sa.create_engine(f"sqlite:///{daemon.root / 'cover.db'}")
    counts = lambda: {t: engine.connect().execute(sa.text(f"SELECT count(*) FROM {t}")).scalar()  # noqa: E731
                      for t in ("invoices", "invoice_lines", "payments")}
    before = counts()
    first_release = min(r.release_on for r in retained)
    result = CliRunner().invoke(main, ["sweep", "--yes", "--config", str(daemon.config_path), "--today",
                                       str(first_release)], catch_exceptions=False)
    assert result.exit_code == 0 and "Follow-up certificate" in result.output, result.output
    released = [r for r in retained if r.release_on <= first_release]
    after = counts()
    for table in before:
        assert before[table] - after[table] == sum(1 for r in released if r.table_name == table)
    cert_id = result.output.split()[-1]
    cert = daemon.store.certificate(cert_id)
    assert cert is not None and cert["parent_id"] == done["certificate_id"]
    payload = verify(Path(cert["path"]), [daemon.root / "keys" / "eraser-signing.pub.pem"]).payload
    assert payload["certificate"]["type"] == "retention_release"
    again = CliRunner().invoke(main, ["sweep", "--yes", "--config", str(daemon.config_path), "--today", str(first_release)])
    assert "Nothing is due" in again.output
    engine.dispose()


def test_state_store_and_logs_hold_no_identifier(daemon: Daemon) -> None:
    """Neither the state store file nor the certificates contain the subject's email, before or after the run."""
    daemon.submit()
    daemon.drain()
    blobs = [daemon.root / "eraser-state.db", *daemon.root.glob("eraser-state.db-*"),
             *(p for p in (daemon.root / "certificates").rglob("*") if p.is_file())]
    for path in blobs:
        assert DEMO_EMAIL.encode() not in path.read_bytes(), path.name


def test_cli_twins_share_the_state(daemon: Daemon) -> None:
    """`eraser ticket` and `eraser hold` work on the same state store as the API."""
    cfg = str(daemon.config_path)
    run = lambda *a: CliRunner().invoke(main, list(a), catch_exceptions=False)  # noqa: E731
    out = run("ticket", "submit", "--config", cfg, "--subject", f"email={DEMO_EMAIL}", "--external-ref", "HD-9",
              "--requested-by", "desk")
    assert out.exit_code == 0 and "Queued" in out.output and DEMO_EMAIL not in out.output
    ticket_id = out.output.split()[1]
    assert daemon.get(f"/tickets/{ticket_id}", token=DPO).json()["external_ref"] == "HD-9"
    assert "Already known" in run("ticket", "submit", "--config", cfg, "--subject", f"email={DEMO_EMAIL}",
                                  "--external-ref", "HD-9", "--requested-by", "desk").output
    out = run("hold", "add", "--config", cfg, "--subject", f"email={DEMO_EMAIL}", "--reason", "audit pending")
    hold_id = out.output.split()[1]
    assert hold_id in run("hold", "list", "--config", cfg).output
    daemon.drain()
    assert "held" in run("ticket", "show", "--config", cfg, ticket_id).output
    run("hold", "lift", "--config", cfg, hold_id)
    daemon.drain()
    assert "done_with_retention" in run("ticket", "list", "--config", cfg).output
    bad = CliRunner().invoke(main, ["ticket", "approve", "--config", cfg, "nope", "--by", "x"])
    assert bad.exit_code == 1 and "there is no ticket nope" in bad.output


def test_demo_population_is_the_same_on_every_dialect(tmp_path: Path) -> None:
    """populate() is deterministic for a seed: the daemon tests' subjects exist."""
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    counts = populate(engine, persons=20, seed=5)
    assert counts["persons"] == 20 and counts["invoices"] >= 3
    engine.dispose()
