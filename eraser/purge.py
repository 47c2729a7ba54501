"""End-of-contract purge: every row of one tenant (customer), returned first if asked, then destroyed at database
speed, in bounded batches that are journaled in the state store, verified, and certified once.

Scope. A table belongs to a tenant through its `tenant:` column, through foreign keys followed down from a table
that does (photos of the tenant's projects), or as a parent row the tenant's rows own (`owns:`, a person's
address). The keys of the tenant's rows are gathered once per table into a temporary table.

Decisions, as for one subject: retained rows (legal basis, release date) stay untouched; a row that something
remaining still refers to is anonymized instead of deleted (or left alone, "review", when it is shared with
another tenant's rows or has no `columns:`); everything else is deleted. Tables are processed children before
parents, each in batches of primary-key ranges, each batch its own transaction, so no batch boundary leaves a
dangling reference. A batch's counts are journaled before its commit and marked done after it: a purge killed at
any point resumes at the next batch, and the counts of a batch that was committed but not yet marked are kept.

Anonymization draws Faker values from pools generated once per provider and loaded into temporary tables keyed by
an integer (the row's primary key modulo the pool size), applied with one UPDATE ... FROM (JOIN on MariaDB) per
batch; unique columns get a value per row. Nothing holds all rows in Python.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import structlog

from connectors.base import Edge
from eraser.anonymize import REDACTED, Anonymizer, _fit, make_faker
from eraser.config import Config, Strategy, TableRule
from eraser.errors import EraserError, VerificationError
from eraser.execute import Session, refuse_undecided
from eraser.holds import refuse_held_tenant
from eraser.locate import Graph
from eraser.retention import add_period, release_date
from eraser.state import TZ, metadata

log = structlog.get_logger("eraser.purge")
ACTIONS = ("delete", "anonymize", "retain", "review")
POOL_SIZE = 2000
NAMESPACE = uuid.UUID("0b7e2f4c-3d0a-4b8e-9a71-5c2f1e6d8a90")

purges = sa.Table(
    "purges", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("tenant", sa.String(120), nullable=False),
    sa.Column("mode", sa.String(12), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("ticket_id", sa.String(36)),
    sa.Column("plan", sa.Text, nullable=False),
    sa.Column("export_dir", sa.Text),
    sa.Column("export_sha256", sa.String(64)),
    sa.Column("certificate_id", sa.String(36)),
    sa.Column("created_at", TZ, nullable=False),
    sa.Column("updated_at", TZ, nullable=False),
    sa.Column("completed_at", TZ),
)
purge_batches = sa.Table(
    "purge_batches", metadata,
    sa.Column("purge_id", sa.String(36), primary_key=True),
    sa.Column("connector", sa.String(120), primary_key=True),
    sa.Column("table_name", sa.String(200), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("lo", sa.BigInteger, nullable=False),
    sa.Column("hi", sa.BigInteger, nullable=False),
    sa.Column("rows", sa.Integer, nullable=False),
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("counts", sa.Text),
    sa.Column("seconds", sa.Float),
)
purge_keys = sa.Table(
    "purge_keys", metadata,
    sa.Column("purge_id", sa.String(36), primary_key=True),
    sa.Column("connector", sa.String(120), primary_key=True),
    sa.Column("table_name", sa.String(200), primary_key=True),
    sa.Column("pk", sa.BigInteger, primary_key=True),
)


class TenantError(EraserError):
    """The tenant is unknown, or the config does not say how tables belong to tenants."""

    exit_code = 2


def _now() -> datetime:
    return datetime.now(UTC)


# -- scope --------------------------------------------------------------------------------------------------------

@dataclass
class Part:
    """One table's share of a purge."""

    connector: str
    table: str
    pk: str
    owned: bool
    rows: int = 0
    counts: dict[str, int] = field(default_factory=lambda: {a: 0 for a in ACTIONS})
    batches: list[tuple[int, int, int]] = field(default_factory=list)
    release: dict[str, str] | None = None


class Scope:
    """The tenant's rows in one connector, as temporary key tables on one connection."""

    def __init__(self, config: Config, name: str, graph: Graph, conn: sa.Connection, tenant: str, mode: str,
                 today: date) -> None:
        assert config.tenants is not None
        self.config, self.name, self.graph, self.conn, self.mode, self.today = config, name, graph, conn, mode, today
        self.connector = graph.connector
        self.dialect = conn.dialect.name
        self.tenant = tenant
        self.tenant_key = self._tenant_key(config.tenants.table, config.tenants.key, tenant)
        self.tables = self._in_scope()
        self.keys: dict[str, sa.Table] = {}
        self._temp = sa.MetaData()
        self._cutoffs: dict[str, date | None] = {}
        self._pools: dict[tuple[str, str], tuple[sa.Table, bool]] = {}
        self._fake = make_faker(config.locale)
        self._values: dict[str, list[Any]] = {}
        self._unique_used: dict[tuple[str, str], set[Any]] = {}
        self._anonymizer: Anonymizer | None = None
        self.explain: list[str] | None = None

    @property
    def anonymizer(self) -> Anonymizer:
        """For the strategies computed in Python (hash, generalize:N on SQLite), made on first use."""
        if self._anonymizer is None:
            self._anonymizer = Anonymizer(self.config.locale, self.config.secret_bytes())
        return self._anonymizer

    # which tables, and how
    def _tenant_key(self, table: str, key: str, tenant: str) -> Any:
        if table not in self.connector.table_names():
            raise TenantError(f"the tenants table '{table}' does not exist in connector '{self.name}'.")
        t = self.connector.table(table)
        if key not in t.c:
            raise TenantError(f"the tenants table '{table}' has no column '{key}'.")
        pk = self.connector.primary_key(table)
        row = self.conn.execute(sa.select(*[t.c[c] for c in pk]).where(t.c[key] == tenant)).first()
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

    def _in_scope(self) -> dict[str, str]:
        """Table -> how it belongs to the tenant ('tenant column', 'foreign key', 'owned')."""
        rules = self.graph.rules
        scope = {t: "tenant column" for t, r in rules.items() if r.tenant}
        for table in scope:
            if rules[table].tenant not in self.connector.columns(table):
                raise TenantError(f"table '{table}' has no column '{rules[table].tenant}' (its 'tenant:' column).")
        if not scope:
            raise TenantError(f"no table of connector '{self.name}' names a 'tenant:' column; the purge cannot tell "
                              "which rows belong to a tenant.")
        changed = True
        while changed:
            changed = False
            for e in self.graph.follow:
                if e.parent in scope and e.child not in scope:
                    scope[e.child], changed = "foreign key", True
            for owner, edges in self.graph.owned.items():
                for e in edges:
                    if owner in scope and e.parent not in scope:
                        scope[e.parent], changed = "owned", True
        for table in scope:
            pk = self.connector.primary_key(table)
            col = self.connector.column(table, pk[0])
            if len(pk) != 1 or col.type.python_type is not int:
                raise TenantError(f"table '{table}' needs a single integer primary key to be purged in batches.")
            if rules[table].minimize:
                raise TenantError(f"table '{table}' has 'minimize:', which a purge does not apply; purge the tenant "
                                  "after removing it, or erase per subject.")
        return scope

    def order(self) -> list[str]:
        return [t for t in self.graph.delete_order() if t in self.tables]

    def pk(self, table: str) -> str:
        return self.connector.primary_key(table)[0]

    def t(self, table: str) -> sa.Table:
        return self.connector.table(table)

    # key tables
    def _key_table(self, table: str, prefix: str = "s") -> sa.Table:
        name = f"eraser_{prefix}_{len(self._temp.tables)}"
        kt = sa.Table(name, self._temp, sa.Column("id", sa.BigInteger, primary_key=prefix == "s", autoincrement=False),
                      prefixes=["TEMPORARY"])
        kt.create(self.conn)
        return kt

    def build(self, owned_keys: Callable[[str], Iterator[list[int]]] | None = None) -> None:
        """Gather every in-scope table's keys, parents before children, owned parents after their owners."""
        built: set[str] = set()
        pending = list(self.tables)
        while pending:
            for table in pending:
                deps = self._depends(table)
                if deps <= built:
                    break
            else:
                raise TenantError(f"tables {', '.join(sorted(pending))} refer to one another in a cycle; the purge "
                                  "cannot order them.")
            pending.remove(table)
            kt = self._key_table(table)
            self.keys[table] = kt
            if self.tables[table] == "owned" and owned_keys is not None:
                for chunk in owned_keys(table):
                    self.conn.execute(kt.insert(), [{"id": k} for k in chunk])
            else:
                self.conn.execute(kt.insert().from_select(["id"], self._scope_select(table)))
            if self.dialect == "postgresql":
                self.conn.execute(sa.text(f"ANALYZE {kt.name}"))
            built.add(table)
        self.conn.commit()

    def _depends(self, table: str) -> set[str]:
        deps = {e.parent for e in self.graph.follow if e.child == table and e.parent in self.tables
                and e.parent != table}
        if self.tables[table] == "owned":
            deps |= {owner for owner, edges in self.graph.owned.items() if owner in self.tables
                     for e in edges if e.parent == table}
        return deps

    def _scope_select(self, table: str) -> sa.Select[Any]:
        t, rule = self.t(table), self.graph.rules[table]
        conds: list[sa.ColumnElement[bool]] = []
        if rule.tenant:
            conds.append(t.c[rule.tenant] == self.tenant_value(table, rule.tenant))
        for e in self.graph.follow:
            if e.child == table and e.parent in self.keys and len(e.child_cols) == 1:
                conds.append(t.c[e.child_cols[0]].in_(self._parent_values(e)))
        for owner, edges in self.graph.owned.items():
            for e in edges:
                if e.parent == table and owner in self.keys and len(e.child_cols) == 1:
                    o = self.t(owner)
                    conds.append(t.c[e.parent_cols[0]].in_(
                        sa.select(o.c[e.child_cols[0]]).where(o.c[self.pk(owner)].in_(sa.select(self.keys[owner].c.id)))))
        return sa.select(t.c[self.pk(table)]).where(sa.or_(*conds))

    def _parent_values(self, e: Edge) -> Any:
        keys = self.keys[e.parent]
        if e.parent_cols == (self.pk(e.parent),):
            return sa.select(keys.c.id)
        p = self.t(e.parent)
        return sa.select(p.c[e.parent_cols[0]]).where(p.c[self.pk(e.parent)].in_(sa.select(keys.c.id)))

    def count(self, table: str) -> int:
        return int(self.conn.execute(sa.select(sa.func.count()).select_from(self.keys[table])).scalar_one())

    def boundaries(self, table: str, size: int) -> Iterator[tuple[int, int, int]]:
        """(lo, hi, rows): keyset pages of the key table; a batch covers lo < id <= hi."""
        kt = self.keys[table]
        lo = -(2 ** 31)
        while True:
            page = sa.select(kt.c.id).where(kt.c.id > lo).order_by(kt.c.id).limit(size).subquery()
            n, hi = self.conn.execute(sa.select(sa.func.count(), sa.func.max(page.c.id))).one()
            if not n:
                return
            yield lo, int(hi), int(n)
            lo = int(hi)

    # retention
    def kept(self, table: str, t: Any = None) -> sa.ColumnElement[bool]:
        """The rows of a retain table whose period has not ended (false for other tables)."""
        rule = self.graph.rules[table]
        t = self.t(table) if t is None else t
        if rule.action != "retain" or rule.retain is None:
            return sa.false()
        r = rule.retain
        if r.from_ == "request":
            return sa.true() if release_date(r, {}, self.today) > self.today else sa.false()
        if r.from_ == "parent":
            parents = [e for e in self.graph.edges if e.child == table and e.parent in self.graph.rules
                       and self.graph.rules[e.parent].action == "retain" and len(e.child_cols) == 1]
            if not parents:
                return sa.true()
            e = parents[0]
            p = self.t(e.parent).alias()
            return sa.exists(sa.select(sa.literal(1)).select_from(p).where(
                p.c[e.parent_cols[0]] == t.c[e.child_cols[0]], self.kept(e.parent, p)))
        cutoff = self._cutoff(table)
        col = t.c[r.from_]
        return sa.or_(col.is_(None), col >= cutoff) if cutoff else sa.true()

    def _cutoff(self, table: str) -> date | None:
        """The earliest start date whose release is after today (release dates grow with the start date)."""
        if table not in self._cutoffs:
            rule = self.graph.rules[table].retain
            assert rule is not None
            lo, hi = date(1900, 1, 1).toordinal(), date(2300, 1, 1).toordinal()
            while lo < hi:
                mid = (lo + hi) // 2
                if release_date(rule, {rule.from_: date.fromordinal(mid)}, self.today) > self.today:
                    hi = mid
                else:
                    lo = mid + 1
            self._cutoffs[table] = date.fromordinal(lo)
        return self._cutoffs[table]

    def release_range(self, table: str) -> dict[str, str] | None:
        rule = self.graph.rules[table]
        if rule.action != "retain" or rule.retain is None:
            return None
        if rule.retain.from_ == "parent":
            parents = [e for e in self.graph.edges if e.child == table and e.parent in self.tables
                       and self.graph.rules[e.parent].action == "retain"]
            return self.release_range(parents[0].parent) if parents else None
        if rule.retain.from_ == "request":
            day = release_date(rule.retain, {}, self.today).isoformat()
            return {"first": day, "last": day}
        t = self.t(table)
        col = t.c[rule.retain.from_]
        lo, hi = self.conn.execute(sa.select(sa.func.min(col), sa.func.max(col)).where(
            self.kept(table), t.c[self.pk(table)].in_(sa.select(self.keys[table].c.id)))).one()
        if lo is None:
            return None
        return {"first": release_date(rule.retain, {rule.retain.from_: lo}, self.today).isoformat(),
                "last": release_date(rule.retain, {rule.retain.from_: hi}, self.today).isoformat()}

    # what happens to a candidate row (not retained)
    def inbound(self, table: str) -> list[Edge]:
        return [e for e in self.graph.edges if e.parent == table and e.child != table and len(e.child_cols) == 1]

    def referenced(self, table: str, t: Any, stays: dict[str, sa.Table] | None = None) -> sa.ColumnElement[bool]:
        """Some row that remains refers to it. During the purge children go first, so whatever still exists
        remains; for a dry run, `stays` holds the keys of the in-scope rows that would remain."""
        conds = []
        for e in self.inbound(table):
            c = self.t(e.child).alias()
            where = [c.c[e.child_cols[0]] == t.c[e.parent_cols[0]]]
            if stays is not None and e.child in self.keys:
                cpk = c.c[self.pk(e.child)]
                where.append(sa.or_(self.outside(e.child, cpk), cpk.in_(sa.select(stays[e.child].c.id))))
            conds.append(sa.exists(sa.select(sa.literal(1)).select_from(c).where(*where)))
        return sa.or_(*conds) if conds else sa.false()

    def shared(self, table: str, t: Any) -> sa.ColumnElement[bool]:
        """An owned parent row that rows outside the tenant's data also use: left alone."""
        if self.tables[table] != "owned":
            return sa.false()
        conds = []
        for e in self.inbound(table):
            c = self.t(e.child).alias()
            where = [c.c[e.child_cols[0]] == t.c[e.parent_cols[0]]]
            if e.child in self.keys:
                where.append(self.outside(e.child, c.c[self.pk(e.child)]))
            conds.append(sa.exists(sa.select(sa.literal(1)).select_from(c).where(*where)))
        return sa.or_(*conds) if conds else sa.false()

    def outside(self, table: str, pk: Any) -> sa.ColumnElement[bool]:
        """Not one of the tenant's rows (NOT EXISTS: an anti-join, never a NOT IN that the planner may rescan)."""
        kt = self.keys[table].alias()
        return sa.not_(sa.exists(sa.select(sa.literal(1)).select_from(kt).where(kt.c.id == pk)))

    def columns(self, table: str) -> dict[str, Strategy]:
        return {c: s for c, s in self.graph.rules[table].columns.items() if s.kind != "keep"}

    def forced(self, table: str) -> bool:
        """Anonymized whether or not something refers to it: anonymize mode, or a released row with then: anonymize."""
        rule = self.graph.rules[table]
        if rule.action == "retain":
            return bool(rule.retain and rule.retain.then == "anonymize" and self.columns(table))
        return self.mode == "anonymize" and bool(self.columns(table)) or rule.action == "anonymize"

    def in_batch(self, table: str, t: Any, lo: int, hi: int) -> sa.ColumnElement[bool]:
        kt, pk = self.keys[table], t.c[self.pk(table)]
        return sa.and_(pk > lo, pk <= hi, pk.in_(sa.select(kt.c.id).where(kt.c.id > lo, kt.c.id <= hi)))

    # one batch
    def run_batch(self, table: str, lo: int, hi: int) -> dict[str, int]:
        """Apply the purge to one key range of one table, in the current transaction; counts per action."""
        t = self.t(table)
        batch = self.in_batch(table, t, lo, hi)
        kept = self.kept(table, t)
        referenced = self.referenced(table, t)
        shared = self.shared(table, t)
        columns = self.columns(table)
        forced = self.forced(table)
        counts = {a: 0 for a in ACTIONS}
        if self.graph.rules[table].action == "retain":
            counts["retain"] = int(self.conn.execute(
                sa.select(sa.func.count()).select_from(t).where(batch, kept)).scalar_one())
        if columns:
            anon = sa.and_(batch, sa.not_(kept), sa.not_(shared), sa.true() if forced else referenced)
            counts["anonymize"] = self._anonymize(table, t, anon, lo, hi)
        deletable = sa.and_(batch, sa.not_(kept), sa.not_(referenced))
        if not forced:
            counts["delete"] = int(self.conn.execute(sa.delete(t).where(deletable)).rowcount)
        left = int(self.conn.execute(sa.select(sa.func.count()).select_from(t).where(batch)).scalar_one())
        counts["review"] = max(0, left - counts["retain"] - counts["anonymize"])
        return counts

    # anonymization
    def _provider_values(self, provider: str) -> list[Any]:
        if provider not in self._values:
            seen: dict[Any, None] = {}
            def make() -> Any:  # through the proxy each time: it picks a locale per call
                return getattr(self._fake, provider)()
            misses = 0
            for _ in range(POOL_SIZE * 20):
                value = make()
                misses = misses + 1 if value in seen else 0
                seen.setdefault(value, None)
                if len(seen) >= POOL_SIZE or misses >= 300:  # full, or the provider has no more values
                    break
            self._values[provider] = list(seen)
        return self._values[provider]

    def pool(self, table: str, column: str, provider: str) -> tuple[sa.Table, bool]:
        """The pool of one column: (k, v, v2) with v2 the next value (used where v equals the original);
        unique columns get a per-batch pool keyed by the row's primary key instead."""
        if (table, column) in self._pools:
            return self._pools[(table, column)]
        col = self.connector.column(table, column)
        unique = column in self.connector.unique_columns(table)
        name = f"eraser_p_{len(self._temp.tables)}"
        pt = sa.Table(name, self._temp, sa.Column("k", sa.BigInteger, primary_key=True, autoincrement=False),
                      sa.Column("v", col.type), sa.Column("v2", col.type), prefixes=["TEMPORARY"])
        pt.create(self.conn)
        if not unique:
            fitted = list(dict.fromkeys(_fit(v, col) for v in self._provider_values(provider)))
            shift = len(self._pools) * 7919 % len(fitted)  # columns of one provider get different values
            fitted = fitted[shift:] + fitted[:shift]
            self.conn.execute(pt.insert(), [{"k": i, "v": v, "v2": fitted[(i + 1) % len(fitted)]}
                                            for i, v in enumerate(fitted)])
            if self.dialect in ("postgresql", "sqlite"):
                self.conn.execute(sa.text(f"ANALYZE {pt.name}"))  # the planner must know the pool is small
        self._pools[(table, column)] = (pt, unique)
        return pt, unique

    def _fill_unique(self, table: str, column: str, provider: str, pt: sa.Table, lo: int, hi: int) -> None:
        col = self.connector.column(table, column)
        kt = self.keys[table]
        used = self._unique_used.setdefault((table, column), set())
        self.conn.execute(pt.delete())
        ids = [r[0] for r in self.conn.execute(sa.select(kt.c.id).where(kt.c.id > lo, kt.c.id <= hi))]
        def make() -> Any:  # through the proxy each time: it picks a locale per call
            return getattr(self._fake, provider)()
        rows = []
        for k in ids:
            for attempt in range(50):
                v = _fit(make() if attempt < 10 else f"{make()}{self._fake.random_int(10, 99999)}", col)
                if v not in used:
                    used.add(v)
                    rows.append({"k": k, "v": v, "v2": v})
                    break
            else:
                raise EraserError(f"could not find unique replacements for column {column} of table {table}.")
        if rows and self.dialect == "postgresql":  # COPY: a batch's values in one round trip
            cur: Any = self.conn.connection.cursor()
            try:
                with cur.copy(f"COPY {pt.name} (k, v, v2) FROM STDIN") as copy:
                    for r in rows:
                        copy.write_row((r["k"], r["v"], r["v2"]))
            finally:
                cur.close()
        elif rows:
            self.conn.execute(pt.insert(), rows)
        t = self.t(table)
        other = t.alias()
        clash = {r[0] for r in self.conn.execute(sa.select(pt.c.v).where(sa.exists(
            sa.select(sa.literal(1)).select_from(other).where(other.c[column] == pt.c.v))))}
        for v in clash:  # a replacement another row already holds: draw again with a suffix
            fresh = _fit(f"{make()}{self._fake.random_int(100000, 999999)}", col)
            self.conn.execute(pt.update().where(pt.c.v == v).values(v=fresh, v2=fresh))

    def _anonymize(self, table: str, t: sa.Table, where: sa.ColumnElement[bool], lo: int, hi: int) -> int:
        columns = self.columns(table)
        pk = t.c[self.pk(table)]
        values: dict[str, Any] = {}
        joins: list[sa.ColumnElement[bool]] = []
        python: dict[str, Strategy] = {}
        for name, s in columns.items():
            c = t.c[name]
            if s.kind == "null":
                values[name] = sa.null()
            elif s.kind == "redact":
                values[name] = sa.literal(_fit(REDACTED, c))
            elif s.kind == "generalize" and s.arg == "year" and self.dialect != "sqlite" or \
                    s.kind == "generalize" and s.arg == "year" and c.type.python_type is date:
                values[name] = self._year(c)
            elif s.kind == "generalize" and s.arg and s.arg.isdigit() and self.dialect != "sqlite" \
                    and c.type.python_type is str:
                values[name] = self._keep_chars(c, int(s.arg))
            elif s.kind == "faker":
                assert s.arg
                pt, unique = self.pool(table, name, s.arg)
                if unique:
                    self._fill_unique(table, name, s.arg, pt, lo, hi)
                    joins.append(pt.c.k == pk)
                    values[name] = sa.case((c.is_(None), sa.null()), else_=pt.c.v)
                else:
                    joins.append(pt.c.k == pk % sa.literal_column(str(self._pool_len(pt))))
                    values[name] = sa.case((c.is_(None), sa.null()), (pt.c.v == c, pt.c.v2), else_=pt.c.v)
            else:  # hash and generalize:N, computed in Python for this batch's rows
                python[name] = s
        if python:
            rows = self.conn.execute(sa.select(pk, *[t.c[n] for n in python]).where(where)).all()
            changes = [{"_pk": r[0], **{n: self.anonymizer.replace(s, r[i + 1], t.c[n])
                                        for i, (n, s) in enumerate(python.items())}} for r in rows]
            if changes:
                stmt = sa.update(t).where(pk == sa.bindparam("_pk")).values(
                    **{n: sa.bindparam(n) for n in python})
                self.conn.execute(stmt, changes)
            if not values:
                return len(rows)
        if not values:
            return 0
        stmt = sa.update(t).where(where, *joins).values(**values)
        if self.explain is not None:  # the benchmark checks the plan of the pool join
            sql = str(stmt.compile(self.conn, compile_kwargs={"literal_binds": True}))
            self.explain.append("\n".join(r[0] for r in self.conn.exec_driver_sql("EXPLAIN " + sql)))
            return 0
        return int(self.conn.execute(stmt).rowcount)

    def _pool_len(self, pt: sa.Table) -> int:
        key = f"len:{pt.name}"
        if key not in self._values:
            self._values[key] = [self.conn.execute(sa.select(sa.func.count()).select_from(pt)).scalar_one()]
        return int(self._values[key][0])

    def _keep_chars(self, c: Any, keep: int) -> Any:
        """generalize:N in SQL: the first N characters, then every digit a 0 and every other character a *."""
        flags = ("g",) if self.dialect == "postgresql" else ()
        rest = sa.func.substr(c, keep + 1)
        masked = sa.func.regexp_replace(sa.func.regexp_replace(rest, "[^0-9]", "*", *flags), "[0-9]", "0", *flags)
        return sa.func.concat(sa.func.substr(c, 1, keep), masked)

    def _year(self, c: Any) -> Any:
        if self.dialect == "postgresql":
            return sa.func.make_date(sa.cast(sa.extract("year", c), sa.Integer), 1, 1)
        if self.dialect in ("mysql", "mariadb"):
            return sa.func.makedate(sa.extract("year", c), 1)
        return sa.func.date(c, "start of year")

    # dry run
    def estimate(self, parts: dict[str, Part]) -> None:
        """Counts per action as the purge would find them, children first, without changing anything."""
        stays: dict[str, sa.Table] = {}
        for table in self.order():
            t, part = self.t(table), parts[table]
            kt = self.keys[table]
            pk = t.c[self.pk(table)]
            mine = pk.in_(sa.select(kt.c.id))
            st, sh = self._key_table(table, "st"), self._key_table(table, "sh")
            stays[table] = st
            kept = self.kept(table, t)
            retained = int(self.conn.execute(sa.select(sa.func.count()).select_from(t).where(mine, kept))
                           .scalar_one()) if self.graph.rules[table].action == "retain" else 0
            self.conn.execute(st.insert().from_select(["id"], sa.select(pk).where(mine, kept)))
            if self.forced(table):
                self.conn.execute(st.insert().from_select(["id"], sa.select(pk).where(mine)))
            self.conn.execute(st.insert().from_select(["id"], sa.select(pk).where(
                mine, self.referenced(table, t, stays))))
            self.conn.execute(sh.insert().from_select(["id"], sa.select(pk).where(
                mine, sa.not_(kept), self.shared(table, t))))
            stay = int(self.conn.execute(sa.select(sa.func.count(sa.distinct(st.c.id)))).scalar_one())
            shared = int(self.conn.execute(sa.select(sa.func.count(sa.distinct(sh.c.id)))).scalar_one())
            other = stay - retained - shared
            part.counts = {"delete": part.rows - stay, "anonymize": other if self.columns(table) else 0,
                           "retain": retained, "review": shared + (0 if self.columns(table) else other)}

    def drop(self) -> None:
        for kt in list(self._temp.tables.values()):
            self.conn.execute(sa.text(f"DROP TABLE IF EXISTS {kt.name}"))
        self._temp = sa.MetaData()
        self.keys, self._pools = {}, {}
        self._values = {k: v for k, v in self._values.items() if not k.startswith("len:")}
        self.conn.commit()


# -- the purge ----------------------------------------------------------------------------------------------------

@dataclass
class Progress:
    """Rows done of the total, with the rate and the estimated time left."""

    total: int
    done: int = 0
    started: float = field(default_factory=time.perf_counter)

    @property
    def rate(self) -> float:
        elapsed = time.perf_counter() - self.started
        return self.done / elapsed if elapsed > 0 else 0.0

    @property
    def eta_seconds(self) -> float | None:
        return (self.total - self.done) / self.rate if self.rate else None


@dataclass
class PurgeResult:
    purge_id: str
    tenant: str
    mode: str
    parts: list[Part]
    dry_run: bool
    resumed: bool = False
    seconds: float = 0.0
    estimate_seconds: float | None = None
    estimate_basis: str = ""
    export: dict[str, Any] | None = None
    verification: dict[str, Any] = field(default_factory=dict)
    certificate: Any = None
    payload: dict[str, Any] | None = None

    def totals(self) -> dict[str, int]:
        return {a: sum(p.counts[a] for p in self.parts) for a in ACTIONS}

    @property
    def rows(self) -> int:
        return sum(p.rows for p in self.parts)


def _unfinished(store: Any, tenant: str, purge_id: str | None) -> dict[str, Any] | None:
    with store.engine.connect() as conn:
        q = sa.select(purges).where(purges.c.status != "done")
        q = q.where(purges.c.id == purge_id) if purge_id else q.where(purges.c.tenant == tenant)
        row = conn.execute(q.order_by(purges.c.created_at.desc())).first()
        return dict(row._mapping) if row else None


def _owned_keys(store: Any, purge_id: str, connector: str) -> Callable[[str], Iterator[list[int]]]:
    def keys(table: str) -> Iterator[list[int]]:
        last = -(2 ** 31)
        with store.engine.connect() as conn:
            while True:
                chunk = [r[0] for r in conn.execute(
                    sa.select(purge_keys.c.pk).where(purge_keys.c.purge_id == purge_id,
                                                     purge_keys.c.connector == connector,
                                                     purge_keys.c.table_name == table, purge_keys.c.pk > last)
                    .order_by(purge_keys.c.pk).limit(10_000))]
                if not chunk:
                    return
                yield chunk
                last = chunk[-1]
    return keys


def purge(session: Session, store: Any, tenant: str, *, mode: str | None = None, export_dir: Path | None = None,
          dry_run: bool = False, batch_size: int | None = None, purge_id: str | None = None,
          ticket: dict[str, Any] | None = None, action: str = "destroy",
          on_progress: Callable[[Progress], None] | None = None,
          on_batch: Callable[[str, int, str], None] | None = None, today: date | None = None) -> PurgeResult:
    """Purge one tenant from every connector; resumes an unfinished purge of the same tenant (or `purge_id`)."""
    refuse_undecided(session.config, "purging")
    config = session.config
    if config.tenants is None:
        raise TenantError(f"{config.path}: the config has no 'tenants:' block saying where tenants are kept.")
    mode = mode or config.tenants.mode
    size = batch_size or config.tenants.batch_size
    today = today or _now().date()
    refuse_held_tenant(config, store, tenant, today)
    started_at = _now()
    clock = time.perf_counter()
    earlier = None if dry_run or store is None else _unfinished(store, tenant, purge_id)
    pid = earlier["id"] if earlier else (purge_id or str(uuid.uuid4()))
    if earlier:
        mode = earlier["mode"]
    result = PurgeResult(pid, tenant, mode, [], dry_run, resumed=earlier is not None)
    scopes: dict[str, Scope] = {}
    conns: dict[str, sa.Connection] = {}
    try:
        for name, graph in session.graphs.items():
            conns[name] = graph.connector.engine.connect()
            scope = Scope(config, name, graph, conns[name], tenant, mode, today)
            scope.build(_owned_keys(store, pid, name) if earlier else None)
            log.info("purge scope gathered", connector=name, seconds=round(time.perf_counter() - clock, 1))
            scopes[name] = scope
            for table in scope.order():
                part = Part(name, table, scope.pk(table), scope.tables[table] == "owned")
                part.rows = scope.count(table)
                part.release = scope.release_range(table)
                if earlier is None:
                    part.batches = list(scope.boundaries(table, size))
                result.parts.append(part)
        if dry_run:
            for name, scope in scopes.items():
                scope.estimate({p.table: p for p in result.parts if p.connector == name})
            _trial(result, scopes)
            return result
        if earlier is None:
            _record(store, result, ticket, scopes, export_dir)
        _load_batches(store, result)
        if export_dir is not None or (earlier and earlier["export_dir"]):
            target = Path(earlier["export_dir"]) if earlier and earlier["export_dir"] else export_dir
            assert target is not None
            result.export = _export(store, result, scopes, target, earlier)
        _set(store, pid, status="running")
        log.info("purge planned", tenant=tenant, rows=result.rows, seconds=round(time.perf_counter() - clock, 1))
        _execute(store, result, scopes, conns, on_progress, on_batch)
        log.info("purge batches done", tenant=tenant, seconds=round(time.perf_counter() - clock, 1))
        result.verification = _verify(result, scopes, conns)
        log.info("purge verified", tenant=tenant, seconds=round(time.perf_counter() - clock, 1))
        if result.verification["result"] != "PASS":
            _set(store, pid, status="failed")
            raise VerificationError(f"the purge of tenant {tenant} did not verify: {result.verification['problems'][0]}")
        result.seconds = time.perf_counter() - clock
        result.payload = purge_payload(config, result, ticket, started_at, action)
        from eraser.certificates import certify

        result.certificate = certify(config, None, None, payload=result.payload,
                                     cert_id=str(uuid.uuid5(NAMESPACE, pid)))
        _set(store, pid, status="done", certificate_id=result.certificate.certificate_id, completed_at=_now())
        log.info("purge done", tenant=tenant, rows=result.rows, seconds=round(result.seconds, 1),
                 certificate=result.certificate.certificate_id, **result.totals())
        return result
    finally:
        for scope in scopes.values():
            try:
                scope.conn.rollback()
                scope.drop()
            except sa.exc.SQLAlchemyError:
                pass
        for conn in conns.values():
            conn.close()


def _set(store: Any, pid: str, **values: Any) -> None:
    with store.tx() as conn:
        conn.execute(purges.update().where(purges.c.id == pid).values(updated_at=_now(), **values))


def _record(store: Any, result: PurgeResult, ticket: dict[str, Any] | None, scopes: dict[str, Scope],
            export_dir: Path | None) -> None:
    plan = {"tables": [{"connector": p.connector, "table": p.table, "rows": p.rows, "owned": p.owned,
                        "release": p.release} for p in result.parts]}
    with store.tx() as conn:
        conn.execute(purges.insert().values(id=result.purge_id, tenant=result.tenant, mode=result.mode,
                                            status="planned", ticket_id=ticket["id"] if ticket else None,
                                            plan=json.dumps(plan), export_dir=str(export_dir) if export_dir else None,
                                            created_at=_now(), updated_at=_now()))
        rows = [{"purge_id": result.purge_id, "connector": p.connector, "table_name": p.table, "seq": i,
                 "lo": lo, "hi": hi, "rows": n, "status": "planned"}
                for p in result.parts for i, (lo, hi, n) in enumerate(p.batches)]
        if rows:
            conn.execute(purge_batches.insert(), rows)
        for p in result.parts:
            if p.owned:
                kt = scopes[p.connector].keys[p.table]
                for chunk in scopes[p.connector].conn.execute(sa.select(kt.c.id).order_by(kt.c.id)).partitions(10_000):
                    conn.execute(purge_keys.insert(), [{"purge_id": result.purge_id, "connector": p.connector,
                                                        "table_name": p.table, "pk": r[0]} for r in chunk])


def _load_batches(store: Any, result: PurgeResult) -> None:
    """The journaled batches (a resumed purge keeps its own) and the counts of those already done."""
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(purge_batches).where(purge_batches.c.purge_id == result.purge_id)
                            .order_by(purge_batches.c.seq)).all()
    by_table: dict[tuple[str, str], list[Any]] = {}
    for r in rows:
        by_table.setdefault((r.connector, r.table_name), []).append(r)
    for p in result.parts:
        batches = by_table.get((p.connector, p.table), [])
        p.batches = [(r.lo, r.hi, r.rows) for r in batches]
        p.rows = sum(r.rows for r in batches)
        p.counts = {a: 0 for a in ACTIONS}
        for r in batches:
            if r.status == "done":
                for a, n in json.loads(r.counts).items():
                    p.counts[a] += n


def _execute(store: Any, result: PurgeResult, scopes: dict[str, Scope], conns: dict[str, sa.Connection],
             on_progress: Callable[[Progress], None] | None, on_batch: Callable[[str, int, str], None] | None) -> None:
    with store.engine.connect() as sconn:
        status = {(r.connector, r.table_name, r.seq): (r.status, r.counts) for r in sconn.execute(
            sa.select(purge_batches).where(purge_batches.c.purge_id == result.purge_id))}
    progress = Progress(total=result.rows)
    progress.done = sum(n for p in result.parts for i, (_lo, _hi, n) in enumerate(p.batches)
                        if status[(p.connector, p.table, i)][0] == "done")
    done_before = progress.done
    progress.started = time.perf_counter()
    last_log = time.perf_counter()
    for p in result.parts:
        scope, conn = scopes[p.connector], conns[p.connector]
        for i, (lo, hi, n) in enumerate(p.batches):
            state, recorded = status[(p.connector, p.table, i)]
            if state == "done":
                continue
            clock = time.perf_counter()
            counts = scope.run_batch(p.table, lo, hi)
            if state == "pending" and recorded:  # committed before, but not marked done: keep what it did then
                before = json.loads(recorded)
                counts = {a: max(counts[a], before.get(a, 0)) for a in ACTIONS}
            key = (purge_batches.c.purge_id == result.purge_id, purge_batches.c.connector == p.connector,
                   purge_batches.c.table_name == p.table, purge_batches.c.seq == i)
            with store.tx() as sconn:
                sconn.execute(purge_batches.update().where(*key).values(status="pending", counts=json.dumps(counts)))
            if on_batch is not None:
                on_batch(p.table, i, "journaled")  # executed and journaled, not yet committed
            conn.commit()
            if on_batch is not None:
                on_batch(p.table, i, "committed")  # committed, not yet marked done
            with store.tx() as sconn:
                sconn.execute(purge_batches.update().where(*key).values(status="done",
                                                                        seconds=time.perf_counter() - clock))
            for a in ACTIONS:
                p.counts[a] += counts[a]
            progress.done += n
            if on_progress is not None:
                on_progress(progress)
            if time.perf_counter() - last_log >= 10 or progress.done == progress.total:
                last_log = time.perf_counter()
                eta = progress.eta_seconds
                log.info("purge progress", tenant=result.tenant, rows_done=progress.done, rows_total=progress.total,
                         rows_per_second=round((progress.done - done_before) /
                                               max(time.perf_counter() - progress.started, 1e-9)),
                         eta_seconds=None if eta is None else round(eta), table=p.table)


def _verify(result: PurgeResult, scopes: dict[str, Scope], conns: dict[str, sa.Connection]) -> dict[str, Any]:
    """Gather the tenant's rows again: every row still there must be retained, anonymized or left for review, in
    the numbers the batches counted; no foreign key may dangle."""
    problems: list[str] = []
    tables = []
    for name, scope in scopes.items():
        owned: dict[str, list[int]] = {}
        for p in result.parts:
            if p.connector == name and p.owned:
                kt = scope.keys[p.table]
                owned[p.table] = [r[0] for r in scope.conn.execute(sa.select(kt.c.id))]
        scope.drop()
        scope.build(_given(owned))
        for p in (p for p in result.parts if p.connector == name):
            t = scope.t(p.table)
            mine = t.c[p.pk].in_(sa.select(scope.keys[p.table].c.id))
            remaining = int(scope.conn.execute(sa.select(sa.func.count()).select_from(t).where(mine)).scalar_one())
            expected = p.counts["anonymize"] + p.counts["retain"] + p.counts["review"]
            deletable = int(scope.conn.execute(sa.select(sa.func.count()).select_from(t).where(
                mine, sa.not_(scope.kept(p.table, t)), sa.not_(scope.referenced(p.table, t)),
                sa.false() if scope.forced(p.table) else sa.true())).scalar_one())
            tables.append({"connector": name, "table": p.table, "remaining": remaining, "expected": expected,
                           "deletable_left": deletable})
            if remaining != expected:
                problems.append(f"{p.table}: {remaining} row(s) of the tenant remain, {expected} expected")
            if deletable:
                problems.append(f"{p.table}: {deletable} row(s) of the tenant that should be gone remain")
        dangling = scope.connector.integrity_problems(scope.conn)
        problems += dangling
        scope.conn.rollback()
    return {"result": "FAIL" if problems else "PASS", "problems": problems, "tables": tables,
            "residual_rows_outside_retained": sum(t["deletable_left"] for t in tables)}


def _given(owned: dict[str, list[int]]) -> Callable[[str], Iterator[list[int]]]:
    def keys(table: str) -> Iterator[list[int]]:
        if owned.get(table):
            yield owned[table]
    return keys


def _trial(result: PurgeResult, scopes: dict[str, Scope]) -> None:
    """Time one batch of the largest table and roll it back: the estimate's throughput."""
    parts = [p for p in result.parts if p.batches]
    if not parts:
        result.estimate_seconds, result.estimate_basis = 0.0, "nothing to purge"
        return
    p = max(parts, key=lambda p: p.rows)
    scope = scopes[p.connector]
    lo, hi, n = p.batches[0]
    clock = time.perf_counter()
    try:
        scope.run_batch(p.table, lo, hi)
    finally:
        scope.conn.rollback()
    rate = n / max(time.perf_counter() - clock, 1e-6)
    result.estimate_seconds = result.rows / rate
    result.estimate_basis = f"a trial batch of {n:,} row(s) of {p.table}, rolled back: {rate:,.0f} rows/s"


# -- the return package -------------------------------------------------------------------------------------------

README = """Return package: the data of tenant {tenant}
=================================================

Written by {organisation} on {generated_at} before the end-of-contract destruction of this tenant's data.

Per table, `CONNECTOR/TABLE.jsonl` holds one JSON object per row (column -> value; dates and times in ISO 8601,
decimals as strings) and `CONNECTOR/TABLE.csv` the same rows as CSV with a header line (UTF-8). `manifest.json`
lists every file with its row count, size and SHA-256; `manifest.json.sha256` holds the manifest's own SHA-256
(check with `sha256sum -c manifest.json.sha256`, then each file against the manifest). The manifest's SHA-256
is also written in the signed destruction certificate.
"""


def _export(store: Any, result: PurgeResult, scopes: dict[str, Scope], target: Path,
            earlier: dict[str, Any] | None) -> dict[str, Any]:
    from eraser.export import jsonable

    if earlier and earlier["export_sha256"] and target.exists():
        digest = verify_package(target)
        if digest != earlier["export_sha256"]:
            raise EraserError(f"the return package {target} changed since it was written; refusing to go on.")
        return _package_summary(target, digest)
    if target.exists():
        raise EraserError(f"{target} already exists; give a new directory for the return package.")
    config = scopes[next(iter(scopes))].config
    tmp = target.parent / f".{target.name}.tmp-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True, mode=0o700)
    files = []
    for p in result.parts:
        scope = scopes[p.connector]
        t = scope.t(p.table)
        cols = [c.name for c in t.c]
        (tmp / p.connector).mkdir(exist_ok=True)
        stmt = sa.select(t).where(t.c[p.pk].in_(sa.select(scope.keys[p.table].c.id))).order_by(t.c[p.pk])
        paths = {ext: tmp / p.connector / f"{p.table}.{ext}" for ext in ("jsonl", "csv")}
        rows = 0
        with paths["jsonl"].open("w", encoding="utf-8") as jf, paths["csv"].open("w", encoding="utf-8",
                                                                                    newline="") as cf:
            writer = csv.writer(cf)
            writer.writerow(cols)
            result_rows = scope.conn.execute(stmt.execution_options(stream_results=True, yield_per=5000))
            for row in result_rows:
                data = {c: jsonable(v) for c, v in zip(cols, row, strict=True)}
                jf.write(json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n")
                writer.writerow(["" if v is None else v if isinstance(v, str) else json.dumps(v) for v in data.values()])
                rows += 1
        for path in paths.values():
            files.append({"path": str(path.relative_to(tmp)), "rows": rows, "bytes": path.stat().st_size,
                          "sha256": _sha256(path)})
    generated_at = _now().replace(microsecond=0).isoformat().replace("+00:00", "Z")
    (tmp / "README.txt").write_text(README.format(tenant=result.tenant, organisation=config.organisation,
                                                  generated_at=generated_at), encoding="utf-8")
    files.append({"path": "README.txt", "bytes": (tmp / "README.txt").stat().st_size,
                  "sha256": _sha256(tmp / "README.txt")})
    manifest = json.dumps({"tenant": result.tenant, "generated_at": generated_at, "purge_id": result.purge_id,
                           "files": files}, indent=2, sort_keys=True).encode() + b"\n"
    (tmp / "manifest.json").write_bytes(manifest)
    digest = hashlib.sha256(manifest).hexdigest()
    (tmp / "manifest.json.sha256").write_text(f"{digest}  manifest.json\n")
    for path in tmp.rglob("*"):
        if path.is_file():
            with path.open("rb") as fh:
                os.fsync(fh.fileno())
    os.rename(tmp, target)
    if verify_package(target) != digest:  # read back from where the receiver will read it
        raise EraserError(f"the return package {target} does not read back as written; nothing was destroyed.")
    _set(store, result.purge_id, export_dir=str(target), export_sha256=digest)
    log.info("return package written", tenant=result.tenant, files=len(files), manifest_sha256=digest)
    return _package_summary(target, digest)


def _package_summary(target: Path, digest: str) -> dict[str, Any]:
    manifest = json.loads((target / "manifest.json").read_text())
    return {"directory": str(target), "manifest_sha256": digest, "files": len(manifest["files"]),
            "rows": sum(f.get("rows", 0) for f in manifest["files"] if f["path"].endswith(".jsonl"))}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_package(target: Path) -> str:
    """Re-read every file of a return package against its manifest; the manifest's SHA-256, or EraserError."""
    manifest = (target / "manifest.json").read_bytes()
    digest = hashlib.sha256(manifest).hexdigest()
    recorded = (target / "manifest.json.sha256").read_text().split()[0]
    if recorded != digest:
        raise EraserError(f"{target}/manifest.json does not match manifest.json.sha256.")
    for f in json.loads(manifest)["files"]:
        if _sha256(target / f["path"]) != f["sha256"]:
            raise EraserError(f"{target}/{f['path']} does not match its SHA-256 in the manifest.")
    return digest


# -- the certificate ----------------------------------------------------------------------------------------------

def purge_payload(config: Config, result: PurgeResult, ticket: dict[str, Any] | None, started_at: datetime,
                  action: str) -> dict[str, Any]:
    """The tenant-wide certificate: counts per table and action, retained rows with basis and release range,
    the return package's manifest digest, the verification, what remains in backups. No row value."""
    from eraser.certificates import software

    def iso(moment: datetime) -> str:
        return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")

    completed = _now()
    databases: dict[str, list[dict[str, Any]]] = {}
    retained = []
    for p in result.parts:
        rule: TableRule = config.connectors[p.connector].tables[p.table]
        entry: dict[str, Any] = {"table": p.table, "rows": p.rows, "counts": dict(p.counts)}
        if rule.category:
            entry["category"] = rule.category
        if p.counts["anonymize"]:
            entry["strategies"] = {c: str(s) for c, s in sorted(rule.columns.items())}
        databases.setdefault(p.connector, []).append(entry)
        if p.counts["retain"] and rule.retain is not None:
            retained.append({"connector": p.connector, "table": p.table, "rows": p.counts["retain"],
                             "basis": rule.retain.basis, "period": rule.retain.period,
                             "counted_from": rule.retain.from_,
                             "release_first": (p.release or {}).get("first"),
                             "release_last": (p.release or {}).get("last")})
    backups_until = add_period(completed.date(), config.backups.retention)
    received = ticket["received_at"] if ticket else started_at
    return {
        "certificate": {"type": "purge"},
        "issuer": {"organisation": config.organisation, "role": config.role, "software": software()},
        "controller": config.controller_name,
        "ticket": {"reference": (ticket.get("external_ref") or ticket["id"]) if ticket else f"purge:{result.purge_id}",
                   "kind": "purge", "received_at": iso(received), "started_at": iso(started_at),
                   "completed_at": iso(completed)},
        "legal_ground": "End of the contract: all personal data deleted, or returned and then deleted, at the end "
                        "of the provision of services (GDPR Art. 28(3)(g))",
        "tenant": {"code": result.tenant, "action": action, "mode": result.mode},
        "outcome": "purged_with_retention" if any(r["rows"] for r in retained) else "purged",
        "totals": result.totals(),
        "databases": [{"connector": n, "tables": t} for n, t in sorted(databases.items())],
        "retained": retained,
        "export": result.export,
        "verification": result.verification,
        "execution": {"purge_id": result.purge_id, "batches": sum(len(p.batches) for p in result.parts),
                      "resumed": result.resumed},
        "remaining_copies": {
            "statement": ("This is logical deletion in the databases named above, not sanitization of storage "
                          "media: deleted rows stay in dead tuples until VACUUM (OPTIMIZE TABLE on MariaDB) and in "
                          "the write-ahead log or binary log until it is recycled. Backups (" +
                          config.backups.description + ") keep copies until they expire; after any restore, the "
                          "purge must be applied again."),
            "backups_retention": config.backups.retention,
            "backups_expire_on": backups_until.isoformat()},
    }


def seconds_text(seconds: float | None) -> str:
    if seconds is None:
        return "unknown"
    return str(timedelta(seconds=round(seconds)))


def dry_run_text(result: PurgeResult) -> str:
    """The dry run as a table: rows per action, release-date range of retained rows, estimated time."""
    out = io.StringIO()
    out.write(f"Purge of tenant {result.tenant} ({result.mode} mode): {result.rows:,} row(s) in "
              f"{len(result.parts)} table(s); nothing changed.\n")
    out.write(f"{'table':<28}{'delete':>10}{'anonymize':>11}{'retain':>10}{'review':>9}  retained until\n")
    for p in result.parts:
        c = p.counts
        rel = f"{p.release['first']} .. {p.release['last']}" if p.release and c["retain"] else ""
        out.write(f"{p.connector + '.' + p.table:<28}{c['delete']:>10,}{c['anonymize']:>11,}{c['retain']:>10,}"
                  f"{c['review']:>9,}  {rel}\n")
    t = result.totals()
    out.write(f"{'total':<28}{t['delete']:>10,}{t['anonymize']:>11,}{t['retain']:>10,}{t['review']:>9,}\n")
    out.write(f"Estimated time: {seconds_text(result.estimate_seconds)} ({result.estimate_basis}).\n")
    return out.getvalue()


# -- the daemon ---------------------------------------------------------------------------------------------------

def process_ticket(worker: Any, ticket: dict[str, Any]) -> None:
    """A `purge` ticket (recorded at a contract's end): the purge, resumed at its next batch if a worker died, then
    the ticket closed with the tenant-wide certificate."""
    from eraser.certificates import ready_to_certify
    from eraser.rights import exports_directory
    from eraser.state import now

    config, store, node, tid = worker.config, worker.store, worker.node, ticket["id"]
    tenant = ticket["tenant"]
    if not tenant:
        raise TenantError(f"purge ticket {tid} names no tenant.")
    contract = next((c for c in config.contracts if c.tenant == tenant), None)
    action = contract.action if contract else "destroy"
    pid = str(uuid.uuid5(NAMESPACE, f"ticket:{tid}"))
    ready_to_certify(config)
    store.update(tid, node, "running", f"purge of tenant {tenant} ({action})", status="running", started_at=now())
    with store.engine.connect() as conn:
        done = conn.execute(sa.select(purges).where(purges.c.id == pid, purges.c.status == "done")).first()
    if done is None:
        export = exports_directory(config) / f"purge-{tid}" if action == "return_and_destroy" else None
        result = purge(worker.session(), store, tenant, export_dir=export, purge_id=pid, ticket=ticket, action=action)
        certificate_id = result.certificate.certificate_id
    else:  # purged and certified, but the ticket was not closed
        certificate_id = done.certificate_id
    from eraser.certificates import _chain_files, read_jws

    path = next(p for p in _chain_files(config.certificates) if p.name[7:].startswith(certificate_id))
    body = path.read_text(encoding="utf-8")
    status = "done_with_retention" if read_jws(path)[1]["totals"]["retain"] else "done"
    store.finish(tid, node, status, {"id": certificate_id, "type": "purge", "parent_id": None,
                                     "sequence": int(path.name[:6]), "path": str(path),
                                     "sha256": hashlib.sha256(body.encode()).hexdigest(), "body": body}, [])
    worker.processed += 1
    log.info("ticket done", kind="purge", tenant=tenant, certificate=certificate_id)
