"""Bad input gets a clear error: one sentence saying what and where, a non-zero exit, no traceback and no
partial change. Each test feeds one kind of bad input to the CLI and checks all four."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

from eraser.cli import main
from eraser.demo import DEMO_EMAIL
from eraser.proof.certificates import canonical, generate_keys, issue, load_private_key

PASSWORD = "Zq7-never-print-me-41"


def run(*args: str) -> Result:
    """The CLI in-process; catch_exceptions=False lets any traceback fail the test."""
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def error_of(result: Result, exit_code: int) -> str:
    """The single `Error: <sentence>` line of a failed command, after checking how it failed."""
    assert isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == exit_code, result.output
    assert "Traceback" not in result.output
    assert result.stdout == "", result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ") and lines[0].endswith("."), lines[0]
    return lines[0]


def snapshot(engine: sa.Engine) -> dict[str, list[tuple[str, ...]]]:
    """Every row of every table, as text, to compare before and after a failed command."""
    meta = sa.MetaData()
    meta.reflect(engine)
    with engine.connect() as conn:
        return {name: sorted(tuple(map(repr, row)) for row in conn.execute(sa.select(table)))
                for name, table in meta.tables.items()}


def variant(demo_env, tmp_path: Path, old: str, new: str) -> tuple[Path, str]:
    """A copy of the demo config with one text replaced; returns its path and text."""
    text = demo_env.config.read_text()
    assert text.count(old) == 1, old
    text = text.replace(old, new)
    path = tmp_path / "variant.yaml"
    path.write_text(text)
    return path, text


def line_no(text: str, needle: str) -> int:
    """1-based number of the first line that contains `needle`."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def erase_fails(demo_env, config: Path, exit_code: int, *subject: str) -> str:
    """Run `eraser erase --yes` (the destructive path) and return its error; the database must be unchanged."""
    before = snapshot(demo_env.engine)
    args = ["erase", "--config", str(config), "--yes"]
    for s in subject or (f"email={DEMO_EMAIL}",):
        args += ["--subject", s]
    message = error_of(run(*args), exit_code)
    assert snapshot(demo_env.engine) == before
    assert not demo_env.certificates.exists() or not any(demo_env.certificates.glob("*.cert.json"))
    return message


# -- the config file ----------------------------------------------------------------------------

def test_yaml_syntax_error_names_file_and_line(demo_env, tmp_path: Path) -> None:
    """A YAML syntax error is reported with the file, line and column where the parser stopped."""
    config, text = variant(demo_env, tmp_path, "  phone: {kind: phone, region: BE}", "  phone: kind: phone")
    message = erase_fails(demo_env, config, 2)
    assert f"{config} line {line_no(text, 'phone: kind: phone')}, column 14: invalid YAML" in message


def test_unclosed_bracket_also_names_the_line_where_it_opened(demo_env, tmp_path: Path) -> None:
    """YAML notices an unclosed bracket a line later; the message also gives the line it was opened on."""
    config, text = variant(demo_env, tmp_path, "  email: {kind: email}", "  email: {kind: email")
    message = erase_fails(demo_env, config, 2)
    opened = line_no(text, "email: {kind: email")
    assert f"{config} line {opened + 1}," in message
    assert f"flow mapping that starts on line {opened}" in message


def test_invalid_action_names_file_line_and_field(demo_env, tmp_path: Path) -> None:
    """A valid YAML file with `action: destroy` names the file, the line and the field, and what is allowed."""
    config, text = variant(demo_env, tmp_path, "        action: delete\n        recipients: [\"hosting",
                           "        action: destroy\n        recipients: [\"hosting")
    message = erase_fails(demo_env, config, 2)
    assert f"{config} line {line_no(text, 'action: destroy')}: " in message
    assert "connectors.cover.tables.usage_events.action" in message
    assert "'delete', 'anonymize', 'retain' or 'review'" in message


def test_misspelt_key_names_the_key_it_resembles(demo_env, tmp_path: Path) -> None:
    """A typo'd key (`identfy:`) is named with its line and the key it was probably meant to be."""
    config, text = variant(demo_env, tmp_path, "        identify:\n          email: email\n        action: delete\n"
                           "        recipients", "        identfy:\n          email: email\n        action: delete\n"
                           "        recipients")
    message = erase_fails(demo_env, config, 2)
    assert f"{config} line {line_no(text, 'identfy:')}: " in message
    assert "connectors.cover.tables.newsletter_subscriptions.identfy: unknown key (did you mean 'identify'?)" \
        in message


def test_misspelt_required_key_is_one_problem(demo_env, tmp_path: Path) -> None:
    """`organization:` for `organisation:` is one problem (not also 'organisation missing')."""
    config, text = variant(demo_env, tmp_path, "organisation: COVER GROUP SRL", "organization: COVER GROUP SRL")
    message = erase_fails(demo_env, config, 2)
    assert message == (f"Error: {config} line {line_no(text, 'organization:')}: organization: unknown key "
                       "(did you mean 'organisation'?).")


def test_unknown_strategy_names_the_column(demo_env, tmp_path: Path) -> None:
    """An unknown anonymization strategy names the column it is configured for, not an internal field."""
    config, text = variant(demo_env, tmp_path, "first_name: faker:first_name", "first_name: scramble")
    message = erase_fails(demo_env, config, 2)
    assert f"{config} line {line_no(text, 'first_name: scramble')}: " in message
    assert "connectors.cover.tables.persons.columns.first_name: unknown strategy 'scramble'" in message


def test_unknown_table_names_the_closest_tables(demo_env, tmp_path: Path) -> None:
    """A configured table that does not exist is named, with its line and the closest existing table."""
    config, text = variant(demo_env, tmp_path, "      photos:", "      photoz:")
    message = erase_fails(demo_env, config, 2)
    assert message == (f"Error: {config} line {line_no(text, 'photoz:')}: table 'photoz' does not exist in "
                       "connector 'cover' (closest: photos).")


def test_unknown_column_names_the_closest_columns(demo_env, tmp_path: Path) -> None:
    """An identifier column that does not exist is named, with its table, line and the closest column."""
    config, text = variant(demo_env, tmp_path, "          customer_number: customer_number",
                           "          customer_number: customer_nr")
    message = erase_fails(demo_env, config, 2)
    assert f"{config} line {line_no(text, 'customer_number: customer_nr')}: " in message
    assert "column 'customer_nr' does not exist in table 'persons' (closest: customer_number" in message


def test_unset_environment_variable_is_named(demo_env, monkeypatch: pytest.MonkeyPatch) -> None:
    """A ${VAR} reference to an unset variable names the variable, the field and the line."""
    monkeypatch.delenv("COVER_DB_URL")
    text = demo_env.config.read_text()
    message = erase_fails(demo_env, demo_env.config, 2)
    assert message == (f"Error: {demo_env.config} line {line_no(text, '${COVER_DB_URL}')}: connectors.cover.url "
                       "refers to environment variable COVER_DB_URL, which is not set.")


def test_missing_config_file(tmp_path: Path) -> None:
    """A config path that does not exist is named."""
    missing = tmp_path / "nowhere.yaml"
    message = error_of(run("plan", "--config", str(missing), "--subject", "email=x@example.be"), 2)
    assert message == f"Error: cannot read config {missing}: No such file or directory."


# -- the subject --------------------------------------------------------------------------------

def test_undefined_identifier_type(demo_env) -> None:
    """An identifier type the config does not define is named with the types it does define; the value is
    never repeated (it is personal data)."""
    message = erase_fails(demo_env, demo_env.config, 2, "fax=+32 2 555 01 99")
    assert message == (f"Error: identifier type 'fax' is not defined in {demo_env.config} "
                       "(defined: customer_number, email, phone).")
    assert "555" not in message


def test_subject_without_equals_sign(demo_env) -> None:
    """A --subject without TYPE= says how to write it, without repeating the value."""
    message = erase_fails(demo_env, demo_env.config, 2, DEMO_EMAIL)
    assert message == "Error: a subject is given as TYPE=VALUE, e.g. --subject email=jan@example.be."
    assert DEMO_EMAIL not in message


def test_phone_that_is_not_a_number(demo_env) -> None:
    """A phone identifier that cannot be a phone number is refused without repeating it."""
    message = erase_fails(demo_env, demo_env.config, 2, "phone=call-me-maybe")
    assert "identifier 'phone' is not a phone number (region BE)" in message
    assert "call-me-maybe" not in message


# -- the databases ------------------------------------------------------------------------------

def second_connector(demo_env, tmp_path: Path, url: str) -> Path:
    """The demo config plus a second connector at `url`, after the reachable one, so a half-done erasure
    would show in the demo database."""
    text = demo_env.config.read_text().rstrip("\n") + f"""
  archive:
    url: {url}
    tables:
      documents:
        identify:
          email: email
        action: delete
"""
    path = tmp_path / "two-connectors.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("url", [
    f"postgresql+psycopg://eraser:{PASSWORD}@127.0.0.1:1/archive",
    f"mysql+pymysql://eraser:{PASSWORD}@127.0.0.1:1/archive",
], ids=["postgresql", "mariadb"])
def test_unreachable_server_names_host_and_port_never_the_password(demo_env, tmp_path: Path, url: str) -> None:
    """A server on a closed port is named by connector and host:port; the password in its URL never shows."""
    config = second_connector(demo_env, tmp_path, url)
    message = erase_fails(demo_env, config, 3)
    assert message.startswith("Error: cannot reach database of connector 'archive' at 127.0.0.1:1: ")
    assert "refused" in message.lower()
    assert PASSWORD not in message


def test_missing_sqlite_file_is_named(demo_env, tmp_path: Path) -> None:
    """A SQLite URL whose file does not exist names the file (and does not create it)."""
    missing = tmp_path / "archive.db"
    config = second_connector(demo_env, tmp_path, f"sqlite:///{missing}")
    message = erase_fails(demo_env, config, 3)
    assert message == f"Error: connector 'archive': SQLite database file {missing} does not exist."
    assert not missing.exists()


def test_wrong_password_is_masked(demo_env, tmp_path: Path) -> None:
    """A server that refuses the login: the reason is given, the password is not."""
    if not demo_env.url.startswith(("postgresql", "mysql")):
        pytest.skip("SQLite has no login")
    url = sa.engine.make_url(demo_env.url).set(username="no_such_user_eraser", password=PASSWORD)
    config = second_connector(demo_env, tmp_path, url.render_as_string(hide_password=False))
    message = erase_fails(demo_env, config, 3)
    assert "cannot reach database of connector 'archive' at 127.0.0.1:" in message
    assert PASSWORD not in message


# -- certificates -------------------------------------------------------------------------------

@pytest.fixture
def chain(tmp_path: Path) -> tuple[Path, Path, Path]:
    """Two chained certificates in <tmp>/certificates, signed by the key in <tmp>/keys."""
    _, public, _ = generate_keys(tmp_path / "keys")
    key = load_private_key(tmp_path / "keys" / "eraser-signing.pem")
    first = issue({"outcome": "erased", "totals": {"delete": 3}}, key, tmp_path / "certificates").path
    second = issue({"outcome": "erased", "totals": {"delete": 5}}, key, tmp_path / "certificates").path
    return first, second, public


def verify_fails(path: Path, *keys: Path) -> str:
    args = ["certificate", "verify", str(path)]
    for key in keys:
        args += ["--public-key", str(key)]
    return error_of(run(*args), 1)


def test_certificates_of_the_fixture_verify(chain) -> None:
    """The untouched chain verifies, so the failures below are caused by what each test changes."""
    first, second, public = chain
    for path in (first, second):
        result = run("certificate", "verify", str(path), "--public-key", str(public))
        assert result.exit_code == 0 and result.output.startswith("valid"), result.output


def test_edited_certificate_has_bad_signature(chain) -> None:
    """A certificate whose payload was changed (and re-encoded canonically) fails with 'bad signature'."""
    first, _, public = chain
    jws = json.loads(first.read_text())
    payload = json.loads(base64.urlsafe_b64decode(jws["payload"] + "=" * (-len(jws["payload"]) % 4)))
    payload["totals"]["delete"] = 0
    jws["payload"] = base64.urlsafe_b64encode(canonical(payload)).rstrip(b"=").decode()
    first.write_text(json.dumps(jws))
    message = verify_fails(first, public)
    assert message.startswith(f"Error: {first}: bad signature")


def test_certificate_that_is_not_json_is_malformed(chain) -> None:
    """A file that is not JSON at all is reported as a malformed certificate."""
    first, _, public = chain
    first.write_text("this is not a certificate\n")
    assert verify_fails(first, public).startswith(f"Error: {first}: malformed certificate")


def test_truncated_certificate_is_malformed(chain) -> None:
    """A certificate cut off half-way (an interrupted copy) is reported as malformed."""
    first, _, public = chain
    first.write_bytes(first.read_bytes()[:len(first.read_bytes()) // 2])
    assert verify_fails(first, public).startswith(f"Error: {first}: malformed certificate")


def test_missing_public_key_file(chain, tmp_path: Path) -> None:
    """A --public-key that does not exist is named."""
    first, _, _ = chain
    missing = tmp_path / "nope.pub.pem"
    assert verify_fails(first, missing) == f"Error: cannot read public key {missing}: No such file or directory."


def test_no_public_key_at_hand(chain, tmp_path: Path) -> None:
    """Without --public-key, the command says what to pass (keys beside the certificates are not used)."""
    first, _, _ = chain
    lone = tmp_path / "elsewhere" / "certs" / first.name
    lone.parent.mkdir(parents=True)
    lone.write_bytes(first.read_bytes())
    assert verify_fails(lone) == ("Error: no trusted key to verify with: pass --public-key FILE, or --manifest FILE "
                                  "with --root-key FILE (keys found beside the certificates are never trusted).")


def test_another_key_is_an_unknown_key(chain, tmp_path: Path) -> None:
    """Verifying with another generated key reports the certificate's key as unknown."""
    first, _, _ = chain
    _, other, _ = generate_keys(tmp_path / "other-keys")
    assert "signed by unknown key" in verify_fails(first, other)


def test_private_key_given_as_public_key(chain) -> None:
    """Passing the private key file where the public key is expected is a clear sentence."""
    first, _, public = chain
    private = public.with_name("eraser-signing.pem")
    assert verify_fails(first, private) == f"Error: {private} is not a PEM public key."


def test_replaced_first_certificate_breaks_the_chain(chain, tmp_path: Path) -> None:
    """Certificate 1 replaced by another validly signed certificate: certificate 2 reports a broken chain."""
    first, second, public = chain
    key = load_private_key(tmp_path / "keys" / "eraser-signing.pem")
    other = issue({"outcome": "nothing_found", "totals": {"delete": 0}}, key, tmp_path / "other-chain").path
    first.unlink()
    first = first.with_name(other.name)
    first.write_bytes(other.read_bytes())
    # The replacement is itself a valid certificate: only the chain reveals the swap.
    assert run("certificate", "verify", str(first), "--public-key", str(public), "--partial").exit_code == 0
    assert verify_fails(second, public).startswith(f"Error: {second}: broken chain: certificate 1")


# -- keys ---------------------------------------------------------------------------------------

def test_keys_generate_writes_private_key_0600_and_refuses_to_overwrite(tmp_path: Path) -> None:
    """`eraser keys generate` writes the private key with mode 0600; a second run refuses to overwrite it."""
    out = tmp_path / "keys"
    result = run("keys", "generate", "--out", str(out))
    assert result.exit_code == 0, result.output
    private = out / "eraser-signing.pem"
    assert stat.S_IMODE(os.stat(private).st_mode) == 0o600
    assert (out / "eraser-signing.pub.pem").exists()
    original = private.read_bytes()
    message = error_of(run("keys", "generate", "--out", str(out)), 1)
    assert message == f"Error: {private} already exists; refusing to overwrite a signing key."
    assert private.read_bytes() == original


def test_keys_generate_into_a_file(tmp_path: Path) -> None:
    """--out naming an existing file (not a directory) is a clear sentence, not a traceback."""
    target = tmp_path / "a-file"
    target.write_text("x")
    message = error_of(run("keys", "generate", "--out", str(target)), 1)
    assert message == f"Error: --out {target} is a file; give the directory for the key pair."


def test_unwritable_certificate_directory_stops_before_erasing(demo_env, tmp_path) -> None:
    """If the certificate cannot be written, nothing is erased: an erasure never lacks its proof."""
    import os

    import sqlalchemy as sa
    from click.testing import CliRunner

    from eraser.cli import main
    from eraser.demo import DEMO_EMAIL

    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the directory should be")
    with demo_env.engine.connect() as conn:
        before = conn.execute(sa.text("SELECT count(*) FROM persons WHERE email = :e"), {"e": DEMO_EMAIL}).scalar()
    result = CliRunner().invoke(main, ["erase", "--config", str(demo_env.config), "--subject", f"email={DEMO_EMAIL}",
                                       "--yes", "--out", str(blocked / "certs")])
    assert result.exit_code != 0 and "nothing was erased" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    with demo_env.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM persons WHERE email = :e"),
                            {"e": DEMO_EMAIL}).scalar() == before == 1
    assert os.path.exists(blocked)
