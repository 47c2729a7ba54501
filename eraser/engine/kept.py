"""Rows kept for anyone: another person's row that the law, a hold or an open decision keeps is never changed by an
erasure, even where its text names the subject being erased.

A row of someone else is kept when
- its table's action is `retain` and its release date (from its own date column, or its parent's for `from:
  parent`) has not come;
- its table's action is `review` (undecided);
- it belongs to a subject under a legal hold (config `holds:` or `eraser hold add`): its identify: columns, or
  those of a row it refers to (up to three steps up), give a reference the hold names.
The residual scan and free-text redaction leave such a row as it is and report it (connector, table, key, column;
never a value); the plan lists them beforehand, and the verification's verdict says that identifiers remain in
rows kept for others.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from connectors.base import Key, Row
from eraser.config import Config
from eraser.engine import links
from eraser.engine.holds import held_references, holds_store, subject_references
from eraser.engine.introspect import trigram_indexes
from eraser.engine.locate import held_identifiers
from eraser.engine.residual import scan_tables
from eraser.engine.retention import release_date
from eraser.engine.schema import Graph
from eraser.engine.search_index import index_first, larger_than, searchable_tables, text_columns
from eraser.engine.terms import Terms, shown_key
from eraser.engine.textsearch import Search, find_all
from eraser.subjects import Subject

if TYPE_CHECKING:
    from connectors.sql import SQLConnector
    from eraser.engine.plan import Plan

MAX_DEPTH = 3  # rows referred to, searched for a held owner: a message -> its order -> its customer


@dataclass(frozen=True)
class Kept:
    """Why a row is kept: `retain` (until `until`, None when unknown), `hold` or `review`."""

    kept: str
    until: date | None = None


@dataclass
class KeptForOthers:
    """Judges whether rows outside the subject's data are kept for someone (see the module's docstring)."""

    config: Config
    graphs: dict[str, Graph]
    request_date: date
    today: date
    held: frozenset[str] = frozenset()

    def tables(self, name: str) -> set[str] | None:
        """The tables where a kept row can be; None when any table can hold one (a hold covers rows anywhere)."""
        if self.held:
            return None
        return {t for t, rule in self.graphs[name].rules.items() if rule.action in ("retain", "review")}

    def judge(self, name: str, conn: Any, table: str, keys: list[Key]) -> dict[Key, Kept]:
        """Of these rows (by primary key), those kept for someone, with why."""
        candidates = self.tables(name)
        if not keys or candidates is not None and table not in candidates:
            return {}
        graph = self.graphs[name]
        if not graph.connector.table(table).primary_key.columns:
            return {}  # rows that cannot be addressed are never redacted either (the scan reports them)
        pk = graph.connector.primary_key(table)
        out = {}
        for row in graph.connector.rows_by_keys(conn, table, pk, keys):
            if (why := self._why(graph, conn, table, row)) is not None:
                out[tuple(row[c] for c in pk)] = why
        return out

    def set_aside(self, plan: Plan, name: str, conn: Any, table: str, hits: dict[Key, dict[str, Any]],
                  terms: Terms) -> set[Key]:
        """The keys among `hits` (rows outside the subject's data whose columns name the subject) that are kept for
        someone: never to be changed. Each (row, column) is listed once in the plan's `kept_for_others`."""
        kept = self.judge(name, conn, table, list(hits))
        listed = {_listed(e) for e in plan.kept_for_others}
        plan.kept_for_others += [e for e in entries(name, table, kept, hits, terms) if _listed(e) not in listed]
        return set(kept)

    def _why(self, graph: Graph, conn: Any, table: str, row: Row) -> Kept | None:
        rule = graph.rules.get(table)
        if rule is not None and rule.action == "review":
            return Kept("review")
        if rule is not None and rule.action == "retain":
            release = self._release(graph, conn, table, row, 0)
            if release is None or release > self.today:
                return Kept("retain", release)
        if self.held and self._held(graph, conn, table, row, 0):
            return Kept("hold")
        return None

    def _release(self, graph: Graph, conn: Any, table: str, row: Row, depth: int) -> date | None:
        """A retained row's release date; None when it depends on rows too far up to read."""
        rule = graph.rules[table]
        assert rule.retain is not None
        parent_release = None
        if rule.retain.from_ == "parent":
            if depth >= MAX_DEPTH:
                return None
            releases = []
            for parent, prow in self._parents(graph, conn, table, row):
                prule = graph.rules.get(parent)
                if prule is not None and prule.action == "retain":
                    found = self._release(graph, conn, parent, prow, depth + 1)
                    if found is None:
                        return None
                    releases.append(found)
            parent_release = max(releases) if releases else None
        return release_date(rule.retain, row, self.request_date, parent_release)

    def _held(self, graph: Graph, conn: Any, table: str, row: Row, depth: int) -> bool:
        rule = graph.rules.get(table)
        if rule is not None and (ids := held_identifiers(self.config, rule, row)):
            owner = Subject({t: tuple(sorted(v)) for t, v in ids.items()})
            if subject_references(owner, self.config.secret_bytes()) & self.held:
                return True
        if depth >= MAX_DEPTH:
            return False
        return any(self._held(graph, conn, parent, prow, depth + 1)
                   for parent, prow in self._parents(graph, conn, table, row))

    @staticmethod
    def _parents(graph: Graph, conn: Any, table: str, row: Row) -> list[tuple[str, Row]]:
        """The rows this row refers to, through foreign keys and declared links."""
        out = []
        for edge in graph.outbound(table):
            value = links.parent_key(edge, row) if all(c in row for c in edge.child_cols) else None
            if edge.parent == table or value is None or any(v is None for v in value):
                continue
            out += [(edge.parent, r) for r in graph.connector.rows_by_keys(conn, edge.parent, edge.parent_cols, [value])]
        return out


def judge_for(config: Config, graphs: dict[str, Graph], request_date: date, today: date, session: Any = None
              ) -> KeptForOthers:
    """The judge, with the references under a hold today (config and state store; the session's store when open)."""
    with holds_store(config, session) as store:
        held = held_references(config, store, today)
    return KeptForOthers(config, graphs, request_date, today, held)


def entries(name: str, table: str, kept: dict[Key, Kept], columns: dict[Key, dict[str, Any]], terms: Terms
            ) -> list[dict[str, Any]]:
    """What the plan and certificate say of kept rows that name the subject: one entry per (row, column)."""
    out = []
    for key, why in sorted(kept.items(), key=lambda kv: repr(kv[0])):
        for column in sorted(columns.get(key, {})):
            entry: dict[str, Any] = {"connector": name, "table": table, "key": shown_key(key, terms),
                                     "column": column, "kept": why.kept}
            if why.kept == "retain":
                entry["until"] = why.until.isoformat() if why.until else None
            out.append(entry)
    return out


def _listed(entry: dict[str, Any]) -> tuple[Any, ...]:
    key = entry["key"]
    return entry["connector"], entry["table"], tuple(key) if isinstance(key, list) else key, entry["column"]


def scan_kept(connectors: dict[str, SQLConnector], config: Config, terms: Terms, conns: dict[str, Any],
              plan: Plan) -> None:
    """Before anything changes: the rows kept for others whose text names the subject, into the plan."""
    if plan.kept is None or not terms:
        return
    for name, connector in connectors.items():
        settings = config.connectors[name].residual_scan
        rules = config.connectors[name].tables
        tables = set(scan_tables(connector, settings)) | {t for t, r in rules.items() if r.free_text}
        if (candidates := plan.kept.tables(name)) is not None:
            tables &= candidates
        columns_of = {t: cols for t in sorted(tables) if (cols := text_columns(connector, t))}
        searchable = searchable_tables(connector, conns[name], columns_of)  # looked up whole, as the scan does
        rest = [t for t in columns_of if t not in searchable]
        indexes = trigram_indexes(connector, conns[name]) if rest else {}
        limit = settings.max_rows_per_table
        large = larger_than(connector, conns[name], rest, limit) if limit is not None else set()
        own = {tp.table: set(tp.decisions) for tp in plan.tables if tp.connector == name}
        searches = {t: Search(cols, search=cols) if t in searchable else
                    Search(cols, limit if t in large else None, indexes.get(t, set())) for t, cols in columns_of.items()}
        with index_first(connector, conns[name], bool(searchable)):
            hits = find_all(connector, conns[name], searches, terms)  # one statement for every table
        for table in columns_of:
            hit = hits[table][0]
            others = {k: cols for k, cols in hit.rows.items() if k not in own.get(table, set())}
            plan.kept.set_aside(plan, name, conns[name], table, others, terms)
