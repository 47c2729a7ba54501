"""Checks that do not trust the scope that chose the rows: which rows are the tenant's is decided again from the
rows themselves (their tenant column, or a chain of foreign keys up to a row that has one), never from the key
tables the batches used.

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
from eraser.purge.scope import Scope, any_of, matches, same, up_to

METHOD = ("the tenant's rows found again from their tenant column and foreign keys (not from the purge's scope): "
          "every remaining row retained, anonymized or left for review as counted, the rows gone equal to the rows "
          "deleted, retained rows byte-identical (SHA-256), foreign keys intact")


def tenant_keys(scope: Scope, table: str, owned_by_keys: bool = False) -> Any:
    """The primary keys of the tenant's rows as one SELECT: a UNION of joins down from the tables' tenant columns.
    Owned parents are found through their owners, or (`owned_by_keys`, once the owners are gone) by the keys
    journaled for them."""
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
                         .where(matches(scope.pk_cols(e.parent, p), tenant_keys(scope, e.parent, owned_by_keys))))
    if scope.tables[table] == "owned" and owned_by_keys:
        parts.append(sa.select(*scope.key_cols(scope.keys[table])))
    elif scope.tables[table] == "owned":
        for owner, edges in graph.owned.items():
            for e in (e for e in edges if e.parent == table and owner in scope.tables):
                o = scope.t(owner).alias()
                parts.append(sa.select(*pk).select_from(t.join(o, same([o.c[c] for c in e.child_cols],
                                                                       [t.c[c] for c in e.parent_cols])))
                             .where(matches(scope.pk_cols(owner, o), tenant_keys(scope, owner))))
    if not parts:
        any_of([], f"table '{table}'")  # raises: no terms must never mean every row
    return parts[0] if len(parts) == 1 else sa.union(*parts)


def belongs(scope: Scope, table: str, t: Any, owned_by_keys: bool = False) -> sa.ColumnElement[bool]:
    """The row is the tenant's, by `tenant_keys`."""
    return matches(scope.pk_cols(table, t), tenant_keys(scope, table, owned_by_keys))


def _count(scope: Scope, stmt: Any) -> int:
    return int(scope.run(stmt).scalar_one())


def check_scope(scope: Scope, owned_by_keys: bool) -> None:
    """The gathered keys are the tenant's rows (and, when first planned, all of them); otherwise refuse before
    changing anything."""
    for table in scope.order():
        if owned_by_keys and scope.tables[table] == "owned":
            continue  # its keys are the journaled ones, by definition
        kt = scope.keys[table]
        cols = scope.key_cols(kt)
        stray = _count(scope, sa.select(sa.func.count()).select_from(kt).where(
            sa.not_(matches(cols, tenant_keys(scope, table, owned_by_keys)))))
        if stray:
            raise TenantError(f"the purge's scope of table '{table}' holds {stray} row(s) that do not belong to "
                              f"tenant {scope.tenant}; nothing was changed.")
        if owned_by_keys:
            continue  # rows the scope misses later are counted by the verification
        theirs = tenant_keys(scope, table).subquery()
        missing = _count(scope, sa.select(sa.func.count()).select_from(theirs).where(
            sa.not_(matches(list(theirs.c), sa.select(*cols)))))
        if missing:
            raise TenantError(f"the purge's scope of table '{table}' misses {missing} row(s) of tenant "
                              f"{scope.tenant}; nothing was changed.")


def retained_digest(scope: Scope, table: str, upto: list[Any] | None, owned_by_keys: bool) -> str | None:
    """SHA-256 over the tenant's retained rows of a table (those within the planned keys), in key order."""
    if scope.graph.rules[table].action != "retain" or upto is None:
        return None
    t = scope.t(table)
    pk = scope.pk_cols(table, t)
    digest = hashlib.sha256()
    stmt = sa.select(t).where(belongs(scope, table, t, owned_by_keys), kept(scope, table, t),
                              up_to(pk, tuple(upto))).order_by(*pk)
    for row in scope.run(stmt.execution_options(stream_results=True, yield_per=5000)):
        digest.update(json.dumps([str(v) for v in row]).encode() + b"\n")
    return digest.hexdigest()


def baseline(scope: Scope, result: PurgeResult) -> dict[str, Any]:
    """Per table of this connector: the tenant's rows and the digest of its retained rows, as planned."""
    out: dict[str, Any] = {}
    for p in (p for p in result.parts if p.connector == scope.name):
        t = scope.t(p.table)
        upto = list(p.batches[-1][1]) if p.batches else None
        out[p.table] = {"rows": _count(scope, sa.select(sa.func.count()).select_from(t).where(
                            belongs(scope, p.table, t))),
                        "upto": upto, "retained_sha256": retained_digest(scope, p.table, upto, False)}
    return out


def verify(result: PurgeResult, scopes: dict[str, Scope]) -> dict[str, Any]:
    """The checks after the batches, on scopes gathered again (owned parents by their journaled keys)."""
    problems: list[str] = []
    tables = []
    for name, scope in scopes.items():
        for p in (p for p in result.parts if p.connector == name):
            t = scope.t(p.table)
            base = result.baseline["tables"][name][p.table]
            theirs = belongs(scope, p.table, t, owned_by_keys=True)
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
            if retained_digest(scope, p.table, base["upto"], True) != base["retained_sha256"]:
                problems.append(f"{p.table}: retained rows of the tenant changed during the purge")
        problems += scope.connector.integrity_problems(scope.conn)
        scope.conn.rollback()
    return {"method": METHOD, "result": "FAIL" if problems else "PASS", "problems": problems, "tables": tables,
            "residual_rows_outside_retained": sum(t["deletable_left"] for t in tables)}
