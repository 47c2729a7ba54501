"""Taking a ticket in: validate the subject against the config, seal its identifiers, record the ticket; and
what the API and CLI show of a ticket. Shared by the HTTP API and the daemon, below both."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import structlog

from eraser.config import Config
from eraser.store.sealing import Sealer
from eraser.store.state import StateStore
from eraser.store.tables import now
from eraser.store.tickets import TicketRow
from eraser.subjects import identifier_references, parse_subject, subject_reference

log = structlog.get_logger("eraser.daemon.intake")


def submit_ticket(store: StateStore, config: Config, *, kind: str, subject: dict[str, Any],
                  external_ref: str | None, received_at: datetime | None, requested_by: str,
                  tenant: str | None = None, submitted_by: str | None = None) -> tuple[TicketRow, bool]:
    """Validate the subject against the config, seal its identifiers, and record the ticket."""
    from eraser.proof.freetext import refuse_identifier

    refuse_identifier("external_ref", external_ref)  # both reach the signed certificate
    refuse_identifier("requested_by", requested_by)
    parsed = parse_subject(subject, config)
    secret = config.secret_bytes()
    ticket_id = str(uuid.uuid4())
    identifiers = {t: list(v) for t, v in parsed.identifiers.items()}
    received = received_at or now()
    if received.tzinfo is None:
        received = received.replace(tzinfo=UTC)
    ticket, created = store.submit(kind=kind, subject_ref=subject_reference(parsed, secret),
                                   identifier_refs=identifier_references(parsed, secret),
                                   identifier_types=parsed.types, sealed=Sealer(secret).seal(identifiers, ticket_id),
                                   ticket_id=ticket_id, external_ref=external_ref, received_at=received,
                                   requested_by=requested_by, tenant=tenant, submitted_by=submitted_by)
    if created:
        log.info("ticket received", ticket=ticket["id"], kind=kind, due=ticket["due_at"].isoformat())
    return ticket, created


def public_ticket(ticket: TicketRow) -> dict[str, Any]:
    """What the API and CLI show of a ticket: no sealed identifiers, no internal leases."""
    hidden = {"sealed_subject", "identifier_refs", "claimed_until", "prepared"}
    out = {k: (v.isoformat() if isinstance(v, datetime | date) else v) for k, v in ticket.items() if k not in hidden}
    out["overdue"] = ticket["status"] not in ("done", "done_with_retention", "held", "rejected") and \
        ticket["due_at"] < now()
    return out
