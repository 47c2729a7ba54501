"""The purge's work: tables children before parents, each in batches of key ranges, each batch its own
transaction, so no batch boundary leaves a dangling reference. A batch's counts are journaled before its commit
and marked done after it: a purge killed at any point resumes at the next batch, and the counts of a batch that
was committed but not yet marked are kept. A final pass gathers the tenant's rows again and purges those that
appeared after the plan, in batches journaled like the others."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
import structlog

from eraser.errors import EraserError
from eraser.purge import journal
from eraser.purge.pools import Pools
from eraser.purge.result import ACTIONS, Part, Progress, PurgeResult, no_counts
from eraser.purge.rules import columns, forced, kept, referenced, shared
from eraser.purge.scope import Scope

log = structlog.get_logger("eraser.purge")
OnBatch = Callable[[str, int, str], None]
FINAL_PASSES = 3


def run_batch(scope: Scope, pools: Pools, table: str, lo: Any, hi: Any, rows: int) -> dict[str, int]:
    """Apply the purge to one key range of one table, in the current transaction; counts per action."""
    t = scope.t(table)
    batch = scope.in_batch(table, t, lo, hi)
    keep = kept(scope, table, t)
    refers = referenced(scope, table, t)
    force = forced(scope, table)
    counts = no_counts()
    if scope.graph.rules[table].action == "retain":
        counts["retain"] = int(scope.run(sa.select(sa.func.count()).select_from(t).where(batch, keep)).scalar_one())
    if columns(scope, table):
        anon = sa.and_(batch, sa.not_(keep), sa.not_(shared(scope, table, t)), sa.true() if force else refers)
        counts["anonymize"] = pools.anonymize(table, t, anon, lo, hi)
    if not force:
        counts["delete"] = int(scope.run(sa.delete(t).where(batch, sa.not_(keep), sa.not_(refers))).rowcount)
    if counts["delete"] > rows or counts["anonymize"] > rows:  # a statement reached beyond the batch's keys
        raise EraserError(f"a batch of table '{table}' changed more rows than it holds; it was rolled back.")
    left = int(scope.run(sa.select(sa.func.count()).select_from(t).where(batch)).scalar_one())
    counts["review"] = max(0, left - counts["retain"] - counts["anonymize"])
    return counts


def execute(store: Any, result: PurgeResult, scopes: dict[str, Scope], pools: dict[str, Pools],
            on_progress: Callable[[Progress], None] | None, on_batch: OnBatch | None) -> None:
    """Every batch not yet done, in plan order."""
    states = journal.batch_states(store, result.purge_id)
    progress = Progress(total=result.rows)
    progress.done = sum(n for p in result.parts for i, (_lo, _hi, n) in enumerate(p.batches)
                        if states[(p.connector, p.table, i)][0] == "done")
    done_before = progress.done
    progress.started = last_log = time.perf_counter()
    for p in result.parts:
        scope = scopes[p.connector]
        for i, (lo, hi, n) in enumerate(p.batches):
            state, recorded = states[(p.connector, p.table, i)]
            if state == "done":
                continue
            clock = time.perf_counter()
            counts = run_batch(scope, pools[p.connector], p.table, lo, hi, n)
            if state == "pending" and recorded:  # committed before, but not marked done: keep what it did then
                counts = {a: max(counts[a], recorded.get(a, 0)) for a in ACTIONS}
            journal.mark(store, result.purge_id, p.connector, p.table, i, status="pending",
                         counts=json.dumps(counts))
            if on_batch is not None:
                on_batch(p.table, i, "journaled")  # executed and journaled, not yet committed
            scope.conn.commit()
            if on_batch is not None:
                on_batch(p.table, i, "committed")  # committed, not yet marked done
            journal.mark(store, result.purge_id, p.connector, p.table, i, status="done",
                         seconds=time.perf_counter() - clock)
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


def final_pass(store: Any, result: PurgeResult, scopes: dict[str, Scope], pools: dict[str, Pools], size: int,
               regather: Callable[[Scope], None], on_batch: OnBatch | None) -> None:
    """Gather the tenant's rows again and purge those with keys after each table's planned batches (rows that
    appeared while the purge ran), until a pass finds none."""
    for _ in range(FINAL_PASSES):
        new = []
        for scope in scopes.values():
            regather(scope)
            pools[scope.name].forget()
            for p in (p for p in result.parts if p.connector == scope.name):
                start = p.batches[-1][1] if p.batches else None
                found = list(scope.boundaries(p.table, size, start))
                for bounds in found:
                    new.append((p.connector, p.table, len(p.batches), bounds, scope.int_key(p.table)))
                    p.batches.append(bounds)
                    p.appeared += bounds[2]
                    p.rows += bounds[2]
            scope.conn.commit()
        if not new:
            return
        journal.add_batches(store, result, new)
        log.info("purge final pass: rows appeared while the purge ran", tenant=result.tenant,
                 rows=sum(b[3][2] for b in new))
        execute(store, result, scopes, pools, None, on_batch)


def estimate(scope: Scope, parts: dict[str, Part]) -> None:
    """Counts per action as the purge would find them, children first, without changing anything."""
    stays: dict[str, sa.Table] = {}
    for table in scope.order():
        t, part = scope.t(table), parts[table]
        pk = scope.pk_cols(table, t)
        mine = scope.mine(table, t)
        st, sh = scope.key_table(table, "st"), scope.key_table(table, "sh")
        stays[table] = st
        keep = kept(scope, table, t)
        names = [c.name for c in st.c]
        retained = int(scope.run(sa.select(sa.func.count()).select_from(t).where(mine, keep)).scalar_one()) \
            if scope.graph.rules[table].action == "retain" else 0
        scope.run(st.insert().from_select(names, sa.select(*pk).where(mine, keep)))
        if forced(scope, table):
            scope.run(st.insert().from_select(names, sa.select(*pk).where(mine)))
        scope.run(st.insert().from_select(names, sa.select(*pk).where(mine, referenced(scope, table, t, stays))))
        scope.run(sh.insert().from_select(names, sa.select(*pk).where(mine, sa.not_(keep), shared(scope, table, t))))
        stay = _distinct(scope, st)
        share = _distinct(scope, sh)
        other = stay - retained - share
        part.counts = {"delete": part.rows - stay, "anonymize": other if columns(scope, table) else 0,
                       "retain": retained, "review": share + (0 if columns(scope, table) else other)}


def _distinct(scope: Scope, kt: sa.Table) -> int:
    return int(scope.run(sa.select(sa.func.count()).select_from(sa.select(*kt.c).distinct().subquery())).scalar_one())


def trial(result: PurgeResult, scopes: dict[str, Scope], pools: dict[str, Pools]) -> None:
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
        run_batch(scope, pools[p.connector], p.table, lo, hi, n)
    finally:
        scope.conn.rollback()
    rate = n / max(time.perf_counter() - clock, 1e-6)
    result.estimate_seconds = result.rows / rate
    result.estimate_basis = f"a trial batch of {n:,} row(s) of {p.table}, rolled back: {rate:,.0f} rows/s"
