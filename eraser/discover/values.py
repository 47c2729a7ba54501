"""What sampled values say once the identity tables are known: a person's name in a column whose name does not say
so, a file name that names a person, a number unique to each person, a bare house number beside a street, and a
VAT number that belongs to the company named on the same row. Each rule needs the values to agree, never the name
alone; evidence names a count, never a value."""

from __future__ import annotations

import re
from typing import Any

from eraser.discover.findings import ColumnFinding
from eraser.discover.names import (
    ATTRIBUTE_NAMES,
    COMPANY_WORDS,
    INVOICE_TABLES,
    PERSON_QUALIFIERS,
    normalize_name,
)

_WORD = re.compile(r"[^\W\d_]+")
_PARTICLES = {"van", "de", "der", "den", "le", "la", "du", "des", "di", "da", "von", "ter", "ten", "el", "al"}
_FILE = re.compile(r"^[^/\\\s][^/\\]*\.[A-Za-z0-9]{2,5}$")
_NUMBER_NAME = re.compile(r"(^|_)(id|no|nr|num|number|nummer|numero|identifier|ident)$")
_BARE_NUMBER = re.compile(r"^(numero|nummer|nr|num|number|no)$")
_HOUSE = re.compile(r"^\d{1,4}\s?[A-Za-z]?$")


def known_words(findings: dict[str, dict[str, ColumnFinding]], texts: dict[tuple[str, str], list[str]],
                person_tables: set[str]) -> frozenset[str]:
    """First and last names sampled from identity tables (words of four letters or more, lower case), without the
    words that also name companies."""
    words: set[str] = set()
    companies: set[str] = set()
    for table, cols in findings.items():
        for f in cols.values():
            values = texts.get((table, f.column), [])
            qualifiers = set(f.name.split("_")) - {"name", "naam", "nom"}
            a_persons = not qualifiers - {"full", "display", "complet", "fullname"} or \
                bool(qualifiers & PERSON_QUALIFIERS)  # not a bank's or a product's name
            if table in person_tables and (f.category in ("first_name", "last_name") or
                                           (f.name_hint == "name" and f.category is None and a_persons)):
                words |= {w.lower() for v in values for w in _WORD.findall(v) if len(w) >= 4}
            elif f.name_hint == "name" and COMPANY_WORDS.search(normalize_name(f.column)):
                companies |= {w.lower() for v in values for w in _WORD.findall(v) if len(w) >= 4}
    return frozenset(words - companies)


def _a_persons_name(value: str, known: frozenset[str]) -> bool:
    words = _WORD.findall(value)
    long = [w for w in words if len(w) >= 4]
    return 0 < len(words) <= 4 and bool(long) and all(w.lower() in known for w in long) and \
        all(w[0].isupper() or w.lower() in _PARTICLES for w in words)


def judge_known_names(f: ColumnFinding, texts: list[str], known: frozenset[str], org_table: bool) -> None:
    """A short text column (`poster`, `name_cached`, `ed_name`) whose sampled values are mostly names of persons
    found in an identity table holds a person's name; a file-name column most of whose names hold one (`cv_peeters
    .pdf`) is a person's file."""
    if f.category is not None or f.kind != "text" or org_table or len(texts) < 10 or not known or \
            f.name_hint in ("message", "text") or f.free_text:
        return
    values = [t.strip() for t in texts[:300] if t.strip()]
    if len(values) < 10:
        return
    if sum(_FILE.match(v) is not None for v in values) >= 0.8 * len(values):
        named = sum(any(w.lower() in known for w in _WORD.findall(v) if len(w) >= 4) for v in values)
        if named >= 0.2 * len(values):
            f.category, f.confidence = "media", 0.7
            f.evidence.append(f"{named} of {len(values)} sampled file names hold the name of a person found in an "
                              "identity table")
        return
    named = sum(_a_persons_name(v, known) for v in values)
    if named >= 0.5 * len(values):
        f.category, f.confidence = "full_name", 0.7
        f.evidence.append(f"{named} of {len(values)} sampled values are names of persons found in an identity table")


def judge_person_number(f: ColumnFinding, table: str, texts: list[str], person_table: bool, keys: set[str]) -> None:
    """In a table of persons (not an order or invoice), a text column named as a number or identifier
    (`employee_id`, `openemis_no`, `identifier`) that is no key and whose sampled values are all different is the
    person's own number."""
    wrapped = f"_{f.name}_"
    if f.category is not None or f.kind != "text" or not person_table or f.column in keys or \
            INVOICE_TABLES.search(normalize_name(table)) or ATTRIBUTE_NAMES.search(wrapped) or \
            not _NUMBER_NAME.search(f.name) or f.free_text:
        return
    values = [t.strip() for t in texts[:300] if t.strip()]
    if len(values) >= 20 and len(set(values)) >= 0.98 * len(values) and max(len(v) for v in values) <= 40 and \
            not any(" " in v for v in values):
        f.category, f.confidence = "customer_number", 0.7
        f.evidence.append(f"a number or identifier, different in each of {len(values)} sampled rows of a table "
                          "of persons")


def bare_house_number(f: ColumnFinding, cols: dict[str, ColumnFinding], texts: list[str]) -> bool:
    """Whether a column named only `numero`, `nr` or `number` is a house number: beside a street column and no
    other house number, with short values (12, 7b), not an order's or invoice's number."""
    if not _BARE_NUMBER.match(f.name):
        return True  # named as a house number in its own right
    values = [t.strip() for t in texts[:300] if t.strip()]
    beside_street = any(c.category == "street" and c.personal for c in cols.values())
    other = any(c.category == "house_number" and c.column != f.column for c in cols.values())
    return beside_street and not other and bool(values) and \
        sum(_HOUSE.match(v) is not None for v in values) >= 0.9 * len(values)


def company_vat(f: ColumnFinding, cols: dict[str, ColumnFinding], values: dict[tuple[str, str], list[Any]],
                table: str) -> None:
    """A VAT number filled only in rows that name a company (`company`, `invoice_to_company`) is the company's."""
    if f.category != "vat_number" or not f.personal:
        return
    companies = [c for c, g in cols.items() if COMPANY_WORDS.search(normalize_name(c)) and c != f.column and
                 g.kind == "text"]
    vats = values.get((table, f.column), [])
    for company in companies:
        names = values.get((table, company), [])
        filled = [i for i, v in enumerate(vats) if isinstance(v, str) and v.strip()]
        if len(filled) >= 5 and len(names) == len(vats) and \
                sum(isinstance(names[i], str) and bool(names[i].strip()) for i in filled) >= 0.95 * len(filled):
            f.evidence.append(f"but filled only in rows that name a company ({company}): the company's VAT number")
            f.confidence = 0.3
            return


_TITLE = re.compile(r"^(title|titel|titre|functie|fonction|function|position)$")
_WEBSITE = re.compile(r"^(web_?site|website_?url|homepage|home_?page|url|site_?web|site|blog)$")
_DOCUMENT_DATE = re.compile(r"issu|expir|valid|afgifte|verval|geldig|delivr|emission|echeance|uitgifte")
_ANIMAL = re.compile(r"^(species|breed|soort|diersoort|ras|espece|race_?animal|species_?id|breed_?id|ras_?id|"
                     r"espece_?id|soort_?id)$")
_DOCUMENT_TABLE = re.compile(r"passport|paspoort|passeport|rijbewij(s|zen)|licen[cs]es?$|driv(ing|ers?)_?licen|"
                             r"id_?cards?|identiteitskaart|identity_?documents?|permis")


_SIGNATURE = re.compile(r"(^|_)(signature|handtekening|accept_signature)$")


def judge_in_table(f: ColumnFinding, cols: dict[str, ColumnFinding], table: str, person_table: bool,
                   texts: list[str] | None = None) -> None:
    """What a column is, from the rest of its table: a `title` beside a person's first and last name is their job
    title or salutation; a bare `website` or `url` beside them, in a table of persons, is theirs; the issue and expiry dates in a
    table of identity documents are the document's; a date of birth, sex or weight in a table of animals (with a
    species or breed) is the animal's."""
    texts = texts or []
    cats = {c.category for c in cols.values() if c.personal}
    named = "first_name" in cats and bool(cats & {"last_name", "full_name"})  # a person's own row, not a partner's
    if f.category is None and f.kind == "text" and named and _TITLE.match(f.name):
        f.category, f.confidence = "job_title", 0.7
        f.evidence.append("a title beside a person's first and last name: their job title or salutation")
    elif f.category is None and f.kind == "text" and person_table and named and _WEBSITE.match(f.name):
        f.category, f.confidence = "website", 0.7
        f.evidence.append("a web address in a table of persons")
    elif f.category is None and f.kind == "text" and _SIGNATURE.search(f.name) and texts and \
            sum(_FILE.match(t.strip()) is not None for t in texts[:300]) >= 0.8 * len(texts[:300]):
        f.category, f.confidence = "media", 0.7
        f.evidence.append("a signature's file (the sampled values are file names)")
    elif f.category is None and f.kind == "date" and _DOCUMENT_TABLE.search(normalize_name(table)) and \
            _DOCUMENT_DATE.search(f.name):
        f.category, f.confidence = "national_id", 0.7
        f.evidence.append("the issue or expiry date of an identity document")
    if f.category in ("date_of_birth", "gender", "characteristic") and \
            any(_ANIMAL.match(c.name) for c in cols.values()):
        f.evidence.append("but in a table of animals (a species or breed column): the animal's, not a person's")
        f.confidence = 0.3


def known_logins(findings: dict[str, dict[str, ColumnFinding]], texts: dict[tuple[str, str], list[str]],
                 person_tables: set[str]) -> frozenset[str]:
    """User names sampled from the identity tables' user-name columns (lower case, four characters or more)."""
    return frozenset(v.strip().lower() for table in person_tables for f in findings[table].values()
                     if f.personal and f.category == "username" for v in texts.get((table, f.column), [])
                     if len(v.strip()) >= 4)


def judge_known_logins(f: ColumnFinding, texts: list[str], logins: frozenset[str], org_table: bool) -> None:
    """A short text column most of whose sampled values are user names found in an identity table (a history log's
    actor, `adh_log`) holds them."""
    if f.category is not None or f.kind != "text" or org_table or not logins or f.free_text:
        return
    values = [t.strip().lower() for t in texts[:300] if t.strip()]
    found = sum(v in logins for v in values)
    if len(values) >= 10 and found >= 0.5 * len(values):
        f.category, f.confidence = "username", 0.7
        f.evidence.append(f"{found} of {len(values)} sampled values are user names found in an identity table")
