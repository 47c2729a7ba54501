"""Restriction of processing (GDPR Art. 18): the subject's rows are marked restricted, and the mark is lifted later.

A table with `restrict_flag: COLUMN` gets that boolean column set on the subject's rows (the application must
honour it); every restricted row, flagged or not, is listed in the state store by connector, table and primary
key. Erasure still works on restricted rows; rows it deletes leave the list.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from typing import Any

import structlog

from eraser.config import Config
from eraser.engine.execute import make_plan
from eraser.engine.session import Session
from eraser.errors import ConfigError, EraserError
from eraser.store.rights import KeyCodec, RightsStore
from eraser.subjects import Subject, identifier_references, subject_reference

log = structlog.get_logger("eraser.rights.restrict")


def _flag_column(session: Session, connector: str, table: str, column: str) -> None:
    col = session.connectors[connector].column(table, column)
    try:
        python_type = col.type.python_type
    except NotImplementedError:
        python_type = object
    if python_type not in (bool, int):
        raise ConfigError(f"restrict_flag '{column}' of table '{table}' is not a boolean (or integer) column.")


def restrict(config: Config, session: Session, rights: RightsStore, subject: Subject, reason: str, by: str,
             ticket_id: str | None = None) -> dict[str, Any]:
    """Mark every located row of the subject restricted; returns the restriction with counts per table.
    With a ticket that already restricted (a retried ticket), its flags are applied again and nothing is added."""
    existing = rights.restriction_of_ticket(ticket_id) if ticket_id else None
    if existing is not None:
        rows = rights.restricted_rows(existing["id"])
        _set_flags(config, session, rows, restrict=True)
        return existing | {"counts": _counts(rows)}
    secret = config.secret_bytes()
    codec = KeyCodec(secret)
    plan = make_plan(session, subject)
    # A row another active restriction flagged keeps the value from before that one, to restore at the end.
    earlier = {r["key_ref"]: r["previous"] for r in rights.restricted_rows() if r["method"] == "flag"}
    rows = []
    for tp in plan.tables:
        flag = tp.rule.restrict_flag
        if flag:
            _flag_column(session, tp.connector, tp.table, flag)
        seal = KeyCodec.personal(tp.rule, session.connectors[tp.connector].primary_key(tp.table))
        for key in sorted(tp.rows, key=repr):
            ref = codec.ref(tp.connector, tp.table, key)
            previous = earlier[ref] if ref in earlier else tp.rows[key].get(flag) if flag else None
            rows.append({"connector": tp.connector, "table_name": tp.table, "primary_key": codec.encode(key, seal),
                         "key_ref": ref, "method": "flag" if flag else "list",
                         "previous": json.dumps(previous) if flag else None, "key": key})
    restriction: dict[str, Any] = {"id": str(uuid.uuid4()), "ticket_id": ticket_id,
                                   "subject_ref": subject_reference(subject, secret),
                                   "identifier_refs": json.dumps(sorted(identifier_references(subject, secret))),
                                   "reason": reason, "created_by": by}
    # The list first, then the flags: a failure in between leaves rows listed, never flagged and unlisted.
    rights.add_restriction(restriction, [{k: v for k, v in r.items() if k != "key"} for r in rows])
    try:
        _set_flags(config, session, [r | {"previous": json.loads(r["previous"]) if r["previous"] else None}
                                     for r in rows], restrict=True)
    except Exception:
        rights.lift_restriction(restriction["id"], "rolled back: the flags could not be set")
        raise
    log.info("rows restricted", restriction=restriction["id"], rows=len(rows))
    return (rights.restriction(restriction["id"]) or {}) | {"counts": _counts(rows)}


def _counts(rows: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for r in rows:
        table = counts.setdefault(f"{r['connector']}.{r['table_name']}", {"flag": 0, "list": 0})
        table[r["method"]] += 1
    return counts


def _set_flags(config: Config, session: Session, rows: list[dict[str, Any]], restrict: bool) -> int:
    """Set (or restore) the flag column of flagged rows, one transaction per connector; rows gone are skipped."""
    by_table: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        if r["method"] == "flag":
            by_table[(r["connector"], r["table_name"])].append(r)
    done = 0
    for connector_name in sorted({c for c, _ in by_table}):
        connector = session.connectors[connector_name]
        with connector.begin() as conn:
            for (name, table), items in sorted(by_table.items()):
                if name != connector_name:
                    continue
                flag = config.connectors[name].tables[table].restrict_flag
                if not flag:
                    continue  # the config no longer flags this table: the list alone records it
                changes = [(tuple(r["key"]), {flag: True if restrict else r["previous"]}) for r in items]
                done += connector.update_rows(conn, table, changes)
    return done


def lift(config: Config, session: Session | None, rights: RightsStore, restriction_id: str, by: str) -> int:
    """Lift a restriction: flags go back to what they were, unless another active restriction covers the row."""
    restriction = rights.restriction(restriction_id)
    if restriction is None:
        raise EraserError(f"there is no restriction {restriction_id}.")
    if restriction["lifted_at"] is not None:
        raise EraserError(f"restriction {restriction_id} was already lifted.")
    rows = rights.restricted_rows(restriction_id)
    others = {r["key_ref"] for r in rights.restricted_rows() if r["restriction_id"] != restriction_id
              and r["method"] == "flag"}
    flagged = [r for r in rows if r["method"] == "flag" and r["key_ref"] not in others]
    if flagged:
        if session is None:
            raise EraserError("lifting flagged rows needs the databases.")
        _set_flags(config, session, flagged, restrict=False)
    rights.lift_restriction(restriction_id, by)
    log.info("restriction lifted", restriction=restriction_id, rows=len(rows))
    return len(rows)
