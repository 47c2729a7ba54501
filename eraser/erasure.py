"""One erasure, the same wherever it is asked for: the `eraser erase` command, the demo, the public API and the
tests all call `erase_subject()`.

The steps, in order: the certificates directory and key are checked; holds are looked up (config and
`eraser hold add`); the plan is made and shown (`on_plan`, which may refuse); a subject erased before of whom
nothing remains is recorded against the earlier certificate, and no new one is issued; otherwise the erasure
runs in one verified transaction per database, with the files, the replay journal and the suppression list
around it (eraser.rights.care), and is certified.

The daemon runs the same steps as a resumable ticket (eraser.daemon.worker): each step journaled in the state
store, so that a crash between them completes the ticket once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import structlog

from eraser import logging as eraser_logging
from eraser.config import Config
from eraser.engine.execute import Outcome, make_plan
from eraser.engine.execute import erase as run_erasure
from eraser.engine.holds import holds_store, subject_hold
from eraser.engine.plan import Plan
from eraser.engine.session import Session, open_session
from eraser.proof.certificates import Issued, ready_to_certify
from eraser.rights.care import ErasureCare
from eraser.rights.suppression import earlier_repeat, record_against_earlier
from eraser.subjects import Subject
from eraser.tickets import Ticket

log = structlog.get_logger("eraser.erasure")


@dataclass
class Erased:
    """What one call did: the plan always; the outcome and certificate when it erased."""

    plan: Plan
    dialects: dict[str, str]
    earlier: dict[str, Any] | None = None  # the suppression entry, when the subject was erased before
    outcome: Outcome | None = None
    issued: Issued | None = None
    files: str | None = None  # one line on the files destroyed, when the rows referred to files

    @property
    def recorded_against(self) -> str | None:
        """The earlier certificate this request was recorded against (nothing remained), or None."""
        return self.earlier["certificate_id"] if self.earlier is not None and self.issued is None else None


OnPlan = Callable[[Plan, dict[str, str], dict[str, Any] | None], None]


def plan_erasure(session: Session, config: Config, subject: Subject, request_date: date,
                 hold_reason: str | None = None) -> Plan:
    """What an erasure would do now, with the holds of the config and of the state store. Nothing changes."""
    with holds_store(config) as store:
        hold = subject_hold(config, store, subject, hold_reason)
    return make_plan(session, subject, request_date, hold_reason=hold)


def erase_subject(config: Config, subject: Subject, ticket: Ticket, *, hold_reason: str | None = None,
                  out: Path | None = None, on_plan: OnPlan | None = None) -> Erased:
    """Plan, show (`on_plan` may raise to refuse: nothing has changed then), erase, certify."""
    ready_to_certify(config, out)
    with eraser_logging.redacting(subject.terms()), open_session(config) as session, \
            structlog.contextvars.bound_contextvars(ticket=ticket.reference):
        with holds_store(config) as store:
            hold = subject_hold(config, store, subject, hold_reason)
        plan = make_plan(session, subject, ticket.received_at.date(), hold_reason=hold)
        repeat = earlier_repeat(config, subject, plan)  # the same test as the daemon's (eraser.rights.suppression)
        earlier = repeat.entry if repeat is not None else None
        if on_plan is not None:
            on_plan(plan, session.dialects, earlier)
        done = Erased(plan, session.dialects, earlier)
        if repeat is not None and repeat.nothing_remains:
            record_against_earlier(config, subject, ticket, repeat)
            log.info("nothing remains of a subject erased before; recorded against its certificate",
                     certificate=repeat.certificate_id)
            return done
        with ErasureCare(config, session, subject, ticket) as care:  # files, replay journal, suppression list
            done.outcome = run_erasure(session, subject, ticket.received_at.date(), hold_reason=hold,
                                       expected_fingerprint=plan.fingerprint(), before_commit=care.before_commit)
            done.issued = care.certify(done.outcome, out)
            done.files = care.summary()
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
    with holds_store(config) as store:
        hold = subject_hold(config, store, subject, hold_reason)
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
