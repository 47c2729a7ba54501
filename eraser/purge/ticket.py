"""A purge in the register of requests: the ticket it closes (the daemon's, or one recorded for a purge run from
the command line) with its certificate and retained rows, and the daemon's handling of `purge` tickets."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from itertools import chain
from typing import Any

import structlog

from eraser import faults
from eraser.errors import EraserError
from eraser.purge import journal
from eraser.purge.result import PurgeResult, TenantError

log = structlog.get_logger("eraser.purge")
NAMESPACE = uuid.UUID("0b7e2f4c-3d0a-4b8e-9a71-5c2f1e6d8a90")
CLI_REF = "purge:"


def close_ticket(store: Any, result: PurgeResult, ticket: dict[str, Any] | None, node: str,
                 retained: Iterator[dict[str, Any]]) -> None:
    """Record the certificate and the retained-row schedule and close the ticket, in one transaction; a purge run
    from the command line first enters the register as a ticket of its own."""
    if ticket is None:
        ticket, _created = store.submit(kind="purge", subject_ref=f"tenant:{result.tenant}", identifier_refs=[],
                                        identifier_types=[], sealed=None,
                                        ticket_id=str(uuid.uuid5(NAMESPACE, f"cli:{result.purge_id}")),
                                        external_ref=CLI_REF + result.purge_id, received_at=journal.now(),
                                        requested_by=node, tenant=result.tenant, node=node)
    issued = result.certificate
    first = next(retained, None)  # the schedule streams: whether it holds a row is its first
    store.finish(ticket["id"], node, "done_with_retention" if first else "done",
                 {"id": issued.certificate_id, "type": "purge", "parent_id": None, "sequence": issued.sequence,
                  "path": str(issued.path), "sha256": issued.digest,
                  "body": issued.path.read_text(encoding="utf-8")}, chain([first] if first else [], retained))


def purge_id_of(ticket: dict[str, Any]) -> str:
    ref = ticket["external_ref"] or ""
    return ref[len(CLI_REF):] if ref.startswith(CLI_REF) else str(uuid.uuid5(NAMESPACE, f"ticket:{ticket['id']}"))


class PurgeStopped(Exception):
    """The daemon is stopping: the purge stopped after a journaled batch and resumes at the next one."""


def _stop_at_batch_boundary(worker: Any) -> Any:
    """Called after each batch is committed and marked done: the place a stopping daemon may leave a purge."""
    def check(_progress: Any) -> None:
        stop = getattr(worker, "stop", None)
        if stop is not None and stop.is_set():
            raise PurgeStopped()
    return check


def process_ticket(worker: Any, ticket: dict[str, Any]) -> None:
    """A `purge` ticket (recorded at a contract's end): the purge, resumed at its next batch if a worker died, then
    the ticket closed with the tenant-wide certificate and its retained rows."""
    from eraser.proof.certificates import read_jws, ready_to_certify
    from eraser.proof.jws import find_certificate
    from eraser.purge import purge_tenant
    from eraser.rights.care import exports_directory
    from eraser.store.tables import now

    config, store, node, tid = worker.config, worker.store, worker.node, ticket["id"]
    tenant = ticket["tenant"]
    if not tenant:
        raise TenantError(f"purge ticket {tid} names no tenant.")
    contract = next((c for c in config.contracts if c.tenant == tenant), None)
    action = contract.action if contract else "destroy"
    pid = purge_id_of(ticket)
    ready_to_certify(config)
    store.update(tid, node, "running", f"purge of tenant {tenant} ({action})", status="running", started_at=now())
    done = journal.finished(store, pid)
    if done is None and (ticket["external_ref"] or "").startswith(CLI_REF):
        raise EraserError(f"purge {pid} of tenant {tenant} runs from the command line; its ticket closes when it ends.")
    if done is None:
        export = exports_directory(config) / f"purge-{tid}" if action == "return_and_destroy" else None
        result = purge_tenant(worker.session(), store, tenant, export_dir=export, purge_id=pid, ticket=ticket,
                              action=action, node=node, on_progress=_stop_at_batch_boundary(worker),
                              on_batch=lambda _table, _seq, when: faults.kill(f"purge-{when}"))
        certificate_id = result.certificate.certificate_id
    else:  # purged, certified and closed; a retry of a ticket whose close was not seen
        certificate_id = done["certificate_id"]
        path = find_certificate(config.certificates, certificate_id)
        assert path is not None, "a purge certificate that was certified is in the store"
        body = path.read_text(encoding="utf-8")
        status = "done_with_retention" if read_jws(path)[1]["totals"]["retain"] else "done"
        store.finish(tid, node, status, {"id": certificate_id, "type": "purge", "parent_id": None,
                                         "sequence": read_jws(path)[1]["certificate"]["sequence"], "path": str(path),
                                         "sha256": hashlib.sha256(body.encode()).hexdigest(), "body": body}, [])
    worker.processed += 1
    log.info("ticket done", kind="purge", tenant=tenant, certificate=certificate_id)
