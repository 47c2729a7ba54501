"""Plan and apply an erasure: one transaction per database, verified inside it before commit."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import structlog

from connectors.base import Key, Row
from eraser.config import Config, undecided_tables
from eraser.engine.anonymize import Anonymizer
from eraser.engine.candidates import read_candidates
from eraser.engine.holds import subject_hold
from eraser.engine.kept import judge_for, scan_kept
from eraser.engine.locate import locate
from eraser.engine.plan import Plan, TablePlan, plan_connector, unmatched
from eraser.engine.redaction import free_text_counts, free_text_wanted, redact_free_text
from eraser.engine.residual import names_if_found
from eraser.engine.retention import ActiveHold
from eraser.engine.schema import Graph
from eraser.engine.session import Session
from eraser.engine.terms import subject_terms
from eraser.engine.verify import CERTIFIABLE, NOT_RUN, Expected, verify
from eraser.errors import ConfigError, PlanChangedError, VerificationError
from eraser.subjects import Subject, subject_reference

log = structlog.get_logger("eraser.engine.execute")
_HEAP = {"frozen": False}


def _freeze_heap_once() -> None:
    """The objects alive when a process's first plan or erasure starts (imported modules, the config, the reflected
    schema) live as long as the process: they are moved out of the collector's generations once, so the collections
    that an erasure's own allocations trigger do not walk them again (50-70 ms of a 170 ms erasure in a new process
    on the benchmark machine). Objects made later are collected as usual."""
    if not _HEAP["frozen"]:
        gc.freeze()
        _HEAP["frozen"] = True


def _plan(session: Session, subject: Subject, conns: dict[str, Any], request_date: date, today: date,
          hold_reason: str | ActiveHold | None, for_update: bool) -> Plan:
    config = session.config
    hold = hold_reason if isinstance(hold_reason, ActiveHold) else subject_hold(config, None, subject, hold_reason, today)
    tables: list[TablePlan] = []
    for name, graph in session.graphs.items():
        found = locate(graph, subject, conns[name], config, for_update=for_update)
        tables += plan_connector(graph, found, conns[name], request_date, today, hold)
    plan = Plan(subject_reference(subject, config.secret_bytes()), subject.types, request_date, hold, tables)
    if hold is None:  # other people's kept rows that name the subject: never changed, listed
        plan.kept = judge_for(config, session.graphs, request_date, today, session)
        if not for_update:  # the plan alone searches for them; an erasure lists those its redaction and scan meet
            scan_kept(session.connectors, config, subject_terms(names_if_found(subject, plan), config), conns, plan)
    return plan


def make_plan(session: Session, subject: Subject, request_date: date | None = None, today: date | None = None,
              hold_reason: str | ActiveHold | None = None) -> Plan:
    """The plan alone: nothing is changed (each connector is read in a transaction that is rolled back)."""
    _freeze_heap_once()
    today = today or datetime.now(UTC).date()
    with ExitStack() as stack:
        conns = {name: stack.enter_context(c.read()) for name, c in session.connectors.items()}
        plan = _plan(session, subject, conns, request_date or today, today, hold_reason, for_update=False)
        if plan.hold is None:  # the free-text redactions the erasure would make, other people's rows included
            plan.free_text = free_text_counts(free_text_wanted(session.connectors, session.config, subject, conns,
                                                               plan))
        return plan


@dataclass
class Outcome:
    plan: Plan
    done: dict[tuple[str, str], dict[str, int]]
    verification: dict[str, Any]
    started_at: datetime
    completed_at: datetime
    statements: int
    notes: list[str] = field(default_factory=list)
    dialects: dict[str, str] = field(default_factory=dict)
    free_text: list[dict[str, Any]] = field(default_factory=list)  # redactions written, by table (counts only)


def erase(session: Session, subject: Subject, request_date: date | None = None, today: date | None = None,
          hold_reason: str | ActiveHold | None = None, expected_fingerprint: str | None = None,
          seed: int | None = None, before_commit: Callable[[Outcome], None] | None = None,
          after_commit: Callable[[str], None] | None = None) -> Outcome:
    """Locate, plan, apply and verify in one transaction per database; commit only if every database verified.
    Databases commit one after the other; `after_commit` is called with each connector's name as it commits."""
    config = session.config
    refuse_undecided(config, "erasing")
    _freeze_heap_once()
    started = datetime.now(UTC)
    today = today or started.date()
    statements_before = session.statements
    clock = time.perf_counter()
    done: dict[tuple[str, str], dict[str, int]] = {}
    with ExitStack() as stack:
        conns = {}
        for name, c in session.connectors.items():
            if after_commit is not None:  # pushed before the transaction, so it runs once that has committed
                stack.push(lambda failed, *_, name=name: bool(failed is None and after_commit(name)))
            conns[name] = stack.enter_context(c.begin())
        plan = _plan(session, subject, conns, request_date or today, today, hold_reason, for_update=True)
        if expected_fingerprint and plan.fingerprint() != expected_fingerprint:
            raise PlanChangedError("the data changed since the plan was made (rows or decisions differ); "
                                   "nothing was changed, plan again.")
        if plan.hold is None and (rest := unmatched(plan)):
            raise ConfigError(f"{', '.join(f'{n} row(s) of {t}' for t, n in rest)} found for the subject match none "
                              "of the table's rules:; add a rule for such rows (a last rule without when: takes "
                              "every other row); nothing was changed.")
        if plan.hold is not None:
            verification = {"method": "none: a legal hold blocks every change", "result": NOT_RUN,
                            "residual_matches": 0}
            held = Outcome(plan, {}, verification, started, datetime.now(UTC),
                           session.statements - statements_before, dialects=session.dialects)
            if before_commit is not None:
                before_commit(held)
            return held
        read_candidates(session.connectors, config, subject, conns, plan)  # MariaDB: one read before the changes
        anonymizer = Anonymizer(config.locale, config.secret_bytes(), seed)
        expected = Expected()
        expected.keep(plan)
        for name, graph in session.graphs.items():
            conn = conns[name]
            tables = {tp.table: tp for tp in plan.tables if tp.connector == name}
            for table, tp in sorted(tables.items()):
                changes = _replacements(graph, tp, anonymizer, conn)
                if changes:
                    n = graph.connector.update_rows(conn, table, changes)
                    if n > len(changes):  # a declared key: that two rows share
                        raise VerificationError(f"{n} row(s) of {table} matched the {len(changes)} key(s) to "
                                                "anonymize; its key: does not identify one row, so everything was "
                                                "rolled back.")
                    expected.wrote(tp, changes)
                    done.setdefault((name, table), {})["anonymize"] = len(tp.keys("anonymize"))
                    if tp.keys("retain") and any(tp.decisions[k].strategies for k in tp.keys("retain")):
                        done[(name, table)]["minimize"] = n - len(tp.keys("anonymize"))
            for table in graph.delete_order():
                keys = tables[table].keys("delete")
                if keys:
                    n = graph.connector.delete_rows(conn, table, keys)
                    if n > len(keys):  # a declared key: that two rows share
                        raise VerificationError(f"{n} row(s) of {table} matched the {len(keys)} key(s) to delete; "
                                                "its key: does not identify one row, so everything was rolled back.")
                    done.setdefault((name, table), {})["delete"] = n
        wanted = free_text_wanted(session.connectors, config, subject, conns, plan)
        plan.free_text = free_text_counts(wanted)
        free_text = redact_free_text(session.connectors, wanted, conns, done)
        verification = verify(session, subject, conns, plan, expected)
        if verification["result"] not in CERTIFIABLE:
            raise VerificationError(f"verification failed, everything was rolled back: {verification['failure']}")
        log.info("erasure verified", statements=session.statements - statements_before,
                 ms=round((time.perf_counter() - clock) * 1000, 1), **plan.totals())
        notes = [c.after_erasure_note() for c in session.connectors.values()]
        outcome = Outcome(plan, done, verification, started, datetime.now(UTC),
                          session.statements - statements_before, notes, session.dialects, free_text)
        if before_commit is not None:  # e.g. journal the outcome, so a crash after commit can still certify
            before_commit(outcome)
    return outcome


def refuse_undecided(config: Config, doing: str) -> None:
    """Tables marked `action: review` block every destructive run until someone decides them."""
    if undecided := undecided_tables(config):
        raise ConfigError(f"the config leaves {len(undecided)} table(s) undecided (action: review): "
                          f"{', '.join(undecided)}; give each delete, anonymize or retain before {doing}; "
                          "nothing was changed.")


def _replacements(graph: Graph, tp: TablePlan, anonymizer: Anonymizer, conn: Any) -> list[tuple[Key, Row]]:
    """New values for anonymized rows and minimized columns of retained rows."""
    connector = graph.connector
    unique = connector.unique_columns(tp.table)
    changes = []
    for key, d in tp.decisions.items():
        if d.action not in ("anonymize", "retain") or not d.strategies:
            continue
        row = tp.rows[key]
        values = {}
        for col, strategy in d.strategies.items():
            if strategy.kind == "keep" or row.get(col) is None:
                continue
            column = connector.column(tp.table, col)

            def taken(candidates: list[Any], col: str = col) -> set[Any]:
                found = connector.rows_by_keys(conn, tp.table, (col,), [(c,) for c in candidates], select=[col])
                return {r[col] for r in found}

            values[col] = anonymizer.replace(strategy, row[col], column,
                                             (tp.table, col) if col in unique else None, taken)
        if values:
            changes.append((key, values))
    return changes


def _verify(session: Session, subject: Subject, conns: dict[str, Any], plan: Plan,
            kept: dict[tuple[str, str, Key], tuple[str, set[str]]]) -> dict[str, Any]:
    """The verification when only the kept rows' digests are known (the retention sweep's releases)."""
    return verify(session, subject, conns, plan, Expected(kept=kept))
