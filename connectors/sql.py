"""SQLAlchemy Core connector shared by SQLite, PostgreSQL and MySQL/MariaDB.

Table and column names come from the reflected schema only; values are always bound parameters.
Every statement goes through `_run`, which counts it and logs its template (never its values).
"""

from __future__ import annotations

import difflib
import warnings
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import structlog
from sqlalchemy.engine import Connection, Engine, make_url

from connectors import schema_cache
from connectors.base import DialectSpecifics, Edge, Key, Row
from connectors.collation import Folding, case_folding, prefix_clause
from eraser.errors import ConfigError, ConnectError
from eraser.extras import driver_hint

CHUNK = 500
REFLECTS_COLLATION = tuple(int(p) for p in sa.__version__.split(".")[:2]) >= (2, 1)
log = structlog.get_logger("eraser.connector")


def masked_url(url: str) -> str:
    """The URL as it may be shown: password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable URL>"


def location(url: str) -> str:
    """host:port (or the SQLite file) of a URL, for error messages."""
    try:
        parsed = make_url(url)
    except Exception:
        return "<unparseable URL>"
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or ":memory:"
    default_port = {"postgresql": 5432, "mysql": 3306, "mariadb": 3306}.get(parsed.get_backend_name(), "")
    return f"{parsed.host or 'localhost'}:{parsed.port or default_port}"


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class SQLConnector:
    """One database: its reflected schema and the handful of statements erasure needs."""

    def __init__(self, name: str, url: str, schema: str | None = None) -> None:
        self.name = name
        self.url = url
        self.schema = schema
        self.statements = 0
        self._folding: dict[tuple[str, str], Folding | None] = {}
        self._templates: deque[str] = deque(maxlen=200)  # the latest statements, for a dry run or a log
        self.schema_from_cache = False
        backend = self._backend(url)
        self.specifics = specifics_for(self.name, backend)
        self.dialect = self.specifics.name
        self.engine = self._engine(url)
        self.metadata = self._reflect()

    # -- set-up -------------------------------------------------------------------------------

    def _backend(self, url: str) -> str:
        try:
            return make_url(url).get_backend_name()
        except Exception:
            raise ConfigError(f"connector '{self.name}': the url is not a database URL "
                              "(e.g. postgresql+psycopg://user@host/db).") from None

    def _engine(self, url: str) -> Engine:
        parsed = make_url(url)
        if self.specifics.name == "sqlite":
            db = parsed.database
            if not db or db == ":memory:":
                raise ConfigError(f"connector '{self.name}': the SQLite URL names no database file "
                                  "(an in-memory database holds nothing to erase).")
            if not Path(db).exists():
                raise ConnectError(f"connector '{self.name}': SQLite database file {db} does not exist.")
        try:
            engine = sa.create_engine(url, hide_parameters=True, **self.specifics.engine_options())
        except ModuleNotFoundError as exc:
            raise ConnectError(f"connector '{self.name}': the database driver {exc.name} is not installed"
                               f"{driver_hint(exc.name)}.") from None
        except sa.exc.ArgumentError:
            raise ConfigError(f"connector '{self.name}': {masked_url(url)} is not a usable database URL.") from None
        self.specifics.on_engine(engine)
        return engine

    def _reflect(self) -> sa.MetaData:
        """The schema, from the cache while the catalog's fingerprint is unchanged (connectors.schema_cache)."""
        try:
            before = schema_cache.fingerprint(self.engine, self.dialect, self.schema)
            if (cached := schema_cache.load(self.url, self.schema, before)) is not None:
                self.schema_from_cache = True
                return cached
            metadata = sa.MetaData()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", sa.exc.SAWarning)  # expression indexes SQLAlchemy cannot map
                metadata.reflect(self.engine, schema=self.schema)
            if before is not None and schema_cache.fingerprint(self.engine, self.dialect, self.schema) == before:
                schema_cache.store(self.url, self.schema, before, metadata)  # unchanged while it was read
        except sa.exc.OperationalError as exc:
            raise self._unreachable(exc) from None
        except sa.exc.SQLAlchemyError as exc:
            raise ConnectError(f"cannot read the schema of connector '{self.name}' at {location(self.url)}: "
                               f"{type(exc).__name__}.") from None
        return metadata

    def _unreachable(self, exc: sa.exc.OperationalError) -> ConnectError:
        """One sentence with host:port and the driver's first line, the password masked out of it."""
        orig = exc.orig
        if orig is not None and len(orig.args) == 2 and isinstance(orig.args[0], int):
            reason = f"{orig.args[1]} (error {orig.args[0]})"  # PyMySQL's (code, message)
        else:
            reason = str(orig).strip() if orig is not None else ""
        reason = reason.splitlines()[0].strip().rstrip(".") if reason.strip() else "connection failed"
        try:
            password = make_url(self.url).password
        except Exception:
            password = None
        if password:
            reason = reason.replace(str(password), "***")
        return ConnectError(f"cannot reach database of connector '{self.name}' at {location(self.url)}: {reason}.")

    def dispose(self) -> None:
        self.engine.dispose()

    # -- schema -------------------------------------------------------------------------------

    def _key(self, table: str) -> str:
        return f"{self.schema}.{table}" if self.schema else table

    def table_names(self) -> list[str]:
        return sorted(t.name for t in self.metadata.tables.values())

    def table(self, name: str) -> sa.Table:
        table = self.metadata.tables.get(self._key(name))
        if table is None:
            close = difflib.get_close_matches(name, self.table_names(), n=3)
            hint = f" (closest: {', '.join(close)})" if close else ""
            raise ConfigError(f"table '{name}' does not exist in connector '{self.name}'{hint}.")
        return table

    def column(self, table: str, column: str) -> sa.Column[Any]:
        tab = self.table(table)
        if column not in tab.c:
            close = difflib.get_close_matches(column, [c.name for c in tab.c], n=3)
            hint = f" (closest: {', '.join(close)})" if close else ""
            raise ConfigError(f"column '{column}' does not exist in table '{table}' of connector '{self.name}'{hint}.")
        return tab.c[column]

    def columns(self, table: str) -> list[str]:
        return [c.name for c in self.table(table).c]

    def primary_key(self, table: str) -> tuple[str, ...]:
        tab = self.table(table)
        pk = tuple(c.name for c in tab.primary_key.columns)
        if not pk:
            raise ConfigError(f"table '{table}' of connector '{self.name}' has no primary key; "
                              "Eraser needs one to address rows exactly.")
        return pk

    def edges(self) -> list[Edge]:
        found = []
        for tab in self.metadata.tables.values():
            for fk in tab.foreign_key_constraints:
                parent = fk.referred_table
                if parent.schema != tab.schema:
                    continue
                found.append(Edge(tab.name, tuple(fk.column_keys),
                                  parent.name, tuple(e.column.name for e in fk.elements)))
        return found

    def unique_columns(self, table: str) -> set[str]:
        tab = self.table(table)
        unique = {c.name for c in tab.c if c.unique}
        for cons in tab.constraints:
            if isinstance(cons, sa.UniqueConstraint) and len(cons.columns) == 1:
                unique |= {c.name for c in cons.columns}
        for index in tab.indexes:
            cols = [c for c in index.columns if isinstance(c, sa.Column)]
            if index.unique and len(cols) == 1 and len(index.expressions) == 1:
                unique.add(cols[0].name)
        if len(tab.primary_key.columns) == 1:
            unique |= {c.name for c in tab.primary_key.columns}
        return unique

    def indexed_prefixes(self, table: str) -> list[tuple[str, ...]]:
        """Leading column tuples that some index (or the primary key) can serve."""
        tab = self.table(table)
        found = [tuple(c.name for c in tab.primary_key.columns)]
        for index in tab.indexes:
            found.append(tuple(c.name for c in index.columns if isinstance(c, sa.Column)))
        for cons in tab.constraints:
            if isinstance(cons, sa.UniqueConstraint):
                found.append(tuple(c.name for c in cons.columns))
        return [f for f in found if f]

    def has_index(self, table: str, cols: Sequence[str]) -> bool:
        wanted = tuple(cols)
        return any(prefix[:len(wanted)] == wanted for prefix in self.indexed_prefixes(table))

    def index_statement(self, table: str, cols: Sequence[str]) -> str:
        prep = self.engine.dialect.identifier_preparer
        name = prep.quote(f"ix_{table}_{'_'.join(cols)}")
        return f"CREATE INDEX {name} ON {prep.format_table(self.table(table))} ({', '.join(prep.quote(c) for c in cols)});"

    def lookup_expression(self, table: str, column: str, kind: str) -> Any:
        """What an identifier column is compared by: folded (email), its digits (phone), or as stored (exact)."""
        return lookup_expression(self.specifics, self.table(table), column, kind)

    def _sql(self, stmt: Any) -> str:
        return str(stmt.compile(dialect=self.engine.dialect, compile_kwargs={"literal_binds": True}))

    def case_folding(self, table: str, column: str) -> Folding | None:
        """For an email column whose collation ignores case, how it treats whitespace (connectors.collation);
        None when the lookup folds the column itself. Asked once per column."""
        key = (table, column)
        if key not in self._folding:
            declared = getattr(self.column(table, column).type, "collation", None)
            # SQLAlchemy reflects a PostgreSQL column's collation from 2.1 on: before, None means "not known"
            known = declared is not None or REFLECTS_COLLATION
            if self.dialect not in ("mysql", "postgresql") or \
                    (self.dialect == "postgresql" and known and declared in (None, "C", "POSIX", "default")):
                self._folding[key] = None  # PostgreSQL's database default is deterministic: nothing to ask
            else:
                with self.read() as conn:
                    self._folding[key] = case_folding(self, conn, table, column)
        return self._folding[key]

    def lookup_clause(self, table: str, column: str, kind: str, values: Sequence[str]) -> Any:
        """What finds the values in an identifier column (a superset: matching.Lookup.confirms decides). An email
        column with a case-insensitive collation is compared as itself, through its own index."""
        if kind == "email" and (folding := self.case_folding(table, column)) is not None:
            return prefix_clause(self.dialect, self.table(table).c[column], values, folding)
        if kind == "phone" and (faster := self.specifics.digits_in(self.table(table).c[column], list(values))) is not None:
            return faster  # MariaDB: a REGEXP with the same answer (connectors/mysql.py)
        return self.lookup_expression(table, column, kind).in_(list(values))

    def lookup_indexed(self, table: str, column: str, kind: str) -> bool:
        """Whether the database answers a lookup of this identifier column through an index (its query plan)."""
        probe: Any = sa.select(sa.literal_column("1")).select_from(self.table(table)).where(
            self.lookup_clause(table, column, kind, ["0"]))
        with self.read() as conn:
            return self.specifics.uses_index(conn, self._sql(probe))

    def lookup_index_statement(self, table: str, column: str, kind: str) -> str | None:
        """The CREATE INDEX that serves the lookup, or None where this database cannot index it."""
        if kind in ("exact", "ip") or (kind == "email" and self.case_folding(table, column) is not None):
            return self.index_statement(table, (column,))
        return lookup_index_statement(self.engine.dialect, self.specifics, self.table(table), column, kind)

    # -- statements ---------------------------------------------------------------------------

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """One transaction: committed when the block ends, rolled back on any exception."""
        try:
            conn = self.engine.connect()
        except sa.exc.OperationalError as exc:
            raise self._unreachable(exc) from None
        try:
            with conn.begin():
                yield conn
        finally:
            conn.close()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only unit of work (rolled back at the end, so nothing can be changed by mistake)."""
        with self.engine.connect() as conn:
            try:
                yield conn
            finally:
                conn.rollback()

    def _run(self, conn: Connection, stmt: Any, params: Any = None) -> sa.CursorResult[Any]:
        self.statements += 1
        result = conn.execute(stmt, params) if params is not None else conn.execute(stmt)
        # The statement as compiled for this execution: its placeholders, never its bound values.
        compiled = getattr(result.context, "compiled", None)
        template = (compiled.string if compiled is not None else str(stmt)).replace("\n", " ")
        self._templates.append(template)
        log.debug("sql", connector=self.name, statement=template[:300])
        return result

    def run(self, conn: Connection, stmt: Any, params: Any = None) -> sa.CursorResult[Any]:
        """The one entry point for statements built outside this module (the tenant purge's)."""
        return self._run(conn, stmt, params)

    def iter_statements(self) -> Iterator[str]:
        yield from self._templates

    def _in(self, table: sa.Table, cols: Sequence[str], keys: Sequence[Key]) -> sa.ColumnElement[bool]:
        if len(cols) == 1:
            return table.c[cols[0]].in_([k[0] for k in keys])
        return sa.tuple_(*(table.c[c] for c in cols)).in_([tuple(k) for k in keys])

    def rows_where(self, conn: Connection, table: str, clauses: Sequence[Any], for_update: bool = False) -> list[Row]:
        """Rows for which any of the clauses holds."""
        if not clauses:
            return []
        stmt = sa.select(self.table(table)).where(sa.or_(*clauses))
        if for_update:
            stmt = stmt.with_for_update()
        return [dict(r._mapping) for r in self._run(conn, stmt)]

    def rows_by_keys(self, conn: Connection, table: str, cols: Sequence[str], keys: Sequence[Key],
                     select: Sequence[str] | None = None, for_update: bool = False, where: Any = None) -> list[Row]:
        """Rows whose `cols` equal one of the keys (and that satisfy `where`), in chunks of bound parameters."""
        keys = sorted({tuple(k) for k in keys if all(v is not None for v in k)}, key=repr)
        tab = self.table(table)
        return self.rows_matching(conn, table, [self._in(tab, cols, chunk) for chunk in _chunks(keys)], select,
                                  for_update, where)

    def rows_matching(self, conn: Connection, table: str, conditions: Sequence[Any],
                      select: Sequence[str] | None = None, for_update: bool = False, where: Any = None) -> list[Row]:
        """Rows for each condition in turn (one statement each: a chunk of bound parameters), with `where`."""
        tab = self.table(table)
        what = [tab.c[c] for c in select] if select else [tab]
        out: list[Row] = []
        for condition in conditions:
            stmt = sa.select(*what).where(condition, *([where] if where is not None else []))
            out.extend(dict(r._mapping) for r in self._run(conn, stmt.with_for_update() if for_update else stmt))
        return out

    def update_rows(self, conn: Connection, table: str, changes: list[tuple[Key, Row]]) -> int:
        """Per set of changed columns, one executemany UPDATE addressed by primary key."""
        tab = self.table(table)
        pk = self.primary_key(table)
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for key, values in changes:
            params = {f"v_{c}": v for c, v in values.items()}
            params.update({f"k_{c}": v for c, v in zip(pk, key, strict=True)})
            groups.setdefault(tuple(sorted(values)), []).append(params)
        done = 0
        for cols, rows in groups.items():
            stmt = (tab.update()
                    .where(*(tab.c[c] == sa.bindparam(f"k_{c}") for c in pk))
                    .values({c: sa.bindparam(f"v_{c}") for c in cols}))
            done += self._run(conn, stmt, rows).rowcount
        return done

    def delete_rows(self, conn: Connection, table: str, keys: Sequence[Key]) -> int:
        tab = self.table(table)
        pk = self.primary_key(table)
        done = 0
        keys = list(keys)
        for chunk in _chunks(keys):
            done += self._run(conn, tab.delete().where(self._in(tab, pk, chunk))).rowcount
        return done

    def integrity_problems(self, conn: Connection) -> list[str]:
        return self.specifics.integrity_problems(conn)

    def after_erasure_note(self) -> str:
        return self.specifics.after_erasure_note


def specifics_for(name: str, backend: str) -> DialectSpecifics:
    """The dialect module for a URL's backend."""
    from connectors import mysql, postgresql, sqlite

    modules = {"sqlite": sqlite, "postgresql": postgresql, "mysql": mysql, "mariadb": mysql}
    if backend not in modules:
        raise ConfigError(f"connector '{name}': database '{backend}' is not supported "
                          "(SQLite, PostgreSQL, MySQL/MariaDB are).")
    return modules[backend].SPECIFICS


def open_connector(name: str, url: str, schema: str | None = None) -> SQLConnector:
    return SQLConnector(name, url, schema)


def lookup_expression(specifics: DialectSpecifics, table: sa.Table, column: str, kind: str) -> Any:
    col = table.c[column]
    return specifics.folded(col) if kind == "email" else specifics.digits(col) if kind == "phone" else col


def lookup_index_statement(dialect: sa.Dialect, specifics: DialectSpecifics, table: sa.Table, column: str,
                           kind: str) -> str | None:
    """The expression index that serves an email or phone lookup, as the lookup itself compiles it (an index
    serves only an expression that is the same word for word), or None where the database cannot have one."""
    prep = dialect.identifier_preparer
    qtable = prep.format_table(table)
    expression = str(lookup_expression(specifics, table, column, kind).compile(
        dialect=dialect, compile_kwargs={"literal_binds": True})).replace(f"{qtable}.", "")
    suffix = "folded" if kind == "email" else "digits"
    return specifics.lookup_index_statement(prep.quote(f"ix_{table.name}_{column}_{suffix}"), qtable, expression)
