"""Access and portability: `eraser export` and `access` tickets write everything located for a subject as JSON,
CSV per table and the referenced files, with a manifest; the export matches the erasure plan row for row."""

from __future__ import annotations

import csv
import hashlib
import json
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa

from eraser.config import load_config
from eraser.demo import DEMO_EMAIL, PHOTO_FILES, write_photo_files
from eraser.engine.execute import make_plan
from eraser.engine.session import open_session
from eraser.rights.export import _text, jsonable, verify_export
from eraser.subjects import parse_subject
from tests.rights_helpers import LocalDaemon, grep_bytes, run, variant


def test_export_matches_the_erasure_plan_row_for_row(demo_env, tmp_path: Path) -> None:
    """The export of a subject with rows in 8+ tables holds exactly the rows (and values) of the erasure plan of
    the same subject, in JSON and in CSV, with categories, purposes, retention and a manifest that verifies."""
    out = tmp_path / "export"
    result = run("export", "--config", str(demo_env.config), "--subject", f"email={DEMO_EMAIL}", "--out", str(out))
    assert result.exit_code == 0, result.output
    doc = json.loads((out / "subject.json").read_text())
    config = load_config(demo_env.config)
    with open_session(config) as session:
        plan = make_plan(session, parse_subject([f"email={DEMO_EMAIL}"], config))
    planned = {(tp.connector, tp.table, key): {c: jsonable(v) for c, v in tp.rows[key].items()}
               for tp in plan.tables for key in tp.rows}
    exported = {(db["connector"], t["table"], tuple(row[c] for c in t["primary_key"])): row
                for db in doc["databases"] for t in db["tables"] for row in t["rows"]}
    assert exported == planned
    tables = {t["table"]: t for db in doc["databases"] for t in db["tables"]}
    assert sum(1 for t in tables.values() if t["rows"]) >= 8 and doc["totals"]["rows"] == len(planned)
    assert set(tables) == {tp.table for tp in plan.tables}  # every configured table, even without rows
    for name, table in tables.items():
        if not table["rows"]:
            assert table["csv"] is None
            continue
        with open(out / table["csv"], newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        assert rows[0] == table["columns"], name
        assert rows[1:] == [[_text(r[c]) for c in table["columns"]] for r in table["rows"]], name
    assert tables["invoices"]["retention"]["period"] == "10y" and "VAT" in tables["invoices"]["retention"]["basis"]
    assert tables["persons"]["category"] == "identification and contact details"
    assert tables["usage_events"]["recipients"] == ["hosting provider (sub-processor)"]
    assert tables["photos"]["retention"] == {"on_erasure_request": "deleted"}
    digest = verify_export(out)
    assert f"sha256 {digest}" in result.output
    assert (out / "manifest.json.sha256").read_text() == f"{digest}  manifest.json\n"
    manifest = json.loads((out / "manifest.json").read_text())
    assert {e["path"] for e in manifest["files"]} == {"subject.json", *(t["csv"] for t in tables.values() if t["csv"])}
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in out.rglob("*") if p.is_file())
    assert DEMO_EMAIL not in (out / "manifest.json").read_text()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_export_copies_the_subjects_files_and_refuses_a_used_directory(demo_env, tmp_path: Path) -> None:
    """With `files:` configured, the subject's photos are copied into the export and listed in the manifest; an
    export never goes into a directory that already holds something."""
    config = variant(demo_env.config, tmp_path, ("        category: photographs\n", PHOTO_FILES))
    root = config.parent / "files"
    write_photo_files(demo_env.engine, root)
    out = tmp_path / "export"
    result = run("export", "--config", str(config), "--subject", f"email={DEMO_EMAIL}", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "and 4 file(s)" in result.output
    doc = json.loads((out / "subject.json").read_text())
    assert len(doc["files"]) == 4
    for f in doc["files"]:
        assert (out / f["export_path"]).read_bytes() == (root / f["path"]).read_bytes()
    manifest = {e["path"]: e["sha256"] for e in json.loads((out / "manifest.json").read_text())["files"]}
    for f in doc["files"]:
        assert manifest[f["export_path"]] == hashlib.sha256((root / f["path"]).read_bytes()).hexdigest()
    again = run("export", "--config", str(config), "--subject", f"email={DEMO_EMAIL}", "--out", str(out))
    assert again.exit_code == 1 and "not an empty directory" in again.output
    with demo_env.engine.begin() as conn:  # a path out of the root: refused, and no half export is left behind
        conn.execute(sa.text("UPDATE photos SET path = '../../keys/secret' WHERE path = :p"),
                     {"p": doc["files"][-1]["path"]})
    refused = run("export", "--config", str(config), "--subject", f"email={DEMO_EMAIL}", "--out", str(out) + "2")
    assert refused.exit_code == 4 and "contains '..'" in refused.output and not Path(str(out) + "2").exists()


def test_access_ticket_over_http(tmp_path: Path) -> None:
    """POST /tickets {kind: access}: the worker writes the export under exports/TICKET, the ticket is done with
    the manifest digest, and the state store keeps no identifier."""
    daemon = LocalDaemon(tmp_path / "d")
    try:
        ticket = daemon.submit("access", ref="HD-ACCESS-1")
        assert daemon.drain() == 1
        done = daemon.ticket(ticket["id"])
        assert done["status"] == "done" and done["kind"] == "access"
        directory = Path(done["plan"]["directory"])
        assert directory == daemon.root / "exports" / ticket["id"]
        assert verify_export(directory) == done["plan"]["manifest_sha256"]
        assert done["plan"]["rows"] >= 20 and done["plan"]["files"] == 4
        doc = json.loads((directory / "subject.json").read_text())
        assert any(r.get("email") == DEMO_EMAIL for db in doc["databases"] for t in db["tables"] for r in t["rows"])
        assert daemon.store.ticket(ticket["id"])["sealed_subject"] is None
        state = [daemon.root / "eraser-state.db", *daemon.root.glob("eraser-state.db-*")]
        assert grep_bytes(state, DEMO_EMAIL) == []
    finally:
        daemon.close()
