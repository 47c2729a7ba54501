"""`free_text:` columns redacted during an erasure: the subject's identifiers replaced inside other people's text
(never in rows kept for anyone), and in the subject's own anonymized rows also their original names and contact
details; counted for the plan and the certificate. The residual scan that verifies it is eraser.engine.residual."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import structlog

from connectors.base import Key
from connectors.sql import SQLConnector
from eraser.config import Config
from eraser.engine.conditional import Rewrite, rewrite_unchanged
from eraser.engine.introspect import trigram_indexes
from eraser.engine.residual import OWN_VALUE_PROVIDERS, rewrite_of, with_stored_identifiers
from eraser.engine.search_index import (
    index_first,
    searchable_tables,
    text_columns,
)
from eraser.engine.terms import own_terms, subject_terms
from eraser.engine.textsearch import Search, find_all
from eraser.subjects import Subject

if TYPE_CHECKING:
    from eraser.engine.plan import Plan


log = structlog.get_logger("eraser.engine.redaction")


FreeText = dict[tuple[str, str], tuple[dict[Key, dict[str, Rewrite]], set[Key]]]


def free_text_wanted(connectors: dict[str, SQLConnector], config: Config, subject: Subject, conns: dict[str, Any],
                     plan: Plan) -> FreeText:
    """In tables with `free_text:` columns, the subject's identifiers to replace inside those columns' text: in
    every row the erasure leaves unchanged otherwise (another customer's message that names the subject), and in
    the subject's own anonymized rows also their original names and contact details. Kept rows are not touched.
    Per (connector, table): the rewrite of each row's columns, and which of those rows are other people's."""
    subject = with_stored_identifiers(subject, config, plan)
    terms = subject_terms(subject, config)
    out: FreeText = {}
    if not terms:
        return out
    for name, connector in connectors.items():
        rules = config.connectors[name].tables
        if not any(rule.free_text for rule in rules.values()):
            continue
        free = {t: text_columns(connector, t) for t, rule in rules.items() if rule.free_text}
        searchable = searchable_tables(connector, conns[name], free)
        indexes = trigram_indexes(connector, conns[name]) if len(searchable) < len(free) else {}
        own_values = [(s.arg or "", str(tp.rows[k][c])) for tp in plan.tables if tp.connector == name
                      for k, d in tp.decisions.items() if d.action in ("delete", "anonymize")
                      for c, s in tp.rule.columns.items()
                      if s.kind == "faker" and s.arg in OWN_VALUE_PROVIDERS and tp.rows[k].get(c)]
        own = own_terms(subject, config, own_values)
        # every row: a lookup where a search or trigram index serves the columns, else a scan of the table
        read = plan.candidates.get(name)  # MariaDB: the rows found by the erasure's read before its changes
        hits = {table: hit for table, rule in rules.items() if rule.free_text and read is not None and
                (hit := read.free_text(table, list(rule.free_text), terms)) is not None}
        with index_first(connector, conns[name], bool(searchable)):  # one statement for every table
            hits.update({table: hit for table, (hit, _) in find_all(connector, conns[name], {
                table: Search(rule.free_text, indexed=indexes.get(table, set()),
                              search=free[table] if table in searchable else None)
                for table, rule in sorted(rules.items()) if rule.free_text and table not in hits}, terms).items()})
        for table, rule in sorted(rules.items()):
            if not rule.free_text:
                continue
            tab = connector.table(table)
            tp = plan.table(name, table)
            wanted: dict[Key, dict[str, Rewrite]] = {}
            for key, d in tp.decisions.items():
                if d.action != "anonymize":
                    continue
                row = tp.rows[key]
                for col in rule.free_text:
                    text = row.get(col)
                    if col in d.strategies or text is None:
                        continue
                    text = text if isinstance(text, str) else json.dumps(text, ensure_ascii=False)
                    if own.found(text):
                        wanted.setdefault(key, {})[col] = rewrite_of(tab, own)
            others = {k: cols for k, cols in hits[table].rows.items() if k not in tp.decisions}  # own rows: above
            aside = plan.kept.set_aside(plan, name, conns[name], table, others, terms) if plan.kept else set()
            theirs = set()
            for key, cols in others.items():
                if key in aside:  # kept for someone else: listed, never changed
                    continue
                theirs.add(key)
                for col in cols:
                    wanted.setdefault(key, {})[col] = rewrite_of(tab, terms)
            if wanted:
                out[(name, table)] = (wanted, theirs)
    return out


def _counts(name: str, table: str, rows: dict[Key, Sequence[str]], others: set[Key]) -> dict[str, Any]:
    columns = Counter(c for cols in rows.values() for c in cols)
    return {"connector": name, "table": table, "rows": len(rows), "rows_of_others": len(others & set(rows)),
            "columns": dict(sorted(columns.items()))}


def free_text_counts(wanted: FreeText) -> list[dict[str, Any]]:
    """What the free-text pass redacts, by table: rows (those of other people apart) and rows per column; counts
    only, never a value."""
    return [_counts(name, table, {k: list(cols) for k, cols in rows.items()}, others)
            for (name, table), (rows, others) in sorted(wanted.items())]


def redact_free_text(connectors: dict[str, SQLConnector], wanted: FreeText, conns: dict[str, Any],
                     done: dict[tuple[str, str], dict[str, int]]) -> list[dict[str, Any]]:
    """Apply the free-text rewrites, each row written only if its text is still what the redaction was computed
    from; what was written, by table (as free_text_counts)."""
    written = []
    for (name, table), (rows, others) in sorted(wanted.items()):
        connector = connectors[name]
        changed_rows: dict[Key, Sequence[str]] = {}
        changed = rewrite_unchanged(connector, conns[name], table, rows, on_write=changed_rows.__setitem__)
        if changed:
            written.append(_counts(name, table, changed_rows, others))
            done.setdefault((name, table), {})["redact_free_text"] = changed
            log.info("free text redacted", table=table, rows=changed,
                     primary_key=",".join(connector.primary_key(table)))
    return written
