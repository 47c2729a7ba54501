"""An independent oracle for erasures: every row of every table, read with plain SQLAlchemy reflection and
SELECT (never Eraser's locate or plan), before and after, and the certificate checked against the difference.

The test that built the data says which rows are the subject's (`owners`); the oracle then checks:
- no spelling of the subject's identifiers remains in any row, except in rows the certificate counts as kept
  (retained, held, left for review), and those are byte-identical;
- every row of anyone else, in every table (configured or not, with or without a primary key), is
  byte-identical;
- per configured table, the certificate's counts equal what happened to the subject's rows: found = their
  number, deleted = the rows gone, anonymized = the rows changed, kept = the rows unchanged;
- rows that appeared (a trigger's log) hold no identifier of the subject.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

KEPT = ("retain", "hold", "review")


def _text(value: Any) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return "b:" + bytes(value).hex()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return f"{type(value).__name__}:{value}"


def digest(row: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps({k: _text(v) for k, v in sorted(row.items())}).encode()).hexdigest()


@dataclass
class Snapshot:
    """Rows by table: key -> (digest, the row). A table without primary key is keyed by digest and occurrence."""

    rows: dict[str, dict[tuple[Any, ...], tuple[str, dict[str, Any]]]] = field(default_factory=dict)

    def keys(self, table: str) -> set[tuple[Any, ...]]:
        return set(self.rows.get(table, {}))


def snapshot(engine: sa.Engine, schema: str | None = None) -> Snapshot:
    """Every row of every table (views left out), read in one transaction."""
    meta = sa.MetaData()
    meta.reflect(engine, schema=schema)
    out = Snapshot()
    with engine.connect() as conn:
        for table in meta.tables.values():
            pk = [c.name for c in table.primary_key.columns]
            rows: dict[tuple[Any, ...], tuple[str, dict[str, Any]]] = {}
            seen: Counter[str] = Counter()
            for r in conn.execute(sa.select(table)):
                row = dict(r._mapping)
                d = digest(row)
                if pk:
                    key: tuple[Any, ...] = tuple(_text(row[c]) for c in pk)
                else:
                    seen[d] += 1
                    key = ("#row", d, seen[d])
                rows[key] = (d, row)
            out.rows[table.name] = rows
    return out


def holds_identifier(row: dict[str, Any], spellings: list[str]) -> bool:
    """Any value of the row, as text and ignoring case, contains one of the spellings."""
    texts = [str(v).casefold() for v in row.values() if v is not None]
    return any(s.casefold() in t for s in spellings for t in texts)


def counts_of(certificate: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """table -> {"found", "counts", "done"} from the certificate's databases section."""
    return {t["table"]: t for db in certificate.get("databases", []) for t in db["tables"]}


def check(before: Snapshot, after: Snapshot, certificate: dict[str, Any], spellings: list[str],
          subject_rows: dict[str, set[tuple[Any, ...]]], configured: set[str]) -> list[str]:
    """Every way the erasure and its certificate disagree with the data; empty when they agree.
    `subject_rows`: per table, the keys (as `snapshot` makes them) of the subject's rows before."""
    problems: list[str] = []
    certified = counts_of(certificate)
    for table, rows in before.rows.items():
        mine = subject_rows.get(table, set())
        now = after.rows.get(table, {})
        for key, (d, _row) in rows.items():
            if key not in mine and (key not in now or now[key][0] != d):
                problems.append(f"{table} {key}: a row of someone else was {'changed' if key in now else 'removed'}")
        if table not in configured:
            continue
        entry = certified.get(table, {"found": 0, "counts": {}, "done": {}})
        counts = entry["counts"]
        gone = sum(1 for k in mine if k not in now)
        changed = sum(1 for k in mine if k in now and now[k][0] != rows[k][0])
        same = len(mine) - gone - changed
        observed = {"found": len(mine), "delete": gone, "anonymize": changed,
                    "kept": same}
        claimed = {"found": entry["found"], "delete": counts.get("delete", 0),
                   "anonymize": counts.get("anonymize", 0), "kept": sum(counts.get(a, 0) for a in KEPT)}
        if observed != claimed:
            problems.append(f"{table}: the certificate says {claimed}, the data shows {observed}")
        done = entry.get("done", {}).get("delete", 0)
        if done != gone:
            problems.append(f"{table}: the certificate says {done} row(s) deleted, {gone} are gone")
    for table, rows in after.rows.items():
        old = before.rows.get(table, {})
        kept_allowed = sum(certified.get(table, {}).get("counts", {}).get(a, 0) for a in KEPT)
        kept_with_id = 0
        for key, (d, row) in rows.items():
            if not holds_identifier(row, spellings):
                continue
            if key in old and old[key][0] == d and key in subject_rows.get(table, set()):
                kept_with_id += 1
            else:
                problems.append(f"{table} {key}: the subject's identifier remains in a row the erasure wrote or "
                                "did not keep")
        if kept_with_id > kept_allowed:
            problems.append(f"{table}: {kept_with_id} row(s) still hold the subject's identifier, the certificate "
                            f"keeps {kept_allowed}")
    for table in set(before.rows) - set(after.rows):
        problems.append(f"table {table} disappeared")
    return problems


def unchanged(before: Snapshot, after: Snapshot) -> list[str]:
    """The tables whose rows differ at all (for an erasure that was refused)."""
    return sorted(t for t in set(before.rows) | set(after.rows)
                  if {k: v[0] for k, v in before.rows.get(t, {}).items()} !=
                  {k: v[0] for k, v in after.rows.get(t, {}).items()})
