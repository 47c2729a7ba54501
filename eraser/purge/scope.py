"""Which rows of one connector are the tenant's, gathered once per table into a temporary key table.

A table belongs to a tenant through its `tenant:` column, through foreign keys followed down from a table that
does (photos of the tenant's projects; composite keys compare as row values), or as a parent row the tenant's
rows own (`owns:`, a person's address). Every condition is built with `any_of`, which refuses to build one from
no terms: an empty OR would render no WHERE and match every tenant's rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa

from connectors.base import Edge
from eraser.config import Config
from eraser.engine.schema import Graph, Problem
from eraser.errors import EraserError
from eraser.purge.result import Bounds, Key, TenantError

KEY_TYPES = (int, str)


def any_of(terms: Iterable[sa.ColumnElement[bool]], where: str) -> sa.ColumnElement[bool]:
    """OR of at least one term; with none, an error (an empty OR renders no WHERE: every row)."""
    found = list(terms)
    if not found:
        raise EraserError(f"no condition selects the tenant's rows of {where}; refusing to build one that would "
                          "match every row.")
    return sa.or_(*found)


def same(a: Sequence[Any], b: Sequence[Any]) -> sa.ColumnElement[bool]:
    """Column-by-column equality of two key tuples (a composite foreign key and the key it refers to)."""
    if not a or len(a) != len(b):
        raise EraserError("a foreign key without columns, or with a different number of columns on each side.")
    return sa.and_(*(x == y for x, y in zip(a, b, strict=True)))


def matches(cols: Sequence[Any], select: Any) -> sa.ColumnElement[bool]:
    """`cols IN (select)`: one column, or a row value (SQLite 3.15+, PostgreSQL, MariaDB)."""
    return cols[0].in_(select) if len(cols) == 1 else sa.tuple_(*cols).in_(select)


def after(cols: Sequence[Any], lo: Key | None) -> sa.ColumnElement[bool]:
    if lo is None:
        return sa.true()
    return cols[0] > lo[0] if len(cols) == 1 else sa.tuple_(*cols) > sa.tuple_(*[sa.literal(v) for v in lo])


def up_to(cols: Sequence[Any], hi: Key) -> sa.ColumnElement[bool]:
    return cols[0] <= hi[0] if len(cols) == 1 else sa.tuple_(*cols) <= sa.tuple_(*[sa.literal(v) for v in hi])


def tables_in_scope(config: Config, graph: Graph) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Table -> how it belongs to the tenant ('tenant column', 'foreign key', 'owned'), and the (table, sentence)
    of every reason the purge cannot express a table's share (what `eraser config check` reports)."""
    assert config.tenants is not None
    connector, rules = graph.connector, graph.rules
    problems: list[tuple[str, str]] = []
    tenants = config.tenants
    if tenants.table not in connector.table_names():
        problems.append(("", f"the tenants table '{tenants.table}' does not exist in connector "
                                        f"'{connector.name}'."))
    elif tenants.key not in connector.columns(tenants.table):
        problems.append(("", f"the tenants table '{tenants.table}' has no column '{tenants.key}'."))
    scope = {t: "tenant column" for t, r in rules.items() if r.tenant}
    for table in scope:
        if rules[table].tenant not in connector.columns(table):
            problems.append((table, f"table '{table}' has no column '{rules[table].tenant}' (its 'tenant:' column)."))
    if not scope:
        problems.append(("", f"no table of connector '{connector.name}' names a 'tenant:' column; the purge cannot "
                             "tell which rows belong to a tenant."))
    changed = True
    while changed:
        changed = False
        for e in graph.follow:
            if e.parent in scope and e.child not in scope:
                scope[e.child], changed = "foreign key", True
        for owner, edges in graph.owned.items():
            for e in edges:
                if owner in scope and e.parent not in scope:
                    scope[e.parent], changed = "owned", True
    for table in scope:
        if rules[table].rules:
            problems.append((table, f"table '{table}' has row rules (rules:), which a tenant purge does not apply; "
                                    "erase its rows per subject."))
    for e in graph.edges:
        if e.condition is not None and (e.child in scope or e.parent in scope):
            problems.append((e.child if e.child in rules else e.parent,
                             f"{e} has a condition or a transform of the key (where:, cast:, prefix:, key_value: or "
                             "json:), which a tenant purge does not apply; erase its rows per subject."))
    for table in scope:
        pk = connector.primary_key(table)
        odd = [c for c in pk if connector.column(table, c).type.python_type not in KEY_TYPES]
        if odd:
            problems.append((table, f"table '{table}' has primary key column(s) {', '.join(odd)} of a type the purge "
                                    "cannot batch by; it batches by keys of integers and text."))
        if scope[table] == "owned" and (len(pk) != 1 or connector.column(table, pk[0]).type.python_type is not int):
            edge = next(e for es in graph.owned.values() for e in es if e.parent == table)
            problems.append((table, f"{edge}: a purge keeps the keys of owned rows to resume after its owners are "
                                    f"gone, which needs a single integer primary key in '{table}'."))
        if rules[table].minimize:
            problems.append((table, f"table '{table}' has 'minimize:', which a purge does not apply; purge the tenant "
                                    "after removing it, or erase per subject."))
    try:
        gathering_order(graph, scope)
    except CycleError as cycle:
        problems.append((cycle.table, str(cycle)))
    return scope, problems


class CycleError(TenantError):
    def __init__(self, message: str, table: str) -> None:
        super().__init__(message)
        self.table = table


def gathering_order(graph: Graph, scope: dict[str, str]) -> list[str]:
    """The in-scope tables in the order their keys are gathered (and found again): each after the tables it
    depends on. Tables that depend on one another in a cycle cannot be ordered: refused, naming them."""
    order: list[str] = []
    pending = list(scope)
    while pending:
        ready = [t for t in pending if depends(graph, scope, t) <= set(order)]
        if not ready:
            stuck = sorted(pending)
            raise CycleError(f"tables {', '.join(stuck)} refer to one another in a cycle; the purge cannot order "
                             "them.", stuck[0])
        order += ready
        pending = [t for t in pending if t not in ready]
    return order


def scope_problems(config: Config, name: str, graph: Graph) -> list[Problem]:
    """What `eraser config check` reports of a tenant purge's scope."""
    found = tables_in_scope(config, graph)[1]
    return [Problem("error", message, ("connectors", name, "tables", table) if table else ("tenants",), None,
                    config.path) for table, message in found]


def depends(graph: Graph, scope: dict[str, str], table: str) -> set[str]:
    """The tables whose keys must be gathered before this one's."""
    deps = {e.parent for e in graph.follow if e.child == table and e.parent in scope and e.parent != table}
    if scope[table] == "owned":
        deps |= {owner for owner, edges in graph.owned.items() if owner in scope for e in edges if e.parent == table}
    return deps


class Scope:
    """The tenant's rows in one connector, as temporary key tables on one connection."""

    def __init__(self, config: Config, name: str, graph: Graph, conn: sa.Connection, tenant: str, mode: str,
                 today: date) -> None:
        assert config.tenants is not None
        self.config, self.name, self.graph, self.conn, self.mode, self.today = config, name, graph, conn, mode, today
        self.connector = graph.connector
        self.dialect = conn.dialect.name
        self.tenant = tenant
        self.tables, problems = tables_in_scope(config, graph)
        if problems:
            raise TenantError(problems[0][1])
        self.tenant_key = self._tenant_key(config.tenants.table, config.tenants.key, tenant)
        self.keys: dict[str, sa.Table] = {}
        self.cutoffs: dict[str, date] = {}  # per retain table, the earliest start date still kept today
        self._temp = sa.MetaData()

    def run(self, stmt: Any, params: Any = None) -> sa.CursorResult[Any]:
        """Every statement through the connector's one entry point (counted, logged as a template)."""
        return self.connector.run(self.conn, stmt, params)

    def _tenant_key(self, table: str, key: str, tenant: str) -> Any:
        t = self.connector.table(table)
        pk = self.connector.primary_key(table)
        row = self.run(sa.select(*[t.c[c] for c in pk]).where(t.c[key] == tenant)).first()
        if row is None:
            raise TenantError(f"unknown tenant '{tenant}': table {table} has no row with {key} = '{tenant}'.")
        return row[0]

    def tenant_value(self, table: str, column: str) -> Any:
        """The value a tenant column holds for this tenant: the tenant's primary key where the column refers to
        the tenants table, else the tenant's code."""
        assert self.config.tenants is not None
        refers = any(e.child == table and e.child_cols == (column,) and e.parent == self.config.tenants.table
                     for e in self.graph.edges)
        return self.tenant_key if refers else self.tenant

    def order(self) -> list[str]:
        return [t for t in self.graph.delete_order() if t in self.tables]

    def pk(self, table: str) -> tuple[str, ...]:
        return self.connector.primary_key(table)

    def t(self, table: str) -> sa.Table:
        return self.connector.table(table)

    def int_key(self, table: str) -> bool:
        """One integer primary key: batches filter the table by range too, and pools key by it."""
        pk = self.pk(table)
        return len(pk) == 1 and self.connector.column(table, pk[0]).type.python_type is int

    def pk_cols(self, table: str, t: Any = None) -> list[Any]:
        t = self.t(table) if t is None else t
        return [t.c[c] for c in self.pk(table)]

    # key tables
    def key_table(self, table: str, prefix: str = "s") -> sa.Table:
        name = f"eraser_{prefix}_{len(self._temp.tables)}"
        cols = [sa.Column(f"k{i}", self.connector.column(table, c).type, primary_key=prefix == "s",
                          autoincrement=False) for i, c in enumerate(self.pk(table))]
        kt = sa.Table(name, self._temp, *cols, prefixes=["TEMPORARY"])
        self.run(sa.schema.CreateTable(kt))
        return kt

    @staticmethod
    def key_cols(kt: Any) -> list[Any]:
        return list(kt.c)

    def key_table_select(self, kt: sa.Table) -> sa.Select[Any]:
        return sa.select(*kt.c).order_by(*kt.c)

    def build(self, owned_keys: Callable[[str], Iterator[list[int]]] | None = None) -> None:
        """Gather every in-scope table's keys, parents before children, owned parents after their owners."""
        for table in gathering_order(self.graph, self.tables):
            kt = self.key_table(table)
            if self.tables[table] == "owned" and owned_keys is not None:
                for chunk in owned_keys(table):
                    self.run(kt.insert(), [{"k0": k} for k in chunk])
            else:
                self.run(kt.insert().from_select([c.name for c in kt.c], self.scope_select(table)))
            if self.dialect == "postgresql":
                self.run(sa.text(f"ANALYZE {kt.name}"))
            self.keys[table] = kt
        self.conn.commit()

    def scope_select(self, table: str) -> sa.Select[Any]:
        t, rule = self.t(table), self.graph.rules[table]
        conds: list[sa.ColumnElement[bool]] = []
        if rule.tenant:
            conds.append(t.c[rule.tenant] == self.tenant_value(table, rule.tenant))
        for e in self.graph.follow:
            if e.child == table and e.parent in self.keys:
                conds.append(matches([t.c[c] for c in e.child_cols], self._parent_values(e)))
        for owner, edges in self.graph.owned.items():
            for e in edges:
                if e.parent == table and owner in self.keys:
                    o = self.t(owner)
                    owners = sa.select(*self.key_cols(self.keys[owner]))
                    conds.append(matches([t.c[c] for c in e.parent_cols], sa.select(*[o.c[c] for c in e.child_cols])
                                         .where(matches(self.pk_cols(owner, o), owners))))
        return sa.select(*self.pk_cols(table, t)).where(any_of(conds, f"table '{table}'"))

    def _parent_values(self, e: Edge) -> Any:
        keys = self.key_cols(self.keys[e.parent])
        if e.parent_cols == self.pk(e.parent):
            return sa.select(*keys)
        p = self.t(e.parent)
        return sa.select(*[p.c[c] for c in e.parent_cols]).where(matches(self.pk_cols(e.parent, p), sa.select(*keys)))

    def mine(self, table: str, t: Any) -> sa.ColumnElement[bool]:
        """The row is one of the gathered keys."""
        return matches(self.pk_cols(table, t), sa.select(*self.key_cols(self.keys[table])))

    def count(self, table: str) -> int:
        return int(self.run(sa.select(sa.func.count()).select_from(self.keys[table])).scalar_one())

    def boundaries(self, table: str, size: int, start: Key | None = None) -> Iterator[Bounds]:
        """(lo, hi, rows): keyset pages of the key table after `start`; a batch covers lo < key <= hi."""
        cols = self.key_cols(self.keys[table])
        lo = start
        while True:
            rest = sa.select(*cols).where(after(cols, lo))
            row = self.run(rest.order_by(*cols).offset(size - 1).limit(1)).first()
            if row is None:
                row = self.run(rest.order_by(*[c.desc() for c in cols]).limit(1)).first()
                if row is None:
                    return
            hi = tuple(row)
            yield lo, hi, self.count_range(table, lo, hi)
            lo = hi

    def count_range(self, table: str, lo: Key | None, hi: Key) -> int:
        kt = self.keys[table]
        cols = self.key_cols(kt)
        return int(self.run(sa.select(sa.func.count()).select_from(kt).where(after(cols, lo), up_to(cols, hi)))
                   .scalar_one())

    def in_batch(self, table: str, t: Any, lo: Key | None, hi: Key) -> sa.ColumnElement[bool]:
        cols = self.key_cols(self.keys[table])
        pk = self.pk_cols(table, t)
        mine = matches(pk, sa.select(*cols).where(after(cols, lo), up_to(cols, hi)))
        if self.int_key(table):  # the range on the table itself lets the planner use its primary key
            return sa.and_(after(pk, lo), up_to(pk, hi), mine)
        return mine

    def drop(self) -> None:
        for kt in list(self._temp.tables.values()):
            self.run(sa.text(f"DROP TABLE IF EXISTS {kt.name}"))
        self._temp = sa.MetaData()
        self.keys = {}
        self.conn.commit()
