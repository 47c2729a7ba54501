"""Name identifiers (issue: staff notes that say "H. Wouters" or "Mme Mertens"): a full name given with a
stronger identifier is searched in free text in every form notes use, and only there; alone it is refused; with an
identifier that finds nobody it redacts nothing; a namesake's row is never touched through it. Judged by plain
SQL over every row before and after."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from eraser.proof.certificates import generate_keys, read_jws
from eraser.subjects import name_forms
from tests.identity_helpers import create, write_config
from tests.oracle import snapshot
from tests.test_bad_input import run

EMAIL = "hilde.wouters@example.be"
DDL = [
    "CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR(120), name VARCHAR(80))",
    "CREATE TABLE staff_notes (id INTEGER PRIMARY KEY, body TEXT)",
]
ROWS: dict[str, list[dict[str, Any]]] = {
    "customers": [{"id": 1, "email": EMAIL, "name": "Hilde Wouters"},
                  {"id": 2, "email": "jan.peeters@example.be", "name": "Jan Peeters"}],
    "staff_notes": [{"id": 1, "body": "Gesprek met H. Wouters over de offerte"},
                    {"id": 2, "body": "Mme Wouters a rappelé, voir dossier"},
                    {"id": 3, "body": "Factuur voor WOUTERS HILDE verstuurd"},
                    {"id": 4, "body": "Dhr. Peeters belde"},
                    {"id": 5, "body": "H. Woutersen bezocht de showroom"},   # another person
                    {"id": 6, "body": "Wouters is a common surname"}],       # a surname alone names nobody
}
TABLES = {
    "customers": {"action": "delete", "identify": {"email": "email"}},
    "staff_notes": {"action": "delete", "free_text": ["body"]},
}
IDENTIFIERS = {"email": {"kind": "email"}, "name": {"kind": "name"}}


def shop(tmp_path: Path, tables: dict[str, Any] | None = None) -> tuple[sa.Engine, Path]:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    engine = create(url, DDL, ROWS)
    _, public, _ = generate_keys(tmp_path / "keys")
    config = write_config(tmp_path, url, IDENTIFIERS, tables or TABLES, {"mode": "redact"}, extra={
        "signing": {"private_key": str(tmp_path / "keys" / "eraser-signing.pem"), "public_key": str(public)}})
    return engine, config


def bodies(engine: sa.Engine) -> dict[int, str]:
    with engine.connect() as conn:
        return {int(r[0]): str(r[1]) for r in conn.execute(sa.text("SELECT id, body FROM staff_notes"))}


def test_the_forms_notes_use() -> None:
    forms = name_forms("Hilde Wouters")
    for form in ("Hilde Wouters", "Wouters Hilde", "H. Wouters", "Wouters H.", "Mme Wouters", "Dhr. Wouters",
                 "Mevr. Wouters", "Mr Wouters"):
        assert form in forms
    assert "Wouters" not in forms and "Hilde" not in forms


def test_a_name_with_an_email_redacts_every_form_and_nothing_else(tmp_path: Path) -> None:
    engine, config = shop(tmp_path)
    before = snapshot(engine)
    result = run("erase", "--config", str(config), "--subject", f"email={EMAIL}", "--subject",
                 "name=Hilde  Wouters", "--yes")
    assert result.exit_code == 0, result.output
    after = bodies(engine)
    assert after[1] == "Gesprek met [erased] over de offerte"
    assert after[2] == "[erased] a rappelé, voir dossier"
    assert after[3] == "Factuur voor [erased] verstuurd"
    for untouched in (4, 5, 6):
        assert after[untouched] == ROWS["staff_notes"][untouched - 1]["body"]
    rows = snapshot(engine).rows
    assert ("int:2",) in rows["customers"] and ("int:1",) not in rows["customers"]
    assert rows["customers"][("int:2",)] == before.rows["customers"][("int:2",)]
    certificate = read_jws(Path(result.output.rsplit("Certificate: ", 1)[1].strip()))[1]
    text = json.dumps(certificate)
    assert "Wouters" not in text and "Hilde" not in text


def test_a_name_alone_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    engine, config = shop(tmp_path)
    before = snapshot(engine)
    result = run("erase", "--config", str(config), "--subject", "name=Hilde Wouters", "--yes")
    assert result.exit_code != 0
    assert "a name only narrows the search of free text" in result.output
    assert "Traceback" not in result.output
    assert snapshot(engine).rows == before.rows


def test_a_name_with_an_email_that_finds_nobody_redacts_nothing(tmp_path: Path) -> None:
    engine, config = shop(tmp_path)
    before = snapshot(engine)
    result = run("erase", "--config", str(config), "--subject", "email=nobody@example.be", "--subject",
                 "name=Hilde Wouters", "--yes")
    assert result.exit_code == 0, result.output
    assert snapshot(engine).rows == before.rows


def test_a_table_cannot_identify_by_a_name(tmp_path: Path) -> None:
    tables = {**TABLES, "customers": {"action": "delete", "identify": {"email": "email", "name": "name"}}}
    _, config = shop(tmp_path, tables)
    result = run("config", "check", str(config))
    assert result.exit_code != 0
    assert "identifies by 'name', a name: a name only narrows the search of free text" in result.output
