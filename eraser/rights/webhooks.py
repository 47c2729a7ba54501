"""Telling recipients (GDPR Art. 19): after an erasure or restriction ticket is done, each configured recipient
of the tables it touched gets a POST with the ticket reference and certificate id only (no personal data).

Deliveries are queued in the state store and retried with exponential backoff until the recipient answers 2xx
(at most MAX_ATTEMPTS times); the bearer token comes from the config (`${ENV}`) and is never stored. A delivery
is claimed before it is sent (compare-and-set on its next attempt time), so two daemons never both deliver it;
redirects are not followed, so the token never goes to another host.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import httpx
import structlog

from eraser import __version__
from eraser.config import Config
from eraser.store.rights import RightsStore, webhook_deliveries
from eraser.store.tables import now

log = structlog.get_logger("eraser.rights.webhooks")
MAX_ATTEMPTS = 10
RETRY_BASE_SECONDS = 5.0
TIMEOUT_SECONDS = 5.0
CLAIM_SECONDS = 60.0  # longer than a delivery can take; a daemon killed while sending leaves it for this long


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
    with httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False) as client:
        return client.post(url, content=body, headers=headers).status_code


def _claimed(rights: RightsStore, item: dict[str, Any], at: datetime) -> bool:
    """Take one due delivery for this daemon: only the one that moves its next attempt time sends it."""
    with rights.store.tx() as conn:
        done = conn.execute(webhook_deliveries.update().where(
            webhook_deliveries.c.id == item["id"], webhook_deliveries.c.delivered_at.is_(None),
            webhook_deliveries.c.attempts == item["attempts"],
            webhook_deliveries.c.next_attempt_at == item["next_attempt_at"])
            .values(next_attempt_at=at + timedelta(seconds=CLAIM_SECONDS)))
        return bool(done.rowcount == 1)


def deliver_due(config: Config, rights: RightsStore, at: datetime | None = None) -> int:
    """Attempt every delivery that is due; returns how many were delivered. Never raises."""
    delivered = 0
    moment = at or now()
    for item in rights.due_webhooks(moment):
        if not _claimed(rights, item, moment):
            continue  # another daemon has it
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
            if 300 <= status < 400:
                error = f"HTTP {status} (a redirect; not followed, the webhook URL must be the final one)"
        except (httpx.HTTPError, OSError, ValueError) as exc:
            error = f"not delivered ({type(exc).__name__})"
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
