"""Email columns whose collation already ignores case: a MariaDB `_ci` collation, a PostgreSQL nondeterministic
ICU collation such as `und-u-ks-level2`. On those the lookup compares the column itself, so the column's plain
index serves it and no expression index is needed.

The database is asked, not the collation's name guessed: a collation ignores case when it finds 'AÜΣ' equal to
'aüσ'. The prefilter must still find every stored form (matching.Lookup.confirms decides): each address as a
prefix (trailing whitespace of any kind, and case, are then the collation's business), or a value that starts
with a whitespace character the collation does not ignore (a leading no-break space). Each is a range of the
index: LIKE 'prefix%' on MariaDB; on PostgreSQL, which has no LIKE for nondeterministic collations, the range
from the prefix to the prefix followed by U+FFFF (which CLDR weighs above every other character for this use).
A character the collation ignores (a zero-width space under utf8mb4_unicode_ci or ICU) is skipped by equality
and by those ranges, but not by MariaDB's LIKE: there the address is also compared as a whole, and looked for
after one such character (LIKE '\u200bprefix%', which the index serves as the range of the prefix). What a
residual scan would still have to find on MariaDB is a value led by two ignored characters and followed by
other whitespace than spaces.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from eraser.matching import WHITESPACE

UPPER, LOWER = "AÜΣ", "aüσ"
HIGHEST = "\uffff"
_NAME = re.compile(r"^[A-Za-z0-9_]+$")


def _escape(text: str) -> str:
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


@dataclass(frozen=True)
class Folding:
    """A column whose collation ignores case: the whitespace characters it compares (on PostgreSQL in the
    collation's order) and those it ignores."""

    leading: tuple[str, ...]
    ignored: tuple[str, ...]


def case_folding(connector: Any, conn: Any, table: str, column: str) -> Folding | None:
    """How a column's collation treats case and whitespace, or None when it keeps case (C, binary, a
    deterministic collation) or the database is not asked."""
    if connector.dialect == "mysql":
        return _mysql(connector, conn, table, column)
    if connector.dialect == "postgresql":
        return _postgresql(connector, conn, table, column)
    return None


def _not_ignored(connector: Any, conn: Any, value: str, collate: str) -> Folding:
    """The whitespace characters the collation does not ignore ('x' and ' x' differ) and those it does, in one
    statement; `value` is the SQL of a bound text (with {p} for the parameter's name)."""
    chars = list(WHITESPACE)
    probes = ", ".join(f"CASE WHEN {value.format(p=f'c{i}')} {collate} = :x THEN 1 ELSE 0 END"
                       for i in range(len(chars)))
    params: dict[str, Any] = {f"c{i}": ch + "x" for i, ch in enumerate(chars)} | {"x": "x"}
    row = connector._run(conn, sa.text(f"SELECT {probes}"), params).one()
    return Folding(tuple(ch for ch, ignored in zip(chars, row, strict=True) if not ignored),
                   tuple(ch for ch, ignored in zip(chars, row, strict=True) if ignored))


def _mysql(connector: Any, conn: Any, table: str, column: str) -> Folding | None:
    found = connector._run(conn, sa.text(
        "SELECT COLLATION_NAME, CHARACTER_SET_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = "
        "COALESCE(:s, DATABASE()) AND TABLE_NAME = :t AND COLUMN_NAME = :c"),
        {"s": connector.schema, "t": table, "c": column}).first()
    if found is None or not found[0] or not _NAME.match(found[0]) or not str(found[1]).startswith("utf8"):
        return None
    value, collate = f"CONVERT(:{{p}} USING {found[1]})", f"COLLATE {found[0]}"
    if not connector._run(conn, sa.text(f"SELECT {value.format(p='u')} {collate} = :l"),
                          {"u": UPPER, "l": LOWER}).scalar():
        return None
    return _not_ignored(connector, conn, value, collate)


def _postgresql(connector: Any, conn: Any, table: str, column: str) -> Folding | None:
    found = connector._run(conn, sa.text(
        "SELECT n.nspname, co.collname, co.collisdeterministic FROM pg_attribute a "
        "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace cn ON cn.oid = c.relnamespace "
        "JOIN pg_collation co ON co.oid = a.attcollation JOIN pg_namespace n ON n.oid = co.collnamespace "
        "WHERE cn.nspname = COALESCE(:s, current_schema()) AND c.relname = :t AND a.attname = :c"),
        {"s": connector.schema, "t": table, "c": column}).first()
    if found is None or found[2]:  # a deterministic collation finds equal only what is equal byte for byte
        return None
    prep = connector.engine.dialect.identifier_preparer
    value, collate = "CAST(:{p} AS text)", f"COLLATE {prep.quote(found[0])}.{prep.quote(found[1])}"
    if not connector._run(conn, sa.text(f"SELECT {value.format(p='u')} {collate} = :l"),
                          {"u": UPPER, "l": LOWER}).scalar():
        return None
    folding = _not_ignored(connector, conn, value, collate)
    if not folding.leading:
        return folding
    # in the collation's order: CLDR sorts whitespace before every other character, so one range holds them all
    ordered = connector._run(conn, sa.text(f"SELECT ch FROM unnest(CAST(:chars AS text[])) AS ch ORDER BY ch {collate}"),
                             {"chars": list(folding.leading)}).scalars()
    return Folding(tuple(ordered), folding.ignored)


def prefix_clause(dialect: str, column: Any, values: Sequence[str], folding: Folding) -> Any:
    """Values of the column that start with one of the addresses or with a leading whitespace character, as the
    column's collation compares them. On MariaDB also the addresses themselves and after one ignored character:
    LIKE does not skip a character the collation ignores (a leading zero-width space) where equality does."""
    leading = folding.leading
    if dialect == "postgresql":  # `leading` in the collation's order: one range from the first to the last
        spans = [(v, v) for v in values] + ([(leading[0], leading[-1])] if leading else [])
        return sa.or_(*(sa.and_(column >= low, column <= high + HIGHEST) for low, high in spans))
    prefixes = [*values, *(ch + v for ch in folding.ignored for v in values), *leading]
    return sa.or_(column.in_(list(values)), *(column.like(_escape(p) + "%", escape="/") for p in prefixes))
