"""Recipients (Art. 19): after an erasure or restriction ticket is done, the daemon calls each configured
recipient's webhook with the ticket reference and certificate id only, with a bearer token from the
environment, and retries until the recipient answers 2xx."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from eraser.demo import DEMO_EMAIL
from eraser.rights import care as rights
from eraser.rights import webhooks
from eraser.store.rights import RightsStore
from tests.rights_helpers import LocalDaemon

NEWSLETTER = "newsletter sending service (sub-processor)"
HOSTING = "hosting provider (sub-processor)"


class Recipient:
    """A local HTTP server that records every request and answers with the next scripted status (then 200)."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.requests: list[dict[str, Any]] = []
        self.statuses = list(statuses or [])
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the http.server API)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                outer.requests.append({"path": self.path, "headers": dict(self.headers), "body": json.loads(body)})
                status = outer.statuses.pop(0) if outer.statuses else 200
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def recipient() -> Iterator[Recipient]:
    server = Recipient([503])  # the first call fails: it must be retried
    yield server
    server.close()


def _daemon(tmp_path: Path, url: str, monkeypatch: pytest.MonkeyPatch) -> LocalDaemon:
    monkeypatch.setenv("NEWSLETTER_WEBHOOK_TOKEN", "nl-token-123")
    monkeypatch.setattr(webhooks, "RETRY_BASE_SECONDS", 0.0)
    return LocalDaemon(tmp_path / "d", extra=(
        "recipients:\n"
        f"  {NEWSLETTER}:\n    webhook: {{url: '{url}/erasures', token: '${{NEWSLETTER_WEBHOOK_TOKEN}}'}}\n"
        f"  {HOSTING}:\n    webhook: {{url: '{url}/hosting'}}\n"))


def test_erasure_ticket_notifies_each_recipient_with_retries(tmp_path: Path, recipient: Recipient,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker, idle after the ticket, calls both recipients' webhooks; the one that answered 503 is retried;
    each body holds only the kind, the ticket reference and the certificate id; only the newsletter service
    gets its bearer token."""
    daemon = _daemon(tmp_path, recipient.url, monkeypatch)
    try:
        ticket = daemon.submit("erase", ref="HD-W-1")
        daemon.worker.poll = 0.05
        thread = threading.Thread(target=daemon.worker.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while len(recipient.requests) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        daemon.worker.stop.set()
        thread.join(timeout=20)
        done = daemon.ticket(ticket["id"])
        assert done["status"] == "done_with_retention"
        bodies = {r["path"]: r["body"] for r in recipient.requests}
        expected = {"kind": "erase", "ticket_reference": "HD-W-1", "certificate_id": done["certificate_id"]}
        assert bodies == {"/erasures": expected, "/hosting": expected}
        assert len(recipient.requests) == 3  # one 503, then one delivery each
        headers = {r["path"]: r["headers"] for r in recipient.requests}
        assert headers["/erasures"]["Authorization"] == "Bearer nl-token-123"
        assert "Authorization" not in headers["/hosting"]
        assert DEMO_EMAIL not in json.dumps(recipient.requests)
        deliveries = RightsStore(daemon.store, daemon.config.secret_bytes()).webhook_deliveries(ticket["id"])
        assert all(d["delivered_at"] is not None for d in deliveries)
        assert sorted(d["attempts"] for d in deliveries) == [1, 2]
        assert "nl-token-123" not in json.dumps([dict(d, body=d["body"]) for d in deliveries], default=str)
    finally:
        daemon.close()


def test_restriction_is_notified_and_unreachable_recipients_are_given_up(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A restrict ticket notifies the recipients of the restricted tables (no certificate id); a recipient that
    cannot be reached is retried with backoff and given up after MAX_ATTEMPTS, the error recorded."""
    server = Recipient()
    url = server.url
    server.close()  # nothing listens there any more
    monkeypatch.setattr(webhooks, "MAX_ATTEMPTS", 3)
    daemon = _daemon(tmp_path, url, monkeypatch)
    try:
        ticket = daemon.submit("restrict", ref="HD-R-9")
        daemon.drain()
        assert daemon.ticket(ticket["id"])["status"] == "done"
        store = RightsStore(daemon.store, daemon.config.secret_bytes())
        queued = store.webhook_deliveries(ticket["id"])
        assert {d["recipient"] for d in queued} == {NEWSLETTER, HOSTING}
        assert {json.dumps(webhooks.body_of(d), sort_keys=True) for d in queued} == {json.dumps(
            {"certificate_id": None, "kind": "restrict", "ticket_reference": "HD-R-9"}, sort_keys=True)}
        for _ in range(4):
            assert rights.deliver_webhooks(daemon.config, daemon.store) == 0
        given_up = store.webhook_deliveries(ticket["id"])
        assert all(d["attempts"] == 3 and d["next_attempt_at"] is None and d["delivered_at"] is None
                   for d in given_up)
        assert all(d["last_error"].startswith("gave up after 3 attempts: not delivered") for d in given_up)
    finally:
        daemon.close()


def test_webhook_config_is_validated(tmp_path: Path) -> None:
    """A webhook URL must be http(s); the error names the field and never quotes the value."""
    from eraser.errors import ConfigError

    with pytest.raises(ConfigError, match=r"recipients\.x\.webhook\.url") as caught:
        LocalDaemon(tmp_path / "d", extra="recipients:\n  x:\n    webhook: {url: 'ftp://secret-host/x'}\n")
    assert "secret-host" not in str(caught.value)
