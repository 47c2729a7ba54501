"""An independent oracle for the fault-injection tests: its own SQL over every table of the customer and state
databases, never Eraser's locate, plan or store code."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Any

import sqlalchemy as sa

TEMPORARY = ("*.tmp", ".reserve-*", ".write-test-*", "*.partial")


def snapshot(engine: sa.Engine) -> dict[str, dict[str, str]]:
    """Every row of every table: table -> primary key (as text) -> SHA-256 of the row's values."""
    meta = sa.MetaData()
    meta.reflect(engine)
    out: dict[str, dict[str, str]] = {}
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            pk = [c.name for c in table.primary_key.columns] or [c.name for c in table.columns]
            rows = {}
            for row in conn.execute(sa.select(table)):
                values = dict(row._mapping)
                key = json.dumps([str(values[c]) for c in pk])
                rows[key] = hashlib.sha256(json.dumps({k: repr(v) for k, v in sorted(values.items())}).encode()
                                           ).hexdigest()
            out[table.name] = rows
    return out


def changes(before: dict[str, dict[str, str]], after: dict[str, dict[str, str]]) -> dict[str, Counter[str]]:
    """Per table: rows deleted, rows changed in place, rows added."""
    out: dict[str, Counter[str]] = {}
    for table, rows in before.items():
        now = after.get(table, {})
        c: Counter[str] = Counter(deleted=sum(1 for k in rows if k not in now),
                                  changed=sum(1 for k, h in rows.items() if k in now and now[k] != h),
                                  added=sum(1 for k in now if k not in rows))
        if +c:
            out[table] = +c
    return out


def disagreements(payload: dict[str, Any], observed: dict[str, Counter[str]]) -> list[str]:
    """Where a certificate's counts differ from what changed in the database: per table, rows deleted must equal
    its delete count; rows changed in place must be at least its anonymized rows and at most every in-place
    change it lists (a row anonymized and redacted is one changed row); no other table may have changed."""
    problems = []
    said: dict[str, tuple[int, int, int]] = {}
    for db in payload.get("databases", []):
        for table in db["tables"]:
            done = table.get("done", {})
            said[table["table"]] = (table["counts"].get("delete", 0), table["counts"].get("anonymize", 0),
                                    sum(n for k, n in done.items() if k != "delete"))
    for name in sorted(set(said) | set(observed)):
        deleted, anonymized, in_place = said.get(name, (0, 0, 0))
        seen = observed.get(name, Counter())
        if seen["deleted"] != deleted:
            problems.append(f"{name}: certificate says {deleted} deleted, {seen['deleted']} were")
        if not anonymized <= seen["changed"] <= in_place:
            problems.append(f"{name}: certificate says {anonymized}..{in_place} changed, {seen['changed']} were")
        if seen["added"]:
            problems.append(f"{name}: {seen['added']} row(s) appeared")
    return problems


def certificates_by_ticket(directory: Path) -> dict[str, list[dict[str, Any]]]:
    """The payload of every certificate file, by the ticket id it names (read as plain JSON)."""
    import base64

    found: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(directory.glob("*.cert.json")):
        body = json.loads(path.read_text())["payload"]
        payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        found.setdefault(payload["ticket"].get("id") or payload["ticket"]["reference"], []).append(payload)
    return found


def temporary_files(*directories: Path) -> list[Path]:
    return sorted(p for d in directories if d.exists() for pattern in TEMPORARY for p in d.rglob(pattern))


def files_naming(root: Path, identifiers: list[str], skip: tuple[Path, ...] = ()) -> list[Path]:
    """Files under `root` holding any of the identifiers in clear (the customer database itself excepted)."""
    needles = [i.encode() for i in identifiers]
    hits = []
    for path in root.rglob("*"):
        if path.is_file() and not any(path == s or s in path.parents for s in skip):
            data = path.read_bytes()
            if any(n in data for n in needles):
                hits.append(path)
    return hits


def done_once(state: sa.Engine) -> dict[str, tuple[str, int, int]]:
    """Per ticket: status, how many times the journal says it finished, how many certificates it has."""
    with state.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT t.id, t.status, (SELECT count(*) FROM journal j WHERE j.ticket_id = t.id AND j.step IN "
            "('done', 'done_with_retention', 'held')), (SELECT count(*) FROM certificates c WHERE c.ticket_id = t.id) "
            "FROM tickets t")).all()
    return {r[0]: (r[1], int(r[2]), int(r[3])) for r in rows}


def rows_naming(engine: sa.Engine, identifiers: list[str]) -> list[str]:
    """Tables of a database (the state store) with a row holding any of the identifiers in clear."""
    meta = sa.MetaData()
    meta.reflect(engine)
    found = []
    lowered = [i.lower() for i in identifiers]
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            for row in conn.execute(sa.select(table)):
                text = repr(tuple(row)).lower()
                if any(i in text for i in lowered):
                    found.append(table.name)
                    break
    return found
