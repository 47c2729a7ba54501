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
from eraser.purge.scope import Scope, up_to
from eraser.purge.verify import Oracle, absent, oracle

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
            state, recorded, _rows = states[(p.connector, p.table, i)]
            if state == "done":
                continue
            clock = time.perf_counter()
            counts = run_batch(scope, pools[p.connector], p.table, lo, hi, n)
            if state == "pending" and recorded:  # committed before, but not marked done: keep what it did then
                counts = {a: max(counts[a], recorded.get(a, 0)) for a in ACTIONS}
            elif state == "again" and recorded:  # run again for rows that appeared in it: its deletions add up
                counts["delete"] += recorded.get("delete", 0)
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
               regather: Callable[[Scope], Oracle], on_batch: OnBatch | None) -> dict[str, Oracle] | None:
    """Gather the tenant's rows again and purge those that appeared while the purge ran: keys after a table's
    planned batches get batches of their own, a batch that holds more rows than it left is run again; until a
    pass finds none (a tenant still gaining rows then fails verification, saying how many). The tenant's rows
    found again by the pass that found none (nothing changed after it), for the verification; None if every
    pass found some."""
    states = journal.batch_states(store, result.purge_id)
    found: dict[str, Oracle] = {name: oracle(scope, owned_by_keys=True) for name, scope in scopes.items()}
    if all(_settled(scope, result, states, found[name]) for name, scope in scopes.items()):
        for scope in scopes.values():
            scope.conn.commit()
        return found
    for _ in range(FINAL_PASSES):
        new, again = [], []
        states = journal.batch_states(store, result.purge_id)
        found = {}
        for scope in scopes.values():
            found[scope.name] = regather(scope)
            pools[scope.name].forget()
            for p in (p for p in result.parts if p.connector == scope.name):
                stale = _deletable(scope, p.table, None)  # e.g. a parent kept for a child that appeared, now gone
                for i, (lo, hi, _n) in enumerate(p.batches):
                    counts = states[(p.connector, p.table, i)][1] or {}
                    there = _present(scope, p.table, lo, hi)
                    if there > counts.get("anonymize", 0) + counts.get("retain", 0) + counts.get("review", 0) or \
                            stale and _deletable(scope, p.table, (lo, hi)):
                        again.append((p, i, counts, counts.get("delete", 0) + there))
                start = p.batches[-1][1] if p.batches else None
                for bounds in scope.boundaries(p.table, size, start):
                    new.append((p.connector, p.table, len(p.batches), bounds, scope.int_key(p.table)))
                    p.batches.append(bounds)
            scope.conn.commit()
        if not new and not again:
            return found
        for p, i, counts, rows in again:  # its counts come back, with the rows it held then and holds now
            journal.mark(store, result.purge_id, p.connector, p.table, i, status="again", rows=rows)
            p.batches[i] = (p.batches[i][0], p.batches[i][1], rows)
            for a in ACTIONS:
                p.counts[a] -= counts.get(a, 0)
        if new:
            journal.add_batches(store, result, new)
        for p in result.parts:
            p.rows = sum(n for _lo, _hi, n in p.batches)
        log.info("purge final pass: rows appeared while the purge ran", tenant=result.tenant,
                 rows=sum(result.appeared(p) for p in result.parts))
        execute(store, result, scopes, pools, None, on_batch)
    return None


def _settled(scope: Scope, result: PurgeResult, states: dict[Any, journal.State], found: Oracle) -> bool:
    """Nothing to do again, judged without gathering the scope again: no row of the tenant found again is outside
    the planned keys, no batch holds more rows than it left, no row the batches would delete now remains."""
    for p in (p for p in result.parts if p.connector == scope.name):
        if absent(scope, found[p.table], scope.keys[p.table]) or _deletable(scope, p.table, None):
            return False
        for i, there in enumerate(_present_per_batch(scope, p.table, p.batches)):
            counts = states[(p.connector, p.table, i)][1] or {}
            if there > sum(counts.get(a, 0) for a in ("anonymize", "retain", "review")):
                return False
    return True


def _present_per_batch(scope: Scope, table: str, batches: list[Any]) -> list[int]:
    """`_present` of every batch of a table in one statement: its rows now, grouped by the batch their key is in."""
    if not batches:
        return []
    t = scope.t(table)
    pk = scope.pk_cols(table, t)
    which = sa.case(*((up_to(pk, hi), i) for i, (_lo, hi, _n) in enumerate(batches)), else_=-1)
    rows: Any = scope.run(sa.select(which.label("eraser_batch"), sa.func.count()).select_from(t)
                     .where(scope.mine(table, t)).group_by(sa.literal_column("eraser_batch")))
    there = [0] * len(batches)
    for row in rows:
        if row[0] >= 0:
            there[int(row[0])] = int(row[1])
    return there


def _present(scope: Scope, table: str, lo: Any, hi: Any) -> int:
    """The tenant's rows in a batch's range now (an owned table's journaled keys include rows already gone)."""
    t = scope.t(table)
    return int(scope.run(sa.select(sa.func.count()).select_from(t).where(scope.in_batch(table, t, lo, hi)))
               .scalar_one())


def _deletable(scope: Scope, table: str, bounds: tuple[Any, Any] | None) -> int:
    """The tenant's rows (in a batch's range) that a batch would delete now."""
    if forced(scope, table):
        return 0
    t = scope.t(table)
    where = scope.in_batch(table, t, *bounds) if bounds else scope.mine(table, t)
    return int(scope.run(sa.select(sa.func.count()).select_from(t).where(
        where, sa.not_(kept(scope, table, t)), sa.not_(referenced(scope, table, t)))).scalar_one())


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
