"""Telling recipients (GDPR Art. 19): after an erasure or restriction ticket is done, each configured recipient
of the tables it touched gets a POST with the ticket reference and certificate id only (no personal data).

Deliveries are queued in the state store and retried with exponential backoff until the recipient answers 2xx
(at most MAX_ATTEMPTS times); the bearer token comes from the config (`${ENV}`) and is never stored.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from typing import Any

import structlog

from eraser import __version__
from eraser.config import Config
from eraser.rights_state import RightsStore
from eraser.state import now

log = structlog.get_logger("eraser.webhooks")
MAX_ATTEMPTS = 10
RETRY_BASE_SECONDS = 5.0
TIMEOUT_SECONDS = 5.0


def retry_delay(attempts: int) -> timedelta:
    """5 s, 10 s, 20 s ... at most an hour."""
    return timedelta(seconds=min(3600.0, RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1)))


def enqueue(config: Config, rights: RightsStore, ticket_id: str, kind: str, reference: str,
            certificate_id: str | None, recipients: list[str]) -> int:
    """Queue one delivery per recipient that has a webhook; returns how many."""
    bodies = {name: {"kind": kind, "ticket_reference": reference, "certificate_id": certificate_id}
              for name in sorted(set(recipients))
              if name in config.recipients and config.recipients[name].webhook is not None}
    if bodies:
        rights.enqueue_webhooks(ticket_id, bodies)
    return len(bodies)


def _post(url: str, body: bytes, token: str | None) -> int:
    headers = {"Content-Type": "application/json", "User-Agent": f"eraser/{__version__}"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 (http/https only)
        return int(response.status)


def deliver_due(config: Config, rights: RightsStore, at: datetime | None = None) -> int:
    """Attempt every delivery that is due; returns how many were delivered. Never raises."""
    delivered = 0
    for item in rights.due_webhooks(at or now()):
        recipient = config.recipients.get(item["recipient"])
        attempts = item["attempts"] + 1
        if recipient is None or recipient.webhook is None:
            rights.webhook_attempted(item["id"], delivered=False, attempts=attempts, next_attempt_at=None,
                                     error="no webhook is configured for this recipient any more; not retried")
            continue
        error: str | None
        try:
            status = _post(recipient.webhook.url, item["body"].encode(), recipient.webhook.token)
            error = None if 200 <= status < 300 else f"HTTP {status}"
        except urllib.error.HTTPError as exc:
            error = f"HTTP {exc.code}"
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", None) or exc
            error = f"not delivered ({type(reason).__name__ if not isinstance(reason, str) else reason})"
        if error is None:
            delivered += 1
            rights.webhook_attempted(item["id"], delivered=True, attempts=attempts, error=None, next_attempt_at=None)
            log.info("recipient notified", recipient=item["recipient"], ticket=item["ticket_id"])
            continue
        give_up = attempts >= MAX_ATTEMPTS
        rights.webhook_attempted(item["id"], delivered=False, attempts=attempts,
                                 error=f"gave up after {attempts} attempts: {error}" if give_up else error,
                                 next_attempt_at=None if give_up else now() + retry_delay(attempts))
        log.warning("recipient not notified" + ("; giving up" if give_up else ", will retry"),
                    recipient=item["recipient"], ticket=item["ticket_id"], attempt=attempts, error=error)
    return delivered


def body_of(item: dict[str, Any]) -> dict[str, Any]:
    return dict(json.loads(item["body"]))
