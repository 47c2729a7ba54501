"""Access and portability (GDPR Art. 15 and 20): everything located for a subject, as one JSON document grouped
by database and table, a CSV file per table, the files the rows refer to, and a manifest with the SHA-256 of
every file and a digest of the manifest itself.

The rows come from the same plan an erasure would execute (`make_plan`), so the export holds exactly the rows
an erasure of the same subject would touch, row for row.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import math
import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from eraser import SOFTWARE_NAME, __version__
from eraser.config import Config
from eraser.engine.execute import make_plan
from eraser.engine.plan import Plan
from eraser.engine.session import Session
from eraser.errors import EraserError
from eraser.subjects import Subject
from eraser.table_rules import TableRule

FORMAT = "eraser-export/1"
DOCUMENT = "subject.json"
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class ExportResult:
    directory: Path
    manifest_sha256: str
    rows: int
    tables: int
    files: int
    counts: dict[str, dict[str, int]]  # connector -> table -> rows


def jsonable(value: Any) -> Any:
    """A row value in JSON: dates and times in ISO 8601, decimals as exact strings, bytes in base64."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, Decimal | uuid.UUID | timedelta):
        return str(value)
    return str(value)


def _text(value: Any) -> str:
    """A row value in CSV: empty for NULL, true/false for booleans, otherwise as in the JSON document."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(jsonable(value))


def _retention(rule: TableRule) -> dict[str, Any]:
    if rule.rules:
        return {"by_row_rule": [{"rule": r.label(i), **_retention(rule.row_rule(i))} for i, r in enumerate(rule.rules)]}
    if rule.action == "retain" and rule.retain is not None:
        return {"on_erasure_request": "kept for the legal period, then destroyed",
                "basis": rule.retain.basis, "period": rule.retain.period, "counted_from": rule.retain.from_,
                "count_from": rule.retain.count_from, "then": rule.retain.then}
    return {"on_erasure_request": "deleted" if rule.action == "delete" else "anonymized"}


def _sorted_keys(keys: list[Any]) -> list[Any]:
    try:
        return sorted(keys)
    except TypeError:
        return sorted(keys, key=repr)


def _prepare_directory(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise EraserError(f"--out {out} exists and is not an empty directory; an export goes to a new directory.")
    try:
        out.mkdir(parents=True, exist_ok=True, mode=0o700)
        out.chmod(0o700)  # personal data: readable by the owner only
    except OSError as exc:
        raise EraserError(f"cannot create the export directory {out}: {exc.strerror}.") from None


def _write(out: Path, relative: str, data: bytes) -> None:
    path = out / relative
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def document(config: Config, session: Session, plan: Plan, generated_at: datetime) -> dict[str, Any]:
    """The JSON document: per database and table the rows, with category, purpose, retention and recipients."""
    databases: dict[str, list[dict[str, Any]]] = {}
    for tp in plan.tables:
        connector = session.connectors[tp.connector]
        columns = connector.columns(tp.table)
        rows = [{c: jsonable(tp.rows[k].get(c)) for c in columns} for k in _sorted_keys(list(tp.rows))]
        entry: dict[str, Any] = {
            "table": tp.table, "category": tp.rule.category, "purpose": tp.rule.purpose,
            "retention": _retention(tp.rule), "recipients": list(tp.rule.recipients),
            "primary_key": list(connector.primary_key(tp.table)), "columns": columns, "row_count": len(rows),
            "csv": f"csv/{tp.connector}/{tp.table}.csv" if rows else None, "rows": rows}
        databases.setdefault(tp.connector, []).append(entry)
    return {
        "format": FORMAT,
        "generated_at": generated_at.isoformat().replace("+00:00", "Z"),
        "generated_by": {"name": SOFTWARE_NAME, "version": __version__},
        "controller": config.controller_name,
        "organisation": config.organisation,
        "legal_ground": "GDPR Art. 15 (right of access) and Art. 20 (right to data portability)",
        "subject": {"reference": plan.subject_ref, "identifier_types": plan.identifier_types},
        "totals": {"tables_with_rows": sum(1 for t in plan.tables if t.rows),
                   "rows": sum(len(t.rows) for t in plan.tables)},
        "encoding": "dates and times in ISO 8601, decimals as strings, binary values in base64",
        "databases": [{"connector": name, "dialect": session.dialects.get(name, ""), "tables": tables}
                      for name, tables in databases.items()],
    }


def _csv(columns: list[str], rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_text(row.get(c)) for c in columns])
    return buffer.getvalue().encode("utf-8")


def export_subject(config: Config, session: Session, subject: Subject, out: Path,
                   today: date | None = None) -> ExportResult:
    """Locate and plan as an erasure would (changing nothing), then write the export under `out` (a new or empty
    directory, mode 0700, files 0600)."""
    plan = make_plan(session, subject, today=today)
    generated = datetime.now(UTC).replace(microsecond=0)
    doc = document(config, session, plan, generated)
    _prepare_directory(out)
    try:
        return _write_export(config, session, plan, doc, out)
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)  # no half export of personal data is left behind
        raise


def _write_export(config: Config, session: Session, plan: Plan, doc: dict[str, Any], out: Path) -> ExportResult:
    from eraser.engine.files import export_files

    written: dict[str, bytes] = {}
    for tp in plan.tables:
        if tp.rows:
            connector = session.connectors[tp.connector]
            columns = connector.columns(tp.table)
            written[f"csv/{tp.connector}/{tp.table}.csv"] = _csv(
                columns, [tp.rows[k] for k in _sorted_keys(list(tp.rows))])
    copied = export_files(config, plan, out)
    doc["files"] = [{"connector": f["connector"], "table": f["table"], "path": f["path"],
                     "export_path": f["export_path"]} for f in copied]
    written[DOCUMENT] = json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False).encode("utf-8") + b"\n"
    for relative, data in written.items():
        _write(out, relative, data)
    entries = []
    for relative in sorted([*written, *(f["export_path"] for f in copied)]):
        data = (out / relative).read_bytes()
        entries.append({"path": relative, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)})
    manifest = {"format": FORMAT + "-manifest", "generated_at": doc["generated_at"],
                "subject": plan.subject_ref, "document": DOCUMENT, "files": entries}
    manifest_bytes = json.dumps(manifest, indent=2).encode() + b"\n"
    _write(out, MANIFEST, manifest_bytes)
    digest = hashlib.sha256(manifest_bytes).hexdigest()
    _write(out, MANIFEST + ".sha256", f"{digest}  {MANIFEST}\n".encode())  # `sha256sum -c manifest.json.sha256`
    counts: dict[str, dict[str, int]] = {}
    for tp in plan.tables:
        counts.setdefault(tp.connector, {})[tp.table] = len(tp.rows)
    return ExportResult(out, digest, doc["totals"]["rows"], doc["totals"]["tables_with_rows"], len(copied), counts)


def verify_export(out: Path) -> str:
    """Check every file of an export against its manifest; returns the manifest digest, or EraserError."""
    manifest_bytes = (out / MANIFEST).read_bytes()
    digest = hashlib.sha256(manifest_bytes).hexdigest()
    expected = (out / (MANIFEST + ".sha256")).read_text().split()[0]
    if digest != expected:
        raise EraserError(f"{out / MANIFEST} does not match its digest.")
    for entry in json.loads(manifest_bytes)["files"]:
        if hashlib.sha256((out / entry["path"]).read_bytes()).hexdigest() != entry["sha256"]:
            raise EraserError(f"{entry['path']} does not match the manifest.")
    return digest
