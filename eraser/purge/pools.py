"""Anonymization at database speed: Faker values drawn once per provider into temporary pool tables keyed by an
integer (the row's primary key modulo the pool size, a prime, so keys in any arithmetic step, such as every tenth
row, still reach every value), applied with one UPDATE ... FROM (JOIN on MariaDB) per
batch; unique columns get a value per row. Tables without one integer key get their values computed in Python,
batch by batch. Nothing holds all rows in Python."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import sqlalchemy as sa

from eraser.engine.anonymize import REDACTED, Anonymizer, _fit, make_faker
from eraser.errors import EraserError
from eraser.purge.rules import columns
from eraser.purge.scope import Scope, after, up_to
from eraser.table_rules import Strategy

POOL_SIZE = 1009  # a prime: >= 500 distinct values per column, and about half the Faker calls of 2,000
MISSES = 200  # draws in a row that found no new value: the provider has no more


def prime_at_most(n: int) -> int:
    """The largest prime <= n (n itself below 2): a pool of that length spreads keys of any step."""
    for m in range(n, 1, -1):
        if all(m % d for d in range(2, int(m ** 0.5) + 1)):
            return m
    return n


class Pools:
    """One connector's pools and the per-batch UPDATE that applies a table's `columns:`."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self._fake = make_faker(scope.config.locale)
        self._values: dict[str, list[Any]] = {}
        self._pools: dict[tuple[str, str], tuple[sa.Table, bool]] = {}
        self._anonymizer: Anonymizer | None = None
        self.explain: list[str] | None = None
        self._drawing: threading.Thread | None = None
        self._failed: BaseException | None = None

    def prefetch(self) -> None:
        """Draw the Faker values of every pooled column in a thread while the scope is gathered and checked (the
        database's work, during which this process waits); the first use of a pool or of Faker waits for it. The
        values are the same as drawn on first use: only that thread touches Faker until it is done."""
        scope = self.scope
        providers = list(dict.fromkeys(
            s.arg for table in scope.order() if scope.int_key(table) for name, s in columns(scope, table).items()
            if s.kind == "faker" and s.arg and name not in scope.connector.unique_columns(table)))
        if not providers or self._drawing is not None:
            return

        def draw() -> None:
            try:
                for provider in providers:
                    self._draw(provider)
            except BaseException as exc:  # raised again where the values are used
                self._failed = exc
        self._drawing = threading.Thread(target=draw, name="eraser-purge-pools", daemon=True)
        self._drawing.start()

    def wait(self) -> None:
        """Wait for the values drawn in the thread; its error, if it failed."""
        if self._drawing is not None:
            self._drawing.join()
            self._drawing = None
            if self._failed is not None:
                raise self._failed

    @property
    def anonymizer(self) -> Anonymizer:
        """For the strategies computed in Python (hash, generalize:N on SQLite), made on first use."""
        if self._anonymizer is None:
            self._anonymizer = Anonymizer(self.scope.config.locale, self.scope.config.secret_bytes())
        return self._anonymizer

    def forget(self) -> None:
        """The pool tables went with the scope's temporary tables."""
        self._pools = {}
        self._values = {k: v for k, v in self._values.items() if not k.startswith("len:")}

    def _provider_values(self, provider: str) -> list[Any]:
        self.wait()
        return self._draw(provider)

    def _draw(self, provider: str) -> list[Any]:
        if provider not in self._values:
            seen: dict[Any, None] = {}
            misses = 0
            for _ in range(POOL_SIZE * 20):
                value = getattr(self._fake, provider)()  # through the proxy each time: it picks a locale per call
                misses = misses + 1 if value in seen else 0
                seen.setdefault(value, None)
                if len(seen) >= POOL_SIZE or misses >= MISSES:  # full, or the provider has no more values
                    break
            self._values[provider] = list(seen)
        return self._values[provider]

    def pool(self, table: str, column: str, provider: str) -> tuple[sa.Table, bool]:
        """The pool of one column: (k, v, v2) with v2 the next value (used where v equals the original);
        unique columns get a per-batch pool keyed by the row's primary key instead."""
        if (table, column) in self._pools:
            return self._pools[(table, column)]
        scope = self.scope
        col = scope.connector.column(table, column)
        unique = column in scope.connector.unique_columns(table)
        name = f"eraser_p_{len(scope._temp.tables)}"
        pt = sa.Table(name, scope._temp, sa.Column("k", sa.BigInteger, primary_key=True, autoincrement=False),
                      sa.Column("v", col.type), sa.Column("v2", col.type), prefixes=["TEMPORARY"])
        scope.run(sa.schema.CreateTable(pt))
        if not unique:
            fitted = list(dict.fromkeys(_fit(v, col) for v in self._provider_values(provider)))
            fitted = fitted[:prime_at_most(len(fitted))]
            shift = len(self._pools) * 7919 % len(fitted)  # columns of one provider get different values
            fitted = fitted[shift:] + fitted[:shift]
            _load(scope, pt, [(i, v, fitted[(i + 1) % len(fitted)]) for i, v in enumerate(fitted)])
            if scope.dialect in ("postgresql", "sqlite"):
                scope.run(sa.text(f"ANALYZE {pt.name}"))  # the planner must know the pool is small
        self._pools[(table, column)] = (pt, unique)
        return pt, unique

    def _fill_unique(self, table: str, column: str, provider: str, pt: sa.Table, lo: Any, hi: Any) -> None:
        self.wait()
        scope = self.scope
        col = scope.connector.column(table, column)
        cols = scope.key_cols(scope.keys[table])
        used: set[Any] = set()  # this batch's values; those of rows outside it are found by the clash check below
        scope.run(pt.delete())
        ids = [r[0] for r in scope.run(sa.select(*cols).where(after(cols, lo), up_to(cols, hi)))]

        def make() -> Any:  # through the proxy each time: it picks a locale per call
            return getattr(self._fake, provider)()
        rows: list[tuple[Any, Any, Any]] = []
        for k in ids:
            for attempt in range(50):
                v = _fit(make() if attempt < 10 else f"{make()}{self._fake.random_int(10, 99999)}", col)
                if v not in used:
                    used.add(v)
                    rows.append((k, v, v))
                    break
            else:
                raise EraserError(f"could not find unique replacements for column {column} of table {table}.")
        _load(scope, pt, rows)
        del rows, ids, used
        other = scope.t(table).alias()
        clash = {r[0] for r in scope.run(sa.select(pt.c.v).where(sa.exists(
            sa.select(sa.literal(1)).select_from(other).where(other.c[column] == pt.c.v))))}
        for v in clash:  # a replacement another row already holds: draw again with a suffix
            fresh = _fit(f"{make()}{self._fake.random_int(100000, 999999)}", col)
            scope.run(pt.update().where(pt.c.v == v).values(v=fresh, v2=fresh))

    def anonymize(self, table: str, t: sa.Table, where: sa.ColumnElement[bool], lo: Any, hi: Any) -> int:
        """Apply the table's `columns:` to the rows `where` selects; the number of rows changed."""
        scope = self.scope
        pk = scope.pk_cols(table, t)
        values: dict[str, Any] = {}
        joins: list[sa.ColumnElement[bool]] = []
        python: dict[str, Strategy] = {}
        for name, s in columns(scope, table).items():
            c = t.c[name]
            if not scope.int_key(table):
                python[name] = s
            elif s.kind == "null":
                values[name] = sa.null()
            elif s.kind == "redact":
                values[name] = sa.literal(_fit(REDACTED, c))
            elif s.kind == "generalize" and s.arg == "year" and (scope.dialect != "sqlite" or
                                                                   c.type.python_type is date):
                values[name] = self._year(c)
            elif s.kind == "generalize" and s.arg and s.arg.isdigit() and scope.dialect != "sqlite" \
                    and c.type.python_type is str:
                values[name] = self._keep_chars(c, int(s.arg))
            elif s.kind == "faker":
                assert s.arg
                pt, unique = self.pool(table, name, s.arg)
                if unique:
                    self._fill_unique(table, name, s.arg, pt, lo, hi)
                    joins.append(pt.c.k == pk[0])
                    values[name] = sa.case((c.is_(None), sa.null()), else_=pt.c.v)
                else:
                    joins.append(pt.c.k == sa.func.abs(pk[0] % sa.literal_column(str(self._pool_len(pt)))))
                    values[name] = sa.case((c.is_(None), sa.null()), (pt.c.v == c, pt.c.v2), else_=pt.c.v)
            else:  # hash and generalize:N, computed in Python for this batch's rows
                python[name] = s
        if python:
            rows = scope.run(sa.select(*pk, *[t.c[n] for n in python]).where(where)).all()
            width = len(pk)
            changes = [{**{f"_k{i}": r[i] for i in range(width)},
                        **{n: self.anonymizer.replace(s, r[width + i], t.c[n]) for i, (n, s) in enumerate(python.items())}}
                       for r in rows]
            if changes:
                stmt = sa.update(t).where(*(c == sa.bindparam(f"_k{i}") for i, c in enumerate(pk))).values(
                    **{n: sa.bindparam(n) for n in python})
                scope.run(stmt, changes)
            if not values:
                return len(rows)
        if not values:
            return 0
        stmt = sa.update(t).where(where, *joins).values(**values)
        if self.explain is not None:  # the benchmark checks the plan of the pool join
            sql = str(stmt.compile(scope.conn, compile_kwargs={"literal_binds": True}))
            self.explain.append("\n".join(r[0] for r in scope.conn.exec_driver_sql("EXPLAIN " + sql)))
            return 0
        return int(scope.run(stmt).rowcount)

    def _pool_len(self, pt: sa.Table) -> int:
        key = f"len:{pt.name}"
        if key not in self._values:
            self._values[key] = [self.scope.run(sa.select(sa.func.count()).select_from(pt)).scalar_one()]
        return int(self._values[key][0])

    def _keep_chars(self, c: Any, keep: int) -> Any:
        """generalize:N in SQL: the first N characters, then every digit a 0 and every other character a *."""
        flags = ("g",) if self.scope.dialect == "postgresql" else ()
        rest = sa.func.substr(c, keep + 1)
        masked = sa.func.regexp_replace(sa.func.regexp_replace(rest, "[^0-9]", "*", *flags), "[0-9]", "0", *flags)
        return sa.func.concat(sa.func.substr(c, 1, keep), masked)

    def _year(self, c: Any) -> Any:
        if self.scope.dialect == "postgresql":
            return sa.func.make_date(sa.cast(sa.extract("year", c), sa.Integer), 1, 1)
        if self.scope.dialect in ("mysql", "mariadb"):
            return sa.func.makedate(sa.extract("year", c), 1)
        return sa.func.date(c, "start of year")


def _load(scope: Scope, pt: sa.Table, rows: list[tuple[Any, Any, Any]]) -> None:
    """(k, v, v2) rows into a pool table: COPY on PostgreSQL (one round trip), one executemany elsewhere."""
    if not rows:
        return
    if scope.dialect == "postgresql":
        cur: Any = scope.conn.connection.cursor()
        try:
            with cur.copy(f"COPY {pt.name} (k, v, v2) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row(r)
        finally:
            cur.close()
    else:
        scope.run(pt.insert(), [{"k": k, "v": v, "v2": v2} for k, v, v2 in rows])
