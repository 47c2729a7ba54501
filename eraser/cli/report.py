"""Plans and outcomes as a person reads them on a terminal."""

from __future__ import annotations

from typing import Any

from eraser.engine.execute import Outcome
from eraser.engine.plan import ACTIONS, Plan
from eraser.proof.html_page import kept_line

VERBS = {"delete": "delete", "anonymize": "anonymize", "retain": "retain", "hold": "hold", "review": "leave for review"}


def format_plan(plan: Plan, dialects: dict[str, str]) -> str:
    lines = [f"Plan for subject {plan.subject_ref[:28]}... (identifiers: {', '.join(plan.identifier_types)}; "
             f"request of {plan.request_date.isoformat()})"]
    if plan.hold:
        lines.append(f"LEGAL HOLD: {plan.hold.reason}. Nothing will be changed.")
    for connector in sorted({t.connector for t in plan.tables}):
        lines.append(f"\nconnector {connector} ({dialects.get(connector, '')})")
        for tp in (t for t in plan.tables if t.connector == connector):
            summary = tp.summary()
            if not summary["found"]:
                lines.append(f"  {tp.table:<26} nothing found")
                continue
            counts = ", ".join(f"{VERBS[a]} {n}" for a, n in summary["counts"].items() if n)
            lines.append(f"  {tp.table:<26} {summary['found']:>4} row(s): {counts}")
            for action, reasons in summary["reasons"].items():
                for reason in reasons:
                    lines.append(f"      {action}: {reason}")
            for rule, by_action in summary.get("rules", {}).items():
                lines.append(f"      {rule}: " + ", ".join(f"{VERBS[a]} {n}" for a, n in by_action.items()))
            if "strategies" in summary:
                lines.append("      columns: " + ", ".join(f"{c} -> {s}" for c, s in summary["strategies"].items()))
            if "release" in summary:
                first, last = summary["release"]["first"], summary["release"]["last"]
                lines.append(f"      released on {first}" + (f" .. {last}" if last != first else ""))
            if "recipients" in summary:
                lines.append("      recipients to notify: " + ", ".join(summary["recipients"]))
    if free_text := free_text_lines(plan.free_text, "will be"):
        lines += ["", *free_text]
    if plan.kept_for_others:
        lines.append("\nKept for others, never changed, though their text names the subject:")
        lines += [f"  {kept_line(e)}" for e in plan.kept_for_others]
    totals = plan.totals()
    lines.append("\nTotals: " + ", ".join(f"{VERBS[a]} {totals[a]}" for a in ACTIONS))
    return "\n".join(lines)


def format_outcome(outcome: Outcome) -> str:
    v = outcome.verification
    done = ", ".join(f"{table}: " + " ".join(f"{a} {n}" for a, n in sorted(d.items()))
                     for (_, table), d in sorted(outcome.done.items())) or "no change"
    elapsed = (outcome.completed_at - outcome.started_at).total_seconds()
    free_text = "".join(f"{line}\n" for line in free_text_lines(outcome.free_text, "were"))
    return (f"\nResult: {done}\n{free_text}Verification: {v['result']} (residual matches {v['residual_matches']}, "
            f"{v.get('kept_rows_checked', 0)} kept row(s) checked unchanged)\n" + _scan_line(v.get("residual_scan")) +
            f"{outcome.statements} SQL statement(s) in {elapsed:.2f} s")


def _scan_line(scan: dict[str, Any] | None) -> str:
    """What the residual scan searched and found, by counts only."""
    if not scan:
        return ""
    part = f", {len(scan['tables_scanned_in_part'])} in their newest rows only" if scan["tables_scanned_in_part"] else ""
    hits = "; ".join(f"{h['table']}.{h['column']} {h['rows']}" for c in scan["by_connector"] for h in c["hits"])
    return (f"Residual scan: {scan['columns_scanned']} text column(s) in {scan['tables_scanned']} table(s){part}; "
            f"{scan['hits']} hit(s){' (' + hits + ')' if hits else ''}, {scan['redacted_rows']} row(s) redacted\n" +
            "".join(f"Kept for others, not changed: {kept_line(e)}\n" for e in scan.get("rows_kept_for_others", [])))


def free_text_lines(redactions: list[dict[str, Any]], verb: str) -> list[str]:
    """The free-text redactions by table, other people's rows apart (counts only)."""
    if not redactions:
        return []
    lines = [f"Free text: the subject's identifiers {verb} redacted in"]
    for r in redactions:
        columns = ", ".join(f"{c} {n}" for c, n in r["columns"].items())
        lines.append(f"  {r['table']:<26} {r['rows']:>4} row(s), {r['rows_of_others']} of them other people's "
                     f"(rows per column: {columns})")
    return lines
