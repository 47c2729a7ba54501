"""Text rewritten only where it still holds what was read: a concurrent edit is never overwritten.

Free-text redaction computes a column's new value from its old text. Each row is written with
`UPDATE ... WHERE <primary key> AND <column, compared exactly> = <the text read>`; a row whose text changed in
between updates nothing, is read again (locking it where the database can) and redacted anew, a bounded number
of times. A row that keeps changing refuses the erasure, which is then rolled back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from connectors.base import Key
from connectors.sql import SQLConnector
from eraser.errors import VerificationError

ATTEMPTS = 3

# (column, its current text) -> the new value to store, or None when nothing is left to redact
Rewrite = Callable[[str, str], Any]


def as_text(column: Any) -> Any:
    """A column as the text that was searched (JSON through a cast)."""
    return sa.cast(column, sa.Text) if isinstance(column.type, sa.JSON) else column


def exact(connector: SQLConnector, expr: Any) -> Any:
    """An expression compared byte for byte, whatever the column's collation (case, accents, trailing spaces)."""
    if connector.dialect == "mysql":
        return sa.cast(expr, sa.LargeBinary)
    if connector.dialect == "postgresql":
        return sa.collate(sa.cast(expr, sa.Text), "C")
    return sa.collate(expr, "BINARY")


def current_texts(connector: SQLConnector, conn: Any, table: str, keys: list[Key], columns: list[str]
                  ) -> dict[Key, dict[str, str | None]]:
    """The columns' text now, by primary key, with the rows locked where the database supports it."""
    tab = connector.table(table)
    pk = connector.primary_key(table)
    where = connector._in(tab, pk, keys)
    stmt = sa.select(*(tab.c[c] for c in pk), *(as_text(tab.c[c]).label(f"t_{i}") for i, c in enumerate(columns)))
    stmt = stmt.where(where)
    if connector.dialect != "sqlite":
        stmt = stmt.with_for_update()
    out: dict[Key, dict[str, str | None]] = {}
    for row in connector._run(conn, stmt):
        m = row._mapping
        out[tuple(m[c] for c in pk)] = {c: m[f"t_{i}"] for i, c in enumerate(columns)}
    return out


def write_if_unchanged(connector: SQLConnector, conn: Any, table: str, key: Key, old: dict[str, str],
                       new: dict[str, Any]) -> bool:
    """One row's new values, written only if every column still holds exactly its old text."""
    tab = connector.table(table)
    pk = connector.primary_key(table)
    stmt = (tab.update()
            .where(*(tab.c[c] == v for c, v in zip(pk, key, strict=True)))
            .where(*(exact(connector, as_text(tab.c[c])) == exact(connector, sa.literal(text, sa.Text()))
                     for c, text in old.items()))
            .values(new))
    return bool(connector._run(conn, stmt).rowcount)


def rewrite_unchanged(connector: SQLConnector, conn: Any, table: str, wanted: dict[Key, dict[str, Rewrite]],
                      on_write: Callable[[Key, list[str]], None] | None = None) -> int:
    """Rewrite each (row, column) from its current text; rows changed concurrently are read and rewritten again.
    Returns how many rows were written (`on_write` is told each row's key and written columns); raises
    VerificationError if a row kept changing."""
    pending = dict(wanted)
    written = 0
    for _ in range(ATTEMPTS):
        if not pending:
            return written
        columns = sorted({c for cols in pending.values() for c in cols})
        now = current_texts(connector, conn, table, list(pending), columns)
        retry: dict[Key, dict[str, Rewrite]] = {}
        for key, cols in pending.items():
            texts = now.get(key)
            if texts is None:  # deleted meanwhile: nothing of it is left to redact
                continue
            old = {c: t for c in cols if (t := texts.get(c)) is not None}
            new = {c: v for c, t in old.items() if (v := cols[c](c, t)) is not None}
            if not new:
                continue
            if write_if_unchanged(connector, conn, table, key, {c: old[c] for c in new}, new):
                written += 1
                if on_write is not None:
                    on_write(key, sorted(new))
            else:
                retry[key] = cols
        pending = retry
    if pending:
        raise VerificationError(f"{len(pending)} row(s) of {table} changed {ATTEMPTS} times while their free text "
                                "was being redacted; nothing was changed, erase again.")
    return written
