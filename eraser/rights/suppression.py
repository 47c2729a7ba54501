"""The suppression list (seed 004, newsletter): after an erasure, a keyed hash of each normalized identifier is
kept, so an address that comes back (a re-import, a marketing list) can be recognized without being stored.

The hash is HMAC-SHA256 under the controller's secret over `TYPE:normalized value` (the same reference a legal
hold uses), so `eraser suppressed --email " Jan.Peeters@Example.be "` matches the erased `jan.peeters@example.be`.
Changing the secret empties the list in effect: keep the secret as long as the list.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from eraser.config import Config
from eraser.errors import SubjectError
from eraser.store.rights import RightsStore, SuppressionEntry
from eraser.store.state import StateStore
from eraser.subjects import Subject, identifier_references, keyed_hash, parse_subject, subject_reference

if TYPE_CHECKING:
    from eraser.engine.execute import Outcome
    from eraser.engine.plan import Plan
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


def lookup(config: Config, rights: RightsStore, pairs: list[str]) -> SuppressionEntry | None:
    """The suppression entry of any of the given identifiers (TYPE=VALUE), or None."""
    subject = parse_subject(pairs, config)
    return rights.suppressed([ref for _, ref in references(subject, config.secret_bytes())])


def erased_anything(outcome: Outcome) -> bool:
    """Whether an erasure deleted or anonymized a row of the subject's: only then do their identifiers go on the
    list (a second request that finds nothing must not make the entry point at its nothing_found certificate)."""
    totals = outcome.plan.totals()
    return bool(totals["delete"] or totals["anonymize"])


@dataclass(frozen=True)
class Repeat:
    """A request for a subject whose identifiers are on the suppression list: when they were erased, by which
    certificate, and whether anything of theirs remains now."""

    entry: SuppressionEntry
    nothing_remains: bool

    @property
    def certificate_id(self) -> str:
        return str(self.entry["certificate_id"])

    @property
    def sentence(self) -> str:
        return already_erased(self.entry)


def suppression_entry(config: Config, store: StateStore, subject: Subject) -> SuppressionEntry | None:
    """The subject's entry on the suppression list, by any of its keyed references (None: never erased)."""
    return RightsStore(store, config.secret_bytes()).suppressed(
        [ref for _, ref in references(subject, config.secret_bytes())])


def repeat_request(config: Config, store: StateStore, subject: Subject, plan: Plan) -> Repeat | None:
    """The earlier erasure of this subject (CLI and daemon alike), or None when they were never erased. Only an
    erasure that erased something is on the list, so the entry names the certificate that did."""
    entry = suppression_entry(config, store, subject)
    if entry is None or not (certificate_id := entry["certificate_id"]):
        return None
    # a ticket is closed only on a certificate the store holds; else a new one says what was found
    known = store.certificate(certificate_id) is not None
    return Repeat(entry, nothing_remains=known and not any(plan.totals().values()))


def close_on_earlier(store: StateStore, ticket_id: str, node: str, repeat: Repeat) -> None:
    """A request for an erased subject of whom nothing remains: the ticket is closed on the earlier certificate,
    and no new one is issued (nor does the suppression entry change)."""
    store.update(ticket_id, node, "already erased", f"{repeat.sentence}; nothing remains, no new certificate")
    store.finish(ticket_id, node, "done", {"id": repeat.certificate_id}, [])


def already_erased(entry: SuppressionEntry) -> str:
    return f"already erased on {entry['last_erased_at']:%Y-%m-%d} (certificate {entry['certificate_id']})"


def record_against_earlier(config: Config, store: StateStore, subject: Subject, ticket: Ticket, repeat: Repeat
                           ) -> None:
    """`eraser erase` of an erased subject of whom nothing remains: its ticket enters the state store, closed on
    the earlier certificate (close_on_earlier, as the daemon's ticket is)."""
    secret = config.secret_bytes()
    ticket_id = str(uuid.uuid4())
    known = ticket.reference if not store.tickets_by_ref(ticket.reference) else None
    store.submit(kind="erase", subject_ref=subject_reference(subject, secret), sealed=None,
                 identifier_refs=identifier_references(subject, secret), identifier_types=subject.types,
                 ticket_id=ticket_id, external_ref=known, received_at=ticket.received_at,
                 requested_by=ticket.operator, node="cli")
    close_on_earlier(store, ticket_id, "cli", repeat)
