"""Search indexes (eraser/engine/search_index.py): `eraser config check` names them, `--apply-indexes` creates them, and
through them the residual scan reads whole tables and finds what a full read finds; without them `eraser plan`
says which tables every erasure reads, and why. The oracle is our own SQL over the notes table."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from eraser.demo import DEMO_EMAIL
from tests.test_bad_input import run, snapshot
from tests.test_residual import NOTE, certificate_of, run_ok, with_notes


@pytest.fixture(autouse=True)
def every_table_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test tables are small: name them as the large tables they stand for."""
    monkeypatch.setattr("eraser.engine.search_index.SLOW_ROWS", 0)


EMAIL = re.compile(r"(?<![\w.+-])jan@example\.be(?![\w-]|\.\w)", re.IGNORECASE)


def postgresql_only(demo_env) -> None:
    if demo_env.engine.dialect.name != "postgresql":
        pytest.skip("search indexes are built on PostgreSQL (pg_trgm)")


def oracle_hits(demo_env) -> dict[str, int]:
    """Rows of crm_notes holding the address, per column, by our own reading of every row."""
    with demo_env.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT note, meta FROM crm_notes")).all()
    return {col: n for col, n in (("note", sum(bool(r.note and EMAIL.search(r.note)) for r in rows)),
                                  ("meta", sum(bool(r.meta and EMAIL.search(r.meta)) for r in rows))) if n}


def search_indexes(demo_env) -> set[str]:
    with demo_env.engine.connect() as conn:
        return set(conn.execute(sa.text("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'ix\\_%\\_search\\_%'"))
                   .scalars())


def test_apply_indexes_then_the_whole_table_is_searched_and_finds_what_a_full_read_finds(demo_env, tmp_path: Path) -> None:
    """Before: config check warns that crm_notes is read in part, with the fix; --apply-indexes creates one index
    per table; after: no such warning, and with max_rows_per_table 1 the note (read whole through the index) is
    found, exactly as our own reading of every row finds it."""
    postgresql_only(demo_env)
    config = with_notes(demo_env, tmp_path, "      mode: report\n")
    config.write_text(config.read_text().replace("max_rows_per_table: 50000", "max_rows_per_table: 1"))
    with demo_env.engine.begin() as conn:  # older rows than the newest: a window of 1 would miss them
        conn.execute(sa.text("INSERT INTO crm_notes (id, note, meta, code) VALUES (100, 'x', NULL, 'x')"))
    checked = run("config", "check", str(config))
    assert "table 'crm_notes': every erasure reads up to 1 of its rows" in checked.output
    assert "CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_crm_notes_search_" in checked.output

    applied = run_ok("config", "check", str(config), "--apply-indexes")
    assert "index statement(s) run" in applied
    assert any(name.startswith("ix_crm_notes_search_") for name in search_indexes(demo_env))
    assert "crm_notes" not in run_ok("config", "check", str(config))

    out = run_ok("erase", "--config", str(config), "--subject", "email=jan@example.be", "--yes")
    scan = certificate_of(out)["verification"]["residual_scan"]
    assert "cover.crm_notes" not in scan["tables_scanned_in_part"]
    assert scan["by_connector"][0]["search_indexed_tables"] >= 13
    found = {h["column"]: h["rows"] for h in scan["by_connector"][0]["hits"] if h["table"] == "crm_notes"}
    assert found == oracle_hits(demo_env) == {"note": 1, "meta": 1}


def test_free_text_through_the_index_redacts_email_and_phone_as_a_scan_does(demo_env) -> None:
    """The housemate's message names the subject's email and mobile number (spelled with spaces): found through
    the search index (the digits part of the search text), redacted as without the index."""
    postgresql_only(demo_env)
    run_ok("config", "check", str(demo_env.config), "--apply-indexes")
    assert any(name.startswith("ix_support_messages_search_") for name in search_indexes(demo_env))
    out = run_ok("erase", "--config", str(demo_env.config), "--subject", f"email={DEMO_EMAIL}", "--yes")
    with demo_env.engine.connect() as conn:
        housemate = conn.execute(sa.text("SELECT body FROM support_messages WHERE subject = :s"),
                                 {"s": "Offerte voor mijn huisgenoot"}).scalar_one()
    assert housemate == "Stuur de offerte ook naar [erased] of bel [erased]. Zelfde adres, groeten."
    assert certificate_of(out)["verification"]["result"] == "PASS"


def test_an_index_built_for_other_columns_is_not_taken_for_the_table(demo_env, tmp_path: Path) -> None:
    """A column added after the index was built: the index does not cover it, so the table is read in part again
    (and said so), and config check proposes the index for today's columns."""
    postgresql_only(demo_env)
    config = with_notes(demo_env, tmp_path, "      mode: report\n")
    config.write_text(config.read_text().replace("max_rows_per_table: 50000", "max_rows_per_table: 1"))
    run_ok("config", "check", str(config), "--apply-indexes")
    with demo_env.engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE crm_notes ADD COLUMN remark VARCHAR(200)"))
        conn.execute(sa.text("UPDATE crm_notes SET remark = 'mail JAN@example.be' WHERE id = 3"))
    out = run_ok("erase", "--config", str(config), "--subject", "email=jan@example.be", "--yes")
    assert "cover.crm_notes" in certificate_of(out)["verification"]["residual_scan"]["tables_scanned_in_part"]
    assert "table 'crm_notes': every erasure reads up to 1 of its rows" in run_ok("config", "check", str(config))


def test_apply_indexes_refuses_a_config_with_errors(demo_env, tmp_path: Path) -> None:
    """A config with an error: nothing is created, exit 2."""
    postgresql_only(demo_env)
    path = tmp_path / "bad.yaml"
    path.write_text(demo_env.config.read_text().replace("free_text: [subject, body]", "free_text: [subject, bodie]"))
    result = run("config", "check", str(path), "--apply-indexes")
    assert result.exit_code == 2 and "No index created" in result.output
    assert search_indexes(demo_env) == set()


def test_plan_says_which_scans_are_slow_and_why(demo_env, tmp_path: Path) -> None:
    """Without search indexes, `eraser plan` names the tables every erasure reads and why (on MariaDB and SQLite:
    no index finds text inside a value); nothing is changed."""
    config = with_notes(demo_env, tmp_path, "      mode: fail\n")
    before = snapshot(demo_env.engine)
    out = run_ok("plan", "--config", str(config), "--subject", "email=jan@example.be")
    assert "Slow scans" in out
    assert "cover.support_messages: every erasure reads all of it" in out and "for its free_text columns" in out
    if demo_env.engine.dialect.name == "mysql":  # one read before the changes serves the redaction and the scan
        assert "reads all of it, once, for its free_text columns and the residual scan" in out
    assert "cover.crm_notes: every erasure reads up to 50,000 of its rows" in out
    why = "it has no search index" if demo_env.engine.dialect.name == "postgresql" else \
        "has no index that finds text inside a value"
    assert why in out and NOTE not in out and "jan@example.be" not in out.split("Slow scans")[1]
    assert snapshot(demo_env.engine) == before


def test_small_tables_are_not_named_as_slow(demo_env, monkeypatch: pytest.MonkeyPatch) -> None:
    """A table of fewer than SLOW_ROWS rows is read in milliseconds: neither plan nor config check names it."""
    monkeypatch.setattr("eraser.engine.search_index.SLOW_ROWS", 10_000)
    out = run_ok("plan", "--config", str(demo_env.config), "--subject", f"email={DEMO_EMAIL}")
    assert "Slow scans" not in out
    assert "every erasure reads" not in run_ok("config", "check", str(demo_env.config))


def test_whitespace_set_is_what_str_isspace_says() -> None:
    """The written-out whitespace set (the lookup indexes hold it) is every character str.strip() removes, plus
    the zero-width space and byte-order mark, in code point order."""
    from eraser.matching import WHITESPACE

    computed = {chr(c) for c in range(0x110000) if chr(c).isspace()} | {"\u200b", "\ufeff"}
    assert WHITESPACE == "".join(sorted(computed))


def test_head_revision_is_alembics(tmp_path: Path) -> None:
    """The state store skips Alembic only at the revision Alembic calls head; a store one revision behind is
    migrated."""
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    from eraser.store.state import StateStore, head_revision

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(Path(__file__).resolve().parents[1] / "eraser" / "store" / "migrations"))
    assert head_revision() == ScriptDirectory.from_config(cfg).get_current_head()
    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    store.migrate()
    assert store._at_head()
    with store.engine.begin() as conn:
        previous = ScriptDirectory.from_config(cfg).get_revision(head_revision()).down_revision
        conn.execute(sa.text("UPDATE alembic_version SET version_num = :v"), {"v": previous})
    assert not store._at_head()
    store.dispose()


def test_the_index_finds_an_address_written_in_capitals_outside_ascii(demo_env, tmp_path: Path) -> None:
    """The search text is lower-cased with ICU's root collation: JÖRG@EXAMPLE.BE in a note is found for
    jörg@example.be through the index whatever the database's collation (under C, lower() folds ASCII only),
    as our own case-insensitive reading of every row finds it."""
    postgresql_only(demo_env)
    config = with_notes(demo_env, tmp_path, "      mode: report\n")
    config.write_text(config.read_text().replace("max_rows_per_table: 50000", "max_rows_per_table: 1"))
    with demo_env.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO crm_notes (id, note, meta, code) VALUES (0, 'bel JÖRG@EXAMPLE.BE', NULL, 'x'),"
                             " (100, 'x', NULL, 'x')"))
    run_ok("config", "check", str(config), "--apply-indexes")
    out = run_ok("erase", "--config", str(config), "--subject", "email=jörg@example.be", "--yes")
    scan = certificate_of(out)["verification"]["residual_scan"]
    assert "cover.crm_notes" not in scan["tables_scanned_in_part"]
    found = {h["column"]: h["rows"] for h in scan["by_connector"][0]["hits"] if h["table"] == "crm_notes"}
    with demo_env.engine.connect() as conn:
        ours = sum("jörg@example.be" in (note or "").lower() for note in conn.execute(
            sa.text("SELECT note FROM crm_notes")).scalars())
    assert found == {"note": ours} == {"note": 1}


def test_the_plan_finds_kept_rows_of_others_through_the_index_beyond_the_window(demo_env, tmp_path: Path) -> None:
    """Another customer's retained invoice, older than the newest row, names the subject: with a search index the
    plan looks the whole table up and lists it as kept, as our own reading of every invoice does (a window of the
    newest row alone would miss it)."""
    postgresql_only(demo_env)
    config = tmp_path / "windowed.yaml"
    config.write_text(demo_env.config.read_text().replace("max_rows_per_table: 50000", "max_rows_per_table: 1"))
    run_ok("config", "check", str(config), "--apply-indexes")
    with demo_env.engine.begin() as conn:
        other = conn.execute(sa.text("SELECT min(i.id) FROM invoices i JOIN persons p ON p.id = i.person_id "
                                     "WHERE lower(p.email) <> :e"), {"e": DEMO_EMAIL.lower()}).scalar_one()
        conn.execute(sa.text("UPDATE invoices SET billing_street = :s WHERE id = :i"),
                     {"s": f"c/o {DEMO_EMAIL.upper()}", "i": other})
        oracle = [r.id for r in conn.execute(sa.text("SELECT id, billing_street FROM invoices")).all()
                  if r.billing_street and DEMO_EMAIL in r.billing_street.lower()]
    assert oracle == [other]
    kept = json.loads(run_ok("plan", "--config", str(config), "--subject", f"email={DEMO_EMAIL}", "--json"))
    listed = [(e["table"], e["key"], e["column"]) for e in kept["kept_for_others"]]
    assert ("invoices", [str(other)], "billing_street") in listed
