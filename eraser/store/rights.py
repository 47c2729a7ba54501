"""State of the other rights, in the daemon's state store (migration 0002): the erasure journal that replay uses,
the suppression list, restrictions, and webhook deliveries to recipients.

Nothing here holds a personal value: identifiers are keyed hashes (HMAC-SHA256 under the controller's secret);
rows are named by connector, table and primary key, and a primary key that is itself personal (a column the
config identifies the subject by or anonymizes) is sealed with AES-GCM under a key derived from the secret.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, TypedDict, cast

import sqlalchemy as sa
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from connectors.base import Key
from eraser.proof.certificates import canonical
from eraser.store.state import StateStore
from eraser.store.tables import TZ, _utc, metadata, now, row_place
from eraser.store.tickets import JournalEntry
from eraser.subjects import keyed_hash
from eraser.table_rules import TableRule

erasures = sa.Table(
    "erasures", metadata,
    sa.Column("certificate_id", sa.String(36), primary_key=True),
    sa.Column("kind", sa.String(24), nullable=False),
    sa.Column("ticket_id", sa.String(36), index=True),
    sa.Column("ticket_reference", sa.String(200), nullable=False),
    sa.Column("subject_ref", sa.String(80)),
    sa.Column("completed_at", TZ, nullable=False, index=True),
    sa.Column("certificate_sha256", sa.String(64), nullable=False),
    sa.Column("recorded_at", TZ, nullable=False),
)

erasure_rows = sa.Table(
    "erasure_rows", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("certificate_id", sa.String(36), sa.ForeignKey("erasures.certificate_id"), nullable=False, index=True),
    *row_place(),
    sa.Column("action", sa.String(12), nullable=False),
    sa.Column("strategies", sa.Text),
)

class SuppressionEntry(TypedDict):
    """A subject's identifier erased before, by keyed reference: when, and by which certificate (last)."""

    reference: str
    identifier_type: str
    first_erased_at: datetime
    last_erased_at: datetime
    certificate_id: str | None


suppression = sa.Table(
    "suppression", metadata,
    sa.Column("reference", sa.String(80), primary_key=True),
    sa.Column("identifier_type", sa.String(40), nullable=False),
    sa.Column("first_erased_at", TZ, nullable=False),
    sa.Column("last_erased_at", TZ, nullable=False),
    sa.Column("certificate_id", sa.String(36)),
)

restrictions = sa.Table(
    "restrictions", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("ticket_id", sa.String(36), index=True),
    sa.Column("subject_ref", sa.String(80), nullable=False),
    sa.Column("identifier_refs", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Column("created_at", TZ, nullable=False),
    sa.Column("lifted_by", sa.String(200)),
    sa.Column("lifted_at", TZ),
)

restricted_rows = sa.Table(
    "restricted_rows", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("restriction_id", sa.String(36), sa.ForeignKey("restrictions.id"), nullable=False, index=True),
    *row_place(),
    sa.Column("key_ref", sa.String(80), nullable=False, index=True),
    sa.Column("method", sa.String(8), nullable=False),
    sa.Column("previous", sa.Text),
    sa.Column("ended_at", TZ),
    sa.Column("ended_reason", sa.String(40)),
)

webhook_deliveries = sa.Table(
    "webhook_deliveries", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("ticket_id", sa.String(36), nullable=False),
    sa.Column("recipient", sa.String(200), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", TZ, index=True),
    sa.Column("delivered_at", TZ),
    sa.Column("last_error", sa.Text),
    sa.Column("created_at", TZ, nullable=False),
    sa.UniqueConstraint("ticket_id", "recipient", name="uq_webhook_ticket_recipient"),
)

SEALED = "sealed:"


class KeyCodec:
    """Primary keys as stored in the state store: canonical JSON, sealed when the key itself is personal."""

    def __init__(self, secret: bytes) -> None:
        self.secret = secret
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"eraser journal keys").derive(secret)
        self._aead = AESGCM(key)

    @staticmethod
    def personal(rule: TableRule, pk_cols: Sequence[str]) -> bool:
        """A key made of a column the subject is identified by, or one the config replaces, is personal data."""
        personal = {c for cols in rule.identify.values() for c in cols} | set(rule.columns) | set(rule.minimize)
        return bool(personal & set(pk_cols))

    def encode(self, key: Key, seal: bool) -> str:
        text = canonical(list(key)).decode()
        if not seal:
            return text
        nonce = os.urandom(12)
        return SEALED + base64.b64encode(nonce + self._aead.encrypt(nonce, text.encode(), b"key")).decode()

    def decode(self, stored: str) -> Key:
        if stored.startswith(SEALED):
            blob = base64.b64decode(stored.removeprefix(SEALED))
            stored = self._aead.decrypt(blob[:12], blob[12:], b"key").decode()
        return tuple(json.loads(stored))

    def seal_json(self, value: Any, context: str) -> str:
        """Sealed JSON, e.g. the file paths an erasure will destroy, kept until the ticket ends."""
        nonce = os.urandom(12)
        data = json.dumps(value, sort_keys=True).encode()
        return base64.b64encode(nonce + self._aead.encrypt(nonce, data, context.encode())).decode()

    def unseal_json(self, text: str, context: str) -> Any:
        blob = base64.b64decode(text)
        return json.loads(self._aead.decrypt(blob[:12], blob[12:], context.encode()))

    def ref(self, connector: str, table: str, key: Key) -> str:
        """A keyed reference of one row, equal for equal keys (to match rows without storing the key)."""
        return "hmac-sha256:" + keyed_hash(self.secret, f"{connector}\x00{table}\x00{canonical(list(key)).decode()}")


class RightsStore:
    """Reads and writes of the rights tables, each in its own short transaction of the state store."""

    def __init__(self, store: StateStore, secret: bytes) -> None:
        self.store = store
        self.keys = KeyCodec(secret)

    # -- the erasure journal ----------------------------------------------------------------------

    def record_erasure(self, *, certificate_id: str, kind: str, ticket_id: str | None, ticket_reference: str,
                       subject_ref: str | None, completed_at: datetime, certificate_sha256: str,
                       rows: Iterable[JournalEntry]) -> bool:
        """Journal what one certified erasure changed; a second call for the same certificate changes nothing."""
        with self.store.tx() as conn:
            if conn.execute(sa.select(erasures.c.certificate_id)
                            .where(erasures.c.certificate_id == certificate_id)).first():
                return False
            conn.execute(erasures.insert().values(
                certificate_id=certificate_id, kind=kind, ticket_id=ticket_id, ticket_reference=ticket_reference,
                subject_ref=subject_ref, completed_at=completed_at, certificate_sha256=certificate_sha256,
                recorded_at=now()))
            batch = [dict(certificate_id=certificate_id, connector=r["connector"], table_name=r["table"],
                          primary_key=r["key"], action=r["action"],
                          strategies=json.dumps(r["strategies"], sort_keys=True) if r.get("strategies") else None)
                     for r in rows]
            if batch:
                conn.execute(erasure_rows.insert(), batch)
        return True

    def erasures_since(self, since: datetime) -> list[dict[str, Any]]:
        with self.store.engine.connect() as conn:
            rows = conn.execute(sa.select(erasures).where(erasures.c.completed_at >= since)
                                .order_by(erasures.c.completed_at, erasures.c.certificate_id))
            return [dict(r._mapping) | {"completed_at": _utc(r.completed_at)} for r in rows]

    def journal_rows(self, certificate_id: str) -> list[dict[str, Any]]:
        with self.store.engine.connect() as conn:
            rows = conn.execute(sa.select(erasure_rows).where(erasure_rows.c.certificate_id == certificate_id)
                                .order_by(erasure_rows.c.id))
            return [{"connector": r.connector, "table": r.table_name, "key": self.keys.decode(r.primary_key),
                     "action": r.action, "strategies": json.loads(r.strategies) if r.strategies else {}}
                    for r in rows]

    # -- the suppression list ---------------------------------------------------------------------

    def suppress(self, references: Iterable[tuple[str, str]], certificate_id: str | None) -> int:
        """Add (identifier type, keyed reference) pairs; a known reference gets its last erasure date updated."""
        moment = now()
        added = 0
        with self.store.tx() as conn:
            for kind, ref in references:
                done = conn.execute(suppression.update().where(suppression.c.reference == ref)
                                    .values(last_erased_at=moment, certificate_id=certificate_id))
                if done.rowcount == 0:
                    conn.execute(suppression.insert().values(reference=ref, identifier_type=kind,
                                                             first_erased_at=moment, last_erased_at=moment,
                                                             certificate_id=certificate_id))
                    added += 1
        return added

    def suppressed(self, references: Sequence[str]) -> SuppressionEntry | None:
        with self.store.engine.connect() as conn:
            row = conn.execute(sa.select(suppression).where(suppression.c.reference.in_(list(references)))
                               .order_by(suppression.c.first_erased_at)).first()
        if row is None:
            return None
        return cast(SuppressionEntry, dict(row._mapping) | {"first_erased_at": _utc(row.first_erased_at),
                                                            "last_erased_at": _utc(row.last_erased_at)})

    # -- restrictions -----------------------------------------------------------------------------

    def add_restriction(self, restriction: dict[str, Any], rows: list[dict[str, Any]]) -> None:
        with self.store.tx() as conn:
            conn.execute(restrictions.insert().values(**restriction, created_at=now()))
            if rows:
                conn.execute(restricted_rows.insert(), [dict(r, restriction_id=restriction["id"]) for r in rows])

    def restriction(self, restriction_id: str) -> dict[str, Any] | None:
        with self.store.engine.connect() as conn:
            row = conn.execute(sa.select(restrictions).where(restrictions.c.id == restriction_id)).first()
        return self._restriction(row) if row else None

    def restriction_of_ticket(self, ticket_id: str) -> dict[str, Any] | None:
        with self.store.engine.connect() as conn:
            row = conn.execute(sa.select(restrictions).where(restrictions.c.ticket_id == ticket_id)).first()
        return self._restriction(row) if row else None

    @staticmethod
    def _restriction(row: sa.Row[Any]) -> dict[str, Any]:
        return dict(row._mapping) | {"identifier_refs": json.loads(row.identifier_refs),
                                     "created_at": _utc(row.created_at), "lifted_at": _utc(row.lifted_at)}

    def restrictions(self, active_only: bool = True) -> list[dict[str, Any]]:
        stmt = sa.select(restrictions).order_by(restrictions.c.created_at, restrictions.c.id)
        if active_only:
            stmt = stmt.where(restrictions.c.lifted_at.is_(None))
        with self.store.engine.connect() as conn:
            return [self._restriction(r) for r in conn.execute(stmt)]

    def restricted_rows(self, restriction_id: str | None = None, active_only: bool = True) -> list[dict[str, Any]]:
        stmt = sa.select(restricted_rows, restrictions.c.lifted_at).join(restrictions).order_by(restricted_rows.c.id)
        if restriction_id is not None:
            stmt = stmt.where(restricted_rows.c.restriction_id == restriction_id)
        if active_only:
            stmt = stmt.where(restrictions.c.lifted_at.is_(None), restricted_rows.c.ended_at.is_(None))
        with self.store.engine.connect() as conn:
            return [dict(r._mapping) | {"key": self.keys.decode(r.primary_key),
                                        "previous": json.loads(r.previous) if r.previous is not None else None}
                    for r in conn.execute(stmt)]

    def lift_restriction(self, restriction_id: str, by: str) -> None:
        with self.store.tx() as conn:
            conn.execute(restrictions.update().where(restrictions.c.id == restriction_id)
                         .values(lifted_by=by, lifted_at=now()))
            conn.execute(restricted_rows.update().where(restricted_rows.c.restriction_id == restriction_id,
                                                        restricted_rows.c.ended_at.is_(None))
                         .values(ended_at=now(), ended_reason="lifted"))

    def end_restricted_rows(self, key_refs: Iterable[str], reason: str) -> int:
        """Rows that no longer exist (erased) are no longer restricted."""
        refs = sorted(set(key_refs))
        if not refs:
            return 0
        ended = 0
        with self.store.tx() as conn:
            for start in range(0, len(refs), 500):
                ended += conn.execute(restricted_rows.update().where(
                    restricted_rows.c.key_ref.in_(refs[start:start + 500]), restricted_rows.c.ended_at.is_(None))
                    .values(ended_at=now(), ended_reason=reason)).rowcount
        return ended

    # -- webhook deliveries -----------------------------------------------------------------------

    def enqueue_webhooks(self, ticket_id: str, bodies: dict[str, dict[str, Any]]) -> None:
        """One delivery per recipient and ticket, however often a ticket is finished."""
        with self.store.tx() as conn:
            for recipient, body in sorted(bodies.items()):
                exists = conn.execute(sa.select(webhook_deliveries.c.id).where(
                    webhook_deliveries.c.ticket_id == ticket_id, webhook_deliveries.c.recipient == recipient)).first()
                if not exists:
                    conn.execute(webhook_deliveries.insert().values(
                        ticket_id=ticket_id, recipient=recipient, body=json.dumps(body, sort_keys=True),
                        next_attempt_at=now(), created_at=now()))

    def due_webhooks(self, at: datetime, limit: int = 20) -> list[dict[str, Any]]:
        with self.store.engine.connect() as conn:
            rows = conn.execute(sa.select(webhook_deliveries).where(
                webhook_deliveries.c.delivered_at.is_(None), webhook_deliveries.c.next_attempt_at.is_not(None),
                webhook_deliveries.c.next_attempt_at <= at).order_by(webhook_deliveries.c.id).limit(limit))
            return [dict(r._mapping) for r in rows]

    def webhook_deliveries(self, ticket_id: str | None = None) -> list[dict[str, Any]]:
        stmt = sa.select(webhook_deliveries).order_by(webhook_deliveries.c.id)
        if ticket_id is not None:
            stmt = stmt.where(webhook_deliveries.c.ticket_id == ticket_id)
        with self.store.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(stmt)]

    def webhook_attempted(self, delivery_id: int, *, delivered: bool, attempts: int, error: str | None,
                          next_attempt_at: datetime | None) -> None:
        with self.store.tx() as conn:
            conn.execute(webhook_deliveries.update().where(webhook_deliveries.c.id == delivery_id).values(
                attempts=attempts, last_error=error, delivered_at=now() if delivered else None,
                next_attempt_at=None if delivered else next_attempt_at))
