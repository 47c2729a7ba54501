"""From a subject's identifiers to every row of theirs: seed rows by identifier, then foreign keys and links.

Relations are followed downwards (a child row belongs to the subject when its parent does), in waves,
one batched query per relation and wave. Upwards, only relations the config marks as owned (`owns:`)
are followed, one level, and such parent rows are never followed down again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import structlog

from connectors.base import Edge, Key, Row
from connectors.sql import SQLConnector
from eraser.config import Config, TableRule
from eraser.subjects import Subject

log = structlog.get_logger("eraser.locate")


@dataclass
class Graph:
    """A connector's configured tables and the relations between them, checked against the live schema."""

    connector: SQLConnector
    rules: dict[str, TableRule]
    edges: list[Edge]
    follow: list[Edge]
    owned: dict[str, list[Edge]]
    normalized: dict[str, set[str]]  # table -> identifier columns compared lower(trim())

    def pk(self, table: str) -> tuple[str, ...]:
        return self.connector.primary_key(table)

    def inbound(self, table: str) -> list[Edge]:
        return [e for e in self.edges if e.parent == table]

    def outbound(self, table: str) -> list[Edge]:
        return [e for e in self.edges if e.child == table]

    def delete_order(self) -> list[str]:
        """Configured tables, children before parents (cycles broken by name)."""
        tables = sorted(self.rules)
        parents = {t: {e.parent for e in self.edges if e.child == t and e.parent in self.rules and e.parent != t}
                   for t in tables}
        children = {t: {c for c in tables if t in parents[c]} for t in tables}
        order: list[str] = []
        placed: set[str] = set()
        while len(order) < len(tables):
            ready = [t for t in tables if t not in placed and children[t] <= placed]
            if not ready:
                ready = [min(t for t in tables if t not in placed)]
            for t in ready:
                order.append(t)
                placed.add(t)
        return order


def build_graph(config: Config, name: str, connector: SQLConnector) -> Graph:
    """Raises ConfigError on the first problem; `eraser config check` lists them all."""
    from eraser.checks import graph_problems

    graph, problems = graph_problems(config, name, connector)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        errors[0].raise_(more=len(errors) - 1)
    assert graph is not None
    return graph


@dataclass
class Found:
    """The subject's rows in one table, by primary key, with how each was reached."""

    table: str
    rows: dict[Key, Row] = field(default_factory=dict)
    reasons: dict[Key, str] = field(default_factory=dict)
    upward: set[Key] = field(default_factory=set)

    def add(self, pk: Key, row: Row, reason: str, upward: bool = False) -> bool:
        if pk in self.rows:
            return False
        self.rows[pk] = row
        self.reasons[pk] = reason
        if upward:
            self.upward.add(pk)
        return True


def _key(row: Row, cols: tuple[str, ...]) -> Key:
    return tuple(row[c] for c in cols)


def locate(graph: Graph, subject: Subject, conn: Any, config: Config, for_update: bool = False) -> dict[str, Found]:
    """Every configured table's rows of the subject."""
    found = {t: Found(t) for t in graph.rules}
    frontier: dict[str, list[Key]] = {t: [] for t in graph.rules}
    for table, rule in sorted(graph.rules.items()):
        matches: dict[str, Sequence[str]] = {}
        labels: dict[str, str] = {}
        for id_type, cols in rule.identify.items():
            for col in cols:
                matches[col] = [*matches.get(col, []), *subject.forms.get(id_type, ())]
                labels[col] = id_type
        matches = {c: v for c, v in matches.items() if v}
        if not matches:
            continue
        pk = graph.pk(table)
        for row in graph.connector.rows_matching(conn, table, matches, graph.normalized.get(table, set()),
                                                 for_update=for_update):
            hit = ", ".join(sorted({labels[c] for c in matches}))
            if found[table].add(_key(row, pk), row, f"identifier ({hit}) in {table}"):
                frontier[table].append(_key(row, pk))
    wave = 0
    while any(frontier.values()):
        wave += 1
        nxt: dict[str, list[Key]] = {t: [] for t in graph.rules}
        for edge in graph.follow:
            parents = frontier.get(edge.parent)
            if not parents:
                continue
            values = [_key(found[edge.parent].rows[pk], edge.parent_cols) for pk in parents]
            child_pk = graph.pk(edge.child)
            for row in graph.connector.rows_by_keys(conn, edge.child, edge.child_cols, values, for_update=for_update):
                if found[edge.child].add(_key(row, child_pk), row, f"{edge}"):
                    nxt[edge.child].append(_key(row, child_pk))
        frontier = nxt
    for table, edges in sorted(graph.owned.items()):
        for edge in edges:
            values = [_key(row, edge.child_cols) for pk, row in found[table].rows.items()
                      if pk not in found[table].upward]
            parent_pk = graph.pk(edge.parent)
            for row in graph.connector.rows_by_keys(conn, edge.parent, edge.parent_cols, values,
                                                    for_update=for_update):
                found[edge.parent].add(_key(row, parent_pk), row, f"owned through {edge}", upward=True)
    log.debug("located", connector=graph.connector.name, waves=wave,
              rows=sum(len(f.rows) for f in found.values()))
    return found
