"""Retention rules and legal holds: when a retained row may be released, and whether a subject is held."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from dateutil.relativedelta import relativedelta

from eraser.config import Config, RetainRule, parse_period
from eraser.subjects import Subject, identifier_references, subject_reference


def add_period(start: date, period: str) -> date:
    """Calendar arithmetic: 1 Jan 2024 + 7y = 1 Jan 2031; 31 Jan + 1m = 28/29 Feb."""
    amount, unit = parse_period(period)
    delta = {"y": relativedelta(years=amount), "m": relativedelta(months=amount),
             "w": relativedelta(weeks=amount), "d": relativedelta(days=amount)}[unit]
    return start + delta


def as_date(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def release_date(rule: RetainRule, row: dict[str, Any], request_date: date,
                 parent_release: date | None = None) -> date:
    """The day a retained row may be destroyed. A row whose start date is unknown counts from the request."""
    if rule.from_ == "request":
        start: date | None = request_date
    elif rule.from_ == "parent":
        if parent_release is not None:
            return parent_release
        start = request_date
    else:
        start = as_date(row.get(rule.from_)) or request_date
    assert start is not None
    period = rule.period
    if rule.before is not None and rule.from_ not in ("request", "parent") and start < rule.before.before_date:
        period = rule.before.period  # a document older than the law that lengthened the period keeps the old one
    if rule.count_from == "next_year":
        start = date(start.year + 1, 1, 1)
    return add_period(start, period)


@dataclass(frozen=True)
class ActiveHold:
    reason: str
    until: date | None
    source: str  # "config" or "request"


def active_hold(config: Config, subject: Subject, today: date, requested: str | None = None) -> ActiveHold | None:
    """A legal hold that blocks erasure of this subject today, if any."""
    if requested:
        return ActiveHold(requested, None, "request")
    refs = {subject_reference(subject, config.secret_bytes()), *identifier_references(subject, config.secret_bytes())}
    for hold in config.holds:
        if hold.subject in refs and (hold.until is None or hold.until >= today):
            return ActiveHold(hold.reason, hold.until, "config")
    return None
