"""Several questions to one database in one round trip: the rows of each (table, condition) counted, or read, by
one UNION ALL statement instead of one statement per question. Each question is answered exactly as its own
statement would answer it (its own table, its own condition); only the round trips are shared."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from connectors.base import Key

if TYPE_CHECKING:
    from connectors.sql import SQLConnector

CHUNK = 500  # keys of one question at most, as in connectors.sql
PER_STATEMENT = 900  # bound parameters of one statement at most (SQLite before 3.32 allows 999)


def key_condition(table: sa.Table, cols: Sequence[str], keys: Sequence[Key]) -> Any:
    """`cols` equal one of the keys (as SQLConnector.rows_by_keys compares them)."""
    if len(cols) == 1:
        return table.c[cols[0]].in_([k[0] for k in keys])
    return sa.tuple_(*(table.c[c] for c in cols)).in_([tuple(k) for k in keys])


def key_chunks(keys: Sequence[Key], size: int = CHUNK) -> list[list[Key]]:
    """The keys without NULLs, each once, in a stable order, in chunks of bound parameters."""
    ordered = sorted({tuple(k) for k in keys if all(v is not None for v in k)}, key=repr)
    return [ordered[i:i + size] for i in range(0, len(ordered), size)]


def _groups(weights: Sequence[int]) -> list[list[int]]:
    """Indexes of the questions, grouped so that a statement carries at most PER_STATEMENT parameters (or one
    question)."""
    groups: list[list[int]] = []
    total = 0
    for i, weight in enumerate(weights):
        if not groups or total + weight > PER_STATEMENT:
            groups.append([])
            total = 0
        groups[-1].append(i)
        total += weight
    return groups


def count_each(connector: SQLConnector, conn: Any, questions: Sequence[tuple[str, Any, int]]) -> list[int]:
    """For each (table, condition, parameters it binds), how many rows of the table satisfy the condition."""
    counts = [0] * len(questions)
    for group in _groups([w for _, _, w in questions]):
        branches: list[Any] = [sa.select(sa.literal_column(str(i)).label("q"), sa.func.count().label("n"))
                    .select_from(connector.table(questions[i][0])).where(questions[i][1]) for i in group]
        stmt: Any = branches[0] if len(branches) == 1 else sa.union_all(*branches)
        for q, n in map(tuple, connector._run(conn, stmt)):
            counts[int(q)] = int(n)
    return counts
