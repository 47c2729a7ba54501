"""Retention rules: when a retained row may be released (whether a subject is held: eraser.holds)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from dateutil.relativedelta import relativedelta

from eraser.config import RetainRule, parse_period


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
    source: str  # "config", "store" (eraser hold add, POST /holds) or "request" (--hold)
