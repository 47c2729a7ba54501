"""Erasure on the Fides sample shops (PostgreSQL and MariaDB), loaded from ../shared at test time.

The samples declare no foreign keys and share addresses between customers: address 1 is customer 1's
home and customer 2's billing and shipping address, address 2 is customer 2's home and the shipping
address of customer 1's first order, and customer 1's order ord_ddd-ddd was paid with customer 2's card.
Every test snapshots every table, erases one subject through the CLI, and checks that exactly the
subject's rows changed.
"""

from __future__ import annotations

import shutil
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from eraser.cli import main
from eraser.engine.verify import row_digest
from eraser.proof.certificates import generate_keys, verify
from tests.conftest import SHARED, fresh_database

FIDES = SHARED / "fides_example"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CONFIGS = {"postgresql": FIXTURES / "fides_postgres.yaml", "mariadb": FIXTURES / "fides_mariadb.yaml"}
URL_VARIABLES = {"postgresql": "FIDES_POSTGRES_URL", "mariadb": "FIDES_MARIADB_URL"}

CUSTOMER_1 = "customer-1@example.com"
JANE = "jane@example.com"

# The subject's rows, told by the sample's own columns rather than by the config under test.
OWN_ROWS = {
    "customer": "id = :c",
    "orders": "customer_id = :c",
    "order_item": "order_id IN (SELECT id FROM orders WHERE customer_id = :c)",
    "payment_card": "customer_id = :c",
    "login": "customer_id = :c",
    "visit": "email = :e",
    "service_request": "email = :e OR alt_email = :e",
    "composite_pk_test": "customer_id = :c",
}
# Customer 2's rows and the shared addresses: they must come out byte-identical.
UNTOUCHED = {
    "customer": "id = 2",
    "payment_card": "id = 'pay_bbb-bbb'",
    "orders": "id = 'ord_bbb-bbb'",
    "address": "id IN (1, 2)",
}


@dataclass
class Shop:
    """A fresh database holding one Fides sample, with keys, secret and the matching Eraser config."""

    kind: str
    engine: sa.Engine
    config: Path
    public_key: Path

    def erase(self, email: str) -> dict[str, Any]:
        """Erase through the CLI and return the verified certificate's payload."""
        result = CliRunner().invoke(main, ["erase", "--config", str(self.config), "--subject", f"email={email}",
                                           "--yes"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        path = Path(result.output.rsplit("Certificate: ", 1)[1].strip())
        return verify(path, [self.public_key]).payload

    def tables(self) -> list[sa.Table]:
        """Every table, reflected from the live database."""
        meta = sa.MetaData()
        schemas = ["public", "backup_schema"] if self.kind == "postgresql" else [None]
        for schema in schemas:
            meta.reflect(self.engine, schema=schema)
        return sorted(meta.tables.values(), key=lambda t: t.fullname)

    def snapshot(self) -> dict[str, Counter[str]]:
        """Every row of every table (both schemas on PostgreSQL), as a multiset of row digests."""
        with self.engine.connect() as conn:
            return {t.fullname: Counter(row_digest(dict(r._mapping)) for r in conn.execute(sa.select(t)))
                    for t in self.tables()}

    def rows(self, where: dict[str, str], **params: object) -> dict[str, Counter[str]]:
        """Digests of the rows each table's condition selects (tables the sample lacks are left out)."""
        names = {t.name: t.fullname for t in self.tables() if t.schema in (None, "public")}
        with self.engine.connect() as conn:
            return {names[table]: Counter(row_digest(dict(r._mapping)) for r in
                                          conn.execute(sa.text(f"SELECT * FROM {table} WHERE {cond}"), params))
                    for table, cond in where.items() if table in names}

    def count(self, sql: str) -> int:
        """The single number a query returns."""
        with self.engine.connect() as conn:
            return conn.execute(sa.text(sql)).scalar_one()


def _statements(sql: str) -> list[str]:
    """The statements of a plain SQL script (no procedures, no semicolon inside a literal)."""
    lines = [line for line in sql.splitlines() if not line.lstrip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def load_postgres(engine: sa.Engine) -> None:
    script = (FIDES / "sql" / "postgres_sample.sql").read_text(encoding="utf-8")
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cur:
            for statement in _statements(script):
                cur.execute(statement)
        raw.commit()
    finally:
        raw.close()


def load_mariadb(engine: sa.Engine, primary_keys: bool = True) -> None:
    schema = (FIDES / "sql" / "mariadb_example_schema.sql").read_text(encoding="utf-8")
    data = (FIDES / "sql" / "mariadb_example_data.sql").read_text(encoding="utf-8")
    # The user and GRANT lines before CREATE DATABASE are the other tool's container set-up.
    schema = schema[schema.index("CREATE DATABASE"):]
    # The fresh test database replaces the sample's fixed mariadb_example database.
    statements = [s for s in _statements(schema) + _statements(data)
                  if not s.upper().startswith(("CREATE DATABASE", "USE "))]
    if primary_keys:  # Eraser addresses rows by primary key; the PostgreSQL sample has these two
        statements += ["ALTER TABLE order_item ADD PRIMARY KEY (order_id, item_no)",
                       "ALTER TABLE visit ADD PRIMARY KEY (email, last_visit)"]
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cur:
            cur.execute("SET SESSION explicit_defaults_for_timestamp = 1")  # no ON UPDATE CURRENT_TIMESTAMP
            for statement in statements:
                cur.execute(statement)
        raw.commit()
    finally:
        raw.close()


def _shop(kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, primary_keys: bool = True) -> Iterator[Shop]:
    if not FIDES.is_dir():
        pytest.skip(f"the Fides sample databases are not present at {FIDES}")
    databases = fresh_database(kind, tmp_path)
    url = next(databases)
    engine = sa.create_engine(url)
    try:
        if kind == "postgresql":
            load_postgres(engine)
        else:
            load_mariadb(engine, primary_keys)
        keys = tmp_path / "keys"
        generate_keys(keys)
        monkeypatch.setenv(URL_VARIABLES[kind], url)
        monkeypatch.setenv("ERASER_SECRET", "test-secret-" + uuid.uuid4().hex)
        monkeypatch.setenv("ERASER_SIGNING_KEY", str(keys / "eraser-signing.pem"))
        monkeypatch.setenv("ERASER_PUBLIC_KEY", str(keys / "eraser-signing.pub.pem"))
        monkeypatch.setenv("ERASER_CERTIFICATES", str(tmp_path / "certificates"))
        config = tmp_path / CONFIGS[kind].name  # a copy: the state store beside it stays in the test's directory
        shutil.copy(CONFIGS[kind], config)
        yield Shop(kind, engine, config, keys / "eraser-signing.pub.pem")
    finally:
        engine.dispose()
        databases.close()


@pytest.fixture(params=["postgresql", "mariadb"])
def shop(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Shop]:
    """A Fides sample shop on each server dialect."""
    yield from _shop(request.param, tmp_path, monkeypatch)


@pytest.fixture
def postgres_shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Shop]:
    """The PostgreSQL sample shop (the only one that holds Jane)."""
    yield from _shop("postgresql", tmp_path, monkeypatch)


@pytest.fixture
def mariadb_shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Shop]:
    """The MariaDB sample shop (no Jane)."""
    yield from _shop("mariadb", tmp_path, monkeypatch)


@pytest.fixture
def mariadb_as_shipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Shop]:
    """The MariaDB sample shop exactly as its scripts create it: order_item and visit lack a primary key."""
    yield from _shop("mariadb", tmp_path, monkeypatch, primary_keys=False)


def assert_only_removed(before: dict[str, Counter[str]], after: dict[str, Counter[str]],
                        removed: dict[str, Counter[str]]) -> None:
    """`after` is `before` minus exactly the `removed` rows: every other row of every table is byte-identical."""
    assert set(after) == set(before)
    for table in before:
        gone = removed.get(table, Counter())
        assert not gone - before[table], f"{table}: expected rows to remove are not in the snapshot"
        assert after[table] == before[table] - gone, f"{table}: rows other than the subject's changed"


def test_customer_1_is_erased_and_customer_2_is_untouched(shop: Shop) -> None:
    """John (customer 1) loses his customer row, orders, order items, card, logins, visit, service request
    (and note on PostgreSQL); every other row, among them Jill's row, card and order and the two shared
    addresses, is byte-identical; the shared addresses are listed for review in a certificate that verifies."""
    before = shop.snapshot()
    own = shop.rows(OWN_ROWS, c=1, e=CUSTOMER_1)
    kept = shop.rows(UNTOUCHED)
    sizes = {t.split(".")[-1]: sum(c.values()) for t, c in own.items()}
    expected = {"customer": 1, "orders": 3, "order_item": 4, "payment_card": 1, "login": 6, "visit": 1,
                "service_request": 1}
    if shop.kind == "postgresql":
        expected["composite_pk_test"] = 1
    assert sizes == expected
    assert {t.split(".")[-1]: sum(c.values()) for t, c in kept.items()} == \
        {"customer": 1, "payment_card": 1, "orders": 1, "address": 2}

    payload = shop.erase(CUSTOMER_1)

    after = shop.snapshot()
    assert_only_removed(before, after, own)
    for table, rows in kept.items():
        assert not rows - after[table], f"{table}: customer 2's row or a shared address changed"
    assert shop.count("SELECT count(*) FROM address WHERE id IN (1, 2)") == 2
    assert payload["verification"]["result"] == "PASS"
    assert payload["outcome"] == "erased_with_rows_for_review"
    assert payload["totals"] == {"delete": sum(expected.values()), "anonymize": 0, "retain": 0, "hold": 0,
                                 "review": 2}
    review = payload["review"]
    assert {r["table"] for r in review} == {"address"}
    assert sum(r["rows"] for r in review) == 2
    assert all(r["reason"].startswith("shared: ") for r in review)


def test_customer_2_keeps_the_card_customer_1_paid_with(shop: Shop) -> None:
    """Erasing Jill (customer 2): her card pays customer 1's order ord_ddd-ddd, so it is shared and stays
    unchanged for review, and her customer row it refers to stays anonymized; her other rows go; every row of
    customer 1 and both shared addresses are byte-identical."""
    before = shop.snapshot()
    removed = shop.rows({**{t: c for t, c in OWN_ROWS.items() if t not in ("customer", "payment_card")},
                         "customer": "id = 2"}, c=2, e="customer-2@example.com")
    john = shop.rows({**OWN_ROWS, "address": "id IN (1, 2)"}, c=1, e=CUSTOMER_1)

    payload = shop.erase("customer-2@example.com")

    after = shop.snapshot()
    for table, rows in john.items():
        assert not rows - after[table], f"{table}: a row of customer 1 or a shared address changed"
    for table in before:
        assert before[table] - after[table] == removed.get(table, Counter()), f"{table}: unexpected rows changed"
    added = {t.split(".")[-1]: sum((after[t] - before[t]).values()) for t in after if after[t] - before[t]}
    assert added == {"customer": 1}  # the anonymized customer row; the shared card is unchanged
    with shop.engine.connect() as conn:
        jill = conn.execute(sa.text("SELECT email, name, address_id FROM customer WHERE id = 2")).one()
    assert jill.email != "customer-2@example.com" and jill.name != "Jill Customer" and jill.address_id == 2
    assert payload["verification"]["result"] == "PASS"
    assert payload["totals"]["anonymize"] == 1 and payload["totals"]["review"] == 3


def test_jane_is_erased_with_her_own_address(postgres_shop: Shop) -> None:
    """Jane (customer 3, PostgreSQL only) loses her row, order, card, login, note and address 4, which only her
    rows use; everything else is byte-identical, and nothing is left for review."""
    shop = postgres_shop
    before = shop.snapshot()
    own = shop.rows({**OWN_ROWS, "address": "id = 4"}, c=3, e=JANE)
    assert {t.split(".")[-1]: sum(c.values()) for t, c in own.items() if c} == \
        {"customer": 1, "orders": 1, "payment_card": 1, "login": 1, "composite_pk_test": 1, "address": 1}

    payload = shop.erase(JANE)

    # The loyalty row named 'Jane Customer' is reachable only through a loyalty_id, which this request lacks.
    assert_only_removed(before, shop.snapshot(), own)
    assert payload["verification"]["result"] == "PASS"
    assert payload["outcome"] == "erased"
    assert payload["totals"] == {"delete": 6, "anonymize": 0, "retain": 0, "hold": 0, "review": 0}
    assert payload["review"] == []


def test_jane_is_not_in_the_mariadb_sample(mariadb_shop: Shop) -> None:
    """On MariaDB Jane does not exist: nothing changes, and the certificate says nothing was found."""
    before = mariadb_shop.snapshot()

    payload = mariadb_shop.erase(JANE)

    assert mariadb_shop.snapshot() == before
    assert payload["outcome"] == "nothing_found"
    assert payload["verification"]["result"] == "PASS"
    assert not any(payload["totals"].values())
    assert payload["review"] == []
    tables = payload["databases"][0]["tables"]
    assert tables and all(t["found"] == 0 for t in tables)


def test_mariadb_sample_without_primary_keys_is_refused(mariadb_as_shipped: Shop, tmp_path: Path) -> None:
    """Loaded as shipped, two MariaDB tables have no primary key: the erasure stops before any change and
    names the table, rather than leaving that table's rows of the subject behind."""
    shop = mariadb_as_shipped
    before = shop.snapshot()

    result = CliRunner().invoke(main, ["erase", "--config", str(shop.config), "--subject", f"email={CUSTOMER_1}",
                                       "--yes"])

    assert result.exit_code != 0
    assert "has no primary key" in result.output and "order_item" in result.output, result.output
    assert shop.snapshot() == before
    assert not list(tmp_path.glob("certificates/*.cert.json"))


def test_card_referenced_in_another_case_is_kept(mariadb_shop: Shop) -> None:
    """MariaDB compares keys case-insensitively: an order of customer 2 that names customer 1's card as
    'PAY_AAA-AAA' still uses that card, so erasing customer 1 leaves the shared card unchanged for review
    instead of leaving the order pointing at a deleted card."""
    shop = mariadb_shop
    with shop.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO orders VALUES ('ord_zzz-zzz', 2, 2, 'PAY_AAA-AAA')"))
    order = shop.rows({"orders": "id = 'ord_zzz-zzz'"})
    card = shop.rows({"payment_card": "id = 'pay_aaa-aaa'"})

    payload = shop.erase(CUSTOMER_1)

    assert not next(iter(order.values())) - shop.snapshot()["orders"]
    assert not next(iter(card.values())) - shop.snapshot()["payment_card"]  # unchanged
    assert payload["verification"]["result"] == "PASS"
    assert any(r["table"] == "payment_card" and "orders" in r["reason"] for r in payload["review"])


def test_verification_refuses_a_dangling_declared_link(mariadb_shop: Shop, monkeypatch: pytest.MonkeyPatch) -> None:
    """The samples have no foreign keys, so the database cannot catch a deleted row that is still referred
    to: verification checks every declared link itself and rolls back. A plan that compares keys exactly
    (blind to the case-insensitive collation) stands in for any planning mistake."""
    import eraser.engine.plan

    shop = mariadb_shop
    with shop.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO orders VALUES ('ord_zzz-zzz', 2, 2, 'PAY_AAA-AAA')"))
    monkeypatch.setattr(eraser.engine.plan, "_fold", lambda key: key)
    before = shop.snapshot()

    result = CliRunner().invoke(main, ["erase", "--config", str(shop.config), "--subject", f"email={CUSTOMER_1}",
                                       "--yes"])

    assert result.exit_code != 0
    assert "rolled back" in result.output and "link orders(payment_card_id) -> payment_card(id)" in result.output
    assert shop.snapshot() == before
