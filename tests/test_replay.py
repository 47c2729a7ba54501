"""Replay after a backup restore: copy the database, erase a subject, restore the copy, replay; the subject is
gone again, retained rows are intact, anonymized rows get fresh values, and a replay certificate names the
original."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from eraser.config import load_config
from eraser.demo import DEMO_EMAIL, PHOTO_FILES, write_photo_files
from eraser.demo.schema import metadata
from eraser.engine.execute import make_plan
from eraser.engine.session import open_session
from eraser.engine.verify import row_digest
from eraser.subjects import parse_subject
from tests.rights_helpers import LocalDaemon, certificate_of, person_id, run, table_rows, variant

INVOICING = ("invoices", "invoice_lines", "payments")


def backup(engine: sa.Engine) -> dict[str, list[dict[str, Any]]]:
    """A logical backup of the demo database: every row of every table."""
    with engine.connect() as conn:
        return {t.name: [dict(r._mapping) for r in conn.execute(sa.select(t))] for t in metadata.sorted_tables}


def restore(engine: sa.Engine, copy: dict[str, list[dict[str, Any]]]) -> None:
    """Restore the backup into the same database: empty every table, then load the copy."""
    with engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())
        for table in metadata.sorted_tables:
            if copy[table.name]:
                conn.execute(table.insert(), copy[table.name])


def digests(engine: sa.Engine, tables: tuple[str, ...]) -> dict[str, dict[int, str]]:
    return {t: {i: row_digest(r) for i, r in table_rows(engine, t).items()} for t in tables}


def subject_left(engine: sa.Engine, pid: int) -> dict[str, int]:
    """The subject's rows still there, per table, straight from the database."""
    queries = {
        "persons": "SELECT count(*) FROM persons WHERE lower(email) = :e OR last_name = 'Peeters'",
        "newsletter": "SELECT count(*) FROM newsletter_subscriptions WHERE lower(trim(email)) = :e",
        "support": "SELECT count(*) FROM support_messages WHERE person_id = :p",
        "usage": "SELECT count(*) FROM usage_events WHERE person_id = :p",
        "projects": "SELECT count(*) FROM projects WHERE person_id = :p AND title NOT LIKE '%[erased]%'",
        "photos": "SELECT count(*) FROM photos ph JOIN projects p ON p.id = ph.project_id WHERE p.person_id = :p",
    }
    with engine.connect() as conn:
        return {k: conn.execute(sa.text(q), {"e": DEMO_EMAIL, "p": pid}).scalar_one() for k, q in queries.items()}


def test_restore_then_replay_erases_the_subject_again(demo_env, tmp_path: Path) -> None:
    """Copy, erase, restore the copy (the subject is back), dry run (changes nothing), replay: the subject is gone
    again, the retained invoicing rows are byte-identical, the person is anonymized with fresh values, and the
    replay certificate references the original certificate by id and SHA-256."""
    engine = demo_env.engine
    pid = person_id(engine)
    copy = backup(engine)
    erased = run("erase", "--config", str(demo_env.config), "--subject", f"email={DEMO_EMAIL}", "--yes",
                 "--ticket-ref", "HD-77")
    assert erased.exit_code == 0, erased.output
    original = certificate_of(erased.output)
    original_file = next(demo_env.certificates.glob("0000000001-*.cert.json"))
    after_erasure = digests(engine, INVOICING)
    first_anonymized = table_rows(engine, "persons")[pid]

    restore(engine, copy)
    assert subject_left(engine, pid)["persons"] == 1
    restored = digests(engine, INVOICING)
    dry = run("replay", "--config", str(demo_env.config), "--since", datetime.now(UTC).strftime("%Y-%m-%d"),
              "--dry-run")
    assert dry.exit_code == 0 and dry.output.startswith("Would replay 1 erasure(s)"), dry.output
    assert digests(engine, INVOICING) == restored and subject_left(engine, pid)["persons"] == 1

    result = run("replay", "--config", str(demo_env.config), "--since", datetime.now(UTC).strftime("%Y-%m-%d"))
    assert result.exit_code == 0, result.output
    assert "Replayed 1 erasure(s)" in result.output and "Verification: PASS" in result.output
    assert subject_left(engine, pid) == {k: 0 for k in ("persons", "newsletter", "support", "usage", "projects",
                                                        "photos")}
    assert digests(engine, INVOICING) == after_erasure  # retained rows intact; released ones gone again
    again = table_rows(engine, "persons")[pid]
    original_row = next(r for r in copy["persons"] if r["id"] == pid)
    for column in ("first_name", "last_name", "email", "mobile", "customer_number"):
        assert again[column] not in (original_row[column], first_anonymized[column]), column
    config = load_config(demo_env.config)
    with open_session(config) as session:
        totals = make_plan(session, parse_subject([f"email={DEMO_EMAIL}"], config)).totals()
    assert not any(totals.values()), totals

    replay = certificate_of(result.output)
    assert replay["certificate"]["type"] == "replay" and replay["outcome"] == "replayed"
    assert replay["certificate"]["replays"] == [{
        "certificate_id": original["certificate"]["id"], "kind": "erasure", "ticket_reference": "HD-77",
        "certificate_sha256": hashlib.sha256(original_file.read_bytes()).hexdigest(),
        "completed_at": original["ticket"]["completed_at"]}]
    assert replay["totals"]["delete"] == original["totals"]["delete"]
    assert replay["totals"]["retain"] == original["totals"]["retain"]
    assert replay["certificate"]["sequence"] == 2
    verified = run("certificate", "verify", str(next(demo_env.certificates.glob("0000000002-*.cert.json"))),
                   "--public-key", str(demo_env.public_key))
    assert verified.exit_code == 0, verified.output


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_replay_destroys_restored_files_and_refuses_unknown_references(demo_env, tmp_path: Path) -> None:
    """Restored photo files of replayed rows are destroyed again; a restored row that no recorded erasure covers
    but that refers to a row the replay deletes rolls the replay back (exit 4, nothing changed); with nothing
    recorded since the date there is nothing to replay."""
    config = variant(demo_env.config, tmp_path, ("        category: photographs\n", PHOTO_FILES))
    root = config.parent / "files"
    write_photo_files(demo_env.engine, root)
    copy = backup(demo_env.engine)
    pid = person_id(demo_env.engine)
    projects = "SELECT id FROM projects WHERE person_id = :p"
    assert run("erase", "--config", str(config), "--subject", f"email={DEMO_EMAIL}", "--yes").exit_code == 0
    with demo_env.engine.connect() as conn:
        kept = {r[0] for r in conn.execute(sa.text(projects), {"p": pid})}  # anonymized, still referenced
    restore(demo_env.engine, copy)
    write_photo_files(demo_env.engine, root)  # the file store is restored too
    with demo_env.engine.connect() as conn:
        photos = [r[0] for r in conn.execute(sa.text(
            "SELECT ph.path FROM photos ph JOIN projects p ON p.id = ph.project_id WHERE p.person_id = :p"),
            {"p": pid})]
        deleted_project = min({r[0] for r in conn.execute(sa.text(projects), {"p": pid})} - kept)
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    with demo_env.engine.begin() as conn:  # a photo that was removed before the erasure, back from the backup
        conn.execute(sa.text("INSERT INTO photos (id, project_id, path) VALUES (9999, :p, 'late.jpg')"),
                     {"p": deleted_project})
    refused = run("replay", "--config", str(config), "--since", today)
    assert refused.exit_code == 4 and "replay rolled back" in refused.output, refused.output
    assert subject_left(demo_env.engine, pid)["persons"] == 1 and all((root / p).exists() for p in photos)
    with demo_env.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM photos WHERE id = 9999"))
    result = run("replay", "--config", str(config), "--since", today)
    assert result.exit_code == 0, result.output
    assert "Files: 4 destroyed" in result.output and not any((root / p).exists() for p in photos)
    assert len(certificate_of(result.output)["files"]["entries"]) == 4
    nothing = run("replay", "--config", str(config), "--since", "2999-01-01")
    assert nothing.exit_code == 0 and "nothing to replay" in nothing.output


def test_replay_also_releases_rows_the_retention_sweep_released(tmp_path: Path) -> None:
    """A daemon erasure, then a retention sweep that releases the retained rows; after restoring a copy from
    before both, replay erases the subject again and releases the swept rows again (two certificates named)."""
    daemon = LocalDaemon(tmp_path / "d")
    try:
        engine = sa.create_engine(f"sqlite:///{daemon.root / 'cover.db'}")
        copy = backup(engine)
        ticket = daemon.submit("erase", ref="HD-SWEEP")
        daemon.drain()
        assert daemon.ticket(ticket["id"])["status"] == "done_with_retention"
        swept = run("sweep", "--yes", "--config", str(daemon.config_path), "--today", "2999-01-01")
        assert "Follow-up certificate" in swept.output, swept.output
        after = digests(engine, INVOICING)
        restore(engine, copy)
        result = run("replay", "--config", str(daemon.config_path), "--since",
                     datetime.now(UTC).strftime("%Y-%m-%d"))
        assert result.exit_code == 0 and "Replayed 2 erasure(s)" in result.output, result.output
        assert digests(engine, INVOICING) == after
        kinds = [r["kind"] for r in certificate_of(result.output)["certificate"]["replays"]]
        assert sorted(kinds) == ["erasure", "retention_release"]
        engine.dispose()
    finally:
        daemon.close()
