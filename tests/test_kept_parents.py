"""Kept parents: `retain: {keeps: [addresses]}` keeps the address a retained invoice refers to, unchanged, with the
invoice's basis and release date (shown as retained in the plan and certificate, not anonymized nor left for
review), and the retention sweep releases it with the invoice. Judged by an oracle that reads every row with plain
SQL before and after."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from eraser.config import load_config
from eraser.daemon.jobs import release_retained_rows
from eraser.proof.certificates import generate_keys, read_jws
from eraser.proof.pdf import describe
from eraser.store.state import StateStore
from tests.identity_helpers import create, plan_subject, write_config
from tests.oracle import snapshot
from tests.test_bad_input import run

SUBJECT = "jan.peeters@example.be"
DDL = [
    "CREATE TABLE addresses (id INTEGER PRIMARY KEY, street VARCHAR(120), city VARCHAR(80))",
    "CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR(120), name VARCHAR(80), "
    "address_id INTEGER REFERENCES addresses(id), delivery_address_id INTEGER REFERENCES addresses(id))",
    "CREATE TABLE invoices (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id), "
    "address_id INTEGER REFERENCES addresses(id), invoice_date DATE NOT NULL, billing_name VARCHAR(80))",
]
ROWS: dict[str, list[dict[str, Any]]] = {
    "addresses": [{"id": 100, "street": "Kerkstraat 12", "city": "Gent"},
                  {"id": 101, "street": "Veldstraat 3", "city": "Gent"},
                  {"id": 102, "street": "Stationsplein 1", "city": "Brugge"},  # the old billing address
                  {"id": 200, "street": "Rue Haute 5", "city": "Namur"}],
    "customers": [{"id": 1, "email": SUBJECT, "name": "Jan Peeters", "address_id": 100, "delivery_address_id": 101},
                  {"id": 2, "email": "els.maes@example.be", "name": "Els Maes", "address_id": 200,
                   "delivery_address_id": None}],
    "invoices": [{"id": 10, "customer_id": 1, "address_id": 102, "invoice_date": date(2025, 3, 1),
                  "billing_name": "Jan Peeters"},
                 {"id": 20, "customer_id": 2, "address_id": 200, "invoice_date": date(2025, 4, 1),
                  "billing_name": "Els Maes"}],
}
BASIS = "Belgian VAT Code art. 60: invoices kept 10 years"


def tables(then: str = "delete", keeps: bool = True) -> dict[str, Any]:
    retain: dict[str, Any] = {"basis": BASIS, "period": "10y", "from": "invoice_date", "then": then}
    if keeps:
        retain["keeps"] = ["addresses"]
    return {
        "customers": {"action": "delete", "identify": {"email": "email"}, "owns": ["address_id", "delivery_address_id"],
                      "columns": {"email": "faker:email", "name": "faker:name"}},
        "addresses": {"action": "delete", "columns": {"street": "faker:street_name", "city": "keep"}},
        "invoices": {"action": "retain", "retain": retain, "owns": ["address_id"],
                     **({"columns": {"billing_name": "faker:name"}} if then == "anonymize" else {})},
    }


def shop(tmp_path: Path, **kw: Any) -> tuple[sa.Engine, Path]:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    engine = create(url, DDL, ROWS)
    _, public, _ = generate_keys(tmp_path / "keys")
    config = write_config(tmp_path, url, {"email": {"kind": "email"}}, tables(**kw), {"mode": "fail"}, extra={
        "signing": {"private_key": str(tmp_path / "keys" / "eraser-signing.pem"), "public_key": str(public)},
        "state": f"sqlite:///{tmp_path / 'state.db'}"})
    return engine, config


def erase_cli(config: Path) -> dict[str, Any]:
    result = run("erase", "--config", str(config), "--subject", f"email={SUBJECT}", "--yes")
    assert result.exit_code == 0, result.output
    return read_jws(Path(result.output.rsplit("Certificate: ", 1)[1].strip()))[1]


def sweep(config: Path, today: str) -> Any:
    cfg = load_config(config)
    store = StateStore(cfg.state or "")
    try:
        return release_retained_rows(cfg, store, date.fromisoformat(today))
    finally:
        store.dispose()


def test_the_invoice_address_is_retained_with_the_invoice(tmp_path: Path) -> None:
    """The address the invoice points to stays byte-identical and is certified as retained on the invoice's basis
    until its release date; the subject's other addresses are anonymized as before; nobody else's row changes."""
    engine, config = shop(tmp_path)
    before = snapshot(engine)
    certificate = erase_cli(config)
    after = snapshot(engine)
    assert after.rows["addresses"][("int:102",)] == before.rows["addresses"][("int:102",)]
    assert after.rows["invoices"] == before.rows["invoices"]
    # the addresses the anonymized customer row still refers to are anonymized, as before
    assert after.rows["addresses"][("int:100",)][1]["street"] != "Kerkstraat 12"
    assert after.rows["addresses"][("int:101",)][1]["street"] != "Veldstraat 3"
    assert after.rows["addresses"][("int:200",)] == before.rows["addresses"][("int:200",)]
    assert after.rows["customers"][("int:2",)] == before.rows["customers"][("int:2",)]
    kept = next(r for r in certificate["retained"] if r["table"] == "addresses")
    assert kept == {"connector": "db", "table": "addresses", "rows": 1, "basis": BASIS, "period": "10y",
                    "counted_from": "child", "kept_with": "invoices", "release_first": "2035-03-01",
                    "release_last": "2035-03-01", "minimized_columns": []}
    counts = next(t for db in certificate["databases"] for t in db["tables"] if t["table"] == "addresses")["counts"]
    assert counts["retain"] == 1 and counts["anonymize"] == 2 and counts["review"] == 0
    assert SUBJECT not in json.dumps(certificate)
    text = " ".join(str(b.content) for b in describe(certificate, "en"))
    assert "it ends with that of the kept record of table invoices that refers to it" in text


def test_without_keeps_the_address_is_anonymized(tmp_path: Path) -> None:
    """The behaviour `keeps:` changes: without it, the retained invoice would point to a rewritten address."""
    engine, config = shop(tmp_path, keeps=False)
    before = snapshot(engine)
    erase_cli(config)
    assert snapshot(engine).rows["addresses"][("int:102",)] != before.rows["addresses"][("int:102",)]


def test_plan_shows_the_address_as_retained(tmp_path: Path) -> None:
    """The plan says why the address stays and until when."""
    _, config = shop(tmp_path)
    summary = next(t for t in plan_subject(config, f"email={SUBJECT}").to_dict()["tables"] if t["table"] == "addresses")
    assert summary["counts"]["retain"] == 1
    assert summary["reasons"]["retain"] == [f"kept with the retained row(s) of invoices that refer to it: {BASIS}"]
    assert summary["release"] == {"first": "2035-03-01", "last": "2035-03-01"}


def test_the_sweep_releases_the_address_with_the_invoice(tmp_path: Path) -> None:
    """Before the release date nothing is released; on it, the invoice and its address go together."""
    engine, config = shop(tmp_path)
    _released_together(engine, config, "invoices")


def test_an_invoice_anonymized_at_release_takes_its_address_with_it(tmp_path: Path) -> None:
    """`then: anonymize`: the invoice stays, so its address cannot be deleted; it is anonymized with it instead of
    staying due for ever."""
    engine, config = shop(tmp_path, then="anonymize")
    erase_cli(config)
    before = snapshot(engine)
    sweep(config, "2035-03-01")
    after = snapshot(engine)
    address = after.rows["addresses"][("int:102",)][1]
    assert address["street"] != "Stationsplein 1" and address["city"] == "Brugge"
    assert after.rows["invoices"][("int:10",)][1]["billing_name"] != "Jan Peeters"
    for table, rows in before.rows.items():  # nothing else changed
        assert {k: v for k, v in rows.items() if k not in (("int:10",), ("int:102",))} == \
            {k: v for k, v in after.rows[table].items() if k not in (("int:10",), ("int:102",))}, table


def test_keeps_naming_a_table_it_does_not_refer_to_is_one_sentence(tmp_path: Path) -> None:
    """`keeps: [customer]` (a typo, or a table the invoices do not refer to): config check names table and key."""
    _, config = shop(tmp_path)
    config.write_text(config.read_text().replace('"keeps": ["addresses"]', '"keeps": ["adresses"]'))
    result = run("config", "check", str(config))
    assert result.exit_code != 0
    assert "table 'invoices' keeps 'adresses', but no foreign key or link leads" in result.output + result.stderr


DOC_DDL = [
    "CREATE TABLE addresses (id INTEGER PRIMARY KEY, street VARCHAR(120), city VARCHAR(80))",
    "CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR(120), name VARCHAR(80))",
    "CREATE TABLE documents (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id), "
    "address_id INTEGER REFERENCES addresses(id), kind VARCHAR(20) NOT NULL, doc_date DATE NOT NULL)",
]
DOC_ROWS: dict[str, list[dict[str, Any]]] = {
    "addresses": [{"id": 102, "street": "Stationsplein 1", "city": "Brugge"},  # the invoice's
                  {"id": 103, "street": "Markt 7", "city": "Brugge"},  # the quote's
                  {"id": 200, "street": "Rue Haute 5", "city": "Namur"}],
    "customers": [{"id": 1, "email": SUBJECT, "name": "Jan Peeters"},
                  {"id": 2, "email": "els.maes@example.be", "name": "Els Maes"}],
    "documents": [{"id": 10, "customer_id": 1, "address_id": 102, "kind": "invoice", "doc_date": date(2025, 3, 1)},
                  {"id": 11, "customer_id": 1, "address_id": 103, "kind": "quote", "doc_date": date(2025, 3, 2)},
                  {"id": 20, "customer_id": 2, "address_id": 200, "kind": "invoice", "doc_date": date(2025, 4, 1)}],
}


def documents(tmp_path: Path) -> tuple[sa.Engine, Path]:
    """One table of two kinds of rows: invoices (retained, keeping their address) and quotes (deleted)."""
    url = f"sqlite:///{tmp_path / 'docs.db'}"
    engine = create(url, DOC_DDL, DOC_ROWS)
    _, public, _ = generate_keys(tmp_path / "keys")
    retain = {"basis": BASIS, "period": "10y", "from": "doc_date", "keeps": ["addresses"]}
    tables = {
        "customers": {"action": "delete", "identify": {"email": "email"},
                      "columns": {"email": "faker:email", "name": "faker:name"}},
        "addresses": {"action": "delete", "columns": {"street": "faker:street_name", "city": "keep"}},
        "documents": {"owns": ["address_id"],
                      "rules": [{"when": {"kind": "invoice"}, "action": "retain", "retain": retain},
                                {"when": {"kind": "quote"}, "action": "delete"}]},
    }
    config = write_config(tmp_path, url, {"email": {"kind": "email"}}, tables, {"mode": "fail"}, extra={
        "signing": {"private_key": str(tmp_path / "keys" / "eraser-signing.pem"), "public_key": str(public)},
        "state": f"sqlite:///{tmp_path / 'state.db'}"})
    return engine, config


def test_a_row_rule_keeps_the_address_of_its_rows(tmp_path: Path) -> None:
    """`keeps:` in a row rule: the address the retained invoice points to stays byte-identical, certified as
    retained with the invoice's basis and release date; the quote of the same table is deleted and its address
    with it; nobody else's row changes."""
    engine, config = documents(tmp_path)
    summary = {t["table"]: t for t in plan_subject(config, f"email={SUBJECT}").to_dict()["tables"]}
    assert summary["addresses"]["counts"]["retain"] == 1 and summary["addresses"]["counts"]["delete"] == 1
    assert summary["addresses"]["reasons"]["retain"] == [
        f"kept with the retained row(s) of documents that refer to it: {BASIS}"]
    assert summary["addresses"]["release"] == {"first": "2035-03-01", "last": "2035-03-01"}
    before = snapshot(engine)
    certificate = erase_cli(config)
    after = snapshot(engine)
    assert after.rows["addresses"][("int:102",)] == before.rows["addresses"][("int:102",)]
    assert ("int:103",) not in after.rows["addresses"]
    assert after.rows["addresses"][("int:200",)] == before.rows["addresses"][("int:200",)]
    assert after.rows["documents"][("int:10",)] == before.rows["documents"][("int:10",)]
    assert ("int:11",) not in after.rows["documents"]
    assert after.rows["documents"][("int:20",)] == before.rows["documents"][("int:20",)]
    assert after.rows["customers"][("int:2",)] == before.rows["customers"][("int:2",)]
    kept = next(r for r in certificate["retained"] if r["table"] == "addresses")
    assert kept == {"connector": "db", "table": "addresses", "rows": 1, "basis": BASIS, "period": "10y",
                    "counted_from": "child", "kept_with": "documents", "release_first": "2035-03-01",
                    "release_last": "2035-03-01", "minimized_columns": []}


def test_the_sweep_releases_a_row_rules_kept_address_with_its_invoice(tmp_path: Path) -> None:
    """Kept by a row rule, the address goes with the invoice on its release date, not before; nothing else."""
    engine, config = documents(tmp_path)
    _released_together(engine, config, "documents")


def test_config_check_refuses_a_row_rule_keeping_an_unrelated_table(tmp_path: Path) -> None:
    """A row rule that keeps a table its rows do not refer to: one sentence from config check, at the rule."""
    _, config = documents(tmp_path)
    data = json.loads(config.read_text())
    data["connectors"]["db"]["tables"]["documents"]["rules"][0]["retain"]["keeps"] = ["documents_x"]
    config.write_text(json.dumps(data))
    result = run("config", "check", str(config))
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "table 'documents' keeps 'documents_x', but no foreign key or link leads from 'documents'" in result.output


def _released_together(engine: sa.Engine, config: Path, child: str) -> None:
    """Erase, then sweep: the day before the release date the address stays; on it, the child row 10 and its
    address 102 go together, and nothing else changes."""
    erase_cli(config)
    sweep(config, "2035-02-28")
    assert ("int:102",) in snapshot(engine).rows["addresses"]
    before = snapshot(engine)
    sweep(config, "2035-03-01")
    after = snapshot(engine)
    assert ("int:10",) not in after.rows[child] and ("int:102",) not in after.rows["addresses"]
    for table, rows in before.rows.items():  # nothing else changed
        assert {k: v for k, v in rows.items() if k not in (("int:10",), ("int:102",))} == after.rows[table], table
