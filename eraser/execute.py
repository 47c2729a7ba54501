"""Plan and apply an erasure: one transaction per database, verified inside it before commit."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import structlog

from connectors.base import Key, Row
from connectors.sql import SQLConnector, open_connector
from eraser.anonymize import Anonymizer
from eraser.config import Config, undecided_tables
from eraser.errors import ConfigError, PlanChangedError, VerificationError
from eraser.holds import subject_hold
from eraser.locate import Graph, build_graph, locate
from eraser.plan import Plan, TablePlan, plan_connector
from eraser.residual import redact_free_text, residual_scan
from eraser.retention import ActiveHold
from eraser.subjects import Subject, subject_reference

log = structlog.get_logger("eraser.execute")


@dataclass
class Session:
    """A config with its connectors open and checked against their live schemas."""

    config: Config
    connectors: dict[str, SQLConnector]
    graphs: dict[str, Graph]

    def close(self) -> None:
        for c in self.connectors.values():
            c.dispose()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def dialects(self) -> dict[str, str]:
        return {name: c.dialect for name, c in self.connectors.items()}

    @property
    def statements(self) -> int:
        return sum(c.statements for c in self.connectors.values())


def open_session(config: Config) -> Session:
    connectors: dict[str, SQLConnector] = {}
    try:
        for name, conf in config.connectors.items():
            connectors[name] = open_connector(name, conf.url, conf.schema_)
        graphs = {name: build_graph(config, name, c) for name, c in connectors.items()}
    except Exception:
        for c in connectors.values():
            c.dispose()
        raise
    return Session(config, connectors, graphs)


def _plan(session: Session, subject: Subject, conns: dict[str, Any], request_date: date, today: date,
          hold_reason: str | ActiveHold | None, for_update: bool) -> Plan:
    config = session.config
    hold = hold_reason if isinstance(hold_reason, ActiveHold) else subject_hold(config, None, subject, hold_reason, today)
    tables: list[TablePlan] = []
    for name, graph in session.graphs.items():
        found = locate(graph, subject, conns[name], config, for_update=for_update)
        tables += plan_connector(graph, found, conns[name], request_date, today, hold)
    return Plan(subject_reference(subject, config.secret_bytes()), subject.types, request_date, hold, tables)


def make_plan(session: Session, subject: Subject, request_date: date | None = None, today: date | None = None,
              hold_reason: str | ActiveHold | None = None) -> Plan:
    """The plan alone: nothing is changed (each connector is read in a transaction that is rolled back)."""
    today = today or datetime.now(UTC).date()
    with ExitStack() as stack:
        conns = {name: stack.enter_context(c.read()) for name, c in session.connectors.items()}
        return _plan(session, subject, conns, request_date or today, today, hold_reason, for_update=False)


def row_digest(row: Row, exclude: set[str] | frozenset[str] = frozenset()) -> str:
    """SHA-256 over a row's values in a stable text form; equal digests mean equal stored values."""
    def text(v: Any) -> Any:
        if isinstance(v, bytes | bytearray | memoryview):
            return "b:" + bytes(v).hex()
        return f"{type(v).__name__}:{v.isoformat() if hasattr(v, 'isoformat') else v}"
    data = {k: text(v) for k, v in sorted(row.items()) if k not in exclude}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


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


def erase(session: Session, subject: Subject, request_date: date | None = None, today: date | None = None,
          hold_reason: str | ActiveHold | None = None, expected_fingerprint: str | None = None,
          seed: int | None = None, before_commit: Callable[[Outcome], None] | None = None,
          after_commit: Callable[[str], None] | None = None) -> Outcome:
    """Locate, plan, apply and verify in one transaction per database; commit only if every database verified.
    Databases commit one after the other; `after_commit` is called with each connector's name as it commits."""
    config = session.config
    refuse_undecided(config, "erasing")
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
        if plan.hold is not None:
            verification = {"method": "none: a legal hold blocks every change", "result": "NOT RUN",
                            "residual_matches": 0}
            held = Outcome(plan, {}, verification, started, datetime.now(UTC),
                           session.statements - statements_before, dialects=session.dialects)
            if before_commit is not None:
                before_commit(held)
            return held
        anonymizer = Anonymizer(config.locale, config.secret_bytes(), seed)
        kept = {}
        for tp in plan.tables:
            for key, d in tp.decisions.items():
                if d.action in ("retain", "hold", "review"):
                    minimized = set(d.strategies) if d.action == "retain" else set()
                    kept[(tp.connector, tp.table, key)] = (row_digest(tp.rows[key], minimized), minimized)
        for name, graph in session.graphs.items():
            conn = conns[name]
            tables = {tp.table: tp for tp in plan.tables if tp.connector == name}
            for table, tp in sorted(tables.items()):
                changes = _replacements(graph, tp, anonymizer, conn)
                if changes:
                    n = graph.connector.update_rows(conn, table, changes)
                    done.setdefault((name, table), {})["anonymize"] = len(tp.keys("anonymize"))
                    if tp.keys("retain") and any(tp.decisions[k].strategies for k in tp.keys("retain")):
                        done[(name, table)]["minimize"] = n - len(tp.keys("anonymize"))
            for table in graph.delete_order():
                keys = tables[table].keys("delete")
                if keys:
                    done.setdefault((name, table), {})["delete"] = graph.connector.delete_rows(conn, table, keys)
        redact_free_text(session.connectors, config, subject, conns, plan, done)
        verification = _verify(session, subject, conns, plan, kept)
        if verification["result"] != "PASS":
            raise VerificationError(f"verification failed, everything was rolled back: {verification['failure']}")
        log.info("erasure verified", statements=session.statements - statements_before,
                 ms=round((time.perf_counter() - clock) * 1000, 1), **plan.totals())
        notes = [c.after_erasure_note() for c in session.connectors.values()]
        outcome = Outcome(plan, done, verification, started, datetime.now(UTC),
                          session.statements - statements_before, notes, session.dialects)
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
    """Inside the transactions: the subject is found nowhere but in kept rows, deleted rows are gone,
    anonymized columns changed, kept rows are unchanged, and foreign keys and declared links hold."""
    residual: dict[str, int] = {}
    failures: list[str] = []
    for name, graph in session.graphs.items():
        for table, f in locate(graph, subject, conns[name], session.config).items():
            before = plan.table(name, table)
            for key, row in f.rows.items():
                d = before.decisions.get(key)
                if d is None or d.action in ("delete", "anonymize") and _still_personal(before, key, row):
                    residual[table] = residual.get(table, 0) + 1
    for tp in plan.tables:
        connector = session.connectors[tp.connector]
        conn = conns[tp.connector]
        pk = connector.primary_key(tp.table)
        if tp.keys("delete"):
            left = connector.rows_by_keys(conn, tp.table, pk, tp.keys("delete"), select=pk)
            if left:
                failures.append(f"{len(left)} row(s) of {tp.table} were not deleted")
        anon = tp.keys("anonymize")
        if anon:
            for row in connector.rows_by_keys(conn, tp.table, pk, anon):
                if _still_personal(tp, tuple(row[c] for c in pk), row):
                    residual[tp.table] = residual.get(tp.table, 0) + 1
        stayed = [k for k in tp.decisions if (tp.connector, tp.table, k) in kept]
        if stayed:
            now = {tuple(r[c] for c in pk): r for r in connector.rows_by_keys(conn, tp.table, pk, stayed)}
            changed = sum(1 for k in stayed if k not in now or
                          row_digest(now[k], kept[(tp.connector, tp.table, k)][1]) != kept[(tp.connector, tp.table, k)][0])
            if changed:
                failures.append(f"{changed} kept row(s) of {tp.table} changed")
    integrity = []
    for name, connector in session.connectors.items():
        integrity += connector.integrity_problems(conns[name])
        integrity += _dangling_links(session.graphs[name], plan, conns[name])
    if integrity:
        failures.append(f"{len(integrity)} foreign-key violation(s), first: {integrity[0]}")
    if residual:
        failures.insert(0, "the subject is still found in " +
                        ", ".join(f"{n} row(s) of {t}" for t, n in sorted(residual.items())))
    scan, scan_failures = residual_scan(session.connectors, session.config, subject, conns, plan)
    failures += scan_failures
    result = {"method": "re-located the subject inside the transaction before commit; checked deleted rows are "
                        "gone, anonymized columns changed, retained and other kept rows unchanged (SHA-256 per row), "
                        "and foreign keys and declared links hold; then searched text columns for the subject's "
                        "identifiers (residual_scan)",
              "result": "FAIL" if failures else "PASS",
              "residual_matches": sum(residual.values()),
              "kept_rows_checked": len(kept),
              "residual_scan": scan}
    if failures:
        result["failure"] = "; ".join(failures) + "."
    return result


def _dangling_links(graph: Graph, plan: Plan, conn: Any) -> list[str]:
    """Declared links, which the database does not enforce: rows that still refer to a deleted row."""
    problems = []
    connector = graph.connector
    for edge in graph.edges:
        if not edge.declared:
            continue
        tp = plan.table(connector.name, edge.parent)
        gone = [tuple(tp.rows[k][c] for c in edge.parent_cols) for k in tp.keys("delete")]
        # Compared by the database itself, so its collation and type rules decide what still refers.
        left = connector.rows_by_keys(conn, edge.child, edge.child_cols, gone, select=edge.child_cols)
        if left:
            problems.append(f"{len(left)} row(s) of {edge.child} still refer to deleted rows through {edge}")
    return problems


def _still_personal(tp: TablePlan, key: Key, row: Row) -> bool:
    """An anonymized row still holds an original value in a column it was to replace."""
    decision = tp.decisions.get(key)
    original = tp.rows.get(key)
    if decision is None or original is None:
        return True
    if decision.action == "delete":
        return True
    for col, strategy in decision.strategies.items():
        # generalize may legitimately leave a value as it was (a birth date on 1 January stays 1 January)
        if strategy.kind in ("faker", "hash") and original.get(col) is not None and row.get(col) == original[col]:
            return True
    return False
