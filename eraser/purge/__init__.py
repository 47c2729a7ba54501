"""End-of-contract purge: every row of one tenant (customer), returned first if asked, then destroyed at database
speed, in bounded batches journaled in the state store, verified, and certified once.

The flow: `scope` gathers the tenant's keys per table and `verify.check_scope` proves they are the tenant's rows,
exactly, before anything changes; `package` writes the return package; `batches` applies `rules` (retain,
anonymize through `pools`, review, delete) batch by batch and ends with a final pass for rows that appeared
meanwhile; `verify` checks the result without trusting the scope; `certificate` signs it and enters the retained
rows in the sweep's schedule; `ticket` closes the request in the register.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import structlog

from eraser.config import Config
from eraser.engine.execute import refuse_undecided
from eraser.engine.holds import refuse_held_tenant
from eraser.engine.session import Session
from eraser.errors import VerificationError
from eraser.purge import journal
from eraser.purge.batches import OnBatch, estimate, execute, final_pass, trial
from eraser.purge.certificate import dry_run_text, purge_payload, retained_schedule, seconds_text
from eraser.purge.package import verify_package, write_package
from eraser.purge.pools import Pools
from eraser.purge.result import ACTIONS, Part, Progress, PurgeResult, TenantError
from eraser.purge.rules import release_range
from eraser.purge.scope import Scope
from eraser.purge.ticket import NAMESPACE, close_ticket, process_ticket
from eraser.purge.verify import Oracle, baseline, check_scope, verify

__all__ = ["ACTIONS", "Progress", "PurgeResult", "TenantError", "dry_run_text", "process_ticket", "purge_tenant",
           "seconds_text", "verify_package"]
log = structlog.get_logger("eraser.purge")


def purge_tenant(session: Session, store: Any, tenant: str, *, mode: str | None = None,
                 export_dir: Path | None = None, dry_run: bool = False, batch_size: int | None = None,
                 purge_id: str | None = None, ticket: dict[str, Any] | None = None, action: str = "destroy",
                 node: str = "cli", on_progress: Callable[[Progress], None] | None = None,
                 on_batch: OnBatch | None = None, today: date | None = None) -> PurgeResult:
    """Purge one tenant from every connector; resumes an unfinished purge of the same tenant (or `purge_id`)."""
    refuse_undecided(session.config, "purging")
    config = session.config
    if config.tenants is None:
        raise TenantError(f"{config.path}: the config has no 'tenants:' block saying where tenants are kept.")
    size = batch_size or config.tenants.batch_size
    started_at = datetime.now(UTC)
    clock = time.perf_counter()
    earlier = None if dry_run or store is None else journal.unfinished(store, tenant, purge_id)
    pid = earlier["id"] if earlier else (purge_id or str(uuid.uuid4()))
    result = PurgeResult(pid, tenant, earlier["mode"] if earlier else mode or config.tenants.mode, [], dry_run,
                         resumed=earlier is not None)
    if earlier:
        journal.load_baseline(result, earlier)
        today = date.fromisoformat(result.baseline["today"])  # decisions are the plan's, whenever it resumes
    today = today or started_at.date()
    refuse_held_tenant(config, store, tenant, today)
    scopes: dict[str, Scope] = {}
    pools: dict[str, Pools] = {}
    try:
        for name, graph in session.graphs.items():
            conn = graph.connector.engine.connect()
            try:
                scope = Scope(config, name, graph, conn, tenant, result.mode, today)
            except BaseException:
                conn.close()
                raise
            scopes[name], pools[name] = scope, Pools(scope)
            pools[name].prefetch()
            _plan_connector(store, result, scope, size, fresh=earlier is None)
            log.info("purge scope gathered", connector=name, seconds=round(time.perf_counter() - clock, 1))
        if dry_run:
            for name, scope in scopes.items():
                estimate(scope, {p.table: p for p in result.parts if p.connector == name})
            trial(result, scopes, pools)
            return result
        for drawn in pools.values():  # a provider that fails stops the purge here, before anything changes
            drawn.wait()
        if earlier is None:
            result.baseline["today"] = today.isoformat()
            journal.record(store, result, ticket, export_dir, _integer(scopes, result), _owned(scopes, result))
        else:
            journal.load(store, result, earlier)
        journal.done_counts(store, result)
        target = Path(earlier["export_dir"]) if earlier and earlier["export_dir"] else export_dir
        if target is not None:
            result.export = write_package(store, result, scopes, target, earlier)
        journal.set_purge(store, pid, status="running")
        log.info("purge planned", tenant=tenant, rows=result.rows, seconds=round(time.perf_counter() - clock, 1))
        execute(store, result, scopes, pools, on_progress, on_batch)
        found = final_pass(store, result, scopes, pools, size, lambda s: _regather(store, pid, s), on_batch)
        log.info("purge batches done", tenant=tenant, seconds=round(time.perf_counter() - clock, 1))
        result.verification = verify(result, scopes, found)
        log.info("purge verified", tenant=tenant, seconds=round(time.perf_counter() - clock, 1))
        if result.verification["result"] != "PASS":
            journal.set_purge(store, pid, status="failed")
            raise VerificationError(f"the purge of tenant {tenant} did not verify: "
                                    f"{result.verification['problems'][0]}.")
        _certify(config, store, result, ticket, node, scopes, started_at, action)
        result.seconds = time.perf_counter() - clock
        log.info("purge done", tenant=tenant, rows=result.rows, seconds=round(result.seconds, 1),
                 certificate=result.certificate.certificate_id, **result.totals())
        return result
    finally:
        for scope in scopes.values():
            try:
                scope.conn.rollback()
                scope.drop()
            except Exception:  # the connection may be gone; its temporary tables go with it
                pass
            scope.conn.close()


def _plan_connector(store: Any, result: PurgeResult, scope: Scope, size: int, fresh: bool) -> None:
    """Gather the tenant's keys, prove them the tenant's rows, and (for a new purge) plan the batches."""
    scope.build(None if fresh else journal.owned_keys(store, result.purge_id, scope.name))
    found = check_scope(scope, owned_by_keys=not fresh)
    for table in scope.order():
        part = Part(scope.name, table, scope.pk(table), scope.tables[table] == "owned")
        part.rows = scope.count(table)
        part.release = release_range(scope, table)
        if fresh:
            part.batches = list(scope.boundaries(table, size))
        result.parts.append(part)
    if fresh:
        result.baseline.setdefault("tables", {})[scope.name] = baseline(scope, result, found)
    scope.conn.rollback()


def _regather(store: Any, purge_id: str, scope: Scope) -> Oracle:
    scope.drop()
    scope.build(journal.owned_keys(store, purge_id, scope.name))
    return check_scope(scope, owned_by_keys=True)


def _integer(scopes: dict[str, Scope], result: PurgeResult) -> dict[tuple[str, str], bool]:
    return {(p.connector, p.table): scopes[p.connector].int_key(p.table) for p in result.parts}


def _owned(scopes: dict[str, Scope], result: PurgeResult) -> dict[tuple[str, str], Any]:
    """The keys of owned parent rows, in chunks, to be journaled: once their owners are gone nothing finds them."""
    out = {}
    for p in (p for p in result.parts if p.owned):
        scope = scopes[p.connector]
        kt = scope.keys[p.table]
        rows = scope.run(scope.key_table_select(kt)).partitions(10_000)
        out[(p.connector, p.table)] = ([r[0] for r in chunk] for chunk in rows)
    return out


def _certify(config: Config, store: Any, result: PurgeResult, ticket: dict[str, Any] | None, node: str,
             scopes: dict[str, Scope], started_at: datetime, action: str) -> None:
    """Sign once (a resumed purge gets the same certificate id), then record it with the retained-row schedule
    and close the ticket in one transaction, and only then mark the purge done."""
    from eraser.proof.certificates import certify

    result.payload = purge_payload(config, result, ticket, started_at, action)
    result.certificate = certify(config, None, None, payload=result.payload,
                                 cert_id=str(uuid.uuid5(NAMESPACE, result.purge_id)))
    retained = (row for scope in scopes.values() for row in retained_schedule(scope, result))
    close_ticket(store, result, ticket, node, retained)
    journal.set_purge(store, result.purge_id, status="done", certificate_id=result.certificate.certificate_id,
                      completed_at=journal.now())
