"""Discovery drafts are never harmful as written: every draft passes `config check` on the database it came from;
orders and their lines are retained as invoicing; the organisation's own staff and stores, catalogues and lookup
tables are never proposed for deletion; a table discovery is unsure about is `review`, which plan shows and erase
refuses; a parent each person uses alone is owned, a shared one is not; phone regions come from the data; a
PostgreSQL partitioned table is proposed as its parent."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from eraser.discover import discover, render
from tests.conftest import fresh_database
from tests.discover_shapes import build_rental, build_trading
from tests.test_bad_input import run

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from heldout2_schemas import FRESH  # noqa: E402
from heldout3_schemas import BLIND  # noqa: E402
from heldout4_schemas import BLIND2  # noqa: E402
from heldout5_schemas import BLIND3  # noqa: E402
from heldout_schemas import HELD_OUT  # noqa: E402
from labelled_schemas import SCHEMAS  # noqa: E402


@pytest.fixture
def keys_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from eraser.proof.certificates import generate_keys

    generate_keys(tmp_path / "keys")
    monkeypatch.setenv("ERASER_SECRET", "discover-safety-secret-0123456789abcdef")
    monkeypatch.setenv("ERASER_SIGNING_KEY", str(tmp_path / "keys" / "eraser-signing.pem"))
    monkeypatch.setenv("ERASER_PUBLIC_KEY", str(tmp_path / "keys" / "eraser-signing.pub.pem"))
    return tmp_path


def draft(url: str, directory: Path) -> tuple[Path, dict]:
    """The draft config as `eraser discover` writes it, saved beside the test."""
    result = run("discover", "--url", url)
    assert result.exit_code == 0, result.output
    path = directory / "draft.yaml"
    path.write_text(result.stdout)
    (rules,) = [c["tables"] for c in yaml.safe_load(result.stdout)["connectors"].values()]
    return path, rules


def passes_check(path: Path) -> None:
    check = run("config", "check", str(path))
    assert check.exit_code == 0, check.output
    assert "0 error(s)" in check.stdout, check.stdout


def test_every_draft_of_the_corpus_passes_config_check(keys_env: Path) -> None:
    """The tuned, held-out, fresh and the three blind held-out labelled schemas and both sample shapes: discover, then
    check, with nothing edited in between."""
    builders = {name: schema.build for name, schema in (SCHEMAS | HELD_OUT | FRESH | BLIND | BLIND2 |
                                                                  BLIND3).items()}
    builders |= {"rental": lambda e, seed: build_rental(e, seed), "trading": lambda e, seed: build_trading(e, seed)}
    for name, build in builders.items():
        directory = keys_env / name
        directory.mkdir()
        url = f"sqlite:///{directory / 'db.sqlite'}"
        engine = sa.create_engine(url)
        build(engine, 3)
        engine.dispose()
        path, _ = draft(url, directory)
        passes_check(path)


@pytest.fixture(params=["sqlite", "postgresql"])
def rental_url(request: pytest.FixtureRequest, keys_env: Path) -> Iterator[str]:
    yield from fresh_database(request.param, keys_env)


def test_rental_chain_draft_erases_nothing_of_the_business(rental_url: str, keys_env: Path) -> None:
    """Film-rental shape: stores, inventory, films, cities and countries are never deleted; staff is `review`;
    the customer owns its address (each used by one customer), the city is not owned (used by many); payments
    are retained (on PostgreSQL through the partitioned parent, not its partitions); phones are not Belgian."""
    url = rental_url
    engine = sa.create_engine(url)
    build_rental(engine)
    engine.dispose()
    path, rules = draft(url, keys_env)
    passes_check(path)
    for table in ("store", "inventory", "film", "city", "country"):
        assert rules.get(table, {}).get("action") in (None, "review"), (table, rules.get(table))
    assert rules["staff"]["action"] == "review"
    assert rules["customer"]["owns"] == ["address_id"]
    assert rules["address"]["action"] == "delete" and "identify" not in rules["address"]
    assert "owns" not in rules["address"]
    assert rules["payment"]["action"] == "retain"
    assert not any(t.startswith("payment_p") for t in rules)
    assert rules["rental"]["action"] in ("review", "retain")
    text = path.read_text()
    assert "region BE" not in text and "region: BE" not in text
    assert any(f"region {r})" in text for r in ("US", "DE", "FR", "BR", "MX"))
    if url.startswith("postgresql"):
        assert "payment is partitioned (payment_p2022_01, payment_p2022_02)" in text


def test_trading_draft_retains_orders_and_passes_check(keys_env: Path) -> None:
    """Trader shape: orders and order details are invoicing (retained under the preset), employees are
    `review`, the category picture (bytes) gets no `redact`, and the draft passes check."""
    url = f"sqlite:///{keys_env / 'trading.db'}"
    engine = sa.create_engine(url)
    build_trading(engine)
    engine.dispose()
    path, rules = draft(url, keys_env)
    passes_check(path)
    assert rules["orders"]["action"] == "retain"
    assert rules["order_details"]["action"] == "retain"
    assert rules["employees"]["action"] == "review"
    for table in ("products", "categories"):
        assert rules.get(table, {}).get("action") in (None, "review"), (table, rules.get(table))
    for table in ("shippers", "suppliers", "customers"):  # businesses: the row stays, a contact's data may go
        assert rules.get(table, {}).get("action") in (None, "review", "anonymize"), (table, rules.get(table))
    assert "redact" not in str(rules.get("categories", {}).get("columns", {}))
    phone = yaml.safe_load(path.read_text())["identifiers"]["phone"]
    assert set(phone["region"]) == {"US", "DE", "FR", "BR", "MX"} and phone["country_column"] == "country"


def test_review_table_is_planned_but_erase_refuses(keys_env: Path) -> None:
    """A draft with an undecided table: `plan` shows the rows; `erase` refuses with one sentence naming the
    table and changes nothing."""
    url = f"sqlite:///{keys_env / 'rental.db'}"
    engine = sa.create_engine(url)
    build_rental(engine)
    path, rules = draft(url, keys_env)
    assert rules["staff"]["action"] == "review"
    with engine.connect() as conn:
        email = conn.execute(sa.text("SELECT email FROM customer WHERE customer_id = 7")).scalar_one()
        before = {t: conn.execute(sa.text(f"SELECT COUNT(*) FROM {t}")).scalar_one()
                  for t in sa.inspect(engine).get_table_names()}
    plan = run("plan", "--config", str(path), "--subject", f"email={email}")
    assert plan.exit_code == 0, plan.output
    erase = run("erase", "--config", str(path), "--subject", f"email={email}", "--yes")
    assert erase.exit_code == 2 and "Traceback" not in erase.output, erase.output
    (message,) = erase.stderr.strip().splitlines()
    assert "undecided (action: review)" in message and "staff" in message
    with engine.connect() as conn:
        after = {t: conn.execute(sa.text(f"SELECT COUNT(*) FROM {t}")).scalar_one() for t in before}
    assert after == before


def test_shared_parent_is_not_owned_and_says_why(tmp_path: Path) -> None:
    """A parent most rows share (a city used by many addresses) is not proposed as owned; the draft says why."""
    url = f"sqlite:///{tmp_path / 'rental.db'}"
    engine = sa.create_engine(url)
    build_rental(engine)
    found = discover(url)
    assert found.tables["city"].action is None
    assert "city_id" not in found.tables["address"].owns
    assert any("used by several" in r for r in found.tables["address"].reasons + found.tables["city"].reasons) \
        or found.tables["city"].role == "left_out"
    assert "customer" in render(found)


@pytest.mark.parametrize(("column", "category"), [
    ("voornaam", "first_name"), ("achternaam", "last_name"), ("rijksregisternummer", "national_id"),
    ("prénom", "first_name"), ("numéro de TVA", "vat_number"), ("Numéro_TVA", "vat_number"),
    ("btw-nummer", "vat_number"), ("nom de famille", "last_name"), ("geboortedatum", "date_of_birth")])
def test_dutch_and_french_names_stay_first_class(column: str, category: str) -> None:
    """Column names in Dutch and French, accents and word order included, read as their category."""
    from eraser.discover.names import name_category

    assert name_category(column) == category


def test_links_inferred_where_the_schema_declares_none(keys_env: Path) -> None:
    """A shop without foreign keys: `id_customer`, `id_order`, `id_customer_thread` become `links:` to the tables
    they name, each verified on the data and explained; orders and their details are retained; the shop's
    employees are `review`; the draft passes check and plan finds the subject's thread and address."""
    from tests.discover_shapes import build_shop_without_keys

    url = f"sqlite:///{keys_env / 'shop.db'}"
    engine = sa.create_engine(url)
    build_shop_without_keys(engine)
    path, rules = draft(url, keys_env)
    passes_check(path)
    assert {"column": "id_customer", "references": "sh_customer.id_customer"} in rules["sh_address"]["links"]
    assert {"column": "id_order", "references": "sh_orders.id_order"} in rules["sh_order_detail"]["links"]
    assert {"column": "id_customer_thread", "references": "sh_customer_thread.id_customer_thread"} in \
        rules["sh_customer_message"]["links"]
    assert rules["sh_orders"]["action"] == "retain" and rules["sh_order_detail"]["action"] == "retain"
    assert rules["sh_employee"]["action"] == "review"
    assert "identify" not in rules["sh_address"]  # a household's landline: the address is found via its customer
    assert "id_address_invoice" not in path.read_text().split("sh_orders:")[1]  # a reference, not an address
    assert "verified on the data" in path.read_text()
