"""One erasure, the same wherever it is asked for: the `eraser erase` command, the demo, the public API, the
daemon and the tests all run `carry_out()`, the one place that sequences an erasure's steps.

The steps, in order: holds are looked up (config and `eraser hold add`); what an earlier attempt committed is
resumed (daemon); the plan is made and shown or recorded (`on_plan`, which may refuse); a subject erased before of
whom nothing remains is closed on the earlier certificate, and no new one is issued; once it may go ahead (the
daemon's approval), the erasure runs in one verified transaction per database, the intent recorded before each
commit (`before_commit`) and each commit journaled (`after_commit`); the outcome is recorded once and certified.

Where the steps are written is a `Journal`: on the command line eraser.rights.care.ErasureCare (the files, the
replay journal and the suppression list around the erasure, and a finished ticket in the state store), in the
daemon eraser.daemon.worker.TicketJournal (every step journaled on the ticket, so that a crash between any two of
them completes the ticket once, with one certificate derived from the recorded outcome).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

import structlog

from eraser import logging as eraser_logging
from eraser.config import Config
from eraser.engine.execute import Outcome, make_plan
from eraser.engine.execute import erase as run_erasure
from eraser.engine.holds import holds_store, share_store, subject_hold
from eraser.engine.plan import Plan
from eraser.engine.session import Session, open_session
from eraser.errors import PlanChangedError
from eraser.proof.certificates import Issued, ready_to_certify
from eraser.rights.care import ErasureCare, OnPlan
from eraser.rights.suppression import Repeat, repeat_request, suppression_entry
from eraser.subjects import Subject
from eraser.tickets import Ticket

if TYPE_CHECKING:
    from eraser.engine.retention import ActiveHold
    from eraser.store.rights import SuppressionEntry
    from eraser.store.state import StateStore

log = structlog.get_logger("eraser.erasure")
R = TypeVar("R")  # what a commit records and the certificate is derived from


class Journal(Protocol[R]):
    """Where one erasure's steps are written. `R` is the committed record the certificate is derived from: the
    Outcome on the command line, the ticket's recorded outcome in the daemon."""

    config: Config
    store: StateStore
    plan_first: bool  # plan (and show it, check for a repeat, ask to go ahead) before erasing

    def hold(self) -> ActiveHold | None:
        """The legal hold on the subject, if any: every decision becomes `hold`."""

    def resume(self, fresh: Callable[[], Plan]) -> R | None:
        """What an earlier attempt committed and recorded, to certify instead of erasing (None: erase)."""

    def on_plan(self, plan: Plan, dialects: dict[str, str], repeat: Repeat | None) -> None:
        """Show or record the plan; raise to refuse (nothing has changed then)."""

    def close_on_earlier(self, repeat: Repeat) -> None:
        """Nothing remains of a subject erased before: close the request on the earlier certificate."""

    def go_ahead(self, plan: Plan | None) -> bool:
        """The last step before the transactions (False: wait, e.g. for approval); `plan` when made just now."""

    def expected(self, plan: Plan | None) -> str | None:
        """The fingerprint the erasure must still match (the plan shown or approved), or None."""

    def before_commit(self, outcome: Outcome) -> None:
        """Record the intent, verified and about to commit; raise to roll every database back."""

    def after_commit(self, connector: str) -> None:
        """One database committed."""

    def plan_changed(self, error: PlanChangedError, fresh: Callable[[], Plan]) -> None:
        """The rows changed since the plan was approved: raise, or record the new plan to approve."""

    def committed(self, outcome: Outcome) -> R:
        """Every database committed: the outcome as recorded (once) for the certificate."""

    def certify(self, record: R) -> Issued:
        """Sign the certificate of the recorded outcome and finish."""


@dataclass
class Carried(Generic[R]):
    """What `carry_out` did: the plan when it made one, the repeat it found, the outcome when it erased, the
    certificate when it certified."""

    plan: Plan | None = None
    repeat: Repeat | None = None
    outcome: Outcome | None = None
    issued: Issued | None = None


def carry_out(journal: Journal[R], session: Session, subject: Subject, received: date) -> Carried[R]:
    """The one sequence of an erasure: hold, resume, plan, repeat check, go ahead, erase, record, certify."""
    hold = journal.hold()

    def fresh() -> Plan:
        return make_plan(session, subject, received, hold_reason=hold)

    done: Carried[R] = Carried()
    record = journal.resume(fresh)
    if record is None:
        if journal.plan_first:
            done.plan = fresh()
            done.repeat = repeat_request(journal.config, journal.store, subject, done.plan)
            journal.on_plan(done.plan, session.dialects, done.repeat)
            if done.repeat is not None and done.repeat.nothing_remains:
                journal.close_on_earlier(done.repeat)
                return done
        if not journal.go_ahead(done.plan):
            return done
        try:
            done.outcome = run_erasure(session, subject, received, hold_reason=hold,
                                       expected_fingerprint=journal.expected(done.plan),
                                       before_commit=journal.before_commit, after_commit=journal.after_commit)
        except PlanChangedError as changed:
            journal.plan_changed(changed, fresh)
            return done
        record = journal.committed(done.outcome)
    done.issued = journal.certify(record)
    return done


@dataclass
class Erased:
    """What one call did: the plan always; the outcome and certificate when it erased."""

    plan: Plan
    dialects: dict[str, str]
    earlier: SuppressionEntry | None = None  # when the subject was erased before
    outcome: Outcome | None = None
    issued: Issued | None = None
    files: str | None = None  # one line on the files destroyed, when the rows referred to files
    planned_first: bool = True  # the plan was made (and shown by on_plan) before the erasure; else it is the erasure's

    @property
    def recorded_against(self) -> str | None:
        """The earlier certificate this request was recorded against (nothing remained), or None."""
        return self.earlier["certificate_id"] if self.earlier is not None and self.issued is None else None


def plan_erasure(session: Session, config: Config, subject: Subject, request_date: date,
                 hold_reason: str | None = None) -> Plan:
    """What an erasure would do now, with the holds of the config and of the state store. Nothing changes."""
    return make_plan(session, subject, request_date, hold_reason=_hold(config, subject, hold_reason))


def _hold(config: Config, subject: Subject, hold_reason: str | None) -> ActiveHold | None:
    """The hold on the subject, from the config, the state store or `hold_reason`."""
    with holds_store(config) as store:
        return subject_hold(config, store, subject, hold_reason)


def erase_subject(config: Config, subject: Subject, ticket: Ticket, *, hold_reason: str | None = None,
                  out: Path | None = None, on_plan: OnPlan | None = None, plan_first: bool = True) -> Erased:
    """Plan, show (`on_plan` may raise to refuse: nothing has changed then), erase, certify: `carry_out` with the
    command line's journal (eraser.rights.care.ErasureCare).

    Without `plan_first` (`eraser erase --yes`: nobody reads the plan before it runs) no plan is made before the
    transactions: the erasure makes its own in them, locked, and that is the plan returned (and certified, as
    always). A subject on the suppression list is planned first all the same: of a subject erased before of whom
    nothing remains, the request is recorded against the earlier certificate and nothing runs."""
    ready_to_certify(config, out)
    with eraser_logging.redacting(subject.terms()), open_session(config) as session, \
            structlog.contextvars.bound_contextvars(ticket=ticket.reference), \
            ErasureCare(config, session, subject, ticket, hold_reason=hold_reason, out=out, on_plan=on_plan) as care:
        share_store(session, config, care.store)  # the plans' holds read from the store the erasure opened
        if not plan_first and suppression_entry(config, care.store, subject) is None:
            care.plan_first = False
        carried = carry_out(care, session, subject, ticket.received_at.date())
        plan = carried.plan or (carried.outcome.plan if carried.outcome is not None else None)
        assert plan is not None  # planned first, or erased (else it raised)
        earlier = carried.repeat.entry if carried.repeat is not None else None
        done = Erased(plan, session.dialects, earlier, carried.outcome, carried.issued, care.summary(),
                      planned_first=carried.plan is not None)
    if done.issued is None and carried.repeat is not None:
        log.info("nothing remains of a subject erased before; recorded against its certificate",
                 certificate=carried.repeat.certificate_id)
    elif done.issued is not None:
        log.info("certificate issued", certificate=done.issued.certificate_id, sequence=done.issued.sequence)
    return done


class _Rehearsed(Exception):
    """Raised just before commit to roll a rehearsal back: it carries what would have been committed."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__("rehearsal: rolled back")
        self.outcome = outcome


def rehearse(session: Session, config: Config, subject: Subject, request_date: date,
             hold_reason: str | None = None) -> tuple[Outcome, dict[str, list[str]]]:
    """The whole erasure run in its transactions, verified, then rolled back: what it would do and the
    statements it ran (templates with placeholders, never values; the latest 200), per connector. Nothing changes:
    no commit, no file, no certificate, no state store entry."""
    hold = _hold(config, subject, hold_reason)
    first = {name: c.statements for name, c in session.connectors.items()}

    def stop(outcome: Outcome) -> None:
        raise _Rehearsed(outcome)

    try:
        run_erasure(session, subject, request_date, hold_reason=hold, before_commit=stop)
    except _Rehearsed as rehearsed:
        statements = {}
        for name, c in session.connectors.items():  # the connector keeps the latest 200 templates
            ran = c.statements - first[name]
            statements[name] = list(c.iter_statements())[-ran:] if ran else []
        return rehearsed.outcome, statements
    raise AssertionError("an erasure returned without reaching its commit")  # pragma: no cover
