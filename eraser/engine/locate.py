"""From a subject's identifiers to every row of theirs: seed rows by identifier, then foreign keys and links.

Relations are followed downwards (a child row belongs to the subject when its parent does), in waves,
one batched query per relation and wave. Upwards, only relations the config marks as owned (`owns:`)
are followed, one level, and such parent rows are never followed down again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
import structlog

from connectors.base import Key, Row
from eraser.config import Config
from eraser.engine import links
from eraser.engine.schema import Graph
from eraser.errors import SubjectError
from eraser.matching import Lookup, country_region
from eraser.subjects import Subject, normalize
from eraser.table_rules import TableRule

log = structlog.get_logger("eraser.engine.locate")


@dataclass
class Found:
    """The subject's rows in one table, by primary key, with how each was reached."""

    table: str
    rows: dict[Key, Row] = field(default_factory=dict)
    reasons: dict[Key, str] = field(default_factory=dict)
    upward: set[Key] = field(default_factory=set)
    weak: set[Key] = field(default_factory=set)  # reached only through an IP address: teach no identifier

    def add(self, pk: Key, row: Row, reason: str, upward: bool = False, weak: bool = False) -> bool:
        if pk in self.rows:
            if not weak:
                self.weak.discard(pk)
            return False
        self.rows[pk] = row
        self.reasons[pk] = reason
        if upward:
            self.upward.add(pk)
        if weak:
            self.weak.add(pk)
        return True


def _key(row: Row, cols: tuple[str, ...]) -> Key:
    return tuple(row[c] for c in cols)


def _seed(graph: Graph, config: Config, conn: Any, found: dict[str, Found], seeds: dict[str, dict[str, str]],
          for_update: bool) -> dict[str, list[Key]]:
    """Rows holding one of the seed identifiers (type -> value -> the table it was learnt from, '' if given). A
    learnt value that also finds another record in a table where the subject already has rows (a second customer
    with the same email) is shared, so it names more than the subject and finds nothing."""
    lookups = {t: Lookup(config.identifiers[t], tuple(sorted(vals))) for t, vals in seeds.items()}
    per_value = {(t, v): Lookup(config.identifiers[t], (v,)) for t, vals in seeds.items() for v in vals}
    candidates: dict[str, list[tuple[Row, set[tuple[str, str]]]]] = {}
    shared: set[tuple[str, str]] = set()
    for table, rule in sorted(graph.rules.items()):
        clauses = _seed_clauses(graph, table, rule, lookups)
        if not clauses:
            continue
        pk = graph.pk(table)
        for row in graph.connector.rows_where(conn, table, clauses, for_update=for_update):
            hits = {tv for tv, lookup in per_value.items() if _confirmed(rule, row, {tv[0]: lookup})}
            if not hits:
                continue
            candidates.setdefault(table, []).append((row, hits))
            if found[table].rows and _key(row, pk) not in found[table].rows:
                shared |= {tv for tv in hits if seeds[tv[0]][tv[1]]}
    _refuse_common(config, candidates, seeds)
    frontier: dict[str, list[Key]] = {t: [] for t in graph.rules}
    for table, rows in candidates.items():
        pk = graph.pk(table)
        for row, hits in rows:
            usable = sorted(hits - shared)
            if not usable:
                continue
            vias = sorted({seeds[t][v] for t, v in usable if seeds[t][v]})
            learnt = f", found on {', '.join(vias)}" if vias and all(seeds[t][v] for t, v in usable) else ""
            kinds = ", ".join(sorted({t for t, _ in usable}))
            weak = all(config.identifiers[t].kind == "ip" for t, _ in usable)
            if found[table].add(_key(row, pk), row, f"identifier ({kinds}{learnt}) in {table}", weak=weak):
                frontier[table].append(_key(row, pk))
    if shared:
        log.info("learnt identifiers shared with other records, not followed", count=len(shared))
    return frontier


def _refuse_common(config: Config, candidates: dict[str, list[tuple[Row, set[tuple[str, str]]]]],
                   seeds: dict[str, dict[str, str]]) -> None:
    """A given identifier held by more rows of one table than its type's `max_rows` names many people: refused."""
    for table, rows in sorted(candidates.items()):
        counted: dict[tuple[str, str], int] = {}
        for _, hits in rows:
            for t, v in hits:
                if not seeds[t][v]:
                    counted[(t, v)] = counted.get((t, v), 0) + 1
        for (t, _), n in sorted(counted.items()):
            if n > config.identifiers[t].max_rows:
                raise SubjectError(f"identifier '{t}' matches {n} rows of {table}, too many to name one person "
                                   f"(identifiers.{t}.max_rows is {config.identifiers[t].max_rows}); nothing was "
                                   "changed; give a more specific identifier.")


def _follow(graph: Graph, conn: Any, found: dict[str, Found], frontier: dict[str, list[Key]],
            for_update: bool) -> int:
    """Foreign keys and links followed downwards from the frontier, wave by wave; the number of waves."""
    wave = 0
    while any(frontier.values()):
        wave += 1
        nxt: dict[str, list[Key]] = {t: [] for t in graph.rules}
        for edge in graph.follow:
            parents = frontier.get(edge.parent)
            if not parents:
                continue
            child_pk = graph.pk(edge.child)
            weak = found[edge.parent].weak
            for group, weakly in (([p for p in parents if p not in weak], False), ([p for p in parents if p in weak], True)):
                values = [_key(found[edge.parent].rows[pk], edge.parent_cols) for pk in group]
                for row in links.children(graph.connector, conn, edge, values, for_update=for_update) if group else []:
                    if found[edge.child].add(_key(row, child_pk), row, f"{edge}", weak=weakly):
                        nxt[edge.child].append(_key(row, child_pk))
        frontier = nxt
    return wave


def _seed_clauses(graph: Graph, table: str, rule: TableRule, lookups: dict[str, Lookup]) -> list[Any]:
    """The table's identify: columns, and each row rule's own (only in the rows its when: selects)."""
    clauses = _identify_clauses(graph, table, rule.identify, lookups)
    tab = graph.connector.table(table)
    for row_rule in rule.rules:
        own = {t: [c for c in cols if c not in rule.identify.get(t, [])] for t, cols in row_rule.identify.items()}
        extra = _identify_clauses(graph, table, own, lookups)
        if extra:
            when = [links.values_clause(tab.c[c], v if isinstance(v, list) else [v]) for c, v in row_rule.when.items()]
            clauses.append(sa.and_(*when, sa.or_(*extra)))
    return clauses


def _identify_clauses(graph: Graph, table: str, identify: dict[str, list[str]], lookups: dict[str, Lookup]
                      ) -> list[Any]:
    clauses = []
    for id_type, cols in sorted(identify.items()):
        lookup = lookups.get(id_type)
        if lookup is None or not lookup.values:
            continue
        for col in cols:
            values = lookup.sql_values(graph.connector.column(table, col).type)
            if values:
                clauses.append(graph.connector.lookup_clause(table, col, lookup.kind.kind, values))
    return clauses


def row_identify(rule: TableRule, row: Row) -> dict[str, list[str]]:
    """The identify: columns that apply to a row: the table's, and those of the row rule that takes it."""
    picked = rule.for_row(row)
    return picked[1].identify if picked is not None else rule.identify


def _confirmed(rule: TableRule, row: Row, lookups: dict[str, Lookup]) -> list[str]:
    """The identifier types whose values the row holds (the database's match is only a prefilter)."""
    hits = []
    for id_type, cols in sorted(row_identify(rule, row).items()):
        lookup = lookups.get(id_type)
        country = lookup.kind.country_column if lookup else None
        if lookup and any(lookup.confirms(row.get(c), row.get(country) if country else None) for c in cols):
            hits.append(id_type)
    return hits


def held_identifiers(config: Config, rule: TableRule, row: Row) -> dict[str, set[str]]:
    """The identifiers a subject's row holds in its identify: columns, normalized (unreadable values skipped)."""
    held: dict[str, set[str]] = {}
    for id_type, cols in row_identify(rule, row).items():
        kind = config.identifiers.get(id_type)
        for col in cols:
            value = row.get(col)
            if kind is None or value is None or not str(value).strip():
                continue
            if kind.kind == "phone" and kind.country_column and (region := country_region(row.get(kind.country_column))):
                kind = kind.model_copy(update={"region": region})
            try:
                held.setdefault(id_type, set()).add(normalize(kind, str(value), id_type))
            except SubjectError:
                continue
    return held


def locate(graph: Graph, subject: Subject, conn: Any, config: Config, for_update: bool = False) -> dict[str, Found]:
    """Every configured table's rows of the subject. Identifiers held by the rows found become seeds too (the
    email of the customer row found by phone finds their newsletter row; never an IP address, which a household
    or office shares), until no new one turns up; a seed
    learnt that way never adds a row to a table where it finds rows of someone else besides the subject's."""
    found = {t: Found(t) for t in graph.rules}
    known: dict[str, dict[str, str]] = {t: {v: "" for v in vals} for t, vals in subject.identifiers.items()}
    searched: dict[str, set[str]] = {}
    waves = 0
    while True:
        new = {t: {v: via for v, via in vals.items() if v not in searched.get(t, set())} for t, vals in known.items()}
        new = {t: vals for t, vals in new.items() if vals and t in config.identifiers}
        if not new:
            break
        for t, vals in new.items():
            searched.setdefault(t, set()).update(vals)
        frontier = _seed(graph, config, conn, found, new, for_update)
        waves += _follow(graph, conn, found, frontier, for_update)
        for table, f in found.items():
            for pk, row in f.rows.items():
                if pk in f.upward or pk in f.weak:  # an address a household shares names no one for sure
                    continue
                for t, held in held_identifiers(config, graph.rules[table], row).items():
                    if config.identifiers[t].kind == "ip":
                        continue  # an address a household or office shares: it finds rows only when given
                    for v in held:
                        known.setdefault(t, {}).setdefault(v, table)
    for table, edges in sorted(graph.owned.items()):
        for edge in edges:
            values = [up for pk, row in found[table].rows.items()
                      if pk not in found[table].upward and (up := links.parent_key(edge, row)) is not None]
            parent_pk = graph.pk(edge.parent)
            for row in graph.connector.rows_by_keys(conn, edge.parent, edge.parent_cols, values,
                                                    for_update=for_update):
                found[edge.parent].add(_key(row, parent_pk), row, f"owned through {edge}", upward=True)
    log.debug("located", connector=graph.connector.name, waves=waves,
              rows=sum(len(f.rows) for f in found.values()))
    return found
