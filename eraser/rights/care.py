"""What an erasure does besides the databases, and the daemon's other ticket kinds.

Around every erasure (CLI, demo and daemon alike):
- before the databases commit: the files its rows refer to are checked (a path escaping its root refuses the
  whole erasure, nothing changes), and the replay journal and suppression references are computed;
- after the commit: the files are destroyed, and the certificate lists them by the SHA-256 of their path;
- once certified: the journal and the suppression entries go to the state store, restricted rows that were
  deleted leave the restriction list, and (daemon) recipients with a webhook are queued for notification.

The daemon's `access` tickets write an export (eraser.rights.export) under `exports:`; `restrict` tickets restrict the
subject's rows (eraser.rights.restrict) and notify the recipients of the restricted tables.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import structlog

from eraser._time import iso
from eraser.config import Config
from eraser.engine import files as erasure_files
from eraser.engine.execute import Outcome
from eraser.engine.holds import subject_hold
from eraser.engine.plan import Plan
from eraser.engine.retention import ActiveHold
from eraser.engine.session import Session
from eraser.errors import EraserError, PlanChangedError
from eraser.outcome import record_cli_erasure, reference_of
from eraser.proof.certificates import Issued, certify
from eraser.proof.payload import erasure_payload
from eraser.rights.replay import journal_entries
from eraser.rights.suppression import Repeat, erased_anything, record_against_earlier, references
from eraser.store.rights import KeyCodec, RightsStore, SuppressionEntry
from eraser.store.state import StateStore
from eraser.store.tables import now
from eraser.store.tickets import Care, Payload, Prepared, TicketRow
from eraser.subjects import Subject
from eraser.tickets import Ticket

log = structlog.get_logger("eraser.rights.care")
TICKET_KINDS = ("access", "restrict")
OnPlan = Callable[[Plan, dict[str, str], SuppressionEntry | None], None]  # plan, dialects, erased before


# -- around an erasure ----------------------------------------------------------------------------

def prepare_erasure(config: Config, session: Session, outcome: Outcome, subject: Subject, context: str
                    ) -> Care:
    """Before the commit (raises to roll the erasure back): what to do once it is committed, as JSON. File paths
    are sealed (they may name the subject) under a key derived from the secret, bound to `context`."""
    plan = outcome.plan
    if plan.hold is not None:
        return {"held": True}
    codec = KeyCodec(config.secret_bytes())
    personal = {(tp.connector, tp.table) for tp in plan.tables
                if KeyCodec.personal(tp.rule, session.connectors[tp.connector].primary_key(tp.table))}
    has_files = erasure_files.has_files(config)
    found = erasure_files.targets(config, plan, personal_keys=personal) if has_files else []
    return {"held": False, "has_files": has_files, "files": codec.seal_json(found, context) if found else None,
            "journal": journal_entries(config, session, plan),
            "suppress": [list(p) for p in references(subject, config.secret_bytes())] if erased_anything(outcome) else [],
            "recipients": sorted({r for tp in plan.tables for r in tp.summary().get("recipients", [])}),
            "subject_ref": plan.subject_ref, "completed_at": iso(outcome.completed_at)}


def destroy_files(config: Config, session: Session, care: Care | None, context: str
                  ) -> dict[str, Any] | None:
    """After the commit: destroy the erasure's files; the certificate's `files` section (None without files:)."""
    if not care or care.get("held") or not care.get("has_files"):
        return None
    sealed = care.get("files")
    found = KeyCodec(config.secret_bytes()).unseal_json(sealed, context) if sealed else []
    return erasure_files.destroy(config, session, found)


def record_erasure(config: Config, store: StateStore, care: Care | None, issued: Issued,
                   reference: str, ticket_id: str | None = None) -> None:
    """Once certified: the replay journal, the suppression entries, and the end of deleted rows' restrictions.
    Safe to repeat (a resumed ticket records nothing twice)."""
    if not care or care.get("held"):
        return
    rights = RightsStore(store, config.secret_bytes())
    rights.record_erasure(certificate_id=issued.certificate_id, kind="erasure", ticket_id=ticket_id,
                          ticket_reference=reference, subject_ref=care.get("subject_ref"),
                          completed_at=datetime.fromisoformat(care["completed_at"].replace("Z", "+00:00")),
                          certificate_sha256=issued.digest, rows=care.get("journal", []))
    rights.suppress([(kind, ref) for kind, ref in care.get("suppress", [])], issued.certificate_id)
    gone = [rights.keys.ref(e["connector"], e["table"], rights.keys.decode(e["key"]))
            for e in care.get("journal", []) if e["action"] == "delete"]
    rights.end_restricted_rows(gone, "erased")


class ErasureCare:
    """The journal (eraser.erasure.Journal) of an erasure run from the command line: the state store is opened
    first (so a store that cannot be reached stops the erasure before anything changes); the plan is shown by
    `on_plan`; the files, the replay journal and the suppression references are prepared before the commit;
    the certificate is signed from the outcome, and the erasure enters the state store as a finished ticket."""

    plan_first = True

    def __init__(self, config: Config, session: Session, subject: Subject, ticket: Ticket, *,
                 hold_reason: str | None = None, out: Path | None = None, on_plan: OnPlan | None = None) -> None:
        self.config = config
        self.session = session
        self.subject = subject
        self.ticket = ticket
        self.hold_reason = hold_reason
        self.out = out
        self.show = on_plan
        self.store = StateStore(config.state or "")
        self.store.migrate()
        self.care: Care | None = None
        self.files: dict[str, Any] | None = None

    def hold(self) -> ActiveHold | None:
        return subject_hold(self.config, self.store, self.subject, self.hold_reason)

    def resume(self, fresh: Callable[[], Plan]) -> Outcome | None:
        return None  # one attempt, in one process

    def on_plan(self, plan: Plan, dialects: dict[str, str], repeat: Repeat | None) -> None:
        if self.show is not None:
            self.show(plan, dialects, repeat.entry if repeat is not None else None)

    def close_on_earlier(self, repeat: Repeat) -> None:
        record_against_earlier(self.config, self.store, self.subject, self.ticket, repeat)

    def go_ahead(self, plan: Plan | None) -> bool:
        return True  # `on_plan` asked, or refused

    def expected(self, plan: Plan | None) -> str | None:
        return plan.fingerprint() if plan is not None else None  # what was shown is what is erased

    def before_commit(self, outcome: Outcome) -> None:
        self.care = prepare_erasure(self.config, self.session, outcome, self.subject, self.ticket.reference)

    def after_commit(self, connector: str) -> None:
        pass

    def plan_changed(self, error: PlanChangedError, fresh: Callable[[], Plan]) -> None:
        raise error

    def committed(self, outcome: Outcome) -> Outcome:
        return outcome

    def certify(self, outcome: Outcome) -> Issued:
        self.files = destroy_files(self.config, self.session, self.care, self.ticket.reference)
        payload = erasure_payload(self.config, outcome, self.ticket)
        if self.files is not None:
            payload["files"] = self.files
        issued = certify(self.config, outcome, self.ticket, self.out, payload=payload)
        try:
            record_erasure(self.config, self.store, self.care, issued, self.ticket.reference)
            record_cli_erasure(self.config, self.store, self.subject, self.ticket, outcome, issued)
        except Exception as exc:  # the databases committed and the certificate exists: say so, not "rolled back"
            raise EraserError(f"the erasure was committed and certified ({issued.path}), but the state store could "
                              f"not record it for replay and the suppression list ({type(exc).__name__}); fix the "
                              "state store, then erase the subject again to record it.") from None
        return issued

    def summary(self) -> str | None:
        if self.files is None:
            return None
        c = self.files["counts"]
        line = (f"Files: {self.files['files_destroyed']} destroyed (overwritten, then unlinked), {c['absent']} "
                f"absent, {c['shared']} shared and left in place")
        if c["failed"] or c["refused"]:
            line += f"; {c['failed'] + c['refused']} NOT destroyed (see the certificate)"
        return line

    def close(self) -> None:
        self.store.dispose()

    def __enter__(self) -> ErasureCare:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# -- the daemon -----------------------------------------------------------------------------------

def daemon_payload(config: Config, session: Session, prepared: Prepared, ticket_id: str) -> Payload:
    """The prepared certificate payload, with the files destroyed after the commit."""
    payload = dict(prepared["payload"])
    found = destroy_files(config, session, prepared.get("rights"), ticket_id)
    if found is not None:
        payload["files"] = found
    return payload


def erasure_certified(config: Config, store: StateStore, prepared: Prepared, issued: Issued,
                      ticket: TicketRow) -> None:
    """Journal and suppression list, then queue the recipients' webhooks (delivered once the ticket is done)."""
    from eraser.rights import webhooks

    care = prepared.get("rights")
    reference = reference_of(config, ticket)
    record_erasure(config, store, care, issued, reference, ticket["id"])
    if care and not care.get("held"):
        webhooks.enqueue(config, RightsStore(store, config.secret_bytes()), ticket["id"], "erase", reference,
                         issued.certificate_id, care.get("recipients", []))


def exports_directory(config: Config) -> Path:
    if config.exports.is_absolute() or config.path is None:
        return config.exports
    return config.path.resolve().parent / config.exports


class TicketWorker(Protocol):
    """What a ticket kind needs of the daemon's worker (eraser.daemon.worker.Worker)."""

    config: Config
    store: StateStore
    node: str
    processed: int

    def session(self) -> Session: ...


def process_ticket(worker: TicketWorker, ticket: TicketRow, subject: Subject) -> None:
    """An `access` or `restrict` ticket: no plan to approve, nothing destroyed; done in one step."""
    from eraser.rights import webhooks
    from eraser.rights.export import export_subject
    from eraser.rights.restrict import restrict

    config, store, node, tid = worker.config, worker.store, worker.node, ticket["id"]
    reference = reference_of(config, ticket)
    store.update(tid, node, "running", ticket["kind"], status="running", started_at=now())
    session = worker.session()
    if ticket["kind"] == "access":
        directory = exports_directory(config) / tid
        if directory.exists():
            shutil.rmtree(directory)  # an earlier attempt stopped half-way: start again
        result = export_subject(config, session, subject, directory)
        summary: dict[str, Any] = {"kind": "access", "directory": str(directory), "manifest_sha256":
                                   result.manifest_sha256, "rows": result.rows, "files": result.files,
                                   "tables": result.counts}
        detail = f"exported {result.rows} row(s) from {result.tables} table(s); manifest sha256 {result.manifest_sha256}"
    else:
        rights = RightsStore(store, config.secret_bytes())
        restriction = restrict(config, session, rights, subject, f"restriction requested in ticket {reference}",
                               ticket["requested_by"], ticket_id=tid)
        counts = restriction["counts"]
        summary = {"kind": "restrict", "restriction_id": restriction["id"], "tables": counts}
        detail = f"restriction {restriction['id']}: {sum(sum(c.values()) for c in counts.values())} row(s)"
        recipients = [r for key in counts for r in config.connectors[key.split(".", 1)[0]]
                      .tables[key.split(".", 1)[1]].recipients]
        webhooks.enqueue(config, rights, tid, "restrict", reference, None, recipients)
    store.update(tid, node, "done", detail, status="done", plan=summary, sealed_subject=None, prepared=None,
                 claimed_by=None, claimed_until=None, completed_at=now(), last_error=None)
    worker.processed += 1
    log.info("ticket done", kind=ticket["kind"])


def deliver_webhooks(config: Config, store: StateStore) -> int:
    """Deliver due webhook notifications; called by an idle worker. Never raises."""
    from eraser.rights import webhooks

    if not config.recipients:
        return 0
    try:
        return webhooks.deliver_due(config, RightsStore(store, config.secret_bytes()))
    except Exception as exc:  # the state store is unreachable: the worker goes on, deliveries wait
        log.warning("webhook deliveries postponed", error=type(exc).__name__)
        return 0
