"""The reflected schema kept between runs, keyed by a fingerprint of the database's catalog, so a command does not
read the whole catalog again while nothing in it changed.

The fingerprint is one catalog query: on PostgreSQL, the row versions (`xmin`) of every catalog row describing
the schema's relations and those its foreign keys refer to (pg_class, pg_attribute, pg_attrdef, pg_constraint,
pg_index, pg_description) and of its types and enum labels: any DDL writes new row versions, so any change of a
table, column, default, key, index or comment gives another fingerprint. On SQLite, the text of every schema
object (sqlite_master). On MariaDB/MySQL, the rows of information_schema that describe the schema's tables,
columns, indexes, constraints and views (what SHOW CREATE TABLE says). The fingerprint is taken before the
reflection and again after it, and the result is kept only if both agree, so a schema that changes while it is
read is never cached under either.

Entries live in `ERASER_SCHEMA_CACHE` (a directory; `off` turns the cache off), by default
`$XDG_CACHE_HOME/eraser/schemas` (~/.cache/eraser/schemas), a directory only its owner can read; a file that is not
the user's own or that others can write is ignored. They hold table and column definitions, never row data.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

FORMAT = 1  # part of every key: a change of what is stored renames the entries

_POSTGRESQL = """
WITH ns AS (SELECT oid FROM pg_namespace WHERE nspname = coalesce(:s, current_schema())),
own AS (SELECT c.oid FROM pg_class c WHERE c.relnamespace IN (SELECT oid FROM ns)),
rels AS (SELECT oid FROM own UNION SELECT k.confrelid FROM pg_constraint k WHERE k.conrelid IN (SELECT oid FROM own)
         AND k.contype = 'f')
SELECT count(*), md5(string_agg(x, ',' ORDER BY x)) FROM (
  SELECT 'c' || c.oid || ':' || c.xmin::text FROM pg_class c WHERE c.oid IN (SELECT oid FROM rels)
  UNION ALL SELECT 'a' || a.attrelid || '.' || a.attnum || ':' || a.xmin::text FROM pg_attribute a
    WHERE a.attrelid IN (SELECT oid FROM rels)
  UNION ALL SELECT 'd' || d.oid || ':' || d.xmin::text FROM pg_attrdef d WHERE d.adrelid IN (SELECT oid FROM rels)
  UNION ALL SELECT 'k' || k.oid || ':' || k.xmin::text FROM pg_constraint k WHERE k.conrelid IN (SELECT oid FROM rels)
  UNION ALL SELECT 'i' || i.indexrelid || ':' || i.xmin::text FROM pg_index i WHERE i.indrelid IN (SELECT oid FROM rels)
  UNION ALL SELECT 'm' || m.objoid || '.' || m.objsubid || ':' || m.xmin::text FROM pg_description m
    WHERE m.objoid IN (SELECT oid FROM rels)
  UNION ALL SELECT 't' || t.oid || ':' || t.xmin::text FROM pg_type t WHERE t.typnamespace IN (SELECT oid FROM ns)
  UNION ALL SELECT 'e' || e.oid || ':' || e.xmin::text FROM pg_enum e
  UNION ALL SELECT 'n' || current_database() || '/' || (SELECT oid FROM ns)
) s(x)
"""


# On MariaDB/MySQL, what SHOW CREATE TABLE says, from information_schema: tables and their options, columns
# (type, default, nullability, generation, comment), indexes, constraints (keys, foreign keys with their rules,
# checks) and views. Rows, not an aggregate, so a large schema is never cut short by group_concat_max_len; every
# value NULL-safe, so a value moved to another field gives another row.
_MYSQL_PARTS = [
    ("t", "TABLES", "TABLE_SCHEMA", "TABLE_NAME, TABLE_TYPE, ENGINE, TABLE_COLLATION, CREATE_OPTIONS, TABLE_COMMENT"),
    ("c", "COLUMNS", "TABLE_SCHEMA", "TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_DEFAULT, IS_NULLABLE, "
     "COLUMN_TYPE, CHARACTER_SET_NAME, COLLATION_NAME, EXTRA, COLUMN_COMMENT, GENERATION_EXPRESSION"),
    ("i", "STATISTICS", "TABLE_SCHEMA", "TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME, SUB_PART, "
     "INDEX_TYPE, INDEX_COMMENT"),
    ("k", "TABLE_CONSTRAINTS", "CONSTRAINT_SCHEMA", "TABLE_NAME, CONSTRAINT_NAME, CONSTRAINT_TYPE"),
    ("u", "KEY_COLUMN_USAGE", "CONSTRAINT_SCHEMA", "TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, ORDINAL_POSITION, "
     "REFERENCED_TABLE_SCHEMA, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME"),
    ("r", "REFERENTIAL_CONSTRAINTS", "CONSTRAINT_SCHEMA", "TABLE_NAME, CONSTRAINT_NAME, UPDATE_RULE, DELETE_RULE, "
     "REFERENCED_TABLE_NAME"),
    ("x", "CHECK_CONSTRAINTS", "CONSTRAINT_SCHEMA", "TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE"),
    ("v", "VIEWS", "TABLE_SCHEMA", "TABLE_NAME, VIEW_DEFINITION"),
]
_MYSQL = " UNION ALL ".join(
    f"SELECT concat_ws('|', '{tag}', " + ", ".join(f"coalesce({c.strip()}, '<null>')" for c in columns.split(","))
    + f") FROM information_schema.{table} WHERE {where} = coalesce(:s, DATABASE())"
    for tag, table, where, columns in _MYSQL_PARTS) + " UNION ALL SELECT concat_ws('|', 'n', coalesce(:s, DATABASE()))"


def directory() -> Path | None:
    """Where entries are kept, or None when the cache is off."""
    configured = os.environ.get("ERASER_SCHEMA_CACHE")
    if configured is not None:
        return None if configured.strip().lower() in ("", "off", "0", "no") else Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "eraser" / "schemas"


def fingerprint(engine: Engine, dialect: str, schema: str | None) -> str | None:
    """A fingerprint of everything reflection reads, or None where there is none (then nothing is cached)."""
    try:
        with engine.connect() as conn:
            if dialect == "postgresql":
                n, digest = conn.execute(sa.text(_POSTGRESQL), {"s": schema}).one()
                return f"pg:{n}:{digest}" if digest else None
            if dialect == "mysql":
                described = sorted(str(r[0]) for r in conn.execute(sa.text(_MYSQL), {"s": schema}))
                return f"mysql:{len(described)}:" + hashlib.sha256("\n".join(described).encode()).hexdigest()
            if dialect == "sqlite":
                master = f"{schema}.sqlite_master" if schema else "sqlite_master"
                rows = conn.execute(sa.text(f"SELECT type, name, tbl_name, sql FROM {master} ORDER BY type, name"))
                return "sqlite:" + hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()
    except sa.exc.SQLAlchemyError:
        return None
    return None


def _path(url: str, schema: str | None, fp: str) -> Path | None:
    where = directory()
    if where is None:
        return None
    parsed = make_url(url)
    place = (parsed.get_backend_name(), parsed.host, parsed.port, parsed.database, parsed.username, schema)
    key = repr((FORMAT, sa.__version__, sys.version_info[:2], place, fp))
    return where / (hashlib.sha256(key.encode()).hexdigest() + ".pickle")


def load(url: str, schema: str | None, fp: str | None) -> sa.MetaData | None:
    """The metadata reflected earlier under this fingerprint, or None."""
    path = _path(url, schema, fp) if fp else None
    if path is None:
        return None
    try:
        info = path.stat()
        if info.st_uid != os.getuid() or info.st_mode & 0o022:
            return None  # only the user's own file, which nobody else can have written
        with path.open("rb") as f:
            metadata: Any = pickle.load(f)  # noqa: S301 - a file of the user's own private directory
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None
    return metadata if isinstance(metadata, sa.MetaData) else None


def store(url: str, schema: str | None, fp: str | None, metadata: sa.MetaData) -> None:
    """Keep the metadata under the fingerprint (written whole to a temporary file, then renamed)."""
    path = _path(url, schema, fp) if fp else None
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            pickle.dump(metadata, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        return
