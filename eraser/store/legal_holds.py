"""Legal holds in the state store (`eraser hold add`, `POST /holds`): placed, read, lifted; a mixin of StateStore."""

from __future__ import annotations

import json
import uuid
from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypedDict, cast

import sqlalchemy as sa

from eraser.errors import EraserError
from eraser.store.tables import holds, now, tickets


class HoldRow(TypedDict):
    """A legal hold: on the subjects, identifiers or tenants it names by keyed reference, until a date or lifted."""

    id: str
    identifier_refs: list[str]
    reason: str
    until: date | None
    created_by: str
    created_at: datetime
    lifted_by: str | None
    lifted_at: datetime | None


def hold_row(row: sa.Row[Any]) -> HoldRow:
    return cast(HoldRow, dict(row._mapping) | {"identifier_refs": json.loads(row.identifier_refs)})


class HoldRecords:
    """The holds table's reads and writes; StateStore provides `engine` and `tx()`."""

    engine: sa.Engine

    if TYPE_CHECKING:
        def tx(self) -> AbstractContextManager[sa.Connection]: ...

        def _journal(self, conn: sa.Connection, ticket_id: str, node: str, step: str, detail: str | None) -> None: ...

    def add_hold(self, identifier_refs: list[str], reason: str, until: date | None, by: str) -> HoldRow:
        hold_id = str(uuid.uuid4())
        with self.tx() as conn:
            conn.execute(holds.insert().values(id=hold_id, identifier_refs=json.dumps(sorted(identifier_refs)),
                                               reason=reason, until=until, created_by=by, created_at=now()))
            return hold_row(conn.execute(sa.select(holds).where(holds.c.id == hold_id)).one())

    def hold(self, hold_id: str) -> HoldRow | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(holds).where(holds.c.id == hold_id)).first()
        return hold_row(row) if row is not None else None

    def lift_hold(self, hold_id: str, by: str) -> HoldRow:
        hold = self.hold(hold_id)
        if hold is None:
            raise EraserError(f"there is no hold {hold_id}.")
        if hold["lifted_at"]:
            raise EraserError(f"hold {hold_id} was already lifted.")
        with self.tx() as conn:
            conn.execute(holds.update().where(holds.c.id == hold_id).values(lifted_by=by, lifted_at=now()))
            # Tickets held under it go back to the queue.
            refs = set(hold["identifier_refs"])
            for row in conn.execute(sa.select(tickets).where(tickets.c.status == "held")):
                if refs & set(json.loads(row.identifier_refs)) and row.sealed_subject is not None:
                    conn.execute(tickets.update().where(tickets.c.id == row.id).values(
                        status="received", next_attempt_at=None, updated_at=now()))
                    self._journal(conn, row.id, by, "requeued", f"hold {hold_id} lifted")
            return hold_row(conn.execute(sa.select(holds).where(holds.c.id == hold_id)).one())

    def holds(self, active_only: bool = True) -> list[HoldRow]:
        with self.engine.connect() as conn:
            stmt = sa.select(holds).order_by(holds.c.created_at)
            if active_only:
                stmt = stmt.where(holds.c.lifted_at.is_(None))
            return [hold_row(r) for r in conn.execute(stmt)]

    def active_hold(self, identifier_refs: list[str], today: date) -> HoldRow | None:
        refs = set(identifier_refs)
        for hold in self.holds(active_only=True):
            if refs & set(hold["identifier_refs"]) and (hold["until"] is None or hold["until"] >= today):
                return hold
        return None
