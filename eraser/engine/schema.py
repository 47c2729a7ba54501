"""The schema model of one connector: its configured tables and the relations between them (Graph), built from
the live schema and checked against the config, every problem with its place in the YAML and, where one
exists, the statement that fixes it. `eraser config check` (eraser.engine.schema) lists them all; an erasure stops at
the first error."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
import yaml

from connectors.base import Edge
from connectors.sql import SQLConnector
from eraser.config import Config, line_of
from eraser.engine.anonymize import strategy_problems
from eraser.engine.introspect import as_partitioned, is_text, partition_roots
from eraser.engine.links import link_edge
from eraser.errors import ConfigError
from eraser.matching import lookup_warning
from eraser.table_rules import TableRule

FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")  # a column named in a files: directory template


@dataclass(frozen=True)
class Problem:
    severity: Literal["error", "warning"]
    message: str
    loc: tuple[Any, ...] = ()
    fix: str | None = None
    path: Path | None = None

    @property
    def line(self) -> int | None:
        return _line(str(self.path), self.loc) if self.path else None

    def __str__(self) -> str:
        where = f"{self.path}{f' line {self.line}' if self.line else ''}: " if self.path else ""
        fix = f"\n    fix: {self.fix}" if self.fix else ""
        return f"{self.severity}: {where}{self.message}{fix}"

    def raise_(self, more: int = 0) -> None:
        where = f"{self.path}{f' line {self.line}' if self.line else ''}: " if self.path else ""
        rest = f" ({more} more problem(s): `eraser config check {self.path}` lists them all)" if more else ""
        raise ConfigError(f"{where}{self.message}{rest}")


@dataclass
class Graph:
    """A connector's configured tables and the relations between them, checked against the live schema."""

    connector: SQLConnector
    rules: dict[str, TableRule]
    edges: list[Edge]
    follow: list[Edge]
    owned: dict[str, list[Edge]]
    normalized: dict[str, set[str]]  # table -> email identifier columns (compared folded)

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
    graph, problems = graph_problems(config, name, connector, warnings=False)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        errors[0].raise_(more=len(errors) - 1)
    assert graph is not None
    return graph


@cache
def _node(path: str) -> yaml.Node | None:
    try:
        return yaml.compose(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None


def _line(path: str, loc: tuple[Any, ...]) -> int | None:
    return line_of(_node(path), loc)


def _closest(name: str, options: list[str]) -> str:
    close = difflib.get_close_matches(name, options, n=3)
    return f" (closest: {', '.join(close)})" if close else ""


def graph_problems(config: Config, name: str, connector: SQLConnector,
                   warnings: bool = True) -> tuple[Any, list[Problem]]:
    """The Graph of one connector (None if its tables are wrong) and every problem found; without `warnings`
    only the errors (the index checks behind the warnings cost a query plan per lookup column)."""
    conf = config.connectors[name]
    problems: list[Problem] = []
    base = ("connectors", name, "tables")

    def problem(severity: Literal["error", "warning"], message: str, *loc: Any, fix: str | None = None) -> None:
        problems.append(Problem(severity, message, (*base, *loc), fix, config.path))

    tables = connector.table_names()
    missing = {t for t in conf.tables if t not in tables}
    for table in conf.tables:
        if table in missing:
            problem("error", f"table '{table}' does not exist in connector '{name}'{_closest(table, tables)}.", table)

    def has_column(table: str, column: str, *loc: Any) -> bool:
        if table in missing:  # already reported; its columns cannot be checked
            return False
        cols = connector.columns(table)
        if column in cols:
            return True
        problem("error", f"column '{column}' does not exist in table '{table}'{_closest(column, cols)}.", *loc)
        return False

    for table, rule in conf.tables.items():
        if table in missing:
            continue
        tab = connector.table(table)
        declared = [c.name for c in tab.primary_key.columns]
        if rule.key and declared == rule.key:
            continue  # declared already (the connector was checked before)
        if rule.key and declared:
            problem("error", f"table '{table}' has a primary key ({', '.join(declared)}); key: is only for a table "
                    "without one.", table, "key")
        elif rule.key:
            if all(has_column(table, col, table, "key", i) for i, col in enumerate(rule.key)):
                # the declared identity addresses rows as a primary key would, everywhere the connector is used
                tab.append_constraint(sa.PrimaryKeyConstraint(*(tab.c[c] for c in rule.key)))
        elif not declared:
            problem("error", f"table '{table}' has no primary key; Eraser needs one to address rows exactly (or "
                    "declare the columns that identify a row under key:).", table)

    edges = as_partitioned(connector.edges(), partition_roots(connector))
    normalized: dict[str, set[str]] = {}
    variants = [(t, at, r) for t, rule in conf.tables.items() for at, r in rule.variants()]
    for table, rule in conf.tables.items():
        for i, row_rule in enumerate(rule.rules):
            for col in row_rule.when:
                has_column(table, col, table, "rules", i, "when")
    for table, at, rule in variants:
        for id_type, cols in rule.identify.items():
            if id_type not in config.identifiers:
                problem("error", f"table '{table}' identifies by '{id_type}', which is not in identifiers: "
                        f"({', '.join(sorted(config.identifiers))}).", table, *at, "identify", id_type)
                continue
            if config.identifiers[id_type].kind == "name":
                problem("error", f"table '{table}' identifies by '{id_type}', a name: a name only narrows the search "
                        "of free text and never finds rows; identify by an email, phone number or key.",
                        table, *at, "identify", id_type)
                continue
            for col in cols:
                if has_column(table, col, table, *at, "identify", id_type) and config.identifiers[id_type].kind == "email":
                    normalized.setdefault(table, set()).add(col)
        for i, link in enumerate(rule.links):
            ok = has_column(table, link.column, table, "links", i, "column")
            for col in link.conditions():
                ok = has_column(table, col, table, "links", i, "key_value" if link.key_value else "where") and ok
            if link.table not in conf.tables:
                problem("error", f"link {table}.{link.column} refers to table '{link.table}', which is not "
                        f"configured{_closest(link.table, list(conf.tables))}.", table, "links", i, "references")
            elif has_column(link.table, link.target_column, table, "links", i, "references") and ok:
                edge, why = link_edge(connector, table, link)  # with its condition or cast, if any
                if why:
                    problem("error", why, table, "links", i)
                else:
                    edges.append(edge)
    if any(p.severity == "error" for p in problems):
        return None, problems

    configured = set(conf.tables)
    follow = [e for e in edges if e.child in configured and e.parent in configured and e.child != e.parent
              and not set(e.child_cols) & set(conf.tables[e.child].not_followed)]
    owned: dict[str, list[Edge]] = {}
    for table, rule in conf.tables.items():
        for col in rule.not_followed:
            has_column(table, col, table, "not_followed")
        if rule.restrict_flag:
            has_column(table, rule.restrict_flag, table, "restrict_flag")
        if rule.files is not None:
            for col in [rule.files.column] if rule.files.column else FIELD.findall(rule.files.directory or ""):
                has_column(table, col, table, "files")
        for i, col in enumerate(rule.owns):
            if not has_column(table, col, table, "owns", i):
                continue
            match = [e for e in edges if e.child == table and e.child_cols == (col,)]
            wider = [e for e in edges if e.child == table and col in e.child_cols and len(e.child_cols) > 1]
            if not match and wider:
                problem("error", f"table '{table}' owns '{col}', which is part of the composite {wider[0]}; owns: "
                        "follows single-column relations only.", table, "owns", i)
            elif not match:
                problem("error", f"table '{table}' owns '{col}', but no foreign key or link starts at that column; "
                        "declare one under links:.", table, "owns", i)
            elif match[0].parent not in configured:
                problem("error", f"table '{table}' owns '{col}', which refers to table '{match[0].parent}'; "
                        "configure that table too.", table, "owns", i)
            else:
                owned.setdefault(table, []).append(match[0])
                follow = [e for e in follow if e != match[0]]
        for at, variant in rule.variants():  # the table's retain:, or each row rule's
            for i, parent in enumerate(variant.retain.keeps if variant.retain else []):
                if not any(e.child == table and e.parent == parent and e.parent in configured for e in edges):
                    problem("error", f"table '{table}' keeps '{parent}', but no foreign key or link leads from "
                            f"'{table}' to a configured table '{parent}'.", table, *at, "retain", "keeps", i)

    problems += row_value_problems(connector, conf.tables, edges, base, config.path)

    key_cols: dict[str, set[str]] = {}
    for e in edges:
        key_cols.setdefault(e.child, set()).update(e.child_cols)
        key_cols.setdefault(e.parent, set()).update(e.parent_cols)
    for table, at, rule in variants:
        if table in missing:
            continue
        pk_cols = set(connector.primary_key(table)) if connector.table(table).primary_key.columns else set()
        for section in ("columns", "minimize"):
            for col, strategy in getattr(rule, section).items():
                if not has_column(table, col, table, *at, section, col):
                    continue
                why = strategy_problems(strategy, connector.column(table, col), config.locale,
                                        pk_cols | key_cols.get(table, set()))
                if why:
                    problem("error", f"column '{table}.{col}' {why}.", table, *at, section, col)
        if rule.action == "anonymize" or (rule.action == "delete" and rule.columns):
            unreplaced = sorted({c for cols in rule.identify.values() for c in cols} - set(rule.columns))
            if unreplaced:
                problem("error", f"table '{table}' keeps rows anonymized, but its identifier column(s) "
                        f"{', '.join(unreplaced)} have no strategy under columns:, so the subject would still be "
                        "found.", table, *at, "columns")
        if rule.retain is not None and rule.retain.from_ not in ("request", "parent"):
            has_column(table, rule.retain.from_, table, *at, "retain", "from")
        if rule.retain is not None and rule.retain.from_ == "parent":
            parents = [e for e in edges if e.child == table and e.parent in configured
                       and any(r.retain is not None for _, r in conf.tables[e.parent].variants())]
            if not parents:
                problem("error", f"table '{table}' counts retention from 'parent', but it refers to no retained "
                        "configured table.", table, *at, "retain", "from")

    problems += free_text_problems(config, name, connector)

    reachable = {t for t, _, r in variants if r.identify}
    changed = True
    while changed:
        changed = False
        for e in follow:
            if e.parent in reachable and e.child not in reachable:
                reachable.add(e.child)
                changed = True
        for table, owned_edges in owned.items():
            for e in owned_edges:
                if table in reachable and e.parent not in reachable:
                    reachable.add(e.parent)
                    changed = True
    for table in sorted(configured - reachable - {t for t, r in conf.tables.items() if r.free_text}):
        problem("error", f"table '{table}' cannot be reached from any identifier, foreign key or link; "
                "add identify: or links:, or remove it.", table)

    for table, at, rule in variants if warnings else ():
        for id_type, cols in rule.identify.items():
            for col in cols:
                kind = config.identifiers[id_type].kind
                if col in connector.columns(table) and not connector.lookup_indexed(table, col, kind):
                    problem("warning", lookup_warning(connector, table, col, kind), table, *at, "identify", id_type,
                            fix=connector.lookup_index_statement(table, col, kind))
    for e in follow + [e for es in owned.values() for e in es] if warnings else ():
        lookup = e.child_cols if e in follow else e.parent_cols
        table = e.child if e in follow else e.parent
        if e in follow and getattr(e.condition, "json", None):
            continue  # the key sits inside a JSON value: an index on the column would not serve
        if not connector.has_index(table, lookup):
            problem("warning", f"{e} is followed but {table}({', '.join(lookup)}) has no index.",
                    table, fix=connector.index_statement(table, lookup))
    for e in edges:
        if e.parent in configured and e.child not in configured:
            problem("warning", f"table '{e.child}' is not configured but refers to configured table '{e.parent}' "
                    f"({e}); subject rows it refers to are anonymized or left for review, never deleted.",
                    e.parent)

    graph = Graph(connector, dict(conf.tables), edges, follow, owned, normalized)
    # a table's identify: and columns: are checked again in each row rule: each problem once
    problems = list({(p.severity, p.message): p for p in reversed(problems)}.values())[::-1]
    return graph, problems


ROW_VALUES = (3, 15, 0)  # SQLite's first version with row values: (a, b) IN (VALUES (?, ?), ...)


def row_value_problems(connector: SQLConnector, tables: dict[str, Any], edges: list[Edge], base: tuple[Any, ...],
                       path: Path | None) -> list[Problem]:
    """On an SQLite too old for row values, every composite key of a configured relation is an error: rows are
    addressed by their whole key, and without row values Eraser could not do so."""
    if connector.dialect != "sqlite":
        return []
    version = tuple(getattr(connector.engine.dialect.dbapi, "sqlite_version_info", ROW_VALUES))
    if version >= ROW_VALUES:
        return []
    have = ".".join(map(str, version))
    found = []
    for table in sorted(t for t in tables if t in connector.table_names()):
        pk = [c.name for c in connector.table(table).primary_key.columns]
        if len(pk) > 1:
            found.append(Problem("error", f"table '{table}' has the composite primary key ({', '.join(pk)}), which "
                                 f"needs SQLite 3.15 or later (this is {have}).", (*base, table), None, path))
    for e in edges:
        if len(e.child_cols) > 1 and (e.child in tables or e.parent in tables):
            found.append(Problem("error", f"{e} is composite, which needs SQLite 3.15 or later (this is {have}).",
                                 (*base, e.child if e.child in tables else e.parent), None, path))
    return found


def free_text_problems(config: Config, name: str, connector: SQLConnector) -> list[Problem]:
    """`free_text:` columns exist and hold text; tables named under `residual_scan.tables` exist (`eraser config
    check` adds a warning for each large table read without a search index: eraser/checks.py)."""
    conf = config.connectors[name]
    tables = connector.table_names()
    found: list[Problem] = []

    def problem(severity: Literal["error", "warning"], message: str, *loc: Any, fix: str | None = None) -> None:
        found.append(Problem(severity, message, ("connectors", name, *loc), fix, config.path))

    for table, rule in conf.tables.items():
        if table not in tables:
            continue
        columns = connector.columns(table)
        for i, col in enumerate(rule.free_text):
            if col not in columns:
                problem("error", f"column '{col}' does not exist in table '{table}'{_closest(col, columns)}.",
                        "tables", table, "free_text", i)
            elif not is_text(connector.column(table, col)):
                problem("error", f"column '{table}.{col}' under free_text: does not hold text.",
                        "tables", table, "free_text", i)
    if conf.residual_scan.tables != "all":
        for i, table in enumerate(conf.residual_scan.tables):
            if table not in tables:
                problem("error", f"residual_scan names table '{table}', which does not exist in connector "
                        f"'{name}'{_closest(table, tables)}.", "residual_scan", "tables", i)
    for table in conf.residual_scan.per_table:
        if table not in tables:
            problem("error", f"residual_scan.per_table names table '{table}', which does not exist in connector "
                    f"'{name}'{_closest(table, tables)}.", "residual_scan", "per_table", table)
    return found
