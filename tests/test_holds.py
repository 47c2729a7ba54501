"""Legal holds come from one place: a hold placed with `eraser hold add` (the state store) or in the config's
`holds:` is honoured by plan, erase, the retention sweep and the purge. Judged by the row-hash oracle of
test_sweep, which reads the database directly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tests.test_sweep import EMAIL, TABLES, Shop, cli, difference, key, oracle

DELETED_NOTES = """
        identify: {email: email}
        action: delete"""


def hold_add(shop: Shop, *target: str, until: str = "2040-01-01") -> str:
    out = cli("hold", "add", "--config", str(shop.config_path), *target, "--reason", "claim of the customer",
              "--until", until)
    assert out.exit_code == 0, out.output
    return str(out.output.split()[1])


def test_plan_and_erase_honour_a_hold_placed_with_hold_add(db_url: str, tmp_path: Path) -> None:
    """After `eraser hold add`, `eraser plan` shows every decision as hold, naming the hold, and `eraser erase`
    changes no row (the note would otherwise be deleted)."""
    shop = Shop(tmp_path / "shop", db_url)
    try:
        shop.config_path.write_text(shop.config_path.read_text().replace(TABLES["notes"], DELETED_NOTES))
        hold_id = hold_add(shop, "--subject", f"email={EMAIL.upper()}")
        out = cli("plan", "--config", str(shop.config_path), "--subject", f"email={EMAIL}", "--json")
        assert out.exit_code == 0, out.output
        plan = json.loads(out.output)
        assert plan["hold"] == {"reason": f"claim of the customer (hold {hold_id})", "until": "2040-01-01"}
        assert plan["totals"]["hold"] == 4 and sum(plan["totals"].values()) == 4
        reasons = {r for t in plan["tables"] for r in t["reasons"].get("hold", [])}
        assert reasons == {f"legal hold until 2040-01-01: claim of the customer (hold {hold_id})"}
        text = cli("plan", "--config", str(shop.config_path), "--subject", f"email={EMAIL}").output
        assert f"LEGAL HOLD: claim of the customer (hold {hold_id})" in text
        before = oracle(shop.engine)
        erased = cli("erase", "--config", str(shop.config_path), "--subject", f"email={EMAIL}", "--yes")
        assert erased.exit_code == 0, erased.output
        assert difference(before, oracle(shop.engine)) == {}
        lifted = cli("hold", "lift", "--config", str(shop.config_path), hold_id)
        assert lifted.exit_code == 0, lifted.output
        again = cli("erase", "--config", str(shop.config_path), "--subject", f"email={EMAIL}", "--yes")
        assert again.exit_code == 0, again.output
        assert difference(before, oracle(shop.engine)) == {"notes": {"gone": [key(20)], "changed": [], "new": []}}
    finally:
        shop.close()


def test_sweep_keeps_the_retained_rows_of_a_held_subject(db_url: str, tmp_path: Path) -> None:
    """A hold placed after the erasure stops the sweep from releasing the subject's rows (their release date has
    passed); the report names the hold; once it is lifted, the next sweep releases them."""
    shop = Shop(tmp_path / "shop", db_url)
    try:
        shop.erase()
        hold_id = hold_add(shop, "--subject", f"email={EMAIL}")
        before = oracle(shop.engine)
        report = shop.sweep("2037-01-01")
        assert difference(before, oracle(shop.engine)) == {}
        assert shop.releases() == [] and not report.errors
        assert {(ln.table, ln.action, ln.reason) for ln in report.lines} == {
            (t, "hold", f"legal hold: claim of the customer (hold {hold_id})") for t in ("invoices", "notes", "payments")}
        assert cli("hold", "lift", "--config", str(shop.config_path), hold_id).exit_code == 0
        shop.sweep("2037-01-01")
        assert set(difference(before, oracle(shop.engine))) == {"invoices", "notes", "payments"}
        assert [r["rows"] for r in shop.releases()[0]["released"]] == [2, 1, 1]
    finally:
        shop.close()


def test_sweep_keeps_the_retained_rows_of_a_subject_held_in_the_config(db_url: str, tmp_path: Path) -> None:
    """A `holds:` entry of the config naming the subject's reference keeps the sweep from releasing its rows."""
    shop = Shop(tmp_path / "shop", db_url)
    try:
        shop.erase()
        refs = cli("subject-ref", "--config", str(shop.config_path), "--subject", f"email={EMAIL}").output
        ref = next(line.split()[-1] for line in refs.splitlines() if line.startswith("subject"))
        with shop.config_path.open("a") as fh:
            fh.write(f'holds:\n  - {{subject: "{ref}", reason: "Tax audit of 2031", until: 2038-01-01}}\n')
        before = oracle(shop.engine)
        report = shop.sweep("2037-01-01")
        assert difference(before, oracle(shop.engine)) == {} and shop.releases() == []
        assert {ln.reason for ln in report.lines} == {"legal hold: Tax audit of 2031 (holds: entry 1 of the config)"}
    finally:
        shop.close()


def tenant_shop(root: Path, url: str) -> Path:
    """Two tenants with one customer each, and a config that can purge them."""
    meta = sa.MetaData()
    sa.Table("tenants", meta, sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
             sa.Column("code", sa.String(10), nullable=False, unique=True))
    sa.Table("customers", meta, sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
             sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False, index=True),
             sa.Column("email", sa.String(120), nullable=False, index=True))
    engine = sa.create_engine(url)
    meta.create_all(engine)
    with engine.begin() as conn:
        conn.execute(meta.tables["tenants"].insert(), [{"id": 1, "code": "T1"}, {"id": 2, "code": "T2"}])
        conn.execute(meta.tables["customers"].insert(), [{"id": 1, "tenant_id": 1, "email": EMAIL},
                                                         {"id": 2, "tenant_id": 2, "email": "x@example.be"}])
    engine.dispose()
    root.mkdir(parents=True, exist_ok=True)
    from eraser.proof.certificates import generate_keys

    generate_keys(root / "keys")
    path = root / "tenants.yaml"
    path.write_text(f"""organisation: Shop SRL
secret: hold-test-secret-of-at-least-32-bytes
signing: {{private_key: keys/eraser-signing.pem, public_key: keys/eraser-signing.pub.pem}}
certificates: certificates
tenants: {{table: tenants, key: code}}
identifiers:
  email: {{kind: email}}
connectors:
  shop:
    url: "{url}"
    tables:
      customers:
        identify: {{email: email}}
        tenant: tenant_id
        action: delete
""")
    return path


def test_a_held_tenant_is_not_purged(db_url: str, tmp_path: Path) -> None:
    """`eraser hold add --tenant T1` (or a `holds:` entry `tenant:T1`): `eraser purge --tenant T1` refuses in one
    sentence and changes nothing; the other tenant can still be purged."""
    config = tenant_shop(tmp_path / "t", db_url)
    engine = sa.create_engine(db_url)
    shop: Any = type("S", (), {"config_path": config})
    try:
        hold_id = hold_add(shop, "--tenant", "T1")
        before = oracle(engine)
        out = cli("purge", "--config", str(config), "--tenant", "T1", "--yes")
        assert out.exit_code != 0 and "Traceback" not in out.output
        assert out.output.strip() == (f"Error: tenant T1 is under a legal hold until 2040-01-01: claim of the customer "
                                      f"(hold {hold_id}); nothing was purged.")
        assert difference(before, oracle(engine)) == {}
        dry = cli("purge", "--config", str(config), "--tenant", "T1", "--dry-run")
        assert dry.exit_code != 0 and "under a legal hold" in dry.output
        assert cli("hold", "lift", "--config", str(config), hold_id).exit_code == 0
        with config.open("a") as fh:
            fh.write('holds:\n  - {subject: "tenant:T1", reason: "Dispute over the last invoice"}\n')
        held = cli("purge", "--config", str(config), "--tenant", "T1", "--yes")
        assert held.exit_code != 0 and "Dispute over the last invoice (holds: entry 1 of the config)" in held.output
        other = cli("purge", "--config", str(config), "--tenant", "T2", "--yes")
        assert other.exit_code == 0, other.output
        assert difference(before, oracle(engine)) == {"customers": {"gone": [key(2)], "changed": [], "new": []}}
    finally:
        engine.dispose()


def test_hold_add_needs_a_subject_or_a_tenant(db_url: str, tmp_path: Path) -> None:
    """Neither or both: one sentence, non-zero exit, no hold stored."""
    shop = Shop(tmp_path / "shop", db_url)
    try:
        for args in ([], ["--tenant", "T1", "--subject", f"email={EMAIL}"]):
            out = cli("hold", "add", "--config", str(shop.config_path), *args, "--reason", "x")
            assert out.exit_code != 0 and "give one of the two" in out.output and "Traceback" not in out.output
        assert cli("hold", "list", "--config", str(shop.config_path)).output.strip() == "No active holds."
    finally:
        shop.close()
