"""`eraser config check`: every problem of a config against the live schema at once, each with its line and,
where there is one, the statement that fixes it; on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner, Result

from eraser.cli import main
from tests.test_bad_input import line_no, snapshot

PASSWORD = "Zq7-never-print-me-41"
MOBILE_FIX = "CREATE INDEX ix_persons_mobile_digits ON persons ((regexp_replace(mobile, '[^0-9]+', '', 'g')));"
INVOICE_FIX = "CREATE INDEX ix_invoices_person_id ON invoices (person_id);"


def check(config: Path) -> Result:
    """`eraser config check` in-process; catch_exceptions=False lets any traceback fail the test."""
    result = CliRunner().invoke(main, ["config", "check", str(config)], catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def problems(result: Result, severity: str) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.startswith(f"{severity}: ")]


def fixes(result: Result) -> list[str]:
    return [line.strip().removeprefix("fix: ") for line in result.stdout.splitlines()
            if line.startswith("    fix: ")]


def variant(demo_env, tmp_path: Path, *replacements: tuple[str, str]) -> tuple[Path, str]:
    """A copy of the demo config with texts replaced; returns its path and text."""
    text = demo_env.config.read_text()
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / "variant.yaml"
    path.write_text(text)
    return path, text


def test_demo_config_passes_and_changes_nothing(demo_env) -> None:
    """The demo config checks without errors (exit 0), reads only, and says what it checked."""
    before = snapshot(demo_env.engine)
    result = check(demo_env.config)
    assert result.exit_code == 0, result.output
    assert problems(result, "error") == []
    assert f"{demo_env.config}: 11 table(s) in 1 connector(s) checked: 0 error(s)" in result.stdout
    assert snapshot(demo_env.engine) == before


def test_missing_indexes_are_reported_with_the_statement_that_fixes_them(demo_env) -> None:
    """With the index on persons.mobile's digits (an identifier lookup, PostgreSQL) and on invoices.person_id (a
    followed foreign key) dropped, the check warns about each with the exact CREATE INDEX; running it clears the
    warning. SQLite and MariaDB cannot index a phone number's digits, and the check says so."""
    engine, text = demo_env.engine, demo_env.config.read_text()
    mysql = engine.dialect.name in ("mysql", "mariadb")
    pg = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        if pg:
            conn.execute(sa.text("DROP INDEX ix_persons_mobile_digits"))
        # InnoDB refuses to drop the index a foreign key uses, so on MariaDB that lookup is always indexed.
        if not mysql:
            conn.execute(sa.text("DROP INDEX ix_invoices_person_id"))

    result = check(demo_env.config)
    assert result.exit_code == 0, result.output
    mobile = f"warning: {demo_env.config} line {line_no(text, 'phone: [phone, mobile]')}: identifier column " \
             "'persons.mobile' "
    if pg:
        assert mobile + "has no index on its digits; every erasure scans the table." in problems(result, "warning")
        assert MOBILE_FIX in fixes(result)
    else:
        assert mobile + f"is compared by its digits, which {'mysql' if mysql else 'sqlite'} cannot index; every " \
            "erasure scans the table." in problems(result, "warning")
    if not mysql:
        assert (f"warning: {demo_env.config} line {line_no(text, '      invoices:')}: foreign key "
                "invoices(person_id) -> persons(id) is followed but invoices(person_id) has no index.") \
            in problems(result, "warning")
        assert INVOICE_FIX in fixes(result)

    with engine.begin() as conn:
        for statement in ([MOBILE_FIX] if pg else []) + ([] if mysql else [INVOICE_FIX]):
            conn.execute(sa.text(statement))
    result = check(demo_env.config)
    assert result.exit_code == 0, result.output
    assert not any(("persons.mobile" in p and pg) or "invoices(person_id) has no index" in p
                   for p in problems(result, "warning")), result.stdout
    assert MOBILE_FIX not in fixes(result) and INVOICE_FIX not in fixes(result)


def test_two_wrong_tables_are_two_errors(demo_env, tmp_path: Path) -> None:
    """Every problem is reported in one run: two misspelt tables give two errors, each with its line and the
    closest existing table, and a non-zero exit."""
    config, text = variant(demo_env, tmp_path, ("      photos:", "      fotos:"),
                           ("      quotes:", "      quotations:"))
    result = check(config)
    assert result.exit_code == 2, result.output
    assert problems(result, "error") == [
        f"error: {config} line {line_no(text, 'fotos:')}: table 'fotos' does not exist in connector 'cover' "
        "(closest: photos).",
        f"error: {config} line {line_no(text, 'quotations:')}: table 'quotations' does not exist in connector "
        "'cover' (closest: quotes).",
    ]
    assert "2 error(s)" in result.stdout


def test_wrong_table_and_wrong_column_are_reported_together(demo_env, tmp_path: Path) -> None:
    """A wrong table does not hide a wrong column elsewhere in the same config."""
    config, text = variant(demo_env, tmp_path, ("      photos:", "      fotos:"),
                           ("        identify:\n          email: email\n        action: delete\n        recipients",
                            "        identify:\n          email: e_mail\n        action: delete\n        recipients"))
    result = check(config)
    assert result.exit_code == 2, result.output
    errors = problems(result, "error")
    assert len(errors) == 2, result.stdout
    assert "table 'fotos' does not exist in connector 'cover' (closest: photos)." in errors[0]
    assert errors[1] == (f"error: {config} line {line_no(text, 'email: e_mail')}: column 'e_mail' does not exist "
                         "in table 'newsletter_subscriptions' (closest: email).")


def test_unreachable_table_is_an_error(demo_env, tmp_path: Path) -> None:
    """A configured table that no identifier, foreign key or link leads to is an error: it would never be
    erased."""
    config, text = variant(demo_env, tmp_path, ("      usage_events:", "      tenants:\n        action: delete\n"
                                                "      usage_events:"))
    result = check(config)
    assert result.exit_code == 2, result.output
    assert problems(result, "error") == [
        f"error: {config} line {line_no(text, '      tenants:')}: table 'tenants' cannot be reached from any "
        "identifier, foreign key or link; add identify: or links:, or remove it."]


def test_unreachable_server_is_listed_without_its_password(demo_env, tmp_path: Path) -> None:
    """A connector whose server is down is one error among the others, at the url's line, without the
    password; the reachable connector is still checked."""
    text = demo_env.config.read_text().rstrip("\n") + f"""
  archive:
    url: postgresql+psycopg://eraser:{PASSWORD}@127.0.0.1:1/archive
    tables:
      documents:
        identify:
          email: email
        action: delete
"""
    config = tmp_path / "two-connectors.yaml"
    config.write_text(text)
    result = check(config)
    assert result.exit_code == 2, result.output
    assert PASSWORD not in result.output
    errors = problems(result, "error")
    assert len(errors) == 1, result.stdout
    assert errors[0].startswith(f"error: {config} line {line_no(text, '127.0.0.1:1')}: cannot reach database of "
                                "connector 'archive' at 127.0.0.1:1: ")
    assert "11 table(s) in 2 connector(s) checked: 1 error(s)" in result.stdout


def test_invalid_config_is_one_sentence(demo_env, tmp_path: Path) -> None:
    """A config that does not validate stops the check with one sentence naming file, line and field."""
    config, text = variant(demo_env, tmp_path, ("  retention: 35d", "  retention: 35 days"))
    result = check(config)
    assert isinstance(result.exception, SystemExit) and result.exit_code == 2, result.output
    assert result.stderr.strip() == (
        f"Error: {config} line {line_no(text, '35 days')}: backups.retention: period '35 days' is not a number "
        "followed by y, m, w or d (e.g. 7y, 30d).")
