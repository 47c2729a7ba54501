"""The residual scan and free-text redaction, on SQLite, PostgreSQL and MariaDB: identifiers hidden in text
columns of any table, configured or not, are found (and failed on, redacted or reported, as configured),
reported by table, column and number of rows, never by value."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from eraser.demo import DEMO_EMAIL
from eraser.proof.certificates import read_jws
from tests.test_bad_input import run, snapshot

NOTE = "call JAN@Example.be tomorrow about the pergola"


def with_notes(demo_env, tmp_path: Path, scan: str) -> Path:
    """The demo database plus a table no config names, holding a note with the subject's email, one with a
    longer address that merely contains it, and one without; the demo config with the scan set to `scan`."""
    with demo_env.engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE crm_notes (id INTEGER PRIMARY KEY, note VARCHAR(500), "
                             "meta VARCHAR(200), code VARCHAR(3))"))
        conn.execute(sa.text("INSERT INTO crm_notes (id, note, meta, code) VALUES (:i, :n, :m, 'x')"),
                     [{"i": 1, "n": NOTE, "m": "{\"by\": \"jan@example.be\"}"},
                      {"i": 2, "n": "mail xjan@example.be and jan@example.bel", "m": None},
                      {"i": 3, "n": "nothing personal here", "m": None}])
        # the subject's own row: only an identifier some row of theirs holds is redacted from others' text
        conn.execute(sa.text("INSERT INTO newsletter_subscriptions (id, email, language, subscribed_at, source) "
                             "VALUES (9999, 'jan@example.be', 'nl', '2025-01-01 00:00:00', 'web')"))
    text = demo_env.config.read_text().replace("      mode: fail\n", scan)
    path = tmp_path / "scan.yaml"
    path.write_text(text)
    return path


def notes(demo_env) -> dict[int, tuple[str, str | None]]:
    """The crm_notes rows: id -> (note, meta)."""
    with demo_env.engine.connect() as conn:
        return {r.id: (r.note, r.meta) for r in conn.execute(sa.text("SELECT id, note, meta FROM crm_notes"))}


def run_ok(*args: str) -> str:
    """The CLI's output; it must have succeeded."""
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result.output


def certificate_of(output: str) -> dict:
    """The payload of the certificate whose path the CLI printed last."""
    return read_jws(Path(output.rsplit("Certificate: ", 1)[1].strip()))[1]


def test_fail_mode_rolls_back_and_names_table_column_and_count(demo_env, tmp_path: Path) -> None:
    """mode fail: the note in an unconfigured table makes the erasure roll back; the error names the table,
    column and number of rows, never the text or the address."""
    config = with_notes(demo_env, tmp_path, "      mode: fail\n")
    before = snapshot(demo_env.engine)
    result = run("erase", "--config", str(config), "--subject", "email=jan@example.be", "--yes")
    assert result.exit_code == 4, result.output
    (message,) = result.stderr.strip().splitlines()
    assert "crm_notes.note (1 row(s))" in message and "crm_notes.meta (1 row(s))" in message
    assert "jan@example.be" not in message.lower() and "pergola" not in message
    assert snapshot(demo_env.engine) == before


def test_redact_mode_replaces_only_the_identifier(demo_env, tmp_path: Path) -> None:
    """mode redact: the address inside the note becomes the marker and the rest of the text stays; a longer
    address that merely contains it is left alone; the certificate counts the hits without any value."""
    config = with_notes(demo_env, tmp_path, "      mode: redact\n")
    out = run_ok("erase", "--config", str(config), "--subject", "email=jan@example.be", "--yes")
    assert notes(demo_env)[1] == ("call [erased] tomorrow about the pergola", '{"by": "[erased]"}')
    assert notes(demo_env)[2][0] == "mail xjan@example.be and jan@example.bel"
    scan = certificate_of(out)["verification"]["residual_scan"]
    assert scan["hits"] == 2 and scan["redacted_rows"] == 1 and scan["rows_with_hits"] == 1
    hits = scan["by_connector"][0]["hits"]
    assert {"table": "crm_notes", "column": "note", "rows": 1} in hits
    assert scan["tables_scanned"] == 13 and scan["columns_scanned"] > 30
    assert "jan@example.be" not in json.dumps(certificate_of(out)).lower()


def test_report_mode_lists_hits_and_changes_nothing(demo_env, tmp_path: Path) -> None:
    """mode report: the erasure succeeds, the note is untouched, and the certificate lists the hits and says
    they were left in place (never PASS)."""
    config = with_notes(demo_env, tmp_path, "      mode: report\n")
    out = run_ok("erase", "--config", str(config), "--subject", "email=jan@example.be", "--yes")
    assert notes(demo_env)[1][0] == NOTE
    verification = certificate_of(out)["verification"]
    assert verification["result"] == "RESIDUAL MATCHES REPORTED, NOT REMOVED"
    assert verification["residual_scan"]["hits"] == 2 and verification["residual_matches"] == 1
    assert verification["residual_scan"]["redacted_rows"] == 0


def test_row_limit_is_stated_in_the_certificate(demo_env, tmp_path: Path) -> None:
    """max_rows_per_table reads only the newest rows of a column without a trigram index, and the certificate
    says which tables were scanned in part: an old note is not found, and nobody is told it was."""
    config = with_notes(demo_env, tmp_path, "      mode: fail\n")
    config.write_text(config.read_text().replace("max_rows_per_table: 50000", "max_rows_per_table: 1"))
    out = run_ok("erase", "--config", str(config), "--subject", "email=jan@example.be", "--yes")
    scan = certificate_of(out)["verification"]["residual_scan"]
    assert scan["hits"] == 0
    assert "cover.crm_notes" in scan["tables_scanned_in_part"]


def test_free_text_columns_lose_the_subjects_contacts_and_keep_the_rest(demo_env) -> None:
    """free_text: a housemate's support message that names the subject keeps its text without the subject's email
    and phone number; the subject's anonymized project keeps its description without their name and phone."""
    out = run_ok("erase", "--config", str(demo_env.config), "--subject", f"email={DEMO_EMAIL}", "--yes")
    with demo_env.engine.connect() as conn:
        housemate = conn.execute(sa.text("SELECT body FROM support_messages WHERE subject = :s"),
                                 {"s": "Offerte voor mijn huisgenoot"}).scalar_one()
        project = conn.execute(sa.text("SELECT description FROM projects WHERE person_id = 1")).scalar_one()
    assert housemate == "Stuur de offerte ook naar [erased] of bel [erased]. Zelfde adres, groeten."
    assert project == "Klant [erased] [erased] wenst een offerte; bel [erased]."
    done = certificate_of(out)["databases"][0]["tables"]
    support = next(t for t in done if t["table"] == "support_messages")
    assert support["done"]["redact_free_text"] == 1


def _one_row_window(demo_env, tmp_path: Path) -> Path:
    """PostgreSQL only (with pg_trgm): a report-mode scan whose window is one row per table, so that only a
    trigram index lets it search a column in full."""
    if demo_env.engine.dialect.name != "postgresql":
        pytest.skip("trigram indexes are a PostgreSQL feature")
    config = with_notes(demo_env, tmp_path, "      mode: report\n")
    config.write_text(config.read_text().replace("max_rows_per_table: 50000", "max_rows_per_table: 1"))
    with demo_env.engine.begin() as conn:
        conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    return config


def test_trigram_index_serves_the_scan(demo_env, tmp_path: Path) -> None:
    """On PostgreSQL, a pg_trgm GIN index on a text column is recognised: the column is searched in full through
    the index even when the table is larger than max_rows_per_table."""
    config = _one_row_window(demo_env, tmp_path)
    with demo_env.engine.begin() as conn:
        conn.execute(sa.text("CREATE INDEX ix_crm_notes_note_trgm ON crm_notes USING gin (note gin_trgm_ops)"))
    out = run_ok("erase", "--config", str(config), "--subject", "email=jan@example.be", "--yes")
    scan = certificate_of(out)["verification"]["residual_scan"]
    assert scan["by_connector"][0]["trigram_indexed_columns"] == 1
    assert {"table": "crm_notes", "column": "note", "rows": 1} in scan["by_connector"][0]["hits"]


def test_trigram_indexes_are_read_from_the_catalog_columns_and_not_partial(demo_env, tmp_path: Path) -> None:
    """Every column of a two-column trigram index is served by it; a partial one (WHERE ...) serves only some rows,
    so its column is still read in part, and the certificate says so."""
    config = _one_row_window(demo_env, tmp_path)
    with demo_env.engine.begin() as conn:
        conn.execute(sa.text("CREATE INDEX ix_crm_notes_two_trgm ON crm_notes USING gin (code gin_trgm_ops, "
                             "meta gin_trgm_ops)"))
        conn.execute(sa.text("CREATE INDEX ix_crm_notes_part_trgm ON crm_notes USING gin (note gin_trgm_ops) "
                             "WHERE id > 1"))
    scan = certificate_of(run_ok("erase", "--config", str(config), "--subject", "email=jan@example.be",
                                 "--yes"))["verification"]["residual_scan"]
    assert scan["by_connector"][0]["trigram_indexed_columns"] == 1  # meta (code is too short to be searched)
    assert "cover.crm_notes" in scan["tables_scanned_in_part"]  # note: in its newest row only
    hits = [h for h in scan["by_connector"][0]["hits"] if h["table"] == "crm_notes"]
    assert hits == [{"table": "crm_notes", "column": "meta", "rows": 1}]  # row 1's meta, read whole; its note not


def test_config_check_reports_unknown_free_text_column_and_scan_table(demo_env, tmp_path: Path) -> None:
    """`config check` names a free_text column that does not exist and a residual_scan table that does not exist,
    each with its line."""
    text = demo_env.config.read_text().replace("free_text: [subject, body]", "free_text: [subject, bodie]")
    text = text.replace("      tables: all\n", "      tables: [support_messages, support_mesages]\n")
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    result = run("config", "check", str(path))
    assert result.exit_code == 2, result.output
    assert "column 'bodie' does not exist in table 'support_messages' (closest: body)" in result.output
    assert "residual_scan names table 'support_mesages', which does not exist in connector 'cover' " \
           "(closest: support_messages)" in result.output
