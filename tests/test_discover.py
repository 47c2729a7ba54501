"""`eraser discover` and the jurisdiction presets: a proposed config that `config check` accepts and `plan` and
`erase` run as is, on SQLite, PostgreSQL and MariaDB; personal columns found by name and by content with their
evidence, never their values; presets that give Belgian invoices the period of their date."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from eraser.config import load_config
from eraser.demo import DEMO_EMAIL, DEMO_MOBILE
from eraser.discover import discover
from eraser.engine.retention import release_date
from tests.test_bad_input import error_of, run

PASSWORD = "Zq7-never-print-me-41"


def discovered(demo_env, tmp_path: Path, *options: str) -> tuple[Path, str]:
    """Run `eraser discover` on the demo database and save its output as a config file."""
    result = run("discover", "--url", demo_env.url, *options)
    assert result.exit_code == 0, result.output
    path = tmp_path / "discovered.yaml"
    path.write_text(result.stdout)
    return path, result.stdout


def test_discovered_config_passes_check_plan_and_erase(demo_env, tmp_path: Path) -> None:
    """The proposal for the demo database passes `config check` without errors, `plan` finds the subject in the
    tables a careful operator would configure, and `erase` verifies (residual scan included)."""
    config, text = discovered(demo_env, tmp_path)
    check = run("config", "check", str(config))
    assert check.exit_code == 0, check.output
    assert "0 error(s)" in check.stdout
    tables = yaml.safe_load(text)["connectors"]
    (conn,) = tables.values()
    rules = conn["tables"]
    assert {t: r["action"] for t, r in rules.items()} == {
        "addresses": "delete", "persons": "delete", "projects": "delete", "photos": "delete", "quotes": "delete",
        "invoices": "retain", "invoice_lines": "retain", "payments": "retain", "newsletter_subscriptions": "delete",
        "support_messages": "delete", "usage_events": "delete"}
    assert rules["invoices"]["retain"] == {"preset": "invoices", "from": "invoice_date"}
    assert rules["persons"]["owns"] == ["address_id"]
    assert set(rules["persons"]["identify"]) == {"email", "phone", "customer_number"}
    plan = run("plan", "--config", str(config), "--subject", f"email={DEMO_EMAIL}")
    assert plan.exit_code == 0, plan.output
    assert "persons                       1 row(s): anonymize 1" in plan.stdout
    assert "retain 2" in plan.stdout
    erase = run("erase", "--config", str(config), "--subject", f"phone={DEMO_MOBILE}", "--yes")
    assert erase.exit_code == 0, erase.output
    assert "Verification: PASS" in erase.stdout


def test_output_holds_no_sampled_value_and_no_password(demo_env, tmp_path: Path) -> None:
    """Evidence is counts and reasons: no email, phone number or name of the data is in the output; a password
    in the URL becomes an ${ENV} reference (checked on PostgreSQL, whose test server trusts any password)."""
    url = demo_env.url
    if demo_env.engine.dialect.name == "postgresql":
        url = sa.engine.make_url(url).set(password=PASSWORD).render_as_string(hide_password=False)
    result = run("discover", "--url", url)
    assert result.exit_code == 0, result.output
    for needle in (DEMO_EMAIL, "Peeters", "470 12 34 56", PASSWORD):
        assert needle.lower() not in result.stdout.lower()
    if demo_env.engine.dialect.name == "postgresql":
        assert ":${" in result.stdout and "_DB_PASSWORD}@" in result.stdout
    assert "phone numbers (phonenumbers, region BE)" in result.stdout
    assert "IBANs with valid check digits (python-stdnum)" in result.stdout


def test_personal_columns_found_by_content_under_neutral_names(tmp_path: Path) -> None:
    """Columns named c1..c8 are recognised by their values: emails, Belgian phone numbers, IBANs, national
    register numbers and VAT numbers with valid check digits, IPv4 and IPv6 addresses, dates of birth; values
    with wrong check digits are not."""
    from stdnum.be import nn

    url = f"sqlite:///{tmp_path / 'neutral.db'}"
    engine = sa.create_engine(url)
    national = [n for n in (f"{85 + i % 10:02d}07300{i:02d}" for i in range(100)) for n in [n + f"{97 - int(n) % 97:02d}"]
                if nn.is_valid(n)][:20]
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE t (id INTEGER PRIMARY KEY, c1 TEXT, c2 TEXT, c3 TEXT, c4 TEXT, c5 TEXT, "
                             "c6 TEXT, c7 DATE, c8 TEXT)"))
        conn.execute(sa.text("INSERT INTO t VALUES (:i, :c1, :c2, :c3, :c4, :c5, :c6, :c7, :c8)"), [
            {"i": i, "c1": f"person{i}@example.be", "c2": f"0470 {i:02d} 34 56", "c3": "BE71 0961 2345 6769",
             "c4": national[i % len(national)], "c5": "BE0403170701", "c6": "192.0.2.1" if i % 2 else "2001:db8::1",
             "c7": date(1950 + i % 40, 1 + i % 12, 1 + i % 28), "c8": "BE71 0961 2345 6768"} for i in range(20)])
    engine.dispose()
    found = discover(url).columns["t"]
    assert {c: found[c].category for c in ("c1", "c2", "c3", "c4", "c5", "c6", "c7")} == {
        "c1": "email", "c2": "phone", "c3": "bank_account", "c4": "national_id", "c5": "vat_number",
        "c6": "ip_address", "c7": "date_of_birth"}
    assert all(found[c].personal for c in ("c1", "c2", "c3", "c4", "c5", "c6", "c7"))
    assert not found["c8"].personal  # an IBAN-shaped value whose check digits are wrong
    assert "python-stdnum" in found["c4"].comment() and "0470" not in found["c2"].comment()


def test_dutch_and_french_column_names(tmp_path: Path) -> None:
    """Names in Dutch and French are read: voornaam, achternaam, geboortedatum, telefoonnummer, rijksregisternummer,
    prénom, courriel, adresse, code_postal; a product's name and a status are not personal."""
    url = f"sqlite:///{tmp_path / 'names.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text('CREATE TABLE klanten (id INTEGER PRIMARY KEY, voornaam TEXT, achternaam TEXT, '
                             'geboortedatum DATE, telefoonnummer TEXT, rijksregisternummer TEXT, "prénom" TEXT, '
                             'courriel TEXT, adresse TEXT, code_postal TEXT, status TEXT)'))
        conn.execute(sa.text("CREATE TABLE producten (id INTEGER PRIMARY KEY, naam TEXT, prijs INTEGER)"))
    engine.dispose()
    found = discover(url, sample=0).columns
    personal = {c for c, f in found["klanten"].items() if f.personal}
    assert personal == {"voornaam", "achternaam", "geboortedatum", "telefoonnummer", "rijksregisternummer",
                        "prénom", "courriel", "adresse", "code_postal"}
    assert not any(f.personal for f in found["producten"].values())


# -- bad input ----------------------------------------------------------------------------------

def test_unknown_jurisdiction_is_one_sentence(demo_env) -> None:
    """An unknown --jurisdiction is refused in one sentence with the known ones, before any database is read."""
    message = error_of(run("discover", "--url", demo_env.url, "--jurisdiction", "XX"), 2)
    assert "unknown jurisdiction 'XX' (known: BE, NL, FR, DE, LU)" in message


def test_unreachable_database_is_one_sentence(tmp_path: Path) -> None:
    """A database that cannot be reached (nothing listens on the port) or a SQLite file that does not exist gives
    one sentence naming where, exit 3, and no traceback."""
    message = error_of(run("discover", "--url", f"postgresql+psycopg://app:{PASSWORD}@127.0.0.1:1/shop"), 3)
    assert "127.0.0.1:1" in message and PASSWORD not in message
    message = error_of(run("discover", "--url", f"sqlite:///{tmp_path / 'missing.db'}"), 3)
    assert "does not exist" in message


def test_unknown_jurisdiction_in_config_names_the_line(demo_env, tmp_path: Path) -> None:
    """`jurisdiction: XX` in a config is one sentence with its file, line and the allowed values."""
    text = demo_env.config.read_text().replace("jurisdiction: BE", "jurisdiction: XX")
    path = tmp_path / "xx.yaml"
    path.write_text(text)
    message = error_of(run("plan", "--config", str(path), "--subject", f"email={DEMO_EMAIL}"), 2)
    line = next(i for i, s in enumerate(text.splitlines(), 1) if s.startswith("jurisdiction:"))
    assert f"line {line}: jurisdiction:" in message and "'BE'" in message


# -- presets ------------------------------------------------------------------------------------

def preset_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: str = "") -> Path:
    """A minimal BE config whose invoices table retains by the `invoices` preset, plus `extra` YAML."""
    monkeypatch.setenv("ERASER_SECRET", "s")
    path = tmp_path / "presets.yaml"
    path.write_text(f"""organisation: Test
jurisdiction: BE
secret: ${{ERASER_SECRET}}
signing: {{private_key: key.pem}}
identifiers: {{email: {{kind: email}}}}
connectors:
  shop:
    url: sqlite:///shop.db
    tables:
      invoices:
        action: retain
        retain: {{preset: invoices, from: invoice_date}}
{extra}""")
    return path


def test_belgian_invoices_keep_the_period_of_their_date(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """BE preset: an invoice of 2022 is kept 7 years from 1 January 2023 (released 1 January 2030); one of 2024,
    10 years from 1 January 2025 (released 1 January 2035), since the Law of 20 November 2022."""
    rule = load_config(preset_config(tmp_path, monkeypatch)).connectors["shop"].tables["invoices"].retain
    assert rule is not None and "VAT Code art. 60" in rule.basis and "III.86" in rule.basis
    request = date(2026, 11, 22)
    assert release_date(rule, {"invoice_date": date(2022, 6, 15)}, request) == date(2030, 1, 1)
    assert release_date(rule, {"invoice_date": date(2022, 12, 31)}, request) == date(2030, 1, 1)
    assert release_date(rule, {"invoice_date": date(2023, 1, 1)}, request) == date(2034, 1, 1)
    assert release_date(rule, {"invoice_date": date(2024, 5, 2)}, request) == date(2035, 1, 1)


def test_a_config_overrides_a_preset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`retention_presets:` changes a preset for the whole config; fields given in the table win over both."""
    path = preset_config(tmp_path, monkeypatch, "retention_presets:\n  invoices: {period: 12y, before: null}\n")
    rule = load_config(path).connectors["shop"].tables["invoices"].retain
    assert rule is not None and rule.period == "12y"
    assert release_date(rule, {"invoice_date": date(2022, 6, 15)}, date(2026, 1, 1)) == date(2035, 1, 1)


def test_legal_claims_are_holds_with_a_review_date(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A legal-claims hold takes the Civil Code basis and a review date 10 years after the claim arose; as a
    retention period, or without any date, it is refused in one sentence."""
    path = preset_config(tmp_path, monkeypatch, "holds:\n  - {subject: 'hmac-sha256:ab', preset: legal_claims, "
                                                "since: 2025-03-01}\n")
    hold = load_config(path).holds[0]
    assert hold.until == date(2035, 3, 1) and "2262bis" in hold.reason
    open_ended = preset_config(tmp_path, monkeypatch, "holds:\n  - {subject: 'hmac-sha256:ab', preset: legal_claims}\n")
    message = error_of(run("config", "check", str(open_ended)), 2)
    assert "never open-ended" in message
    as_retention = tmp_path / "claims.yaml"
    as_retention.write_text(open_ended.read_text().replace("preset: invoices, from: invoice_date",
                                                           "preset: legal_claims, from: request"))
    message = error_of(run("config", "check", str(as_retention)), 2)
    assert "legal claims are not a retention period" in message
