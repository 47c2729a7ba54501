"""Retention rules: when a retained row may be released (whether a subject is held: eraser.engine.holds)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from eraser.table_rules import RetainRule, parse_period


def add_period(start: date, period: str) -> date:
    """Calendar arithmetic: 1 Jan 2024 + 7y = 1 Jan 2031; 31 Jan + 1m = 28/29 Feb; 29 Feb 2024 + 10y = 1 Mar 2034
    (a year later than 28 February would end a day early: the later day is the conservative one)."""
    amount, unit = parse_period(period)
    delta = {"y": relativedelta(years=amount), "m": relativedelta(months=amount),
             "w": relativedelta(weeks=amount), "d": relativedelta(days=amount)}[unit]
    end = start + delta
    if unit == "y" and end.day != start.day:
        end += timedelta(days=1)
    return end


def as_date(value: Any, zone: str | None = None) -> date | None:
    """The calendar date of a date or timestamp, in `zone` if given: an aware timestamp converted to it; a naive
    one may be wall-clock time there or UTC, and the later of the two dates is the conservative one."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            try:
                return date.fromisoformat(value.strip()[:10])
            except ValueError:
                return None
    if isinstance(value, datetime):
        if zone is None:
            return value.date()
        tz = ZoneInfo(zone)
        if value.tzinfo is not None:
            return value.astimezone(tz).date()
        return max(value.date(), value.replace(tzinfo=UTC).astimezone(tz).date())
    if isinstance(value, date):
        return value
    return None


def _after_financial_year(start: date, year_end: str) -> date:
    """The first day after the financial year (ending each year on MM-DD `year_end`) that holds `start`."""
    month, day = (int(p) for p in year_end.split("-"))
    end = date(start.year, month, day)
    if start > end:
        end = date(start.year + 1, month, day)
    return end + timedelta(days=1)


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
        start = as_date(row.get(rule.from_), rule.time_zone) or request_date
    assert start is not None
    period = rule.period
    if rule.before is not None and rule.from_ not in ("request", "parent") and start < rule.before.before_date:
        period = rule.before.period  # a document older than the law that lengthened the period keeps the old one
    if rule.count_from == "next_year":
        start = _after_financial_year(start, rule.financial_year_end)
    return add_period(start, period)


@dataclass(frozen=True)
class ActiveHold:
    reason: str
    until: date | None
    source: str  # "config", "store" (eraser hold add, POST /holds) or "request" (--hold)
