"""Tenant purge over generated multi-tenant schemas on SQLite: integer, text and composite keys, single and composite
foreign keys, ON DELETE CASCADE or not. The oracle hashes every row with its own SQL: the purged tenant's rows are
gone, every other tenant's row is byte-identical, and the certificate counts what went."""

from __future__ import annotations

import hashlib
import tempfile
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eraser.config import load_config
from eraser.engine.session import open_session
from eraser.proof.certificates import generate_keys, read_jws
from eraser.store.state import StateStore

TENANTS = (1, 2, 3)
PURGED = 2


@dataclass(frozen=True)
class Spec:
    """One generated table: its key kind, its parent (by index) and how it refers to it."""

    text_key: bool
    composite_key: bool
    parent: int | None
    composite_fk: bool
    cascade: bool
    tenant_column: bool
    rows: tuple[int, ...]  # rows per tenant


@st.composite
def schemas(draw: st.DrawFn) -> list[Spec]:
    specs = []
    for i in range(draw(st.integers(1, 5))):
        parent = None if i == 0 else draw(st.integers(0, i - 1))
        specs.append(Spec(text_key=draw(st.booleans()), composite_key=draw(st.booleans()), parent=parent,
                          composite_fk=draw(st.booleans()), cascade=draw(st.booleans()),
                          tenant_column=i == 0 or draw(st.booleans()),
                          rows=tuple(draw(st.integers(0, 6)) for _ in TENANTS)))
    return specs


def build(engine: sa.Engine, specs: list[Spec], seed: int) -> sa.MetaData:
    meta = sa.MetaData()
    sa.Table("tenants", meta, sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
             sa.Column("code", sa.String(10), nullable=False, unique=True))
    keys: dict[int, list[tuple[int, Any]]] = {}
    rows: dict[str, list[dict[str, Any]]] = {"tenants": [{"id": t, "code": f"T{t}"} for t in TENANTS]}
    for i, s in enumerate(specs):
        key_type: Any = sa.String(20) if s.text_key else sa.Integer
        cols: list[Any] = [sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False,
                                     primary_key=s.composite_key),
                           sa.Column("id", key_type, primary_key=True, autoincrement=False),
                           sa.Column("email", sa.String(60)), sa.UniqueConstraint("id", "tenant_id")]
        if s.parent is not None:
            p = specs[s.parent]
            cols.append(sa.Column("parent_id", sa.String(20) if p.text_key else sa.Integer, nullable=False))
            composite = s.composite_fk or p.composite_key  # a parent keyed by (tenant, id) needs both
            local, remote = (["parent_id", "tenant_id"], [f"t{s.parent}.id", f"t{s.parent}.tenant_id"]) \
                if composite else (["parent_id"], [f"t{s.parent}.id"])
            cols.append(sa.ForeignKeyConstraint(local, remote, ondelete="CASCADE" if s.cascade else None))
        sa.Table(f"t{i}", meta, *cols)
        keys[i] = []
        rows[f"t{i}"] = []
        for t, n in zip(TENANTS, s.rows, strict=True):
            for j in range(n):
                number = (j * 7 + t * 3 + seed) % 97 * 10 + t if not s.composite_key else j
                key: Any = f"k{(number * 31) % 1000:03d}-{t}-{j}" if s.text_key else number
                row: dict[str, Any] = {"tenant_id": t, "id": key, "email": f"p{i}-{t}-{j}@x.test"}
                if s.parent is not None:
                    mine = [k for tt, k in keys[s.parent] if tt == t]
                    if not mine:
                        continue
                    row["parent_id"] = mine[(j * 5 + seed) % len(mine)]
                keys[i].append((t, key))
                rows[f"t{i}"].append(row)
    meta.create_all(engine)
    with engine.begin() as conn:
        for name, table_rows in rows.items():
            if table_rows:
                conn.execute(meta.tables[name].insert(), table_rows)
    return meta


def config(url: str, directory: Path, specs: list[Spec]) -> Path:
    tables: dict[str, Any] = {}
    for i, s in enumerate(specs):
        rule: dict[str, Any] = {"action": "delete"}
        if i == 0:
            rule["identify"] = {"email": "email"}
        if s.tenant_column:
            rule["tenant"] = "tenant_id"
        tables[f"t{i}"] = rule
    data = {"organisation": "Generated BV", "secret": "generated-secret-" + uuid.uuid4().hex,
            "signing": {"private_key": str(directory / "keys" / "eraser-signing.pem"),
                        "public_key": str(directory / "keys" / "eraser-signing.pub.pem")},
            "certificates": str(directory / "certificates"), "state": f"sqlite:///{directory / 'state.db'}",
            "tenants": {"table": "tenants", "key": "code", "batch_size": 3},
            "identifiers": {"email": {"kind": "email"}},
            "connectors": {"db": {"url": url, "tables": tables}}}
    path = directory / "generated.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def snapshot(engine: sa.Engine) -> dict[str, dict[Any, tuple[int, str]]]:
    meta = sa.MetaData()
    meta.reflect(engine)
    with engine.connect() as conn:
        return {t.name: {(r.tenant_id if "tenant_id" in t.c else r.id, r.id):
                         (r.tenant_id if "tenant_id" in t.c else r.id,
                          hashlib.sha256(repr(tuple(r)).encode()).hexdigest())
                         for r in conn.execute(sa.select(t))} for t in meta.sorted_tables}


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=schemas(), seed=st.integers(0, 50))
def test_generated_schemas_purge_only_the_tenant(specs: list[Spec], seed: int, keys_dir: Path) -> None:
    """Whatever the keys and foreign keys, only the purged tenant's rows go, and the certificate counts them."""
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        (directory / "keys").symlink_to(keys_dir)
        url = f"sqlite:///{directory / 'db.sqlite'}"
        engine = sa.create_engine(url)
        try:
            build(engine, specs, seed)
            path = config(url, directory, specs)
            before = snapshot(engine)
            store = StateStore(load_config(path).state or "")
            store.migrate()
            try:
                with open_session(load_config(path)) as session:
                    from eraser.purge import purge_tenant

                    result = purge_tenant(session, store, f"T{PURGED}", today=date(2026, 12, 1))
            finally:
                store.dispose()
            after = snapshot(engine)
        finally:
            engine.dispose()
        deleted = {}
        for table, rows in before.items():
            for key, (tenant, digest) in rows.items():
                if tenant != PURGED or table == "tenants":
                    assert after[table].get(key) == (tenant, digest), f"{table} {key} changed: {specs} seed {seed}"
                else:
                    assert key not in after[table], f"{table} {key} of the tenant remains: {specs} seed {seed}"
            if table != "tenants":
                deleted[table] = sum(1 for tenant, _d in rows.values() if tenant == PURGED)
        payload = read_jws(result.certificate.path)[1]
        assert payload["verification"]["result"] == "PASS"
        assert {t["table"]: t["counts"]["delete"] for db in payload["databases"] for t in db["tables"]} == deleted, \
            f"{specs} seed {seed}"


@pytest.fixture(scope="module")
def keys_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("generated-keys")
    generate_keys(directory)
    return directory
