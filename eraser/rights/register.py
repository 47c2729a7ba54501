"""The register of requests: every ticket with its dates, outcome, certificates and log entries, matched one to
one against the certificate store, as an auditor reads it."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from eraser.proof.jws import chain_files, read_jws
from eraser.proof.logfile import read_log
from eraser.store.state import StateStore
from eraser.store.tables import FINAL, now

COLUMNS = ["ticket", "reference", "kind", "status", "received_at", "due_at", "extended", "completed_at",
           "overdue", "certificates", "log_indexes", "flags"]


def _day(value: datetime | None) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else ""


def register(store: StateStore, certificates: Path, start: date | None = None,
             end: date | None = None) -> list[dict[str, Any]]:
    """One row per ticket received in [start, end], then one row per certificate that no ticket accounts for."""
    log_index = {e.certificate: e.index for e in read_log(certificates)} if certificates.is_dir() else {}
    files = {p.name: p for p in chain_files(certificates)} if certificates.is_dir() else {}
    with store.engine.connect() as conn:
        from eraser.store.tables import certificates as certs_table

        stored = [dict(r._mapping) for r in conn.execute(certs_table.select())]
    by_id = {c["id"]: c for c in stored}
    children: dict[str, list[dict[str, Any]]] = {}
    for c in stored:
        if c["parent_id"]:
            children.setdefault(c["parent_id"], []).append(c)
    file_ids = {}
    for name, path in files.items():
        try:
            payload = read_jws(path)[1]
        except Exception:
            continue
        file_ids[payload.get("certificate", {}).get("id")] = (name, payload)
    for cert_id, (name, payload) in file_ids.items():  # follow-ups known only from their files (e.g. replays)
        meta = payload.get("certificate", {})
        for parent in [meta.get("parent_id")] + [s.get("certificate_id") for s in meta.get("replays", [])]:
            if parent and cert_id not in by_id and parent in by_id:
                children.setdefault(parent, []).append({"id": cert_id, "type": meta.get("type"), "path": name})
    accounted: set[str] = set()
    rows = []
    moment = now()
    for t in store.tickets(limit=1_000_000):
        received = t["received_at"].date()
        if (start and received < start) or (end and received > end):
            continue
        chain: list[dict[str, Any]] = []
        queue = [by_id[t["certificate_id"]]] if t["certificate_id"] in by_id else []
        while queue:
            c = queue.pop(0)
            if c["id"] in {x["id"] for x in chain}:
                continue
            chain.append(c)
            queue += children.get(c["id"], [])
        flags = []
        if t["status"] in FINAL and t["status"] != "rejected" and not chain:
            flags.append("final ticket without a certificate")
        names = []
        for c in chain:
            accounted.add(c["id"])
            name = Path(c["path"]).name
            names.append(name)
            if name not in files:
                flags.append(f"certificate {c['id']} missing from the store")
            elif name not in log_index:
                flags.append(f"certificate {c['id']} not in the transparency log")
        overdue = t["status"] not in FINAL and t["due_at"] < moment
        if overdue:
            flags.append("overdue")
        rows.append({"ticket": t["id"], "reference": t["external_ref"] or "", "kind": t["kind"], "status": t["status"],
                     "received_at": _day(t["received_at"]), "due_at": _day(t["due_at"]),
                     "extended": t["extended_reason"] or "", "completed_at": _day(t["completed_at"]),
                     "overdue": overdue,
                     "certificates": [f"{c['id']} ({c['type']})" for c in chain],
                     "log_indexes": [log_index.get(n) for n in names if n in log_index],
                     "flags": flags})
    for cert_id, (name, payload) in sorted(file_ids.items(), key=lambda kv: kv[1][0]):
        completed = str(payload.get("ticket", {}).get("completed_at", ""))[:10]
        if cert_id in accounted or (start and completed < start.isoformat()) or (end and completed > end.isoformat()):
            continue
        rows.append({"ticket": "", "reference": payload.get("ticket", {}).get("reference", ""),
                     "kind": payload.get("certificate", {}).get("type", ""), "status": "",
                     "received_at": payload.get("ticket", {}).get("received_at", ""), "due_at": "",
                     "extended": "", "completed_at": payload.get("ticket", {}).get("completed_at", ""),
                     "overdue": False, "certificates": [f"{cert_id} ({name})"],
                     "log_indexes": [log_index[name]] if name in log_index else [],
                     "flags": ["certificate without a ticket"]})
    return rows


def render(rows: list[dict[str, Any]], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(rows, indent=2)
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "; ".join(map(str, v)) if isinstance(v, list) else v for k, v in row.items()})
    return out.getvalue()
