"""Erasure of one subject on SQLite, PostgreSQL and MariaDB, with the COVER GROUP demo schema."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner

from eraser.cli import main
from eraser.demo import DEMO_EMAIL, DEMO_MOBILE
from eraser.engine.verify import row_digest
from eraser.proof.certificates import read_jws, verify

INVOICING = ("invoices", "invoice_lines", "payments")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def snapshot(engine: sa.Engine, tables: tuple[str, ...]) -> dict[str, dict[int, str]]:
    meta = sa.MetaData()
    meta.reflect(engine, only=list(tables))
    with engine.connect() as conn:
        return {t: {r.id: row_digest(dict(r._mapping)) for r in conn.execute(sa.select(meta.tables[t]))}
                for t in tables}


def subject_rows(engine: sa.Engine) -> dict[str, int]:
    """Rows that still name or reach the demo subject, per table (read straight from the database)."""
    q = {
        "persons": "SELECT count(*) FROM persons WHERE lower(email) = :e OR mobile = :m OR last_name = 'Peeters' "
                   "AND first_name = 'Jan'",
        "newsletter": "SELECT count(*) FROM newsletter_subscriptions WHERE lower(trim(email)) = :e",
        "support": "SELECT count(*) FROM support_messages WHERE body LIKE :like",
        "projects": "SELECT count(*) FROM projects WHERE description LIKE '%Peeters%'",
        "quotes": "SELECT count(*) FROM quotes WHERE notes LIKE '%Peeters%'",
    }
    with engine.connect() as conn:
        return {k: conn.execute(sa.text(v), {"e": DEMO_EMAIL, "m": DEMO_MOBILE, "like": f"%{DEMO_EMAIL}%"}).scalar()
                for k, v in q.items()}


def test_subject_is_gone_and_invoicing_rows_survive(demo_env, tmp_path: Path) -> None:
    """A subject with rows in 8+ tables is gone from every non-retained row; invoices, lines and payments
    that are still under retention are byte-identical, with the same per-invoice totals; FKs hold."""
    engine = demo_env.engine
    before = snapshot(engine, INVOICING)
    with engine.connect() as conn:
        pid = conn.execute(sa.text("SELECT id FROM persons WHERE email = :e"), {"e": DEMO_EMAIL}).scalar()
        tables_with_rows = sum(1 for t in ("projects", "support_messages", "usage_events", "invoices")
                               if conn.execute(sa.text(f"SELECT count(*) FROM {t} WHERE person_id = :p"),
                                               {"p": pid}).scalar())
        totals_before = dict(conn.execute(sa.text(
            "SELECT invoice_id, sum(quantity * unit_price_cents) FROM invoice_lines GROUP BY invoice_id")).all())
    assert tables_with_rows == 4  # plus persons, addresses, photos, quotes, lines, payments, newsletter

    code, out = run("erase", "--config", str(demo_env.config), "--subject", f"email=  {DEMO_EMAIL.upper()} ",
                    "--yes", "--request-date", "2026-11-22")
    assert code == 0, out
    assert "Verification: PASS" in out

    assert subject_rows(engine) == {k: 0 for k in ("persons", "newsletter", "support", "projects", "quotes")}
    with engine.connect() as conn:
        for table in ("projects", "support_messages", "usage_events"):
            assert conn.execute(sa.text(f"SELECT count(*) FROM {table} WHERE person_id = :p AND "
                                        "(description IS NULL OR description NOT LIKE '%[erased]%' OR "
                                        "description LIKE '%Peeters%' OR description LIKE '%470%')"
                                        if table == "projects" else
                                        f"SELECT count(*) FROM {table} WHERE person_id = :p"), {"p": pid}).scalar() == 0
        totals_after = dict(conn.execute(sa.text(
            "SELECT invoice_id, sum(quantity * unit_price_cents) FROM invoice_lines GROUP BY invoice_id")).all())
        kept_invoices = {r[0] for r in conn.execute(sa.text("SELECT id FROM invoices WHERE person_id = :p"), {"p": pid})}
        if engine.dialect.name == "sqlite":
            assert conn.execute(sa.text("PRAGMA foreign_key_check")).fetchall() == []
    after = snapshot(engine, INVOICING)
    assert len(kept_invoices) == 2  # the 2014 invoice's retention ended: it went, with its lines and payments
    for table in INVOICING:
        gone = set(before[table]) - set(after[table])
        assert all(after[table][k] == before[table][k] for k in after[table]), f"{table} rows changed"
        assert len(gone) >= 1, table
    assert {k: v for k, v in totals_before.items() if k in totals_after} == totals_after


def test_erasure_that_finds_nothing_still_certifies(demo_env) -> None:
    """After one erasure, erasing an address nobody has finds no erasable row and issues a certificate that says
    so (a subject erased before is recorded against their certificate instead: tests/test_identity_repeat.py)."""
    args = ("erase", "--config", str(demo_env.config), "--subject", f"email={DEMO_EMAIL}", "--yes")
    assert run(*args)[0] == 0
    code, out = run(*args[:-2], "email=nobody.here@example.be", "--yes")
    assert code == 0, out
    path = Path(out.rsplit("Certificate: ", 1)[1].strip())
    payload = verify(path, [demo_env.public_key]).payload
    assert payload["certificate"]["sequence"] == 2
    assert payload["totals"]["delete"] == 0 and payload["totals"]["anonymize"] == 0
    assert payload["outcome"] == "nothing_found"
    assert payload["verification"]["result"] == "PASS"


def test_certificate_verifies_and_any_flipped_byte_fails(demo_env) -> None:
    """The certificate verifies offline; changing any single byte makes verification fail."""
    code, out = run("erase", "--config", str(demo_env.config), "--subject", "phone=0470/12.34.56", "--yes")
    assert code == 0, out
    path = Path(out.rsplit("Certificate: ", 1)[1].strip())
    code, out = run("certificate", "verify", str(path), "--public-key", str(demo_env.public_key))
    assert code == 0 and out.startswith("valid"), out
    original = path.read_bytes()
    tampered = path.with_name("tampered.json")
    for i in range(0, len(original), max(1, len(original) // 200)):
        data = bytearray(original)
        data[i] ^= 0x01
        tampered.write_bytes(bytes(data))
        code, out = run("certificate", "verify", str(tampered), "--public-key", str(demo_env.public_key))
        if data != original and bytes(data).strip() != original.strip():
            assert code != 0, f"byte {i} flipped and still valid"


def test_no_artifact_holds_the_subject(demo_env, tmp_path: Path) -> None:
    """Logs and certificates never contain the subject's email, phone or name."""
    log_file = tmp_path / "run.log"
    result = CliRunner().invoke(main, ["--log-level", "DEBUG", "--log-format", "json", "erase", "--config",
                                       str(demo_env.config), "--subject", f"email={DEMO_EMAIL}",
                                       "--subject", f"phone={DEMO_MOBILE}", "--yes"])
    assert result.exit_code == 0, result.output
    log_file.write_text(result.output + (result.stderr if result.stderr_bytes else ""))
    artifacts = [log_file, *(p for p in demo_env.certificates.rglob("*") if p.is_file())]
    for path in artifacts:
        text = path.read_text()
        if path.name.endswith(".cert.json"):
            text += json.dumps(read_jws(path)[1])
        for needle in (DEMO_EMAIL, "Peeters", DEMO_MOBILE, "470 12 34 56", "+32470123456"):
            assert needle.lower() not in text.lower(), f"{needle} found in {path.name}"


def test_plan_changes_nothing(demo_env) -> None:
    """`eraser plan` prints the decisions and leaves the database exactly as it was."""
    tables = ("persons", "projects", "invoices", "newsletter_subscriptions", "addresses")
    before = snapshot(demo_env.engine, tables)
    code, out = run("plan", "--config", str(demo_env.config), "--subject", f"email={DEMO_EMAIL}", "--json")
    assert code == 0, out
    plan = json.loads(out)
    assert plan["totals"]["delete"] > 10 and plan["totals"]["retain"] >= 6
    persons = next(t for t in plan["tables"] if t["table"] == "persons")
    assert persons["counts"]["anonymize"] == 1  # retained invoices still refer to the person
    assert snapshot(demo_env.engine, tables) == before


def test_shared_address_is_left_for_review(demo_env) -> None:
    """The demo subject shares a home address with another person: it is listed for review, never erased."""
    with demo_env.engine.connect() as conn:
        addr = conn.execute(sa.text("SELECT address_id FROM persons WHERE email = :e"), {"e": DEMO_EMAIL}).scalar()
        row_before = dict(conn.execute(sa.text("SELECT * FROM addresses WHERE id = :a"), {"a": addr}).one()._mapping)
    code, out = run("erase", "--config", str(demo_env.config), "--subject", f"email={DEMO_EMAIL}", "--yes")
    assert code == 0, out
    with demo_env.engine.connect() as conn:
        row_after = dict(conn.execute(sa.text("SELECT * FROM addresses WHERE id = :a"), {"a": addr}).one()._mapping)
    assert row_after == row_before
    payload = read_jws(Path(out.rsplit("Certificate: ", 1)[1].strip()))[1]
    assert any(r["table"] == "addresses" and r["reason"].startswith("shared") for r in payload["review"])


def test_legal_hold_blocks_everything(demo_env) -> None:
    """With --hold, nothing changes and the certificate names the hold."""
    before = snapshot(demo_env.engine, ("persons", "projects"))
    code, out = run("erase", "--config", str(demo_env.config), "--subject", f"email={DEMO_EMAIL}", "--yes",
                    "--hold", "litigation 2026/123 pending")
    assert code == 0, out
    assert snapshot(demo_env.engine, ("persons", "projects")) == before
    payload = read_jws(Path(out.rsplit("Certificate: ", 1)[1].strip()))[1]
    assert payload["outcome"] == "held" and "litigation" in payload["hold"]["reason"]


def test_sql_in_identifier_matches_nothing(demo_env) -> None:
    """An identifier that contains SQL is a bound value: it matches nothing and changes nothing."""
    before = snapshot(demo_env.engine, ("persons",))
    code, out = run("erase", "--config", str(demo_env.config), "--subject", "email=' OR 1=1 --", "--yes")
    assert code == 0, out
    assert "Totals: delete 0, anonymize 0, retain 0" in out
    assert snapshot(demo_env.engine, ("persons",)) == before


def test_statements_grow_with_tables_not_rows(demo_env) -> None:
    """The number of SQL statements per erasure depends on the schema, not on how many rows the subject has."""
    from eraser.config import load_config
    from eraser.engine.execute import erase
    from eraser.engine.session import open_session
    from eraser.subjects import parse_subject

    config = load_config(demo_env.config)
    with demo_env.engine.begin() as conn:  # give the subject 300 more usage events
        pid = conn.execute(sa.text("SELECT id FROM persons WHERE email = :e"), {"e": DEMO_EMAIL}).scalar()
        conn.execute(sa.text("INSERT INTO usage_events (person_id, occurred_at, event) VALUES (:p, :t, 'login')"),
                     [{"p": pid, "t": f"2025-01-01 00:{i // 60:02d}:{i % 60:02d}"} for i in range(300)])
    with open_session(config) as session:
        outcome = erase(session, parse_subject([f"email={DEMO_EMAIL}"], config))
    assert outcome.done[("cover", "usage_events")]["delete"] >= 300
    assert outcome.statements < 80, outcome.statements


def _derived_config(demo_env, tmp_path: Path, extra: str, replace: tuple[str, str] | None = None) -> Path:
    text = demo_env.config.read_text()
    if replace:
        assert replace[0] in text
        text = text.replace(*replace)
    path = tmp_path / "derived.yaml"
    path.write_text(text + extra)
    return path


def test_configured_hold_names_the_subject_by_reference_only(demo_env, tmp_path: Path) -> None:
    """A hold in the config names the subject by its keyed reference; it blocks erasure by any identifier."""
    code, out = run("subject-ref", "--config", str(demo_env.config), "--subject", f"email={DEMO_EMAIL}")
    assert code == 0, out
    ref = out.splitlines()[1].split()[-1]
    config = _derived_config(demo_env, tmp_path, f"holds:\n  - subject: {ref}\n    reason: tax audit 2026\n"
                                                 "    until: 2099-12-31\n")
    before = snapshot(demo_env.engine, ("persons", "usage_events"))
    code, out = run("erase", "--config", str(config), "--subject", f"email={DEMO_EMAIL}",
                    "--subject", f"phone={DEMO_MOBILE}", "--yes")
    assert code == 0, out
    assert "LEGAL HOLD: tax audit 2026" in out
    assert snapshot(demo_env.engine, ("persons", "usage_events")) == before
    assert DEMO_EMAIL not in config.read_text()


def test_minimized_columns_change_and_the_rest_of_retained_rows_does_not(demo_env, tmp_path: Path) -> None:
    """`minimize:` anonymizes columns the legal purpose does not need; every other column stays identical."""
    config = _derived_config(demo_env, tmp_path, "", (
        "          from: parent\n      newsletter",
        "          from: parent\n        minimize:\n          payer_iban: hash\n      newsletter"))
    with demo_env.engine.connect() as conn:
        before = {r.id: dict(r._mapping) for r in conn.execute(sa.text(
            "SELECT p.* FROM payments p JOIN invoices i ON i.id = p.invoice_id JOIN persons s ON s.id = i.person_id "
            "WHERE s.email = :e AND i.invoice_date > '2020-01-01'"), {"e": DEMO_EMAIL})}
    assert before
    code, out = run("erase", "--config", str(config), "--subject", f"email={DEMO_EMAIL}", "--yes")
    assert code == 0, out
    with demo_env.engine.connect() as conn:
        after = {r.id: dict(r._mapping) for r in conn.execute(
            sa.text("SELECT * FROM payments WHERE id IN (" + ",".join(map(str, before)) + ")"))}
    for pid, row in before.items():
        assert after[pid]["payer_iban"] != row["payer_iban"] and len(after[pid]["payer_iban"]) == 34
        assert {k: v for k, v in after[pid].items() if k != "payer_iban"} == \
            {k: v for k, v in row.items() if k != "payer_iban"}
