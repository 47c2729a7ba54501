"""Identifiers compared by meaning: what a stored value must be for it to be the subject's.

Each kind has a SQL prefilter the database evaluates (and an expression index can serve) and a confirmation in
Python that decides; the prefilter only has to find a superset:

- email: Unicode whitespace trimmed, Unicode lower case, on every dialect (SQLite's own lower() folds ASCII only);
- phone: the digits of the stored value, whatever the separators, against the digits of every international
  spelling (+32 470.., 0032 470.., +32 (0)470..) and of the national spelling (0470..). A national spelling is
  read in the row's country (the config's `country_column`) or else in the config's regions, and is not the
  subject's when another of those regions reads it as a different valid number;
- exact: equal as stored, trailing spaces and case included (a collation that ignores them only prefilters).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import phonenumbers
from phonenumbers import PhoneNumber, PhoneNumberFormat

from eraser.config import IdentifierType
from eraser.errors import SubjectError

# What Python's str.strip() removes, plus the zero-width space and byte-order mark that copy-paste leaves behind,
# in code point order. Written out rather than computed at import (a pass over every code point took 0.1-0.3 s of
# each command's start); tests/test_search_index.py checks it against str.isspace(). The lookup expression
# indexes hold this very string: changing it means rebuilding them.
WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
              "\u2009\u200a\u200b\u2028\u2029\u202f\u205f\u3000\ufeff")
NAME_LANGUAGES = ("en", "nl", "fr", "de")
NON_DIGITS = re.compile(r"[^0-9]+")


def trimmed(value: str) -> str:
    return value.strip(WHITESPACE)


def folded_email(value: str) -> str:
    return trimmed(value).lower()


def digits(value: Any) -> str:
    return NON_DIGITS.sub("", str(value)) if value is not None else ""


# -- phones -----------------------------------------------------------------------------------

def _e164(number: PhoneNumber) -> str:
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def _reading(value: str, region: str) -> PhoneNumber | None:
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_possible_number(number) else None


def subject_phone(value: str, kind: IdentifierType, name: str) -> str:
    """The E.164 form of a phone number given in a request, read in the config's regions; a national spelling that
    two regions read as different valid numbers is refused (it would name two people)."""
    readings = {r: n for r in kind.regions if (n := _reading(value, r)) is not None}
    valid = {_e164(n) for n in readings.values() if phonenumbers.is_valid_number(n)}
    if len(valid) > 1:
        raise SubjectError(f"identifier '{name}' reads as a different number in each of the regions "
                           f"{', '.join(kind.regions)}; give it with its country code (e.g. +32 470 12 34 56).")
    if valid:
        return valid.pop()
    if readings:
        return _e164(next(iter(readings.values())))
    raise SubjectError(f"identifier '{name}' is not a phone number (region {', '.join(kind.regions)}); "
                       "give it as +32 470 12 34 56 or 0470 12 34 56.")


def _prefix(number: PhoneNumber) -> str:
    region = phonenumbers.region_code_for_number(number)
    meta = phonenumbers.PhoneMetadata.metadata_for_region(region) if region else None
    return (meta.national_prefix or "") if meta else ""


def international_digits(e164: str) -> set[str]:
    """The digits of the spellings that carry the country code: +CC N, 00CC N, CC N, and the same with the trunk
    prefix kept after the country code (+32 (0)470 ..., +353 01 ...)."""
    number = phonenumbers.parse(e164, None)
    cc, nsn = str(number.country_code), phonenumbers.national_significant_number(number)
    trunk = _prefix(number)
    bodies = {cc + nsn} | ({cc + trunk + nsn} if trunk else set())
    return bodies | {"00" + b for b in bodies}


def national_digits(e164: str) -> set[str]:
    number = phonenumbers.parse(e164, None)
    nsn = phonenumbers.national_significant_number(number)
    national = digits(phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL))
    return {national, _prefix(number) + nsn}


def phone_digits(e164_values: Iterable[str]) -> list[str]:
    """Every digit string a stored spelling of these numbers reduces to (the SQL prefilter)."""
    return sorted({d for v in e164_values for d in international_digits(v) | national_digits(v)})


@cache
def _country_names() -> dict[str, str]:
    # importing it loads all the geodata (1.3 s): only when a country name is asked for
    from phonenumbers.geodata.locale import LOCALE_DATA

    names: dict[str, str] = {}
    for region, by_language in LOCALE_DATA.items():
        if len(region) != 2 or not region.isalpha():
            continue
        names[region.lower()] = region
        for language in NAME_LANGUAGES:
            name = by_language.get(language)
            if name and name.startswith("*"):
                name = by_language.get(name[1:])
            if name:
                names[name.lower()] = region
    return names


def country_region(value: Any) -> str | None:
    """The region a country column's value names: 'BE', 'be', 'Belgium', 'België', 'Belgique', 'Belgien'."""
    if not isinstance(value, str):
        return None
    return _country_names().get(trimmed(value).lower())


def phone_matches(stored: Any, e164: str, regions: Sequence[str]) -> bool:
    """Whether a stored spelling is this number: by its digits with the country code, or as a national spelling
    in one of `regions` that no other of them reads as a different valid number."""
    if not isinstance(stored, str | int):
        return False
    found = digits(stored)
    if found in international_digits(e164):
        return True
    if found not in national_digits(e164):
        return False
    text = str(stored)
    readings = {r: n for r in regions if (n := _reading(text, r)) is not None}
    if not any(_e164(n) == e164 for n in readings.values()):
        return False
    others = {_e164(n) for n in readings.values() if phonenumbers.is_valid_number(n)} - {e164}
    return not others


def phone_spans(text: str, e164_values: Iterable[str], regions: Sequence[str]) -> list[tuple[int, int]]:
    """Where the numbers occur in free text (phonenumbers.PhoneNumberMatcher in each region), as (start, end)."""
    wanted = set(e164_values)
    spans: set[tuple[int, int]] = set()
    for region in regions:
        for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE):
            if _e164(match.number) in wanted and phone_matches(match.raw_string, _e164(match.number), regions):
                spans.add((match.start, match.end))
    return sorted(spans)


# -- IP addresses -----------------------------------------------------------------------------

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
BIGINT = 2**63 - 1


def ip_value(value: Any) -> IPAddress | None:
    """The address a stored value names: dotted or IPv6 text, an integer (IPv4 below 2**32), the integer as text,
    or the 4 or 16 packed bytes; an IPv4-mapped IPv6 address is its IPv4 address. None if it names none."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, bytes | bytearray | memoryview):
        packed = bytes(value)
        if len(packed) not in (4, 16):
            return None
        address: IPAddress = ipaddress.ip_address(packed)
    elif isinstance(value, int):
        if value < 0:
            return None
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            return None
    else:
        text = trimmed(str(value))
        if text.isdigit() and text.isascii():
            return ip_value(int(text))
        try:
            address = ipaddress.ip_address(text.removeprefix("[").removesuffix("]"))
        except ValueError:
            return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def ip_text_forms(canonical: str) -> list[str]:
    """The spellings a text column may hold: compressed and full IPv6 in both cases, dotted IPv4 and its IPv4-mapped
    IPv6 form, and the integer as text."""
    address = ipaddress.ip_address(canonical)
    forms = {str(address), address.exploded, str(int(address))}
    if isinstance(address, ipaddress.IPv4Address):
        forms |= {f"::ffff:{address}", f"::FFFF:{address}"}
    forms |= {f.upper() for f in forms}
    return sorted(forms)


def ip_sql_values(values: Sequence[str], column_type: Any) -> list[Any]:
    """The values a column of this type is compared with: integers, packed bytes, or text spellings."""
    import sqlalchemy as sa

    addresses = [ipaddress.ip_address(v) for v in values]
    if isinstance(column_type, sa.Integer | sa.Numeric):
        return sorted({int(a) for a in addresses if int(a) <= BIGINT})
    if isinstance(column_type, sa.LargeBinary | sa.types._Binary):
        return sorted({a.packed for a in addresses})
    return sorted({f for v in values for f in ip_text_forms(v)})


# -- one identifier type against one column ---------------------------------------------------------

@dataclass(frozen=True)
class Lookup:
    """The subject's values of one identifier type, as a column is searched for them and a stored value is
    confirmed to be one of them."""

    kind: IdentifierType
    values: tuple[str, ...]

    def sql_values(self, column_type: Any = None) -> list[Any]:
        if self.kind.kind == "phone":
            return phone_digits(self.values)
        if self.kind.kind == "ip":
            return ip_sql_values(self.values, column_type)
        return list(self.values)

    def confirms(self, stored: Any, row_country: Any = None) -> bool:
        if stored is None:
            return False
        if self.kind.kind == "email":
            return isinstance(stored, str) and folded_email(stored) in self.values
        if self.kind.kind == "ip":
            address = ip_value(stored)
            return address is not None and str(address) in self.values
        if self.kind.kind == "phone":
            region = country_region(row_country)
            regions = (region,) if region else self.kind.regions
            return any(phone_matches(stored, v, regions) for v in self.values)
        return stored in self.values or (not isinstance(stored, str) and str(stored) in self.values)


def lookup_warning(connector: Any, table: str, column: str, kind: str) -> str:
    """The `config check` sentence for an identifier lookup no index serves."""
    what = {"email": "its folded form (Unicode trim and lower case)", "phone": "its digits"}.get(kind)
    if kind == "email" and connector.case_folding(table, column) is not None:  # its collation ignores case
        what = None
    if what is None:
        return f"identifier column '{table}.{column}' has no index; every erasure scans the table."
    if connector.lookup_index_statement(table, column, kind) is None:
        return (f"identifier column '{table}.{column}' is compared by {what}, which {connector.dialect} cannot "
                "index; every erasure scans the table.")
    return f"identifier column '{table}.{column}' has no index on {what}; every erasure scans the table."
