"""The verification that ends every erasure, inside its transactions before commit.

Each check can fail, and its result is computed from what the database holds now:
- re-located: the subject is found nowhere but in rows the plan keeps;
- deleted rows are gone;
- anonymized columns changed: every column written with a new value no longer holds the original;
- kept rows (retained, held, left for review) are unchanged: SHA-256 per row, minimized columns left out;
- foreign keys hold on every dialect: no row of any table still refers to a deleted row, through a reflected
  foreign key or a declared link (and SQLite's own foreign_key_check);
- the residual scan of free text (eraser.engine.residual).

The verdict is PASS only when every check passed and no hit of the residual scan was left in place; a scan in
`report` mode that leaves hits gives REPORTED, never PASS; another person's kept row (retained, held, for review)
that names the subject is never changed, and gives KEPT_FOR_OTHERS (eraser.engine.kept).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from connectors import batch
from connectors.base import Key, Row
from eraser.engine import links
from eraser.engine.locate import locate
from eraser.engine.plan import Plan, TablePlan
from eraser.engine.residual import residual_scan
from eraser.engine.schema import Graph
from eraser.subjects import Subject

if TYPE_CHECKING:
    from eraser.engine.session import Session

PASS = "PASS"
FAIL = "FAIL"
REPORTED = "RESIDUAL MATCHES REPORTED, NOT REMOVED"
KEPT_FOR_OTHERS = "IDENTIFIERS REMAIN IN ROWS KEPT FOR OTHERS"
NOT_RUN = "NOT RUN"
CERTIFIABLE = (PASS, REPORTED, KEPT_FOR_OTHERS)
METHOD = ("re-located the subject inside the transaction before commit; checked deleted rows are gone, anonymized "
          "columns changed, retained and other kept rows unchanged (SHA-256 per row), and foreign keys and declared "
          "links hold; then searched text columns for the subject's identifiers (residual_scan)")


def verdict(failures: list[str], left_in_place: int, kept_for_others: int = 0) -> str:
    """FAIL on any failure; REPORTED while a residual hit remains; KEPT_FOR_OTHERS while another person's kept row
    (retained, held, for review) still names the subject; PASS only when nothing is left."""
    if failures:
        return FAIL
    if left_in_place:
        return REPORTED
    return KEPT_FOR_OTHERS if kept_for_others else PASS


def row_digest(row: Row, exclude: set[str] | frozenset[str] = frozenset()) -> str:
    """SHA-256 over a row's values in a stable text form; equal digests mean equal stored values."""
    def text(v: Any) -> Any:
        if isinstance(v, bytes | bytearray | memoryview):
            return "b:" + bytes(v).hex()
        return f"{type(v).__name__}:{v.isoformat() if hasattr(v, 'isoformat') else v}"
    data = {k: text(v) for k, v in sorted(row.items()) if k not in exclude}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


@dataclass
class Expected:
    """What execution promised, to be checked: kept rows' digests and the columns it wrote with new values."""

    kept: dict[tuple[str, str, Key], tuple[str, set[str]]] = field(default_factory=dict)
    written: dict[tuple[str, str, Key], set[str]] = field(default_factory=dict)

    def keep(self, plan: Plan) -> None:
        for tp in plan.tables:
            for key, d in tp.decisions.items():
                if d.action in ("retain", "hold", "review"):
                    minimized = set(d.strategies) if d.action == "retain" else set()
                    self.kept[(tp.connector, tp.table, key)] = (row_digest(tp.rows[key], minimized), minimized)

    def wrote(self, tp: TablePlan, changes: list[tuple[Key, Row]]) -> None:
        """Columns whose new value differs from the original (generalize may leave a value as it was)."""
        for key, values in changes:
            original = tp.rows[key]
            cols = {c for c, v in values.items() if _differs(v, original.get(c))}
            if cols:
                self.written.setdefault((tp.connector, tp.table, key), set()).update(cols)


def _differs(new: Any, old: Any) -> bool:
    if isinstance(new, str) and isinstance(old, str):
        return new.strip().lower() != old.strip().lower()
    return new != old and str(new) != str(old)


def verify(session: Session, subject: Subject, conns: dict[str, Any], plan: Plan, expected: Expected
           ) -> dict[str, Any]:
    """Every check; the verification section of the certificate, with `failure` when one failed."""
    failures: list[str] = []
    residual = _relocated(session, subject, conns, plan)
    for tp in plan.tables:
        failures += _table_problems(session, conns[tp.connector], tp, expected)
    integrity: list[str] = []
    for name, connector in session.connectors.items():
        integrity += connector.integrity_problems(conns[name])
        integrity += dangling_references(session.graphs[name], plan, conns[name])
    if integrity:
        failures.append(f"{len(integrity)} foreign-key violation(s), first: {integrity[0]}")
    if residual:
        failures.insert(0, "the subject is still found in " +
                        ", ".join(f"{n} row(s) of {t}" for t, n in sorted(residual.items())))
    scan, scan_failures = residual_scan(session.connectors, session.config, subject, conns, plan)
    failures += scan_failures
    left = int(scan.get("rows_left_in_place", 0))
    others = len({(e["connector"], e["table"], repr(e["key"])) for e in scan.get("rows_kept_for_others", [])})
    result = {"method": METHOD, "result": verdict(failures, left, others),
              "residual_matches": sum(residual.values()) + left + others,
              "kept_rows_checked": len(expected.kept),
              "residual_scan": scan}
    if failures:
        result["failure"] = "; ".join(failures) + "."
    return result


def _relocated(session: Session, subject: Subject, conns: dict[str, Any], plan: Plan) -> dict[str, int]:
    """Rows where the subject is found again, per table, other than rows the plan keeps or anonymized."""
    residual: dict[str, int] = {}
    for name, graph in session.graphs.items():
        for table, f in locate(graph, subject, conns[name], session.config).items():
            before = plan.table(name, table)
            for key, row in f.rows.items():
                d = before.decisions.get(key)
                if d is None or d.action in ("delete", "anonymize") and still_personal(before, key, row):
                    residual[table] = residual.get(table, 0) + 1
    return residual


def _table_problems(session: Session, conn: Any, tp: TablePlan, expected: Expected) -> list[str]:
    connector = session.connectors[tp.connector]
    pk = connector.primary_key(tp.table)
    failures = []
    deleted = tp.keys("delete")
    changed = [k for k in tp.decisions if (tp.connector, tp.table, k) in expected.written]
    stayed = [k for k in tp.decisions if (tp.connector, tp.table, k) in expected.kept]
    anonymized = tp.keys("anonymize")
    wanted = list(dict.fromkeys([*deleted, *anonymized, *changed, *stayed]))
    now = {tuple(r[c] for c in pk): r for r in connector.rows_by_keys(conn, tp.table, pk, wanted)} if wanted else {}
    left = sum(1 for k in deleted if k in now)  # one read of the table's rows for every check
    if left:
        failures.append(f"{left} row(s) of {tp.table} were not deleted")
    gone = sum(1 for k in anonymized if k not in now)
    if gone:
        failures.append(f"{gone} anonymized row(s) of {tp.table} disappeared")
    reverted = sum(1 for k in set(changed) | set(anonymized) if k in now and (still_personal(tp, k, now[k]) or any(
        not _differs(now[k].get(c), tp.rows[k].get(c)) for c in expected.written.get((tp.connector, tp.table, k), ()))))
    if reverted:
        failures.append(f"{reverted} anonymized row(s) of {tp.table} still hold an original value")
    differ = sum(1 for k in stayed if k not in now or
                 row_digest(now[k], expected.kept[(tp.connector, tp.table, k)][1])
                 != expected.kept[(tp.connector, tp.table, k)][0])
    if differ:
        failures.append(f"{differ} kept row(s) of {tp.table} changed")
    return failures


def dangling_references(graph: Graph, plan: Plan, conn: Any) -> list[str]:
    """Rows of any table that still refer to a deleted row, through every foreign key and declared link: the
    database compares, so its collation and type rules decide what still refers (also where it does not enforce
    the key, or defers it to the commit). Each edge is its own count of the child rows that refer to a deleted key
    (the comparison links.children makes), all counted in one statement (connectors.batch); a link through a JSON
    path is read as before."""
    connector = graph.connector
    left: dict[int, int] = {}
    questions: list[tuple[str, Any, int]] = []
    asked: list[int] = []
    for n, edge in enumerate(graph.edges):
        if edge.parent not in graph.rules:
            continue
        tp = plan.table(connector.name, edge.parent)
        gone = [tuple(tp.rows[k][c] for c in edge.parent_cols) for k in tp.keys("delete")]
        if not gone:
            continue
        cond = links.condition_of(edge)
        if cond is not None and cond.json:
            left[n] = len(links.children(connector, conn, edge, gone, select=edge.child_cols))
            continue
        child = connector.table(edge.child)
        where = links.where_clause(child, edge)
        for chunk in batch.key_chunks(links.child_keys(edge, gone)):
            condition = batch.key_condition(child, edge.child_cols, chunk)
            questions.append((edge.child, condition if where is None else sa.and_(condition, where), len(chunk)))
            asked.append(n)
    for n, count in zip(asked, batch.count_each(connector, conn, questions), strict=True):
        left[n] = left.get(n, 0) + count
    return [f"{count} row(s) of {graph.edges[n].child} still refer to deleted rows through {graph.edges[n]}"
            for n, count in sorted(left.items()) if count]


def still_personal(tp: TablePlan, key: Key, row: Row) -> bool:
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
