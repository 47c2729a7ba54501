"""Erasures on two application-shaped schemas (tests/app_schemas.py) judged by the independent oracle: conditional
and cast links, row rules, IP addresses, and a table only free text reaches.

Each test reads every table with its own SQL before and after (tests/oracle.py) and knows the subject's rows from
how the data was built, never from Eraser's locate or plan.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from eraser.cli import main
from eraser.proof.certificates import generate_keys, read_jws
from tests import app_schemas, oracle
from tests.app_schemas import GUEST, HOUSEHOLD_IP, SUBJECT, SUBJECT_IP, App
from tests.conftest import fresh_database


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("keys")
    generate_keys(directory)
    return directory


@pytest.fixture
def sqlite_url(tmp_path: Path) -> Iterator[str]:
    yield from fresh_database("sqlite", tmp_path)


def run(config: Path, *subject: str) -> tuple[Any, dict[str, Any] | None]:
    """`eraser erase` through the CLI; (result, the certificate's payload if one was issued)."""
    directory = config.parent / "certificates"
    issued = set(directory.glob("*.cert.json"))
    args = ["erase", "--config", str(config), "--yes"]
    for pair in subject:
        args += ["--subject", pair]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    new = sorted(set(directory.glob("*.cert.json")) - issued)
    return result, (read_jws(new[0])[1] if new else None)


def judged(app: App, engine: sa.Engine, config: Path, owners: set[int], spellings: list[str], *subject: str,
           rewritten: dict[str, set[tuple[Any, ...]]] | None = None) -> tuple[dict[str, Any], oracle.Snapshot,
                                                                               oracle.Snapshot]:
    """Erase, and check with the oracle: every row of anyone else unchanged (but the `rewritten` ones: other
    people's free text that named the subject), no spelling left but in kept rows, counts as certified."""
    before = oracle.snapshot(engine)
    result, payload = run(config, *subject)
    after = oracle.snapshot(engine)
    assert result.exit_code == 0, result.output
    assert payload is not None and payload["verification"]["result"] == "PASS", payload
    mine = app.keys(owners)
    for table, keys in (rewritten or {}).items():
        mine[table] = mine.get(table, set()) | keys
    configured = set(app.rules) - set(rewritten or {})
    problems = oracle.check(before, after, payload, spellings, mine, configured)
    assert problems == [], "\n".join(problems)
    return payload, before, after


def rows_of(snap: oracle.Snapshot, table: str) -> dict[tuple[Any, ...], dict[str, Any]]:
    return {k: row for k, (_, row) in snap.rows[table].items()}


def table_entry(payload: dict[str, Any], table: str) -> dict[str, Any]:
    return oracle.counts_of(payload)[table]


# -- the CMS with a shop --------------------------------------------------------------------------

def test_cms_rules_links_and_casts(keys: Path, tmp_path: Path, sqlite_url: str) -> None:
    """The logged-in customer: order copies in posts retained and their meta kept byte-identical, the contact
    message and its meta deleted (one by the account, one by the address given in the form), the session keyed
    by the user id as text deleted (not user 11's), the user row anonymized as retained rows still name it."""
    app = app_schemas.cms()
    engine = app_schemas.create(app, sqlite_url)
    config = app_schemas.write_config(app, sqlite_url, keys, tmp_path)
    payload, before, after = judged(app, engine, config, {0}, [SUBJECT], f"email={SUBJECT}")
    posts = table_entry(payload, "posts")
    assert posts["counts"]["retain"] == 2 and posts["counts"]["delete"] == 2
    assert posts["rules"] == {"rules[0] when post_type = shop_order": {"retain": 2},
                              "rules[1] when post_type = contact_message": {"delete": 2}}
    assert table_entry(payload, "postmeta")["counts"]["retain"] == 8
    assert table_entry(payload, "postmeta")["counts"]["delete"] == 2
    assert table_entry(payload, "sessions")["counts"]["delete"] == 1
    assert {k for k in rows_of(before, "sessions")} - {k for k in rows_of(after, "sessions")} == \
        {app.key("sessions", session_id=1)}
    assert table_entry(payload, "users")["counts"]["anonymize"] == 1
    bases = {(r["table"], r["counted_from"]) for r in payload["retained"]}
    assert bases == {("posts", "post_date"), ("postmeta", "parent"), ("shop_orders", "date_add")}


def test_cms_guest_session_by_prefix(keys: Path, tmp_path: Path, sqlite_url: str) -> None:
    """A guest checkout: the shop's order row is retained and the session keyed 't_' + its token is deleted;
    the other guest's session stays."""
    app = app_schemas.cms()
    engine = app_schemas.create(app, sqlite_url)
    config = app_schemas.write_config(app, sqlite_url, keys, tmp_path)
    payload, before, after = judged(app, engine, config, {100}, [GUEST], f"email={GUEST}")
    assert table_entry(payload, "shop_orders")["counts"]["retain"] == 1
    assert table_entry(payload, "sessions")["counts"]["delete"] == 1
    gone = set(rows_of(before, "sessions")) - set(rows_of(after, "sessions"))
    assert gone == {app.key("sessions", session_id=9100)}


def test_cms_row_matching_no_rule_is_refused(keys: Path, tmp_path: Path, sqlite_url: str) -> None:
    """A post of a kind no rule names (a subscription the config does not know of): plan shows it as 'no rule',
    erase refuses in one sentence and changes nothing."""
    app = app_schemas.cms()
    app.add("posts", 0, id=8888, post_author=1, post_date=app_schemas.NOW, post_type="shop_subscription",
            post_status="active", post_title="Abonnement", post_excerpt="", post_content="")
    engine = app_schemas.create(app, sqlite_url)
    config = app_schemas.write_config(app, sqlite_url, keys, tmp_path)
    plan = CliRunner().invoke(main, ["plan", "--config", str(config), "--subject", f"email={SUBJECT}", "--json"])
    assert plan.exit_code == 0, plan.output
    tables = {t["table"]: t for t in json.loads(plan.stdout)["tables"]}
    assert tables["posts"]["rules"]["no rule"] == {"review": 1}
    text = CliRunner().invoke(main, ["plan", "--config", str(config), "--subject", f"email={SUBJECT}"]).stdout
    assert "rules[0] when post_type = shop_order: retain 2" in text and "no rule: leave for review 1" in text
    before = oracle.snapshot(engine)
    result, payload = run(config, f"email={SUBJECT}")
    assert result.exit_code != 0 and payload is None
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "1 row(s) of db.posts" in lines[0] and "match none" in lines[0], result.output
    assert oracle.unchanged(before, oracle.snapshot(engine)) == []


def test_cms_text_link_to_integer_key_needs_a_cast(keys: Path, tmp_path: Path, sqlite_url: str) -> None:
    """A text column linked to an integer key without cast: is refused by config check (MariaDB would compare
    '1abc' = 1 as numbers, PostgreSQL refuses text = integer); with the cast it passes."""
    app = app_schemas.cms()
    app_schemas.create(app, sqlite_url)
    rules = json.loads(json.dumps(app.rules))
    rules["sessions"]["links"][0].pop("cast")
    config = app_schemas.write_config(app, sqlite_url, keys, tmp_path, rules=rules)
    result = CliRunner().invoke(main, ["config", "check", str(config)])
    assert result.exit_code != 0
    assert "compares a text column to an integer key; add 'cast: text'" in result.output
    good = app_schemas.write_config(app, sqlite_url, keys, tmp_path)
    result = CliRunner().invoke(main, ["config", "check", str(good)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("kind", ["postgresql", "mariadb"])
def test_cms_on_servers(kind: str, keys: Path, tmp_path: Path) -> None:
    """The same erasure on PostgreSQL (which refuses to compare text with integer) and MariaDB (which would
    compare them as numbers), judged by the same oracle."""
    app = app_schemas.cms()
    with app_schemas.installed(app, kind, tmp_path) as (engine, url):
        config = app_schemas.write_config(app, url, keys, tmp_path)
        payload, _, _ = judged(app, engine, config, {0}, [SUBJECT], f"email={SUBJECT}")
        assert table_entry(payload, "sessions")["counts"]["delete"] == 1


# -- the shop without foreign keys --------------------------------------------------------------

def test_shop_polymorphic_log_and_free_text_table(keys: Path, tmp_path: Path, sqlite_url: str) -> None:
    """Customer 5's log rows (object_type Customer) are deleted, not the log row of order 5; mail_log, which
    only its text ties to anyone, passes config check and loses the subject's address."""
    app = app_schemas.shop()
    engine = app_schemas.create(app, sqlite_url)
    config = app_schemas.write_config(app, sqlite_url, keys, tmp_path)
    check = CliRunner().invoke(main, ["config", "check", str(config)])
    assert check.exit_code == 0, check.output
    payload, before, after = judged(app, engine, config, {0}, [SUBJECT], f"email={SUBJECT}",
                                    rewritten={"mail_log": {app.key("mail_log", id_mail=1)}})
    assert table_entry(payload, "log")["counts"]["delete"] == 1
    log = rows_of(after, "log")
    assert app.key("log", id_log=105) in log and log[app.key("log", id_log=105)]["object_id"] == 5
    mail = rows_of(after, "mail_log")[app.key("mail_log", id_mail=1)]["subject"]
    assert SUBJECT not in mail and SUBJECT_IP in mail  # the address was not given: an IP is never learnt
    assert table_entry(payload, "orders")["counts"]["retain"] == 2
    assert table_entry(payload, "order_invoice")["counts"]["retain"] == 2
    assert table_entry(payload, "customer")["counts"]["anonymize"] == 1
    household = [r for r in rows_of(after, "connections").values() if r["id_guest"] == 15]
    assert len(household) == 1  # the other customer on the same household address keeps their connection


def test_shop_ip_address_in_every_form(keys: Path, tmp_path: Path, sqlite_url: str) -> None:
    """Given the subject's IP address: found as an integer (connections), as dotted text (customer_message,
    newsletter) and inside free text (mail_log, log); the household address they share with customer 15 is
    not given and stays everywhere."""
    app = app_schemas.shop()
    engine = app_schemas.create(app, sqlite_url)
    config = app_schemas.write_config(app, sqlite_url, keys, tmp_path)
    as_int = str(int.from_bytes(bytes(int(x) for x in SUBJECT_IP.split(".")), "big"))
    payload, before, after = judged(app, engine, config, {0}, [SUBJECT, SUBJECT_IP, as_int], f"email={SUBJECT}",
                                    f"ip={as_int}", rewritten={"mail_log": {app.key("mail_log", id_mail=1)}})
    mail = rows_of(after, "mail_log")[app.key("mail_log", id_mail=1)]["subject"]
    assert SUBJECT_IP not in mail and SUBJECT not in mail
    assert rows_of(after, "mail_log")[app.key("mail_log", id_mail=2)]["subject"].endswith(f"({HOUSEHOLD_IP})")
    assert table_entry(payload, "connections")["counts"]["delete"] == 2


def test_shop_ip_alone_finds_rows_not_other_customers(keys: Path, tmp_path: Path, sqlite_url: str) -> None:
    """An erasure by IP address alone (a visitor who only knows their address): the rows holding that address in
    any form are the subject's; the customer, found by no identifier, is untouched."""
    app = app_schemas.shop()
    engine = app_schemas.create(app, sqlite_url)
    config = app_schemas.write_config(app, sqlite_url, keys, tmp_path, scan="report")
    before = oracle.snapshot(engine)
    result, payload = run(config, f"ip=::ffff:{SUBJECT_IP}")
    assert result.exit_code == 0, result.output
    assert payload is not None
    after = oracle.snapshot(engine)
    counts = {t: table_entry(payload, t)["counts"] for t in ("connections", "customer_message", "newsletter")}
    assert {t: c["delete"] for t, c in counts.items()} == {"connections": 1, "customer_message": 1, "newsletter": 1}
    assert table_entry(payload, "customer")["found"] == 0
    assert oracle.unchanged(before, after) == ["connections", "customer_message", "log", "mail_log", "newsletter"]
