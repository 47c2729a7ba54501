"""`eraser discover`: propose a config from a live schema.

Reflect tables, keys and foreign keys; sample up to N rows per table; find personal columns by name (English,
Dutch, French) and by content (emails, phone numbers with `phonenumbers`, IBANs, Belgian national register and VAT
numbers with `python-stdnum`, IP addresses, user agents, dates of birth, free text that holds any of these or the
names found in identity tables); then propose, per table, what an erasure does with a subject's rows and why:

- identity tables (a person's own row, found by email or phone): delete, with `columns:` to anonymize the row
  instead when a retained invoice still refers to it;
- organisation tables with a contact's email (a customer company's billing contact): anonymize;
- tables below them by foreign key: delete (free text in them under `free_text:`);
- parents the subject owns (their address): `owns:` and delete;
- invoicing tables: retain under the jurisdiction's preset (invoice lines and payments from their invoice);
- tables without personal data or without a link to a person (lookups, catalogues, a company's own records):
  left out, each named in a comment with the reason.

The output is YAML with the evidence as comments; it never holds a sampled value. Secrets are ${ENV} references.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from connectors.base import Edge
from connectors.sql import SQLConnector
from eraser.discover.content import _kind, _looks_free_text, _text_of, content_shares, sample_rows
from eraser.discover.evidence import inferred_links, is_country_column, partitions, regions_in
from eraser.discover.findings import (
    ColumnFinding,
    Discovery,
    TableProposal,
    _judge_by_name_and_content,
    _judge_in_context,
    _known_names,
    judge_body_measure,
    judge_organisation_contact,
)
from eraser.discover.names import (
    ADDRESS,
    CLINICAL_TABLES,
    HOLDER_TABLES,
    PLACE_TABLES,
    _org,
    bare_names,
    inventory_table,
    name_category,
    normalize_name,
    supplier_table,
)
from eraser.discover.propose import _propose
from eraser.discover.render import render
from eraser.discover.values import (
    bare_house_number,
    company_vat,
    judge_in_table,
    judge_known_logins,
    judge_known_names,
    judge_person_number,
    known_logins,
    known_words,
)
from eraser.errors import ConfigError
from eraser.jurisdictions import JURISDICTIONS

__all__ = ["ColumnFinding", "Discovery", "TableProposal", "discover", "render"]




# -- discovery --------------------------------------------------------------------------------

def _connector_name(url: str) -> str:
    try:
        db = make_url(url).database or "main"
    except Exception:
        db = "main"
    name = normalize_name(db.rsplit("/", 1)[-1].rsplit(".", 1)[0]) or "main"
    return name if name[0].isalpha() else f"db_{name}"


def discover(url: str, schema: str | None = None, sample: int = 1000, locale: str = "nl_BE",
             jurisdiction: str = "BE", name: str | None = None) -> Discovery:
    """Reflect, sample and classify one database; nothing is written to it."""
    if jurisdiction not in JURISDICTIONS:
        raise ConfigError(f"unknown jurisdiction '{jurisdiction}' (known: {', '.join(JURISDICTIONS)}).")
    if sample < 0:
        raise ConfigError("--sample must be 0 or more rows per table.")
    region = locale.split("_")[-1].upper() if "_" in locale else "BE"
    connector = SQLConnector(name or _connector_name(url), url, schema)
    try:
        return _discover(connector, url, schema, sample, locale, region, jurisdiction)
    finally:
        connector.dispose()


def _discover(connector: SQLConnector, url: str, schema: str | None, sample: int, locale: str, region: str,
              jurisdiction: str) -> Discovery:
    findings: dict[str, dict[str, ColumnFinding]] = {}
    texts: dict[tuple[str, str], list[str]] = {}
    rows: dict[str, int | None] = {}
    values: dict[tuple[str, str], list[Any]] = {}
    notes: list[str] = []
    with connector.read() as conn:
        parts = partitions(connector, conn)
        tables = [t for t in connector.table_names() if t not in parts]
        # (SQLAlchemy keeps a table's foreign keys in a set: sorted, the proposal does not depend on hash order)
        reflected = sorted(connector.edges(), key=lambda e: (e.child, e.child_cols, e.parent, e.parent_cols))
        edges = _merged_edges(reflected, parts, tables)
        links = {e for e in edges if e.child in parts.values()} - set(reflected)  # declared on partitions only
        inferred = inferred_links(connector, conn, tables, edges, sample)
        edges += [e for e, _ in inferred]
        links |= {e for e, _ in inferred}
        for parent in sorted(set(parts.values())):
            members = sorted(c for c, p in parts.items() if p == parent)
            notes.append(f"{parent} is partitioned ({', '.join(members)}): proposed as one table, its partitions' "
                         "foreign keys merged into it")
        for table in tables:
            tab = connector.table(table)
            cols = {c.name: ColumnFinding(table, c.name, _kind(c)) for c in tab.c}
            for c, bare in bare_names(list(cols)).items():
                cols[c].bare = bare
            look = [c for c, f in cols.items() if f.kind in ("text", "json", "date") or
                    (f.kind == "number" and isinstance(tab.c[c].type, sa.BigInteger | sa.Numeric))]
            sampled = sample_rows(connector, conn, table, look, sample)
            rows[table] = len(sampled)
            for i, col in enumerate(look):
                values[(table, col)] = [r[i] for r in sampled]
            findings[table] = cols
        region, seen = _region(values, region)
        for (table, col), column_values in values.items():
            finding = findings[table][col]
            finding.sampled = sum(1 for v in column_values if v is not None)
            finding.content = content_shares(column_values, region)
            if finding.kind in ("text", "json"):
                as_text = [t for t in (_text_of(v) for v in column_values) if t]
                texts[(table, col)] = as_text
                finding.free_text = finding.kind == "json" or _looks_free_text(as_text)
        estimates = _row_estimates(connector, conn, tables)
        for table in tables:
            rows[table] = estimates.get(table, rows[table])
    keys = _key_columns(connector, tables, edges)
    for table, cols in findings.items():
        for finding in cols.values():
            _judge_by_name_and_content(finding, keys.get(table, set()), region)
            judge_organisation_contact(finding, texts.get((table, finding.column), []))
    ours = {t for t in tables if supplier_table(t) or inventory_table(list(findings[t]))}
    person_tables = {t for t, cols in findings.items() if not _org(t) and t not in ours and
                     any(f.category in ("email", "phone", "first_name", "last_name") and f.personal
                         for f in cols.values())}
    places = _shared_places(tables, edges, rows, person_tables, findings)
    person_tables -= places
    names = _known_names(findings, texts, person_tables)
    known = known_words(findings, texts, person_tables)
    logins = known_logins(findings, texts, person_tables)
    for table, cols in findings.items():
        addressed = sum(1 for f in cols.values() if f.category in ADDRESS and f.personal) >= 2
        holder = table in person_tables or bool(HOLDER_TABLES.search(normalize_name(table)))
        premises = bool(PLACE_TABLES.search(normalize_name(table)))
        # the organisation's own premises (a location, a school) name no person: their phone is a front desk's
        desk = (table in places or premises and not any(f.category in ("first_name", "last_name") and f.personal
                                                        for f in cols.values())) and not supplier_table(table)
        for finding in cols.values():
            column_texts = texts.get((table, finding.column), [])
            codes = finding.category == "country" and _codes(column_texts)
            lone = finding.category == "city" and not addressed and table not in person_tables  # a place named
            if finding.category in ("region", "country") and (not addressed or codes) or lone or \
                    finding.category == "house_number" and not bare_house_number(finding, cols, column_texts):
                finding.category, finding.confidence, finding.evidence = None, 0.0, []  # a status, a code, an nr
            org = _org(table) or table in places or premises or table in ours
            _judge_in_context(finding, holder, org, column_texts, names, region, desk)
            judge_person_number(finding, table, column_texts, table in person_tables, keys.get(table, set()))
            judge_known_names(finding, column_texts, known, org)
            judge_known_logins(finding, column_texts, logins, org)
            judge_in_table(finding, cols, table, table in person_tables, column_texts)
            company_vat(finding, cols, values, table)
            if table in ours and finding.personal and not (supplier_table(table) and finding.category in (
                    "email", "phone", "full_name")):
                finding.evidence.append("but in a table of the organisation's own suppliers, equipment or "
                                        "licences: the organisation's record, not a person's")
                finding.confidence = 0.3
    clinical = {t for t in tables if CLINICAL_TABLES.search(normalize_name(t))}
    for table in person_tables | clinical | {e.child for e in edges if e.parent in person_tables | clinical}:
        for finding in findings[table].values():
            judge_body_measure(finding, keys.get(table, set()))
    with connector.read() as conn:
        proposals = _propose(connector, conn, tables, edges, findings, person_tables, jurisdiction, rows, sample)
    for e, verdict in inferred:
        proposals[e.child].reasons.append(f"link inferred from the column name, verified on the data: {verdict}")
    for e in sorted(links, key=str):
        if proposals[e.child].action and len(e.child_cols) == 1:
            proposals[e.child].links.append(f"{{column: {e.child_cols[0]}, references: {e.parent}.{e.parent_cols[0]}}}")
    big = [t for t, n in rows.items() if n and n > 1_000_000]
    if big:
        notes.append(f"{len(big)} table(s) hold more than 1,000,000 rows: the residual scan reads the newest "
                     "50,000 rows of their text columns unless a trigram index serves them (PostgreSQL).")
    phoned = [t for t, p in proposals.items() if "phone" in p.identify]
    countries = {c for t in phoned for c in findings[t] if is_country_column(normalize_name(c))}
    return Discovery(url, connector.dialect, schema, connector.name, region, locale, jurisdiction, sample,
                     findings, proposals, notes, dict(seen), parts,
                     countries.pop() if len(countries) == 1 else None)


def _shared_places(tables: list[str], edges: list[Edge], rows: dict[str, int | None],
                   person_tables: set[str], findings: dict[str, dict[str, ColumnFinding]]) -> set[str]:
    """Small tables that many rows point to and that name no person (a school, a hotel, a branch): what they
    hold describes a place everyone shares, so an address there is the organisation's, not a person's. One with
    an email or phone but no person's first or last name, that rows of two or more tables point to, among them a
    table of named persons (the staff of a practice, a library's borrowers) or under a place's name (a gym, a
    facility), is such a place too: its email and phone are a front desk's."""
    def named(table: str) -> bool:
        return any(f.category in ("first_name", "last_name") and f.personal for f in findings[table].values())

    places = set()
    for t in tables:
        n = rows.get(t) or 0
        children = {e.child for e in edges if e.parent == t and e.child != t}
        pointing = sum(rows.get(e.child) or 0 for e in edges if e.parent == t and e.child != t)
        desk = not named(t) and len(children) >= 2 and (any(named(c) for c in children) or
                                                         bool(PLACE_TABLES.search(normalize_name(t))))
        if (t not in person_tables or desk) and 0 < n <= 50 and pointing >= 5 * n:
            places.add(t)
    return places


def _codes(values: list[str]) -> bool:
    """Country codes (BE, NLD), not names: a code names no one's address."""
    return bool(values) and sum(len(v.strip()) <= 3 for v in values) >= 0.8 * len(values)


def _merged_edges(edges: list[Edge], parts: dict[str, str], tables: list[str]) -> list[Edge]:
    """Foreign keys with partitions replaced by their parent table, each relation once."""
    merged: dict[Edge, None] = {}
    for e in edges:
        m = Edge(parts.get(e.child, e.child), e.child_cols, parts.get(e.parent, e.parent), e.parent_cols)
        if m.child in tables and m.parent in tables:
            merged[m] = None
    return list(merged)


def _region(values: dict[tuple[str, str], list[Any]], default: str) -> tuple[str, Counter[str]]:
    """The phone region the data names most (international numbers, country columns); the locale's otherwise."""
    phones = [v for (t, c), vs in values.items() if name_category(c) == "phone" for v in vs if isinstance(v, str)]
    countries = [v for (t, c), vs in values.items() if is_country_column(normalize_name(c)) for v in vs]
    seen = regions_in(phones, countries)
    return (seen.most_common(1)[0][0] if seen else default), seen


def _row_estimates(connector: SQLConnector, conn: Any, tables: list[str]) -> dict[str, int]:
    """Row counts the database keeps as statistics (PostgreSQL, MariaDB); nothing on SQLite."""
    try:
        if connector.dialect == "postgresql":
            rows = conn.execute(sa.text("SELECT c.relname, c.reltuples::bigint FROM pg_class c JOIN pg_namespace n "
                                        "ON n.oid = c.relnamespace WHERE n.nspname = :s AND c.relkind = 'r'"),
                                {"s": connector.schema or "public"})
            return {r[0]: int(r[1]) for r in rows if r[1] is not None and r[1] >= 0}
        if connector.dialect == "mysql":
            rows = conn.execute(sa.text("SELECT table_name, table_rows FROM information_schema.tables "
                                        "WHERE table_schema = DATABASE()"))
            return {r[0]: int(r[1]) for r in rows if r[1] is not None}
    except sa.exc.SQLAlchemyError:
        pass
    return {}


def _key_columns(connector: SQLConnector, tables: list[str], edges: list[Edge]) -> dict[str, set[str]]:
    keys: dict[str, set[str]] = {t: {c.name for c in connector.table(t).primary_key.columns} for t in tables}
    for e in edges:
        keys[e.child].update(e.child_cols)
        keys[e.parent].update(e.parent_cols)
    return keys


