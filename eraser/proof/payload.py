"""What an erasure's certificate says: its content built from the plan and what execution measured (counts,
rules, dates and keyed references, never personal data), and the parts that the sweep's, the purge's and the
replay's certificates share with it (the issuing software, the remaining copies)."""

from __future__ import annotations

from typing import Any

from eraser import SOFTWARE_NAME, __version__
from eraser._time import iso


def software() -> dict[str, str]:
    return {"name": SOFTWARE_NAME, "version": __version__}


def config_dialects(config: Any) -> dict[str, str]:
    """connector -> dialect, read from the configured URLs (MariaDB counts as mysql, as its connector does)."""
    import sqlalchemy as sa

    out = {}
    for name, conf in config.connectors.items():
        try:
            backend = sa.engine.make_url(conf.url).get_backend_name()
        except Exception:  # an unreadable URL was refused long before a certificate
            backend = "sql"
        out[name] = "mysql" if backend == "mariadb" else backend
    return out


def remaining_parts(dialects: dict[str, str], backups: str, reapply: str | None) -> dict[str, Any]:
    """What the `statement` of remaining copies says, as parts the renderings put in the reader's language:
    the dialects whose storage keeps deleted data (the connectors' notes), the backups, and what must be applied
    again after a restore (erasure, release, purge, or None)."""
    return {"storage": sorted(set(dialects.values())), "backups_description": backups, "reapply": reapply}


def _retained_by_rule(plan: Any, tp: Any) -> list[tuple[Any, str, list[Any]]]:
    """The retained rows of a table with the retain: block that kept them (the table's, each row rule's, or, for a
    row kept with a retained row of another table, that table's) and that table's name ('' for its own)."""
    keep = [d for d in tp.decisions.values() if d.action == "retain"]
    out: list[tuple[Any, str, list[Any]]] = []
    for kept_with in sorted({d.kept_with for d in keep if d.kept_with}):
        by_rule: list[tuple[Any, list[Any]]] = []  # the retain: block that kept them (a row rule's, or the table's)
        for d in (d for d in keep if d.kept_with == kept_with):
            rule = d.kept_by or plan.table(tp.connector, kept_with).rule.retain
            assert rule is not None
            mine = next((rows for r, rows in by_rule if r == rule), None)
            if mine is None:
                by_rule.append((rule, mine := []))
            mine.append(d)
        out += [(rule, kept_with, rows) for rule, rows in by_rule]
    own = [d for d in keep if not d.kept_with]
    if own and not tp.rule.rules:
        assert tp.rule.retain is not None
        out.append((tp.rule.retain, "", own))
    elif own:
        for i, row_rule in enumerate(tp.rule.rules):
            mine = [d for d in own if d.rule == row_rule.label(i)]
            if mine:
                assert row_rule.retain is not None
                out.append((row_rule.retain, "", mine))
    assert sum(len(m) for _, _, m in out) == len(keep), "a retained row without the rule that kept it"
    return sorted(out, key=lambda group: group[1])


def _others_discreet(verification: dict[str, Any]) -> dict[str, Any]:
    """The verification as the certificate states it: another person's row under a legal hold is said to be kept
    for another person, as a row left for review is, so that the certificate never tells whether someone else is
    under a hold (the plan, which stays with the operator, says which)."""
    scan = verification.get("residual_scan")
    if not scan or not scan.get("rows_kept_for_others"):
        return verification
    rows = [{**e, "kept": "kept"} if e.get("kept") in ("hold", "review") else e for e in scan["rows_kept_for_others"]]
    return {**verification, "residual_scan": {**scan, "rows_kept_for_others": rows}}


def erasure_payload(config: Any, outcome: Any, ticket: Any) -> dict[str, Any]:
    """The certificate's content: built from the plan and what execution measured; no personal data."""
    from eraser.engine.retention import add_period

    plan = outcome.plan
    databases: dict[str, list[dict[str, Any]]] = {}
    retained, review, recipients = [], [], set()
    for tp in plan.tables:
        summary = tp.summary()
        entry = {"table": tp.table, "found": summary["found"], "counts": summary["counts"],
                 "done": outcome.done.get((tp.connector, tp.table), {})}
        for key in ("category", "strategies", "rules"):
            if key in summary:
                entry[key] = summary[key]
        databases.setdefault(tp.connector, []).append(entry)
        for rule, kept_with, keep in _retained_by_rule(plan, tp):
            releases = sorted(d.release for d in keep if d.release)
            retained.append({"connector": tp.connector, "table": tp.table, "rows": len(keep),
                             "basis": rule.basis, "period": rule.period,
                             **({"period_before": {"date": rule.before.before_date.isoformat(),
                                                   "period": rule.before.period}}
                                if rule.before and rule.from_ not in ("request", "parent") and not kept_with else {}),
                             "counted_from": "child" if kept_with else rule.from_,
                             **({"kept_with": kept_with} if kept_with else {}),
                             "release_first": releases[0].isoformat(), "release_last": releases[-1].isoformat(),
                             "minimized_columns": sorted({c for d in keep for c in d.strategies})})
        for reason in sorted({d.reason for d in tp.decisions.values() if d.action == "review"}):
            same = [d for d in tp.decisions.values() if d.action == "review" and d.reason == reason]
            shared: dict[str, Any] = {"connector": tp.connector, "table": tp.table, "reason": reason,
                                      "rows": len(same)}
            if same[0].code:  # what the reason says, for the renderings in other languages
                shared |= {"code": same[0].code, "params": same[0].params}
            review.append(shared)
        recipients |= set(summary.get("recipients", []))
    totals = plan.totals()
    if plan.hold is not None:
        outcome_word = "held"
    elif outcome.verification.get("residual_matches"):  # hits left in place (residual_scan mode report)
        outcome_word = "erased_with_residual_matches"
    elif not any(totals.values()):
        outcome_word = "nothing_found"
    elif totals["retain"] or totals["review"]:
        outcome_word = "erased_with_retention" if totals["retain"] else "erased_with_rows_for_review"
    else:
        outcome_word = "erased"
    backups_until = add_period(outcome.completed_at.date(), config.backups.retention)
    dialect_notes = sorted(set(outcome.notes))
    return {
        "certificate": {"type": "erasure"},
        "issuer": {"organisation": config.organisation, "role": config.role, "software": software()},
        "controller": config.controller_name,
        "ticket": {"reference": ticket.reference, "kind": ticket.kind, "received_at": iso(ticket.received_at),
                   "due_at": iso(ticket.due_at), "started_at": iso(outcome.started_at),
                   "completed_at": iso(outcome.completed_at)},
        "legal_ground": config.legal_ground,
        "subject": {"reference": plan.subject_ref, "identifier_types": plan.identifier_types},
        "outcome": outcome_word,
        "hold": {"reason": plan.hold.reason, "until": plan.hold.until.isoformat() if plan.hold.until else None}
        if plan.hold else None,
        "totals": totals,
        "databases": [{"connector": name, "dialect": outcome.dialects.get(name, ""), "tables": tables}
                      for name, tables in sorted(databases.items())],
        "retained": retained,
        "review": review,
        "verification": _others_discreet(outcome.verification),
        # free_text: columns redacted, by table: rows (other people's apart) and rows per column, never a value
        "free_text_redactions": list(getattr(outcome, "free_text", [])),
        "operator": ticket.operator,
        "recipients_to_notify": sorted(recipients),
        "remaining_copies": {
            "statement": ("This is logical deletion in the databases named above, not sanitization of storage "
                          "media. " + " ".join(dialect_notes) + " Backups (" + config.backups.description +
                          ") keep copies until they expire; after any restore, the erasure must be applied again."),
            **remaining_parts(outcome.dialects, config.backups.description, "erasure"),
            "backups_retention": config.backups.retention,
            "backups_expire_on": backups_until.isoformat()},
    }
