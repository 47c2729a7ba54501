"""Checks that do not trust the scope that chose the rows: which rows are the tenant's is decided again from the
rows themselves (their tenant column, or a chain of foreign keys up to a row that has one), never from the key
tables the batches used.

The tenant's rows found again are kept per table in a temporary table of their keys (`Oracle`), built once per
check by one INSERT ... SELECT per table: a UNION of joins from the table's tenant column and from the rows of
its parents found again before it, so every check is one set-based statement per table.

Before anything changes: the gathered keys are exactly the tenant's rows (none of another tenant, none missing),
and the baseline is taken: the tenant's rows per table and a SHA-256 of its retained rows. After the batches:
every row of the tenant still there is retained, anonymized or left for review in the numbers the batches
counted, the rows that went are the rows the batches deleted, the retained rows are byte-identical, and no
foreign key dangles.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import sqlalchemy as sa

from eraser.purge.result import PurgeResult, TenantError
from eraser.purge.rules import forced, kept, referenced
from eraser.purge.scope import Scope, any_of, gathering_order, matches, same, up_to

METHOD = ("the tenant's rows found again from their tenant column and foreign keys (not from the purge's scope): "
          "every remaining row retained, anonymized or left for review as counted, the rows gone equal to the rows "
          "deleted, retained rows byte-identical (SHA-256), foreign keys intact")

Oracle = dict[str, sa.Table]


def _found(scope: Scope, table: str, oracle: Oracle, owned_by_keys: bool) -> Any:
    """The primary keys of the tenant's rows of one table as one SELECT: a UNION of joins from its tenant column
    and from the rows of its parents (and, for an owned parent, its owners) found again before it. Owned parents
    are found through their owners, or (`owned_by_keys`, once the owners are gone) by the keys journaled for them."""
    rule, graph = scope.graph.rules[table], scope.graph
    t = scope.t(table).alias()
    pk = scope.pk_cols(table, t)
    parts: list[Any] = []
    if rule.tenant:
        parts.append(sa.select(*pk).where(t.c[rule.tenant] == scope.tenant_value(table, rule.tenant)))
    for e in graph.follow:
        if e.child == table and e.parent in scope.tables and e.parent != table:
            p = scope.t(e.parent).alias()
            parts.append(sa.select(*pk).select_from(t.join(p, same([p.c[c] for c in e.parent_cols],
                                                                   [t.c[c] for c in e.child_cols])))
                         .where(matches(scope.pk_cols(e.parent, p), sa.select(*oracle[e.parent].c))))
    if scope.tables[table] == "owned" and owned_by_keys:
        parts.append(sa.select(*scope.key_cols(scope.keys[table])))
    elif scope.tables[table] == "owned":
        for owner, edges in graph.owned.items():
            for e in (e for e in edges if e.parent == table and owner in scope.tables):
                o = scope.t(owner).alias()
                parts.append(sa.select(*pk).select_from(t.join(o, same([o.c[c] for c in e.child_cols],
                                                                       [t.c[c] for c in e.parent_cols])))
                             .where(matches(scope.pk_cols(owner, o), sa.select(*oracle[owner].c))))
    if not parts:
        any_of([], f"table '{table}'")  # raises: no terms must never mean every row
    return parts[0] if len(parts) == 1 else sa.union(*parts)


def oracle(scope: Scope, owned_by_keys: bool = False) -> Oracle:
    """The tenant's keys of every in-scope table, found again from the rows as they are now, parents first."""
    found: Oracle = {}
    for table in gathering_order(scope.graph, scope.tables):
        kt = scope.key_table(table, "v")
        scope.run(kt.insert().from_select([c.name for c in kt.c], _found(scope, table, found, owned_by_keys)))
        if scope.dialect == "postgresql":
            scope.run(sa.text(f"ANALYZE {kt.name}"))
        found[table] = kt
    return found


def belongs(scope: Scope, table: str, t: Any, found: Oracle) -> sa.ColumnElement[bool]:
    """The row is the tenant's, by the keys found again."""
    return matches(scope.pk_cols(table, t), sa.select(*found[table].c))


def _count(scope: Scope, stmt: Any) -> int:
    return int(scope.run(stmt).scalar_one())


def absent(scope: Scope, a: sa.Table, b: sa.Table) -> int:
    """Keys of `a` not in `b` (NOT EXISTS: an anti-join)."""
    b2 = b.alias()
    return _count(scope, sa.select(sa.func.count()).select_from(a).where(sa.not_(sa.exists(
        sa.select(sa.literal(1)).select_from(b2).where(same(list(b2.c), list(a.c)))))))


def check_scope(scope: Scope, owned_by_keys: bool) -> Oracle:
    """The gathered keys are the tenant's rows (and, when first planned, all of them); otherwise refuse before
    changing anything. The keys found again, for the baseline."""
    found = oracle(scope, owned_by_keys)
    for table in scope.order():
        if owned_by_keys and scope.tables[table] == "owned":
            continue  # its keys are the journaled ones, by definition
        stray = absent(scope, scope.keys[table], found[table])
        if stray:
            raise TenantError(f"the purge's scope of table '{table}' holds {stray} row(s) that do not belong to "
                              f"tenant {scope.tenant}; nothing was changed.")
        if owned_by_keys:
            continue  # rows the scope misses later are counted by the verification
        missing = absent(scope, found[table], scope.keys[table])
        if missing:
            raise TenantError(f"the purge's scope of table '{table}' misses {missing} row(s) of tenant "
                              f"{scope.tenant}; nothing was changed.")
    return found


def retained_digest(scope: Scope, table: str, upto: list[Any] | None, found: Oracle) -> str | None:
    """SHA-256 over the tenant's retained rows of a table (those within the planned keys), in key order."""
    if scope.graph.rules[table].action != "retain" or upto is None:
        return None
    t = scope.t(table)
    pk = scope.pk_cols(table, t)
    digest = hashlib.sha256()
    stmt = sa.select(t).where(belongs(scope, table, t, found), kept(scope, table, t),
                              up_to(pk, tuple(upto))).order_by(*pk)
    for row in scope.run(stmt.execution_options(stream_results=True, yield_per=5000)):
        digest.update(json.dumps([str(v) for v in row]).encode() + b"\n")
    return digest.hexdigest()


def baseline(scope: Scope, result: PurgeResult, found: Oracle) -> dict[str, Any]:
    """Per table of this connector: the tenant's rows and the digest of its retained rows, as planned."""
    out: dict[str, Any] = {}
    for p in (p for p in result.parts if p.connector == scope.name):
        upto = list(p.batches[-1][1]) if p.batches else None
        out[p.table] = {"rows": _count(scope, sa.select(sa.func.count()).select_from(found[p.table])),
                        "upto": upto, "retained_sha256": retained_digest(scope, p.table, upto, found)}
    return out


def verify(result: PurgeResult, scopes: dict[str, Scope], found_after: dict[str, Oracle] | None = None
           ) -> dict[str, Any]:
    """The checks after the batches, on the tenant's rows found again (owned parents by their journaled keys):
    `found_after` if they were found again after the last statement that changed anything, else now."""
    problems: list[str] = []
    tables = []
    for name, scope in scopes.items():
        found = (found_after or {}).get(name) or oracle(scope, owned_by_keys=True)
        for p in (p for p in result.parts if p.connector == name):
            t = scope.t(p.table)
            base = result.baseline["tables"][name][p.table]
            theirs = belongs(scope, p.table, t, found)
            remaining = _count(scope, sa.select(sa.func.count()).select_from(t).where(theirs))
            expected = p.counts["anonymize"] + p.counts["retain"] + p.counts["review"]
            deletable = 0 if forced(scope, p.table) else _count(scope, sa.select(sa.func.count()).select_from(t).where(
                theirs, sa.not_(kept(scope, p.table, t)), sa.not_(referenced(scope, p.table, t))))
            gone = p.rows - remaining  # every row the batches ever held, less those still there
            tables.append({"connector": name, "table": p.table, "remaining": remaining, "expected": expected,
                           "deletable_left": deletable, "gone": gone})
            if remaining > expected:
                problems.append(f"{p.table}: {remaining - expected} row(s) of tenant {result.tenant} appeared while "
                                "the purge ran and remain; run the purge again to remove them")
            elif remaining < expected:
                problems.append(f"{p.table}: {remaining} row(s) of the tenant remain, {expected} expected")
            if deletable:
                problems.append(f"{p.table}: {deletable} row(s) of the tenant that should be gone remain")
            if gone != p.counts["delete"]:
                problems.append(f"{p.table}: {gone} row(s) of the tenant are gone, {p.counts['delete']} deleted")
            if retained_digest(scope, p.table, base["upto"], found) != base["retained_sha256"]:
                problems.append(f"{p.table}: retained rows of the tenant changed during the purge")
        problems += scope.connector.integrity_problems(scope.conn)
        scope.conn.rollback()
    return {"method": METHOD, "result": "FAIL" if problems else "PASS", "problems": problems, "tables": tables,
            "residual_rows_outside_retained": sum(t["deletable_left"] for t in tables)}
