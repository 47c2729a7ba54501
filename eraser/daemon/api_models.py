"""Request bodies and parameters of the intake API, with their ranges.

Every value out of range is refused with a 422 that names the field and the rule, never the value: a submitted
value may be a subject's identifier.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from eraser.store.tables import STATUSES

EARLIEST_YEAR, LATEST_YEAR = 2000, 2999
CLOCK_SKEW = timedelta(minutes=5)


def _no_nul(value: Any) -> Any:
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("must not contain a NUL character")
    if isinstance(value, list | tuple):
        for item in value:
            _no_nul(item)
    if isinstance(value, dict):
        for key, item in value.items():
            _no_nul(key)
            _no_nul(item)
    return value


def moment_utc(value: datetime) -> datetime:
    """A datetime in the years the state store can hold, in UTC (naive means UTC)."""
    # The year is checked first: shifting 9999-12-31 by its offset overflows.
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"must be a date between the years {EARLIEST_YEAR} and {LATEST_YEAR}")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def past_moment_utc(value: datetime) -> datetime:
    value = moment_utc(value)
    if value > datetime.now(UTC) + CLOCK_SKEW:
        raise ValueError("must not be in the future")
    return value


def future_date(value: date) -> date:
    if value > date(LATEST_YEAR, 12, 31):
        raise ValueError(f"must be a date before the year {LATEST_YEAR + 1}")
    if value < datetime.now(UTC).date():
        raise ValueError("must not be in the past (a hold that has ended holds nothing)")
    return value


Moment = Annotated[datetime, AfterValidator(moment_utc)]
PastMoment = Annotated[datetime, AfterValidator(past_moment_utc)]
OneIdentifier = Annotated[str, Field(min_length=1, max_length=320)]
Identifier = OneIdentifier | Annotated[list[OneIdentifier], Field(min_length=1, max_length=20)]
Subject = Annotated[dict[str, Identifier], Field(min_length=1, max_length=10)]
Reason = Annotated[str, Field(min_length=5, max_length=2000)]
# Ticket, hold and certificate ids are UUIDs; the pattern keeps other bytes away from the state store.
ObjectId = Annotated[str, Path(pattern=r"^[0-9A-Za-z-]{1,64}$")]
Status = Literal[STATUSES]  # type: ignore[valid-type]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _text_without_nul(cls, value: Any) -> Any:
        return _no_nul(value)


class TicketIn(_Body):
    kind: Literal["erase", "access", "restrict"] = "erase"
    subject: Subject
    external_ref: str | None = Field(default=None, min_length=1, max_length=200)
    received_at: PastMoment | None = None
    requested_by: str = Field(min_length=1, max_length=200)


class ExtendIn(_Body):
    reason: Reason
    months: int = Field(default=2, ge=1, le=2)


class RejectIn(_Body):
    reason: Reason


class HoldIn(_Body):
    subject: Subject
    reason: Reason
    until: Annotated[date, AfterValidator(future_date)] | None = None


FIELDS = frozenset({*(name for model in (TicketIn, ExtendIn, RejectIn, HoldIn) for name in model.model_fields),
                    "status", "due_before", "ticket_id", "hold_id", "certificate_id"})


def field_name(loc: Sequence[Any]) -> str:
    """The dotted field of a validation error, cut at the first part that is not a field name (a dict key or
    an unknown property may be a subject's identifier)."""
    parts: list[str] = []
    for part in loc:
        if part in ("body", "query", "path"):
            continue
        if isinstance(part, int) or part in FIELDS:
            parts.append(str(part))
        else:
            break
    return ".".join(parts) or "body"


def rule_broken(error: Mapping[str, Any]) -> str:
    """The rule a validation error names, without pydantic's "Value error, " prefix."""
    return str(error["msg"]).removeprefix("Value error, ")
