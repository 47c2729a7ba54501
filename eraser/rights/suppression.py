"""The suppression list (seed 004, newsletter): after an erasure, a keyed hash of each normalized identifier is
kept, so an address that comes back (a re-import, a marketing list) can be recognized without being stored.

The hash is HMAC-SHA256 under the controller's secret over `TYPE:normalized value` (the same reference a legal
hold uses), so `eraser suppressed --email " Jan.Peeters@Example.be "` matches the erased `jan.peeters@example.be`.
Changing the secret empties the list in effect: keep the secret as long as the list.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from eraser.config import Config
from eraser.errors import SubjectError
from eraser.store.rights import RightsStore
from eraser.store.state import StateStore
from eraser.subjects import Subject, identifier_references, keyed_hash, parse_subject, subject_reference

if TYPE_CHECKING:
    from eraser.engine.execute import Outcome
    from eraser.tickets import Ticket


def references(subject: Subject, secret: bytes) -> list[tuple[str, str]]:
    """(identifier type, keyed reference) of every identifier of the subject."""
    return [(t, "hmac-sha256:" + keyed_hash(secret, f"{t}:{v}")) for t in subject.types for v in subject.identifiers[t]]


def identifier_type(config: Config, kind: str) -> str:
    """The config's identifier type for `--email` or `--phone`: the one of that name, else the one of that kind."""
    if kind in config.identifiers:
        return kind
    named = sorted(name for name, t in config.identifiers.items() if t.kind == kind)
    if not named:
        raise SubjectError(f"{config.path} defines no identifier of kind '{kind}'.")
    return named[0]


def lookup(config: Config, rights: RightsStore, pairs: list[str]) -> dict[str, Any] | None:
    """The suppression entry of any of the given identifiers (TYPE=VALUE), or None."""
    subject = parse_subject(pairs, config)
    return rights.suppressed([ref for _, ref in references(subject, config.secret_bytes())])


def erased_anything(outcome: Outcome) -> bool:
    """Whether an erasure deleted or anonymized a row of the subject's: only then do their identifiers go on the
    list (a second request that finds nothing must not make the entry point at its nothing_found certificate)."""
    totals = outcome.plan.totals()
    return bool(totals["delete"] or totals["anonymize"])


def earlier_erasure(config: Config, subject: Subject) -> dict[str, Any] | None:
    """The suppression entry of the subject's identifiers, if they were erased before."""
    store = StateStore(config.state or "")
    try:
        store.migrate()
        return RightsStore(store, config.secret_bytes()).suppressed(
            [ref for _, ref in references(subject, config.secret_bytes())])
    finally:
        store.dispose()


def already_erased(entry: dict[str, Any]) -> str:
    return f"already erased on {entry['last_erased_at']:%Y-%m-%d} (certificate {entry['certificate_id']})"


def record_against_earlier(config: Config, subject: Subject, ticket: Ticket, entry: dict[str, Any]) -> None:
    """A request for an erased subject of whom nothing remains: the ticket is closed on the earlier certificate,
    and no new one is issued."""
    secret = config.secret_bytes()
    store = StateStore(config.state or "")
    try:
        ticket_id = str(uuid.uuid4())
        known = ticket.reference if not store.tickets_by_ref(ticket.reference) else None
        store.submit(kind="erase", subject_ref=subject_reference(subject, secret), sealed=None,
                     identifier_refs=identifier_references(subject, secret), identifier_types=subject.types,
                     ticket_id=ticket_id, external_ref=known, received_at=ticket.received_at,
                     requested_by=ticket.operator, node="cli")
        store.finish(ticket_id, "cli", "done", {"id": entry["certificate_id"]}, [])
    finally:
        store.dispose()
