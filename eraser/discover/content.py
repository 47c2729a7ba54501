"""What sampled values are: emails, phones, IBANs, national numbers, IPs, dates of birth, free text."""

from __future__ import annotations

import ipaddress
import json
import re
import statistics
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import phonenumbers
import sqlalchemy as sa
from stdnum import iban as std_iban
from stdnum import luhn
from stdnum.be import nn as be_nn
from stdnum.be import vat as be_vat
from stdnum.eu import vat as eu_vat

from connectors.sql import SQLConnector

# -- content ----------------------------------------------------------------------------------

EMAIL = re.compile(r"^[A-Za-z0-9._%+\-']+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}$")
EMAIL_IN = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
PHONE_LIKE = re.compile(r"^\+?[\d\s()./\-]{8,22}$")
PHONE_IN = re.compile(r"(?<![\w+])(?:\+|00)?\d[\d\s./\-]{7,16}\d(?!\d)")
IBAN_LIKE = re.compile(r"^[A-Za-z]{2}\d{2}[A-Za-z0-9 ]{10,32}$")
IBAN_IN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")
NN_LIKE = re.compile(r"^\d{2}[.\s]?\d{2}[.\s]?\d{2}[\s\-.]?\d{3}[\s\-.]?\d{2}$")
VAT_LIKE = re.compile(r"^(?:[A-Za-z]{2}\s?)?[01]?\d{3}[.\s]?\d{3}[.\s]?\d{3}$|^[A-Za-z]{2}[0-9A-Za-z+*.\s]{8,14}$")
IP_LIKE = re.compile(r"^[0-9a-fA-F:.]{3,45}$")
DATE_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}$|^\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4}$")
AGENT = re.compile(r"^(Mozilla|Opera|curl|Dalvik|okhttp|Python-urllib)/")

# -- sampling and content ---------------------------------------------------------------------

def _kind(column: sa.Column[Any]) -> str:
    t = column.type
    if isinstance(t, sa.JSON):
        return "json"
    if isinstance(t, sa.Enum):
        return "other"
    if isinstance(t, sa.String):
        return "text"
    if isinstance(t, sa.DateTime | sa.Date):
        return "date"
    if isinstance(t, sa.Boolean):
        return "bool"
    if isinstance(t, sa.Integer | sa.Numeric | sa.Float):
        return "number"
    if isinstance(t, sa.LargeBinary):
        return "binary"
    return "other"


def sample_rows(connector: SQLConnector, conn: Any, table: str, columns: list[str], limit: int) -> list[Any]:
    """Up to `limit` rows of the columns worth looking at (bound LIMIT; nothing is written or logged)."""
    if not columns or limit <= 0:
        return []
    tab = connector.table(table)
    try:
        return list(conn.execute(sa.select(*(tab.c[c] for c in columns)).limit(limit)))
    except (sa.exc.SQLAlchemyError, ValueError, TypeError):
        return []  # a value the driver cannot decode: judge this table by names alone


def _is_phone(text: str, region: str) -> bool:
    if not PHONE_LIKE.match(text) or sum(ch.isdigit() for ch in text) < 8:
        return False
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(text, region))
    except phonenumbers.NumberParseException:
        return False


def _is_ip(text: str) -> bool:
    if not IP_LIKE.match(text) or ("." not in text and ":" not in text):
        return False
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return False


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and DATE_TEXT.match(value.strip()):
        text = value.strip()
        try:
            if "-" in text[:5]:
                return date.fromisoformat(text)
            day, month, year = re.split(r"[/.\-]", text)
            return date(int(year), int(month), int(day))
        except ValueError:
            return None
    return None


def _possible_phone(text: str, region: str) -> bool:
    """Written like a phone number (leading +, 0 or a bracket) and possible for the region, if not valid: old
    numbering plans and typing mistakes are still a person's number."""
    if not PHONE_LIKE.match(text) or text[0] not in "+0(" or sum(ch.isdigit() for ch in text) < 8:
        return False
    try:
        return phonenumbers.is_possible_number(phonenumbers.parse(text, region))
    except phonenumbers.NumberParseException:
        return False


def content_shares(values: list[Any], region: str) -> dict[str, float]:
    """Share of the sampled values that are each kind of personal data (whole values; a few hundred suffice)."""
    texts = [v.strip() for v in values if isinstance(v, str) and v.strip()][:300]
    found: dict[str, int] = {}
    if texts:
        for text in texts:
            kind = None
            if "@" in text and EMAIL.match(text):
                kind = "email"
            elif AGENT.match(text):
                kind = "user_agent"
            elif _is_ip(text):
                kind = "ip_address"
            elif IBAN_LIKE.match(text) and std_iban.is_valid(text):
                kind = "bank_account"
            elif NN_LIKE.match(text) and be_nn.is_valid(text):
                kind = "national_id"
            elif VAT_LIKE.match(text) and (eu_vat.is_valid(text) or be_vat.is_valid(text)):
                kind = "vat_number"
            elif _is_phone(text, region):
                kind = "phone"
            elif _possible_phone(text, region):
                kind = "possible_phone"
            if kind:
                found[kind] = found.get(kind, 0) + 1
        possible = found.pop("possible_phone", 0)
        if possible:  # counted at half weight: a possible number is weaker evidence than a valid one
            found["phone"] = found.get("phone", 0) + possible // 2
        shares = {k: n / len(texts) for k, n in found.items() if n}
    else:
        shares = {}
    numbers = [str(v) for v in values if isinstance(v, int) and not isinstance(v, bool)][:300]
    cards = sum(1 for n in numbers if 13 <= len(n) <= 19 and luhn.is_valid(n))
    if numbers and cards:
        shares["payment_card"] = cards / len(numbers)
    dates = [d for d in (_as_date(v) for v in values) if d is not None]
    if len(dates) >= 5 and len(dates) >= len([v for v in values if v is not None]) * 0.8:
        today = date.today()
        ages = [today.year - d.year for d in dates]
        adult = sum(1 for a in ages if 12 <= a <= 110) / len(ages)
        if adult >= 0.9 and 16 <= statistics.median(ages) <= 90 and statistics.pstdev(ages) >= 4:
            shares["date_of_birth"] = adult
    return shares


def _text_of(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return None


def _mentions(values: Iterable[str], names: re.Pattern[str] | None, region: str) -> tuple[float, float]:
    """Shares of free-text values that hold an email, a phone number or an IBAN, and of the others that name a
    person known from an identity table."""
    texts = [v for v in values if v][:300]
    if not texts:
        return 0.0, 0.0
    contacts = named = 0
    for text in texts:
        if EMAIL_IN.search(text) or IBAN_IN.search(text) or \
                any(_is_phone(m.group(0).strip(), region) for m in PHONE_IN.finditer(text)):
            contacts += 1
        elif names is not None and names.search(text):
            named += 1
    return contacts / len(texts), named / len(texts)


def _looks_free_text(values: list[str]) -> bool:
    texts = [v for v in values if v][:300]
    if len(texts) < 3:
        return False
    spaced = sum(1 for t in texts if " " in t.strip())
    return spaced / len(texts) >= 0.5 and statistics.mean(len(t) for t in texts) >= 25

