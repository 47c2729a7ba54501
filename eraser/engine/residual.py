"""Identifiers hidden in free text: the residual scan that ends every erasure's verification, and the redaction of
configured `free_text:` columns during erasure.

The scan searches the text-like columns (VARCHAR, TEXT, CLOB, JSON/JSONB) of every table of a connector,
configured or not, for the subject's identifiers in every stored spelling (emails in any case, phone numbers in
any spelling: see eraser/terms.py). The database filters with (I)LIKE, which a trigram index serves on
PostgreSQL; each candidate is then confirmed in Python (word boundaries: jan@example.be is not inside
xjan@example.be; phone numbers with phonenumbers.PhoneNumberMatcher). Only identifiers some row of the subject
holds are redacted. Hits are reported by table, column and number of rows, never by value. Rows the plan keeps
(retained, held, left for review) are not hits: they are counted apart and never changed.

Modes (`residual_scan.mode` per connector): `fail` (the default) rolls the erasure back, `redact` replaces each
identifier inside the text with a marker and keeps the rest, `report` leaves the hits in place and says so: the
verdict is then "residual matches reported, not removed", never PASS. `max_rows_per_table` bounds the scan
of a column without a trigram index to the newest rows (by primary key); the result says which tables were
scanned in part.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
import structlog

from connectors.base import Key
from connectors.sql import SQLConnector
from eraser.config import Config
from eraser.engine.conditional import Rewrite, rewrite_unchanged
from eraser.engine.derived import derived_copies
from eraser.engine.introspect import trigram_indexes
from eraser.engine.locate import held_identifiers
from eraser.engine.search_index import index_first, larger_than, searchable_tables, text_columns
from eraser.engine.serialized import UnparseableValue, redacted_value
from eraser.engine.terms import NAME_PROVIDERS, Terms, shown_key, subject_terms
from eraser.engine.textsearch import Hit, Search, find, find_all
from eraser.errors import ConfigError
from eraser.subjects import Subject
from eraser.table_rules import ResidualScan

if TYPE_CHECKING:
    from eraser.engine.plan import Plan

log = structlog.get_logger("eraser.engine.residual")

KEPT = ("retain", "hold", "review")
# Faker providers whose original values (names, contact details) are also redacted from the free text of the
# subject's own anonymized rows (never from other rows: another person may share a first name).
OWN_VALUE_PROVIDERS = NAME_PROVIDERS | {"email", "free_email", "company_email", "phone_number", "street_address"}


# -- terms ------------------------------------------------------------------------------------

def with_stored_identifiers(subject: Subject, config: Config, plan: Plan) -> Subject:
    """The identifiers the subject's own rows hold, and only those: erased by email, their phone number in
    persons.mobile is theirs as well; an identifier given in the request that no row of theirs holds is left out
    (customer_number=Groeten found no customer, so "Groeten" is nobody's to redact from other people's text)."""
    held: dict[str, set[str]] = {}
    for tp in plan.tables:
        for row in tp.rows.values():
            for id_type, values in held_identifiers(config, tp.rule, row).items():
                if config.identifiers[id_type].kind == "ip":  # shared by a household: only the request's
                    values = values & set(subject.identifiers.get(id_type, ()))
                held.setdefault(id_type, set()).update(values)
    names = subject.names if any(tp.rows for tp in plan.tables) else ()  # a name only with who was found
    return Subject({t: tuple(sorted(v)) for t, v in held.items()}, {}, names)


def names_if_found(subject: Subject, plan: Plan) -> Subject:
    """The subject, with its names only when a stronger identifier found a row of theirs: a name alone is
    anybody's."""
    if not subject.names or any(tp.rows for tp in plan.tables):
        return subject
    return Subject(subject.identifiers, subject.forms)


# -- redacting --------------------------------------------------------------------------------

def _key_columns(connector: SQLConnector, table: str) -> set[str]:
    tab = connector.table(table)
    keys = {c.name for c in tab.primary_key.columns}
    for fk in tab.foreign_key_constraints:
        keys |= set(fk.column_keys)
    for e in connector.edges():
        if e.parent == table:
            keys |= set(e.parent_cols)
    return keys


def still_found(connector: SQLConnector, conn: Any, hit: Hit, terms: Terms) -> int:
    """Hit rows that, read again, still hold an identifier in a column that had one."""
    pk = connector.primary_key(hit.table)
    left = 0
    for row in connector.rows_by_keys(conn, hit.table, pk, list(hit.rows)):
        cols = hit.rows.get(tuple(row[c] for c in pk), {})
        texts = [v if isinstance(v, str) else json.dumps(v, ensure_ascii=False) for c in cols
                 if (v := row.get(c)) is not None]
        left += any(terms.found(t) for t in texts)
    return left


def rewrite_of(tab: sa.Table, terms: Terms, unparseable: set[str] | None = None) -> Rewrite:
    """The redaction of a column's current text, or None when it no longer holds an identifier or is a serialized
    value that cannot be rewritten exactly (left as it is, its column added to `unparseable`)."""
    def rewritten(col: str, text: str) -> Any:
        if not terms.found(text):
            return None
        try:
            return redacted_value(tab.c[col], text, terms)
        except UnparseableValue:
            if unparseable is not None:
                unparseable.add(col)
            return None
    return rewritten


def redact(connector: SQLConnector, conn: Any, hit: Hit, terms: Terms
           ) -> tuple[int, list[str], dict[Key, set[str]]]:
    """Replace the identifiers inside the hit rows' texts; (rows changed, problems, serialized values left as they
    are because they cannot be rewritten exactly, by key). Key columns are never rewritten: a hit there is a
    problem to report."""
    tab = connector.table(hit.table)
    if not tab.primary_key.columns:
        return 0, [f"table {hit.table} has no primary key, so its {len(hit.rows)} row(s) with the subject's "
                   "identifiers cannot be redacted"], {}
    keys = _key_columns(connector, hit.table)
    problems = []
    wanted: dict[Key, dict[str, Rewrite]] = {}
    unparseable: dict[Key, set[str]] = {}
    for key, cols in hit.rows.items():
        blocked = sorted(c for c in cols if c in keys)
        if blocked:
            problems.append(f"{hit.table}.{blocked[0]} is a key column; the identifier in it cannot be redacted")
        rewrites = {c: rewrite_of(tab, terms, unparseable.setdefault(key, set())) for c in cols if c not in keys}
        if rewrites:
            wanted[key] = rewrites
    changed = rewrite_unchanged(connector, conn, hit.table, wanted) if wanted else 0
    return changed, problems, {k: cols for k, cols in unparseable.items() if cols}


# -- the residual scan ------------------------------------------------------------------------

def _redactable(hit: Hit, terms: Terms) -> tuple[Hit, int]:
    """The hit rows whose text holds an identifier of the subject's own rows, and how many hold only identifiers
    that no row of the subject holds (those are never redacted: "Groeten" given as a customer number that matches
    no customer is nobody's to take out of other people's messages)."""
    kept = Hit(hit.table)
    for key, cols in hit.rows.items():
        held = {c: text for c, text in cols.items() if terms.found(text)}
        if held:
            kept.rows[key] = held
    return kept, len(hit.rows) - len(kept.rows)


def _kept_keys(plan: Plan, connector: str) -> dict[str, set[Key]]:
    kept: dict[str, set[Key]] = {}
    for tp in plan.tables:
        if tp.connector == connector:
            kept[tp.table] = {k for k, d in tp.decisions.items() if d.action in KEPT}
    return kept


def scan_tables(connector: SQLConnector, settings: ResidualScan) -> list[str]:
    tables = connector.table_names()
    unknown = [t for t in settings.per_table if t not in tables]
    if unknown:
        raise ConfigError(f"residual_scan.per_table of connector '{connector.name}' names table '{unknown[0]}', "
                          "which does not exist.")
    if settings.tables == "all":
        return tables
    unknown = [t for t in settings.tables if t not in tables]
    if unknown:
        raise ConfigError(f"residual_scan of connector '{connector.name}' names table '{unknown[0]}', which does "
                          "not exist.")
    return list(settings.tables)


def residual_scan(connectors: dict[str, SQLConnector], config: Config, subject: Subject, conns: dict[str, Any],
                  plan: Plan) -> tuple[dict[str, Any], list[str]]:
    """Scan every connector as configured; (what the certificate says, failures that roll back)."""
    terms = subject_terms(names_if_found(subject, plan), config)
    redactable = subject_terms(with_stored_identifiers(subject, config, plan), config)
    result: dict[str, Any] = {"tables_scanned": 0, "columns_scanned": 0, "tables_not_scanned": 0,
                              "tables_scanned_in_part": [], "hits": 0, "rows_with_hits": 0, "redacted_rows": 0,
                              "hits_not_redacted": 0, "rows_left_in_place": 0,
                              "hits_in_kept_rows": 0, "hits_in_rows_kept_for_others": 0, "unparseable_values": [], "search_terms": len(terms.search),
                              "identifiers_too_short": terms.skipped, "by_connector": []}
    failures: list[str] = []
    for name, connector in connectors.items():
        settings = config.connectors[name].residual_scan
        tables = scan_tables(connector, settings)
        kept = _kept_keys(plan, name)
        own = {tp.table: set(tp.decisions) for tp in plan.tables if tp.connector == name}
        entry: dict[str, Any] = {"connector": name, "mode": settings.mode, **({"per_table": dict(settings.per_table)}
                                 if settings.per_table else {}), "tables": len(tables),
                                 "columns": 0, "max_rows_per_table": settings.max_rows_per_table,
                                 "trigram_indexed_columns": 0, "hits": []}
        result["tables_not_scanned"] += len(connector.table_names()) - len(tables)
        columns_of = {t: cols for t in tables if (cols := text_columns(connector, t))}
        read = plan.candidates.get(name)  # MariaDB: the rows found before the changes, read again by key
        rechecked = {t: found for t in columns_of if read is not None and
                 (found := read.after(connector, conns[name], t, terms, plan, name)) is not None}
        searchable = searchable_tables(connector, conns[name], columns_of)
        indexes = trigram_indexes(connector, conns[name]) if len(searchable) < len(columns_of) else {}
        limit = settings.max_rows_per_table
        large = larger_than(connector, conns[name], [t for t in columns_of if t not in searchable and t not in rechecked
                                                     and set(columns_of[t]) - indexes.get(t, set())],
                            limit) if limit is not None and terms else set()
        entry["search_indexed_tables"] = len(searchable)
        # every table in one statement, unless a redaction could write into a table searched after it (a trigger):
        # then, as before, the tables without a search index are read one by one, each after the redactions before it
        one_by_one = "redact" in (settings.mode, *settings.per_table.values())
        searches = {t: Search(cols, search=cols) if t in searchable else
                    Search(cols, limit if t in large else None, indexes.get(t, set()))
                    for t, cols in columns_of.items() if (t in searchable or not one_by_one) and t not in rechecked}
        with index_first(connector, conns[name], bool(searchable and terms)):
            found = {**find_all(connector, conns[name], searches, terms), **rechecked}
        for table, columns in columns_of.items():
            indexed = indexes.get(table, set())
            entry["columns"] += len(columns)
            entry["trigram_indexed_columns"] += len(indexed & set(columns))
            hit, partial = found[table] if table in found else \
                find(connector, conns[name], table, columns, terms, limit if table in large else None, indexed)
            if partial:
                result["tables_scanned_in_part"].append(f"{name}.{table}")
            in_kept = [k for k in hit.rows if k in kept.get(table, set())]
            result["hits_in_kept_rows"] += len(in_kept)
            others = {k: cols for k, cols in hit.rows.items() if k not in own.get(table, set())}
            aside = plan.kept.set_aside(plan, name, conns[name], table, others, terms) if plan.kept else set()
            result["hits_in_rows_kept_for_others"] += len(aside)
            for k in [*in_kept, *aside]:
                del hit.rows[k]
            if not hit.rows:
                continue
            for column, rows in sorted(hit.columns().items()):
                entry["hits"].append({"table": table, "column": column, "rows": rows})
                result["hits"] += rows
            result["rows_with_hits"] += len(hit.rows)
            mode = settings.per_table.get(table, settings.mode)
            if mode == "redact":
                hit, unproven = _redactable(hit, redactable)
                result["hits_not_redacted"] += unproven
                changed, problems, unparseable = redact(connector, conns[name], hit, redactable)
                result["redacted_rows"] += changed
                failures += problems
                result["rows_left_in_place"] += unproven + len(unparseable)  # hits left as they are: never PASS
                result["unparseable_values"] += [{"connector": name, "table": table, "key": shown_key(k, terms),
                                                  "column": c} for k, cols in sorted(unparseable.items(), key=repr)
                                                 for c in sorted(cols)]
                for k in unparseable:
                    del hit.rows[k]
                left = still_found(connector, conns[name], hit, redactable) if not problems else 0
                if left:
                    failures.append(f"{left} row(s) of {table} still hold an identifier after redaction")
            elif mode == "fail":
                where = ", ".join(f"{table}.{c} ({n} row(s))" for c, n in sorted(hit.columns().items()))
                failures.append(f"the residual scan found the subject's identifiers in {where}")
            else:  # report: the hits stay, and the verdict says so (never PASS)
                result["rows_left_in_place"] += len(hit.rows)
        entry["derived_copies"] = derived_copies(connector, conns[name], terms, settings.refresh_materialized_views)
        for copy in entry["derived_copies"]:
            if copy["rows_with_hits"] and settings.mode != "report":
                failures.append(f"materialized view {copy['view']} still holds the subject's identifiers in "
                                f"{copy['rows_with_hits']} row(s) ({copy['refresh']} refreshes it, or set "
                                "residual_scan.refresh_materialized_views)")
            elif copy["rows_with_hits"]:
                result["rows_left_in_place"] += copy["rows_with_hits"]
        result["tables_scanned"] += len(tables)
        result["columns_scanned"] += entry["columns"]
        result["by_connector"].append(entry)
    result["rows_kept_for_others"] = list(plan.kept_for_others)
    log.info("residual scan", tables=result["tables_scanned"], columns=result["columns_scanned"],
             hits=result["hits"], redacted=result["redacted_rows"])
    return result, failures
