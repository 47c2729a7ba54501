"""The retention sweep: retained rows whose release date has passed are released as their table's rule says
(`then: delete | anonymize`), planned and verified like an erasure inside one transaction per database, and
certified by a follow-up certificate that names the certificate which kept them.

Planned like an erasure: a row to delete that a row which stays still refers to (through a foreign key, whatever
its ON DELETE, or a declared link) is not released yet, and neither is a row another certificate still retains or
a row of a subject under a legal hold; they stay due and the next sweep tries again. Rows of a table or connector
that left the config are an error, never marked released. Only rows deleted or anonymized and verified (or found
already absent) are marked released. Which rows go and which stay is planned in eraser.sweep.release.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import structlog

from eraser._time import iso
from eraser.config import Config
from eraser.engine.anonymize import Anonymizer
from eraser.engine.execute import _replacements, _verify
from eraser.engine.retention import add_period
from eraser.engine.session import Session, open_session
from eraser.errors import VerificationError
from eraser.proof.certificates import certify, ready_to_certify
from eraser.proof.payload import config_dialects, remaining_parts, software
from eraser.store.state import StateStore
from eraser.store.tickets import RetainedRow
from eraser.subjects import Subject
from eraser.sweep.release import Line, Release, plan_release

log = structlog.get_logger("eraser.sweep")
NOBODY = Subject({}, {})  # a release re-locates no subject: the identifiers are not kept after the erasure
METHOD = ("released rows re-read inside the transaction before commit: deleted rows are gone, anonymized columns "
          "changed; every row that stays retained in the affected tables, and every row that refers to a released "
          "row, unchanged (SHA-256 per row); foreign keys and declared links hold")
GOING = ("delete", "anonymize", "absent")
DONE = {"delete": "deleted", "anonymize": "anonymized", "absent": "already absent (marked released)",
        "not yet": "not released yet", "hold": "not released", "error": "NOT released"}
PLANNED = DONE | {"delete": "would be deleted", "anonymize": "would be anonymized",
                  "absent": "already absent (would be marked released)"}


@dataclass
class SweepReport:
    today: date
    dry_run: bool
    lines: list[Line] = field(default_factory=list)
    issued: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def sweep(config: Config, store: StateStore, today: date, dry_run: bool = False) -> SweepReport:
    """Release what is due on `today` (with `dry_run`, only plan it: nothing changes, nothing is recorded)."""
    report = SweepReport(today, dry_run)
    due = store.due_retained(today)
    if not due:
        log.info("retention sweep: nothing due", today=today.isoformat())
        return report
    if not dry_run:
        ready_to_certify(config)
    by_parent: dict[str, list[RetainedRow]] = defaultdict(list)
    for row in due:
        by_parent[row["certificate_id"]].append(row)
    with open_session(config) as session:
        for parent_id, items in sorted(by_parent.items()):
            try:
                _release(session, store, parent_id, items, today, report)
            except VerificationError as exc:
                report.errors.append(f"the release of rows kept under certificate {parent_id} was rolled back: {exc}")
            except Exception as exc:  # one parent's rows must not block the others; they stay due
                report.errors.append(f"rows kept under certificate {parent_id} were not released "
                                     f"({type(exc).__name__}); the next sweep tries again.")
    for error in report.errors:
        log.error("retention sweep: " + error)
    return report


def _release(session: Session, store: StateStore, parent_id: str, items: list[RetainedRow], today: date,
             report: SweepReport) -> None:
    config = session.config
    started = datetime.now(UTC)
    done: dict[tuple[str, str], dict[str, int]] = {}
    with ExitStack() as stack:
        conns = {name: stack.enter_context(c.read() if report.dry_run else c.begin())
                 for name, c in session.connectors.items()}
        release = plan_release(session, store, parent_id, items, today, conns, for_update=not report.dry_run)
        report.lines += [ln for ln in release.lines if report.dry_run or ln.action not in GOING]
        errors = [ln for ln in release.lines if ln.action == "error"]
        if errors:
            report.errors.append(f"{sum(ln.rows for ln in errors)} row(s) kept under certificate {parent_id} are in "
                                 + ", ".join(sorted({f"{ln.connector}.{ln.table} ({ln.reason})" for ln in errors}))
                                 + "; they were not released.")
        if report.dry_run or not (release.going() or release.absent):
            return
        anonymizer = Anonymizer(config.locale, config.secret_bytes())
        for name, graph in session.graphs.items():
            tables = {tp.table: tp for tp in release.plan.tables if tp.connector == name and tp.table in graph.rules}
            for table, tp in sorted(tables.items()):
                changes = _replacements(graph, tp, anonymizer, conns[name])
                if changes:
                    done.setdefault((name, table), {})["anonymize"] = graph.connector.update_rows(conns[name], table,
                                                                                                  changes)
            for table in graph.delete_order():
                if tables[table].keys("delete"):
                    done.setdefault((name, table), {})["delete"] = graph.connector.delete_rows(
                        conns[name], table, tables[table].keys("delete"))
        checked = _verify(session, NOBODY, conns, release.plan, release.kept)
        verification = {"method": METHOD, "result": checked["result"], "residual_matches": checked["residual_matches"],
                        "kept_rows_checked": checked["kept_rows_checked"]}
        if checked["result"] != "PASS":
            raise VerificationError(f"verification failed: {checked.get('failure', 'no reason given')}")
    payload = release_payload(config, store, release, done, verification, today, started)
    issued = certify(config, None, None, payload=payload)
    released = [release.items[g]["id"] for g in release.going()] + [item["id"] for item in release.absent]
    store.record_followup({"id": issued.certificate_id, "type": "retention_release", "parent_id": parent_id,
                           "sequence": issued.sequence, "path": str(issued.path), "sha256": issued.digest,
                           "body": issued.path.read_text(encoding="utf-8"), "ticket_id": None}, released)
    report.issued.append(issued.certificate_id)
    report.lines += [ln for ln in release.lines if ln.action in GOING]
    log.info("retention sweep: rows released", parent=parent_id, certificate=issued.certificate_id,
             rows=sum(sum(d.values()) for d in done.values()), absent=len(release.absent))


def release_payload(config: Config, store: StateStore, release: Release, done: dict[tuple[str, str], dict[str, int]],
                    verification: dict[str, Any], today: date, started: datetime) -> dict[str, Any]:
    """The follow-up certificate: what was released (counts as the databases reported them), what was found already
    gone, and what stays for now and why."""
    def dates(c: str, t: str, items: list[RetainedRow]) -> list[str]:
        return sorted({i["release_on"].isoformat() for i in items if (i["connector"], i["table_name"]) == (c, t)})

    going = [release.items[g] for g in release.going()]
    parent = store.certificate(release.parent)
    payload: dict[str, Any] = {
        "certificate": {"type": "retention_release", "parent_id": release.parent,
                        "parent_sha256": parent["sha256"] if parent else None},
        "issuer": {"organisation": config.organisation, "role": config.role, "software": software()},
        "controller": config.controller_name,
        "ticket": {"reference": f"retention sweep {today.isoformat()}", "kind": "retention_release",
                   "started_at": iso(started), "completed_at": iso(datetime.now(UTC))},
        "legal_ground": "End of the legal retention period stated in the parent certificate",
        "outcome": "released",
        "databases": [{"connector": c, "tables": [{"table": t, "done": d} for (cc, t), d in sorted(done.items())
                                                  if cc == c]} for c in sorted({c for c, _ in done})],
        "released": [{"connector": c, "table": t, "rows": sum(d.values()), "release_dates": dates(c, t, going)}
                     for (c, t), d in sorted(done.items())],
        "verification": verification,
        "remaining_copies": {
            "statement": "Logical deletion in the databases named above, not sanitization of storage media. "
                         f"Backups ({config.backups.description}) keep copies until they expire; after a restore, "
                         "the release must be applied again.",
            **remaining_parts(config_dialects(config), config.backups.description, "release"),
            "backups_expire_on": add_period(today, config.backups.retention).isoformat()},
    }
    absent = Counter((i["connector"], i["table_name"]) for i in release.absent)
    if absent:
        payload["already_absent"] = [{"connector": c, "table": t, "rows": n, "release_dates": dates(c, t, release.absent)}
                                     for (c, t), n in sorted(absent.items())]
    staying = [ln for ln in release.lines if ln.action in ("not yet", "hold", "error")]
    if staying:
        payload["not_released"] = [{"connector": ln.connector, "table": ln.table, "rows": ln.rows,
                                    "release_dates": ln.release_dates, "reason": ln.reason} for ln in staying]
    return payload


def report_text(report: SweepReport) -> str:
    """What the sweep released (or, in a dry run, would release): tables, counts, release dates, never a value."""
    words = PLANNED if report.dry_run else DONE
    out = [f"Dry run as of {report.today.isoformat()}: nothing was changed (add --yes to release)."] \
        if report.dry_run else []
    for ln in report.lines:
        why = "" if ln.action in ("delete", "anonymize") else f": {ln.reason}"
        out.append(f"{ln.connector}.{ln.table}: {ln.rows} row(s) {words[ln.action]}, retained until "
                   f"{', '.join(ln.release_dates)} under certificate {ln.parent}{why}")
    if not report.lines:
        out.append("Nothing is due for release.")
    out += [f"Follow-up certificate {c}" for c in report.issued]
    return "\n".join(out)
