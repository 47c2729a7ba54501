"""A purge's journal in the state store: the purge and its plan, its batches (journaled before each commit and
marked done after it) and the keys of owned parent rows (which cannot be found again once their owners are gone).

The plan (JSON) holds each table's batch bounds as key lists, so any primary key (integers, text, composite)
resumes at the same bounds; `purge_batches.lo`/`hi` repeat them where the key is one integer and hold the
batch's position otherwise.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from eraser.purge.result import ACTIONS, Bounds, PurgeResult, no_counts
from eraser.store.tables import TZ, metadata, table_place

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
    *table_place(primary_key=True),
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
    *table_place(primary_key=True),
    sa.Column("pk", sa.BigInteger, primary_key=True),
)


def now() -> datetime:
    return datetime.now(UTC)


def unfinished(store: Any, tenant: str, purge_id: str | None) -> dict[str, Any] | None:
    with store.engine.connect() as conn:
        q = sa.select(purges).where(purges.c.status != "done")
        q = q.where(purges.c.id == purge_id) if purge_id else q.where(purges.c.tenant == tenant)
        row = conn.execute(q.order_by(purges.c.created_at.desc())).first()
        return dict(row._mapping) if row else None


def finished(store: Any, purge_id: str) -> dict[str, Any] | None:
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(purges).where(purges.c.id == purge_id, purges.c.status == "done")).first()
        return dict(row._mapping) if row else None


def owned_keys(store: Any, purge_id: str, connector: str) -> Callable[[str], Iterator[list[int]]]:
    def keys(table: str) -> Iterator[list[int]]:
        last = -(2 ** 63)
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


def set_purge(store: Any, pid: str, **values: Any) -> None:
    with store.tx() as conn:
        conn.execute(purges.update().where(purges.c.id == pid).values(updated_at=now(), **values))


def _plan(result: PurgeResult) -> str:
    return json.dumps({"tables": [{"connector": p.connector, "table": p.table, "rows": p.rows, "owned": p.owned,
                                   "release": p.release,
                                   "batches": [[list(lo) if lo is not None else None, list(hi), n]
                                               for lo, hi, n in p.batches]} for p in result.parts],
                       "baseline": result.baseline}, default=str)


def _batch_rows(result: PurgeResult, part_batches: list[tuple[str, str, int, Bounds, bool]]) -> list[dict[str, Any]]:
    rows = []
    for connector, table, seq, (lo, hi, n), integer in part_batches:
        ends = (lo[0] if lo is not None else -(2 ** 63), hi[0]) if integer else (seq, seq)
        rows.append({"purge_id": result.purge_id, "connector": connector, "table_name": table, "seq": seq,
                     "lo": ends[0], "hi": ends[1], "rows": n, "status": "planned"})
    return rows


def record(store: Any, result: PurgeResult, ticket: dict[str, Any] | None, export_dir: Path | None,
           integer: dict[tuple[str, str], bool], owned: dict[tuple[str, str], Iterator[list[int]]]) -> None:
    """The purge, its plan, every batch and the keys of owned rows, in one transaction of the state store."""
    with store.tx() as conn:
        conn.execute(purges.insert().values(id=result.purge_id, tenant=result.tenant, mode=result.mode,
                                            status="planned", ticket_id=ticket["id"] if ticket else None,
                                            plan=_plan(result), export_dir=str(export_dir) if export_dir else None,
                                            created_at=now(), updated_at=now()))
        rows = _batch_rows(result, [(p.connector, p.table, i, b, integer[(p.connector, p.table)])
                                    for p in result.parts for i, b in enumerate(p.batches)])
        if rows:
            conn.execute(purge_batches.insert(), rows)
        for (connector, table), chunks in owned.items():
            for chunk in chunks:
                conn.execute(purge_keys.insert(), [{"purge_id": result.purge_id, "connector": connector,
                                                    "table_name": table, "pk": k} for k in chunk])


def add_batches(store: Any, result: PurgeResult, new: list[tuple[str, str, int, Bounds, bool]]) -> None:
    """Batches the final pass found (rows that appeared while the purge ran), with the plan that names them."""
    with store.tx() as conn:
        conn.execute(purge_batches.insert(), _batch_rows(result, new))
        conn.execute(purges.update().where(purges.c.id == result.purge_id).values(plan=_plan(result),
                                                                                  updated_at=now()))


def load_baseline(result: PurgeResult, earlier: dict[str, Any]) -> None:
    result.baseline = json.loads(earlier["plan"])["baseline"]


def load(store: Any, result: PurgeResult, earlier: dict[str, Any]) -> None:
    """A resumed purge's own plan: its parts' batch bounds."""
    plan = json.loads(earlier["plan"])
    for entry in plan["tables"]:
        p = result.part(entry["connector"], entry["table"])
        p.batches = [(tuple(lo) if lo is not None else None, tuple(hi), n) for lo, hi, n in entry["batches"]]


State = tuple[str, dict[str, int] | None, int]  # status, counts, rows


def batch_states(store: Any, purge_id: str) -> dict[tuple[str, str, int], State]:
    with store.engine.connect() as conn:
        return {(r.connector, r.table_name, r.seq): (r.status, json.loads(r.counts) if r.counts else None, r.rows)
                for r in conn.execute(sa.select(purge_batches).where(purge_batches.c.purge_id == purge_id))}


def done_counts(store: Any, result: PurgeResult) -> None:
    """Each part's rows (as journaled: a batch run again holds the rows that appeared in it) and the counts of
    its batches already done."""
    states = batch_states(store, result.purge_id)
    for p in result.parts:
        p.counts = no_counts()
        for i, (lo, hi, _n) in enumerate(p.batches):
            status, counts, rows = states[(p.connector, p.table, i)]
            p.batches[i] = (lo, hi, rows)
            if status == "done" and counts:
                for a in ACTIONS:
                    p.counts[a] += counts.get(a, 0)
        p.rows = sum(n for _lo, _hi, n in p.batches)


def mark(store: Any, purge_id: str, connector: str, table: str, seq: int, **values: Any) -> None:
    key = (purge_batches.c.purge_id == purge_id, purge_batches.c.connector == connector,
           purge_batches.c.table_name == table, purge_batches.c.seq == seq)
    with store.tx() as conn:
        conn.execute(purge_batches.update().where(*key).values(**values))
