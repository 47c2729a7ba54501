"""The outcome of an erasure, written once.

Before the customer databases commit, the daemon records what this attempt is about to commit (the intent:
certificate payload, retained-row schedule, replay journal). As each database commits, its part of the intent
is journaled (`ticket_commits`); once all have, the ticket's outcome is recorded (`outcomes`). Neither record
is ever replaced: a resumed attempt certifies from them, so a ticket gets exactly one certificate, the true one.

Several databases cannot commit atomically. When one commits and another then fails, the next attempt finds
the committed database's part in the journal (or, if the journal write itself was lost, infers it: the intent
said rows would change there and a fresh plan finds none left), erases the rest, and the certificate covers
the union of what each attempt committed.
"""

from __future__ import annotations

import copy
import hashlib
import uuid
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC
from typing import Any

from eraser.config import Config
from eraser.engine.execute import Outcome
from eraser.engine.plan import Plan
from eraser.proof.certificates import Issued, canonical
from eraser.proof.freetext import keyed_if_identifier, scrubbed
from eraser.proof.payload import erasure_payload
from eraser.store.state import StateStore
from eraser.store.tickets import Care, CertificateRow, Payload, Prepared, Retained, TicketRow
from eraser.subjects import Subject, identifier_references, subject_reference
from eraser.tickets import Ticket

CERTIFICATE_NAMESPACE = uuid.UUID("6f1d7c52-8f2a-4a51-9c43-2d1c7e0b9a10")
CHANGES = ("delete", "anonymize")


def retained_records(outcome: Outcome) -> list[Retained]:
    """Per retained row: connector, table, primary key and release date (what the retention sweep needs)."""
    return [{"connector": tp.connector, "table_name": tp.table, "primary_key": canonical(list(k)).decode(),
             "release_on": str(tp.decisions[k].release)}
            for tp in outcome.plan.tables for k in tp.keys("retain")]


def final_status(outcome: Outcome, retained: list[Retained]) -> str:
    return "held" if outcome.plan.hold else ("done_with_retention" if retained else "done")


def certificate_id(ticket_id: str, payload: Payload) -> str:
    """Derived from the payload: the same outcome always names the same certificate."""
    return str(uuid.uuid5(CERTIFICATE_NAMESPACE, f"{ticket_id}:{hashlib.sha256(canonical(payload)).hexdigest()}"))


def intent(config: Config, ticket: TicketRow, outcome: Outcome, care: Care) -> Prepared:
    """What an attempt is about to commit, as the record the certificate is derived from; `care`: what it does
    besides the databases (eraser.rights.care.prepare_erasure)."""
    engine_ticket = Ticket(ticket["external_ref"] or ticket["id"], ticket["received_at"], ticket["requested_by"])
    payload = erasure_payload(config, outcome, engine_ticket)
    payload["ticket"]["id"] = ticket["id"]
    payload["ticket"]["due_at"] = ticket["due_at"].astimezone(UTC).isoformat().replace("+00:00", "Z")
    if ticket["extended_reason"]:
        payload["ticket"]["extension_reason"] = ticket["extended_reason"]
    payload = scrubbed(payload, config.secret_bytes())  # the journal holds what the certificate will say
    retained = retained_records(outcome)
    totals = outcome.plan.totals()
    return {"payload": payload, "certificate_id": certificate_id(ticket["id"], payload), "retained": retained,
            "status": final_status(outcome, retained), "changed_rows": totals["delete"] + totals["anonymize"],
            "rights": care}


def reference_of(config: Config, ticket: TicketRow) -> str:
    """The ticket's reference as journals and recipients may hold it: its external reference, else its id; keyed
    when it looks like an identifier (a ticket recorded before intake refused those)."""
    return keyed_if_identifier(ticket["external_ref"] or ticket["id"], config.secret_bytes())


def plan_changes(plan: Plan) -> dict[str, int]:
    """Rows a plan would delete or anonymize, per connector."""
    out: Counter[str] = Counter()
    for tp in plan.tables:
        out[tp.connector] += sum(tp.counts().get(a, 0) for a in CHANGES)
    return dict(out)


def record_changes(record: Prepared) -> dict[str, int]:
    """Rows a recorded outcome deleted or anonymized, per connector."""
    return {db["connector"]: sum(t["counts"].get(a, 0) for t in db["tables"] for a in CHANGES)
            for db in record["payload"]["databases"]}


def committed_connectors(record: Prepared, fresh: Plan) -> list[str]:
    """Connectors where an earlier attempt's rows were to change and a fresh plan finds none left: committed."""
    left = plan_changes(fresh)
    return sorted(c for c, n in record_changes(record).items() if n and not left.get(c))


def _outcome_word(payload: Payload) -> str:
    totals = payload["totals"]
    if payload.get("hold"):
        return "held"
    if not any(totals.values()):
        return "nothing_found"
    if totals.get("retain"):
        return "erased_with_retention"
    return "erased_with_rows_for_review" if totals.get("review") else "erased"


def union(parts: dict[str, Prepared], latest: Prepared, ticket_id: str) -> Prepared:
    """The ticket's outcome from what each connector committed (`parts`, first record per connector) and the
    latest attempt (for connectors it committed). One attempt that committed everything is returned as it is."""
    if all(p["certificate_id"] == latest["certificate_id"] for p in parts.values()):
        return latest
    connectors = sorted({db["connector"] for r in (latest, *parts.values()) for db in r["payload"]["databases"]})

    def source(connector: str) -> Prepared:
        return parts.get(connector, latest)

    def pick(items: Callable[[Prepared], Sequence[Mapping[str, Any]]]) -> list[Any]:
        return [e for c in connectors for e in items(source(c)) if e["connector"] == c]

    payload = copy.deepcopy(latest["payload"])
    payload["databases"] = pick(lambda r: r["payload"]["databases"])
    payload["retained"] = pick(lambda r: r["payload"]["retained"])
    payload["review"] = pick(lambda r: r["payload"]["review"])
    payload["free_text_redactions"] = pick(lambda r: r["payload"].get("free_text_redactions", []))
    sources = [source(c) for c in connectors]
    payload["recipients_to_notify"] = sorted({x for r in sources for x in r["payload"]["recipients_to_notify"]})
    totals: Counter[str] = Counter()
    for db in payload["databases"]:
        for table in db["tables"]:
            totals.update(table["counts"])
    payload["totals"] = {a: totals.get(a, 0) for a in latest["payload"]["totals"]}
    payload["outcome"] = _outcome_word(payload)
    payload["ticket"]["started_at"] = min(r["payload"]["ticket"]["started_at"] for r in sources)
    payload["commits"] = sorted(({"connector": c, "completed_at": source(c)["payload"]["ticket"]["completed_at"]}
                                 for c in connectors), key=lambda e: (e["completed_at"], e["connector"]))
    retained = pick(lambda r: r["retained"])
    rights = latest["rights"].copy()
    if "journal" in rights:
        rights["journal"] = pick(lambda r: r["rights"].get("journal", []))
        rights["recipients"] = sorted({x for r in sources for x in r["rights"].get("recipients", [])})
    return {"payload": payload, "certificate_id": certificate_id(ticket_id, payload), "retained": retained,
            "status": "done_with_retention" if retained else "done", "rights": rights,
            "changed_rows": totals.get("delete", 0) + totals.get("anonymize", 0)}


def record_cli_erasure(config: Config, store: StateStore, subject: Subject, ticket: Ticket, outcome: Outcome,
                       issued: Issued) -> None:
    """An erasure run with `eraser erase` enters the state store as a finished ticket: the register lists it
    and the retention sweep releases its retained rows."""
    secret = config.secret_bytes()
    known = ticket.reference if not store.tickets_by_ref(ticket.reference) else None
    ticket_id = str(uuid.uuid4())
    store.submit(kind="erase", subject_ref=subject_reference(subject, secret),
                 identifier_refs=identifier_references(subject, secret), identifier_types=subject.types,
                 sealed=None, ticket_id=ticket_id, external_ref=known, received_at=ticket.received_at,
                 requested_by=ticket.operator, node="cli")
    retained = retained_records(outcome)
    store.finish(ticket_id, "cli", final_status(outcome, retained), certificate_row(issued), retained)


def certificate_row(issued: Issued, kind: str = "erasure") -> CertificateRow:
    """An issued certificate as the state store keeps it."""
    return {"id": issued.certificate_id, "type": kind, "parent_id": None, "sequence": issued.sequence,
            "path": str(issued.path), "sha256": issued.digest, "body": issued.path.read_text(encoding="utf-8")}
