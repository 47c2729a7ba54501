"""A request as the engine sees it: reference, dates and who runs it (GDPR Art. 12(3) deadlines)."""

from __future__ import annotations

import getpass
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from dateutil.relativedelta import relativedelta


@dataclass(frozen=True)
class Ticket:
    reference: str
    received_at: datetime
    operator: str
    kind: str = "erase"

    @property
    def due_at(self) -> datetime:
        """One calendar month after receipt."""
        return self.received_at + relativedelta(months=1)


def new_ticket(reference: str | None = None, received_at: datetime | None = None,
               operator: str | None = None) -> Ticket:
    now = datetime.now(UTC).replace(microsecond=0)
    received = received_at or now
    if received.tzinfo is None:
        received = received.replace(tzinfo=UTC)
    try:
        user = operator or getpass.getuser()
    except OSError:
        user = "unknown"
    return Ticket(reference or f"ERA-{now:%Y%m%d}-{uuid.uuid4().hex[:8]}", received, user)
