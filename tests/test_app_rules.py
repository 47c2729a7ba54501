"""Row rules, conditional links and IP addresses at their edges: what config check refuses (one sentence, with
its line), how a row's rule is chosen, and that verification still proves each rule's outcome."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from eraser.cli import main
from eraser.config import IdentifierType
from eraser.matching import Lookup
from eraser.proof.certificates import generate_keys
from eraser.subjects import normalize
from eraser.table_rules import TableRule
from tests import app_schemas, oracle
from tests.app_schemas import SUBJECT
from tests.conftest import fresh_database


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("keys")
    generate_keys(directory)
    return directory


def _cms(tmp_path: Path, keys: Path, change: Any = None) -> tuple[app_schemas.App, sa.Engine, Path]:
    url = next(fresh_database("sqlite", tmp_path))
    app = app_schemas.cms()
    engine = app_schemas.create(app, url)
    rules = json.loads(json.dumps(app.rules))
    if change is not None:
        change(rules)
    return app, engine, app_schemas.write_config(app, url, keys, tmp_path, rules=rules)


def _check(config: Path) -> tuple[int, list[str]]:
    result = CliRunner().invoke(main, ["config", "check", str(config)], catch_exceptions=False)
    assert "Traceback" not in result.output
    return result.exit_code, [ln for ln in result.output.splitlines() if ln.startswith("error: ")]


@pytest.mark.parametrize(("change", "expected"), [
    (lambda r: r["postmeta"]["links"][1]["key_value"].update(key_column="meta_kee"),
     "column 'meta_kee' does not exist in table 'postmeta' (closest: meta_key"),
    (lambda r: r["posts"]["rules"][0].update(when={"post_typ": "shop_order"}),
     "column 'post_typ' does not exist in table 'posts' (closest: post_type"),
    (lambda r: r["posts"]["rules"][1].update(identify={"email": "post_exerpt"}),
     "column 'post_exerpt' does not exist in table 'posts'"),
    (lambda r: r["shop_orders"]["links"][0].update(column="billing_email"),
     "compares a text column to an integer key; add 'cast: text'"),
    (lambda r: r["sessions"]["links"][1].update(column="session_id"),
     "has a prefix:, but sessions.session_id does not hold text"),
    (lambda r: r["sessions"]["links"][0].update(where={"session_expiry": 1, "sesion_value": "x"}),
     "column 'sesion_value' does not exist in table 'sessions'"),
])
def test_config_check_names_the_wrong_part(change: Any, expected: str, keys: Path, tmp_path: Path) -> None:
    _, _, config = _cms(tmp_path, keys, change)
    code, errors = _check(config)
    assert code != 0 and any(expected in e for e in errors), errors


@pytest.mark.parametrize(("rule", "expected"), [
    ({"action": "delete", "rules": [{"when": {"a": 1}, "action": "delete"}]},
     "a table with rules: gives action, retain and minimize in each rule"),
    ({"rules": [{"action": "delete"}, {"when": {"a": 1}, "action": "delete"}]}, "make it the last rule"),
    ({"rules": [{"when": {"a": 1}, "action": "retain"}]}, "rules[0]: action 'retain' needs a 'retain:' block"),
    ({"rules": [{"when": {"a": []}, "action": "delete"}]}, "a when: condition needs at least one value"),
    ({"rules": [{"name": "x", "when": {"a": 1}, "action": "delete"}, {"name": "x", "action": "delete"}]},
     "two rules have the same name"),
    ({"action": "delete", "links": [{"column": "c", "references": "t.id", "prefix": "t_", "cast": "integer"}]},
     "cannot also have cast: integer"),
    ({"action": "delete", "links": [{"column": "c", "references": "t.id",
                                     "key_value": {"key_column": "k", "key": "x", "value_column": "v"}}]},
     "takes its column from value_column"),
    ({}, "give the table an action"),
])
def test_rule_shapes_refused(rule: dict[str, Any], expected: str) -> None:
    with pytest.raises(ValueError, match=expected.replace("[", r"\[").replace("(", r"\(")):
        TableRule.model_validate(rule)


def test_first_matching_rule_takes_the_row() -> None:
    rule = TableRule.model_validate({"identify": {"email": "e"}, "rules": [
        {"when": {"kind": ["a", "b"], "n": 3}, "action": "delete"},
        {"when": {"kind": "a"}, "action": "anonymize", "columns": {"e": "faker:email"}},
        {"when": {"kind": None}, "action": "review"}]})
    assert rule.for_row({"kind": "a", "n": "3"})[0] == 0  # 3 and '3' are the same text
    assert rule.for_row({"kind": "a", "n": 4})[0] == 1
    assert rule.for_row({"kind": None, "n": 4})[0] == 2
    assert rule.for_row({"kind": "c", "n": 3}) is None
    assert rule.for_row({"kind": "A", "n": 3}) is None  # the application wrote 'a': case is not ignored


def test_ip_forms_are_one_address() -> None:
    kind = IdentifierType(kind="ip")
    lookup = Lookup(kind, (normalize(kind, "81.82.83.84", "ip"),))
    stored = ["81.82.83.84", " 81.82.83.84", 1364349780, "1364349780", "::ffff:81.82.83.84", bytes([81, 82, 83, 84])]
    assert all(lookup.confirms(v) for v in stored)
    assert not any(lookup.confirms(v) for v in ["81.82.83.8", "81.82.83.841", 1364349781, "x", True, b"\x00"])
    v6 = Lookup(kind, (normalize(kind, "2001:0DB8:0000::0001", "ip"),))
    assert v6.confirms("2001:db8::1") and v6.confirms("2001:0db8:0000:0000:0000:0000:0000:0001")
    with pytest.raises(Exception, match="is not an IP address"):
        normalize(kind, "81.82.83", "ip")


def test_verification_fails_when_a_retained_row_changes(keys: Path, tmp_path: Path) -> None:
    """A trigger rewrites the subject's retained order copy while the contact message (another rule) is deleted:
    verification sees the kept row changed, everything is rolled back and no certificate is issued."""
    app, engine, config = _cms(tmp_path, keys)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TRIGGER touch AFTER DELETE ON posts BEGIN UPDATE posts SET post_status = 'x' "
                             "WHERE post_type = 'shop_order' AND post_author = OLD.post_author; END"))
    before = oracle.snapshot(engine)
    result = CliRunner().invoke(main, ["erase", "--config", str(config), "--subject", f"email={SUBJECT}", "--yes"])
    assert result.exit_code != 0
    assert "kept row(s) of posts changed" in result.output and "rolled back" in result.output
    assert oracle.unchanged(before, oracle.snapshot(engine)) == []
    assert not list((tmp_path / "certificates").glob("*.cert.json"))


@pytest.mark.parametrize("name", ["cms", "shop"])
def test_readme_configs_are_the_ones_tested(name: str) -> None:
    """README.md's worked configs are exactly the rules and identifiers the application-schema tests run."""
    import re

    import yaml

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = re.search(rf"<!-- app-config: {name} -->\n```yaml\n(.*?)```", readme, re.S)
    assert block is not None
    documented = yaml.safe_load(block.group(1))
    app = getattr(app_schemas, name)()
    assert documented == json.loads(json.dumps({"identifiers": app.identifiers, "tables": app.rules}))


def test_held_rows_keep_their_rule(keys: Path, tmp_path: Path) -> None:
    """Under a legal hold every row is held, and the plan still says which rule each would fall under."""
    from eraser.config import load_config
    from eraser.engine.execute import make_plan
    from eraser.engine.session import open_session
    from eraser.subjects import parse_subject

    _, _, path = _cms(tmp_path, keys)
    config = load_config(path)
    with open_session(config) as session:
        plan = make_plan(session, parse_subject([f"email={SUBJECT}"], config), hold_reason="court order 2026/17")
    assert plan.table("db", "posts").summary()["rules"] == {"rules[0] when post_type = shop_order": {"hold": 2},
                                                            "rules[1] when post_type = contact_message": {"hold": 2}}


@pytest.mark.parametrize(("change", "expected"), [
    (lambda t: t["customers"].update(rules=[{"when": {"name": "x"}, "action": "delete"},
                                            {"action": t["customers"].pop("action")}]),
     "table 'customers' has row rules (rules:), which a tenant purge does not apply; erase its rows per subject."),
    (lambda t: t["invoices"].setdefault("links", []).append(
        {"column": "customer_id", "references": "customers.id", "where": {"total": 1}}),
     "where total = 1 has a condition or a transform of the key"),
    (lambda t: t["orders"].setdefault("links", []).append(
        {"column": "note", "references": "customers.id", "cast": "text"}),
     "link orders(note) -> customers(id) (as text) has a condition or a transform of the key"),
    (lambda t: t["orders"].setdefault("links", []).append(
        {"column": "note", "references": "customers.id", "json": "$.customer"}),
     "link orders(note) -> customers(id) (at $.customer) has a condition or a transform of the key (where:, cast:, "
     "prefix:, key_value: or json:), which a tenant purge does not apply; erase its rows per subject."),
])
def test_tenant_purge_refuses_rules_and_conditional_links(change: Any, expected: str, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A tenant purge builds its own SQL from the relations and does not apply row rules or link conditions:
    config check, the dry run and the purge refuse in one sentence, and nothing changes (no return package)."""
    from tests.test_purge_scope import GONE, make_tiny, rows_by_key

    url = next(fresh_database("sqlite", tmp_path))
    tiny = next(make_tiny(url, tmp_path, monkeypatch))
    tiny.rewrite(lambda data: change(data["connectors"]["shop"]["tables"]))
    before = rows_by_key(tiny.engine)
    check = CliRunner().invoke(main, ["config", "check", str(tiny.config_path)])
    assert check.exit_code != 0 and expected in check.output, check.output
    package = tmp_path / "package"
    for extra in (["--dry-run"], ["--yes", "--export", str(package)]):
        purge = CliRunner().invoke(main, ["purge", "--config", str(tiny.config_path), "--tenant", GONE, *extra])
        assert purge.exit_code != 0 and "Traceback" not in purge.output, purge.output
        lines = purge.stderr.strip().splitlines()
        assert len(lines) == 1 and expected in lines[0], purge.output
    assert rows_by_key(tiny.engine) == before
    assert not package.exists() and not list(package.parent.glob(".package*"))
