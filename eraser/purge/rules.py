"""What happens to each of the tenant's rows, as SQL conditions: retained while its period runs, anonymized when
something that remains refers to it (or in anonymize mode), left for review when another tenant's rows share it,
deleted otherwise. Composite foreign keys compare column by column."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from connectors.base import Edge
from eraser.engine.retention import release_date
from eraser.purge.scope import Scope, any_of, matches, same
from eraser.table_rules import Strategy


def kept(scope: Scope, table: str, t: Any = None) -> sa.ColumnElement[bool]:
    """The rows of a retain table whose period has not ended (false for other tables)."""
    rule = scope.graph.rules[table]
    t = scope.t(table) if t is None else t
    if rule.action != "retain" or rule.retain is None:
        return sa.false()
    r = rule.retain
    if r.from_ == "request":
        return sa.true() if release_date(r, {}, scope.today) > scope.today else sa.false()
    if r.from_ == "parent":
        e = retained_parent(scope, table)
        if e is None:
            return sa.true()
        p = scope.t(e.parent).alias()
        return sa.exists(sa.select(sa.literal(1)).select_from(p).where(
            same([p.c[c] for c in e.parent_cols], [t.c[c] for c in e.child_cols]), kept(scope, e.parent, p)))
    col = t.c[r.from_]
    return sa.or_(col.is_(None), col >= cutoff(scope, table))


def retained_parent(scope: Scope, table: str) -> Edge | None:
    """The edge to the retained table a `from: parent` table counts its period from."""
    rules = scope.graph.rules
    return next((e for e in scope.graph.edges if e.child == table and e.parent in rules and e.parent != table
                 and rules[e.parent].action == "retain"), None)


def cutoff(scope: Scope, table: str) -> date:
    """The earliest start date whose release is after today (release dates grow with the start date)."""
    if table not in scope.cutoffs:
        rule = scope.graph.rules[table].retain
        assert rule is not None
        lo, hi = date(1900, 1, 1).toordinal(), date(2300, 1, 1).toordinal()
        while lo < hi:
            mid = (lo + hi) // 2
            if release_date(rule, {rule.from_: date.fromordinal(mid)}, scope.today) > scope.today:
                hi = mid
            else:
                lo = mid + 1
        scope.cutoffs[table] = date.fromordinal(lo)
    return scope.cutoffs[table]


def release_range(scope: Scope, table: str) -> dict[str, str] | None:
    rule = scope.graph.rules[table]
    if rule.action != "retain" or rule.retain is None:
        return None
    if rule.retain.from_ == "parent":
        e = retained_parent(scope, table)
        return release_range(scope, e.parent) if e is not None and e.parent in scope.tables else None
    if rule.retain.from_ == "request":
        day = release_date(rule.retain, {}, scope.today).isoformat()
        return {"first": day, "last": day}
    t = scope.t(table)
    col = t.c[rule.retain.from_]
    span = sa.select(sa.func.min(col), sa.func.max(col)).where(kept(scope, table), scope.mine(table, t))
    lo, hi = tuple(scope.run(span).one())
    if lo is None:
        return None
    return {"first": release_date(rule.retain, {rule.retain.from_: lo}, scope.today).isoformat(),
            "last": release_date(rule.retain, {rule.retain.from_: hi}, scope.today).isoformat()}


def inbound(scope: Scope, table: str) -> list[Edge]:
    return [e for e in scope.graph.edges if e.parent == table and e.child != table]


def _refers(scope: Scope, e: Edge, t: Any, *where: Any) -> sa.ColumnElement[bool]:
    c = scope.t(e.child).alias()
    return sa.exists(sa.select(sa.literal(1)).select_from(c).where(
        same([c.c[x] for x in e.child_cols], [t.c[x] for x in e.parent_cols]), *[w(c) for w in where]))


def referenced(scope: Scope, table: str, t: Any, stays: dict[str, sa.Table] | None = None) -> sa.ColumnElement[bool]:
    """Some row that remains refers to it. During the purge children go first, so whatever still exists
    remains; for a dry run, `stays` holds the keys of the in-scope rows that would remain."""
    edges = inbound(scope, table)
    if not edges:
        return sa.false()

    def remains(e: Edge) -> Any:
        if stays is None or e.child not in scope.keys:
            return lambda c: sa.true()
        return lambda c: sa.or_(outside(scope, e.child, c), scope_in(scope, e.child, c, stays[e.child]))
    return any_of([_refers(scope, e, t, remains(e)) for e in edges], f"rows referring to '{table}'")


def scope_in(scope: Scope, table: str, t: Any, kt: sa.Table) -> sa.ColumnElement[bool]:
    return matches(scope.pk_cols(table, t), sa.select(*scope.key_cols(kt)))


def shared(scope: Scope, table: str, t: Any) -> sa.ColumnElement[bool]:
    """An owned parent row that rows outside the tenant's data also use: left alone."""
    edges = inbound(scope, table)
    if scope.tables[table] != "owned" or not edges:
        return sa.false()
    return any_of([_refers(scope, e, t, (lambda c, e=e: outside(scope, e.child, c)) if e.child in scope.keys
                           else (lambda c: sa.true())) for e in edges], f"rows sharing '{table}'")


def outside(scope: Scope, table: str, t: Any) -> sa.ColumnElement[bool]:
    """Not one of the tenant's rows (NOT EXISTS: an anti-join, never a NOT IN that the planner may rescan)."""
    kt = scope.keys[table].alias()
    return sa.not_(sa.exists(sa.select(sa.literal(1)).select_from(kt).where(
        same(scope.key_cols(kt), scope.pk_cols(table, t)))))


def columns(scope: Scope, table: str) -> dict[str, Strategy]:
    return {c: s for c, s in scope.graph.rules[table].columns.items() if s.kind != "keep"}


def forced(scope: Scope, table: str) -> bool:
    """Anonymized whether or not something refers to it: anonymize mode, or a released row with then: anonymize."""
    rule = scope.graph.rules[table]
    if rule.action == "retain":
        return bool(rule.retain and rule.retain.then == "anonymize" and columns(scope, table))
    return scope.mode == "anonymize" and bool(columns(scope, table)) or rule.action == "anonymize"
