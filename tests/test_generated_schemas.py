"""Generated schemas: random small schemas and data, erased through `eraser erase` with a generated config, and
judged by the independent oracle (tests/oracle.py).

The schemas hold the traps real applications have: composite primary and foreign keys, text primary keys,
ON DELETE CASCADE / SET NULL / RESTRICT / NO ACTION, tables without a primary key, triggers that write other
tables (one copies the subject's address into a log), unicode values, several persons (one of them with the
subject's address spelled differently), retained invoices and unconfigured tables that refer to the subject.
Each case is built from one seed: SQLite under hypothesis, a fixed set of seeds on PostgreSQL and MariaDB, and a
PostgreSQL declarative partition. Where Eraser refuses (config check, residual scan), the test checks that the
refusal is one sentence, that it was expected, and that nothing changed.

A failure prints the seed, the DDL and the config; replay one case with
`ERASER_SCHEMA_SEED=<seed> pytest tests/test_generated_schemas.py -k replay`.
"""

from __future__ import annotations

import os
import random
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from eraser.cli import main
from eraser.proof.certificates import generate_keys, read_jws
from tests import oracle
from tests.conftest import fresh_database

EMAIL = "Zoe.Ünal-test@example.be".replace("Ü", "U")  # addresses are ASCII here; names and keys are not
NAMES = ["Zoë Ünal", "Jürgen Þór", "Łucja Ŝmith", "Ана Петрова", "李 雷", "Chloé Dœuf", "Seán Ó Sé"]
ON_DELETE = ["CASCADE", "SET NULL", "RESTRICT", "NO ACTION"]


@dataclass
class Spec:
    """One generated case: tables (SQLAlchemy), rows with their owner, config rules, triggers, and what to expect."""

    seed: int
    metadata: sa.MetaData = field(default_factory=sa.MetaData)
    rows: dict[str, list[tuple[dict[str, Any], int | None]]] = field(default_factory=dict)  # row, owner
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    triggers: list[tuple[str, str, str]] = field(default_factory=list)  # (table, event, value expression)
    refusal: list[str] = field(default_factory=list)  # why Eraser must refuse, if it must
    may_refuse: list[str] = field(default_factory=list)  # why it may (the oracle judges it if it does not)
    subjects: set[int] = field(default_factory=lambda: {0})

    def add(self, table: str, row: dict[str, Any], owner: int | None) -> dict[str, Any]:
        self.rows.setdefault(table, []).append((row, owner))
        return row


def _pk_columns(rng: random.Random, kind: str) -> list[sa.Column[Any]]:
    if kind == "int":
        return [sa.Column("id", sa.Integer, primary_key=True, autoincrement=False)]
    if kind == "text":
        return [sa.Column("code", sa.String(40), primary_key=True)]
    if kind == "composite":
        return [sa.Column("tenant", sa.String(10), primary_key=True),
                sa.Column("id", sa.Integer, primary_key=True, autoincrement=False)]
    return []


def _pk_value(kind: str, n: int, rng: random.Random) -> dict[str, Any]:
    if kind == "int":
        return {"id": n}
    if kind == "text":
        return {"code": f"k-{rng.choice(['Ünï', 'ßé', '東', 'plain'])}-{n}"}
    if kind == "composite":
        return {"tenant": rng.choice(["T1", "T2"]), "id": n}
    return {}


def build(seed: int) -> Spec:
    """The case of one seed."""
    rng = random.Random(seed)
    spec = Spec(seed)
    meta = spec.metadata
    persons = rng.randint(3, 6)
    if rng.random() < 0.3:
        spec.subjects.add(1)  # the same person, stored with another spelling of the address
    counter = iter(range(1, 10_000))
    kinds = {"customers": rng.choice(["int", "text", "composite"])}
    pk_cols: dict[str, list[str]] = {}
    cust = sa.Table("customers", meta, *_pk_columns(rng, kinds["customers"]),
                    sa.Column("email", sa.String(120), nullable=False), sa.Column("name", sa.String(80)))
    pk_cols["customers"] = [c.name for c in cust.primary_key.columns]
    spec.rules["customers"] = {"action": "delete", "identify": {"email": "email"},
                               "columns": {"email": "faker:email", "name": "faker:name"}}
    for p in range(persons):
        email = (f"  {EMAIL.upper()} " if p == 1 else EMAIL) if p in spec.subjects else f"other{p}@example.be"
        spec.add("customers", {**_pk_value(kinds["customers"], next(counter), rng), "email": email,
                               "name": rng.choice(NAMES)}, p)
    configured = {"customers"}
    for i in range(1, rng.randint(2, 5)):
        parents = [t for t in pk_cols if pk_cols[t]]
        parent = rng.choice(parents)
        kind = rng.choice(["int", "text", "composite", "int", "none"])
        on_delete = rng.choice(ON_DELETE)
        name = f"t{i}_{kind}"
        fk_cols = [f"p_{c}" for c in pk_cols[parent]]
        parent_table = meta.tables[parent]
        cols = [sa.Column(f, parent_table.c[c].type.__class__(*([40] if isinstance(parent_table.c[c].type, sa.String)
                                                                    else [])),
                          nullable=on_delete == "SET NULL" or rng.random() < 0.3)
                for f, c in zip(fk_cols, pk_cols[parent], strict=True)]
        sa.Table(name, meta, *_pk_columns(rng, kind), *cols, sa.Column("note", sa.String(200), nullable=False),
                 sa.ForeignKeyConstraint(fk_cols, [f"{parent}.{c}" for c in pk_cols[parent]], ondelete=on_delete))
        pk_cols[name] = [c.name for c in meta.tables[name].primary_key.columns]
        is_configured = parent in configured and rng.random() < (0.2 if kind == "none" else 0.8)
        if is_configured:
            configured.add(name)
            action = rng.choice(["delete", "delete", "anonymize"])
            rule: dict[str, Any] = {"action": action}
            if action == "anonymize" or rng.random() < 0.5:
                rule["columns"] = {"note": "redact"}
            spec.rules[name] = rule
            if kind == "none":
                spec.refusal.append(f"configured table {name} has no primary key")
        for parent_row, owner in list(spec.rows.get(parent, [])):
            for _ in range(rng.randint(0, 2)):
                personal = owner in spec.subjects and rng.random() < (0.4 if is_configured else 0.1)
                row = {**_pk_value(kind, next(counter), rng),
                       **{f: parent_row[c] for f, c in zip(fk_cols, pk_cols[parent], strict=True)},
                       "note": f"mail {EMAIL.lower()} about it" if personal else f"note {rng.choice(NAMES)}"}
                spec.add(name, row, owner)
                if personal and name not in configured:
                    spec.refusal.append(f"unconfigured table {name} holds the subject's address")
        if rng.random() < 0.2 and all(c.nullable for c in cols):  # an orphan row nobody owns
            spec.add(name, {**_pk_value(kind, next(counter), rng), **{f: None for f in fk_cols}, "note": "orphan"},
                     None)
    if rng.random() < 0.5:
        sa.Table("invoices", meta, sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
                 *[sa.Column(f"c_{c}", cust.c[c].type.__class__(*([40] if isinstance(cust.c[c].type, sa.String)
                                                                   else [])), nullable=False)
                   for c in pk_cols["customers"]],
                 sa.Column("amount", sa.Integer, nullable=False),
                 sa.ForeignKeyConstraint([f"c_{c}" for c in pk_cols["customers"]],
                                         [f"customers.{c}" for c in pk_cols["customers"]]))
        spec.rules["invoices"] = {"action": "retain", "retain": {
            "basis": "invoices are kept ten years under tax law", "period": "10y", "from": "request"}}
        configured.add("invoices")
        for crow, owner in list(spec.rows["customers"]):
            if rng.random() < 0.6:
                spec.add("invoices", {"id": next(counter), **{f"c_{c}": crow[c] for c in pk_cols["customers"]},
                                      "amount": rng.randint(1, 999)}, owner)
    if rng.random() < 0.4:  # no primary key, not configured, refers to customers
        sa.Table("audit", meta, *[sa.Column(f"c_{c}", cust.c[c].type.__class__(
            *([40] if isinstance(cust.c[c].type, sa.String) else []))) for c in pk_cols["customers"]],
                 sa.Column("event", sa.String(60)),
                 sa.ForeignKeyConstraint([f"c_{c}" for c in pk_cols["customers"]],
                                         [f"customers.{c}" for c in pk_cols["customers"]],
                                         ondelete=rng.choice(["CASCADE", "SET NULL"])))
        for crow, owner in list(spec.rows["customers"]):
            if rng.random() < 0.5:
                spec.add("audit", {**{f"c_{c}": crow[c] for c in pk_cols["customers"]},
                                   "event": rng.choice(["login", "logout", "päßwörd reset"])}, owner)
    if rng.random() < 0.5:
        sa.Table("change_log", meta, sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                 sa.Column("tbl", sa.String(40)), sa.Column("info", sa.String(200)))
        deletable = sorted(t for t in configured if spec.rules[t]["action"] == "delete")
        spec.triggers.append((rng.choice(deletable), "DELETE", "'deleted'"))
        if rng.random() < 0.3:
            for event in ("DELETE", "UPDATE"):
                spec.triggers.append(("customers", event, "OLD.email"))
            spec.may_refuse.append("a trigger copies the subject's address into change_log")  # unless kept
    spec.rules = {t: r for t, r in spec.rules.items() if t in configured}
    return spec


def _trigger_sql(dialect: str, n: int, table: str, event: str, value: str) -> list[str]:
    insert = f"INSERT INTO change_log (tbl, info) VALUES ('{table}', {value})"
    if dialect == "sqlite":
        return [f"CREATE TRIGGER trg_{n} AFTER {event} ON {table} FOR EACH ROW BEGIN {insert}; END"]
    if dialect == "postgresql":
        return [f"CREATE FUNCTION trg_{n}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {insert}; RETURN OLD; "
                "END $$",
                f"CREATE TRIGGER trg_{n} AFTER {event} ON {table} FOR EACH ROW EXECUTE FUNCTION trg_{n}()"]
    return [f"CREATE TRIGGER trg_{n} AFTER {event} ON {table} FOR EACH ROW {insert}"]


def ddl(spec: Spec, engine: sa.Engine) -> str:
    """The schema as the database was given it, to replay a failure."""
    tables = [str(sa.schema.CreateTable(t).compile(engine)).strip() for t in spec.metadata.sorted_tables]
    triggers = [s for n, (t, e, v) in enumerate(spec.triggers) for s in _trigger_sql(engine.dialect.name, n, t, e, v)]
    return ";\n".join(tables + triggers) + ";"


def create(spec: Spec, url: str) -> sa.Engine:
    engine = sa.create_engine(url)
    spec.metadata.create_all(engine)
    with engine.begin() as conn:
        for t in spec.metadata.sorted_tables:
            if spec.rows.get(t.name):
                conn.execute(t.insert(), [r for r, _ in spec.rows[t.name]])
        for n, (t, e, v) in enumerate(spec.triggers):
            for statement in _trigger_sql(engine.dialect.name, n, t, e, v):
                conn.execute(sa.text(statement))
    return engine


def config_for(spec: Spec, url: str, keys: Path, directory: Path) -> Path:
    config = {"organisation": "Generated Test BV", "secret": "generated-" + uuid.uuid4().hex,
              "signing": {"private_key": str(keys / "eraser-signing.pem"),
                          "public_key": str(keys / "eraser-signing.pub.pem")},
              "certificates": str(directory / "certificates"), "state": f"sqlite:///{directory / 'state.db'}",
              "identifiers": {"email": {"kind": "email"}},
              "connectors": {"db": {"url": url, "tables": spec.rules}}}
    path = directory / "generated.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def subject_keys(spec: Spec, snap: oracle.Snapshot, owners: set[int]) -> dict[str, set[tuple[Any, ...]]]:
    """The oracle's keys of the erased person's rows in configured tables, from the generator's owners."""
    out: dict[str, set[tuple[Any, ...]]] = {}
    for table, rows in spec.rows.items():
        if table not in spec.rules:
            continue
        pk = [c.name for c in spec.metadata.tables[table].primary_key.columns]
        mine = {tuple(oracle._text(r[c]) for c in pk) for r, owner in rows if owner in owners and pk}
        out[table] = {k for k in snap.keys(table) if k in mine}
    return out


def erase_one(spec: Spec, engine: sa.Engine, config: Path, directory: Path, email: str, owners: set[int],
              refusal: list[str], may_refuse: list[str]) -> str:
    """Erase one person through the CLI and judge it with the oracle; what happened, in a few words."""
    before = oracle.snapshot(engine)
    issued = set((directory / "certificates").glob("*.cert.json"))
    result = CliRunner().invoke(main, ["erase", "--config", str(config), "--subject", f"email={email}", "--yes"],
                                catch_exceptions=False)
    after = oracle.snapshot(engine)
    certificates = sorted(set((directory / "certificates").glob("*.cert.json")) - issued)
    if result.exit_code != 0:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: ") and "Traceback" not in result.output, \
            result.output
        assert refusal or may_refuse, f"refused without a reason the case knows of: {lines[0]}"
        assert oracle.unchanged(before, after) == [], lines[0]
        assert certificates == []
        return f"refused: {(refusal or may_refuse)[0]}"
    assert not refusal, f"should have refused ({'; '.join(refusal)}):\n{result.output}"
    (certificate,) = certificates
    payload = read_jws(certificate)[1]
    assert payload["verification"]["result"] == "PASS", payload["verification"]
    spellings = [email, email.strip().lower()]
    problems = oracle.check(before, after, payload, spellings, subject_keys(spec, before, owners), set(spec.rules))
    assert problems == [], "\n".join(problems)
    return f"erased: {payload['outcome']}"


def run_case(spec: Spec, url: str, keys: Path, directory: Path) -> str:
    """Create; erase the subject, then (if that worked) another person, each judged by the oracle."""
    engine = create(spec, url)
    try:
        config = config_for(spec, url, keys, directory)
        replay = f"seed {spec.seed}\n-- DDL\n{ddl(spec, engine)}\n-- config\n{config.read_text(encoding='utf-8')}"
        note(replay) if currently_in_test_context() else print(replay)  # shown with a failure
        first = erase_one(spec, engine, config, directory, EMAIL, spec.subjects, spec.refusal, spec.may_refuse)
        if first.startswith("erased"):  # person 2 is never the subject, and their rows never name anyone
            erase_one(spec, engine, config, directory, "other2@example.be", {2}, [], spec.may_refuse)
        return first
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("keys")
    generate_keys(directory)
    return directory


def _fresh(kind: str, directory: Path) -> Any:
    return fresh_database(kind, directory)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**31 - 1))
def test_generated_schema_on_sqlite(seed: int, keys: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Any generated schema on SQLite: erased as the oracle expects, or refused with a sentence and unchanged."""
    directory = tmp_path_factory.mktemp("case")
    databases = _fresh("sqlite", directory)
    url = next(databases)
    event(run_case(build(seed), url, keys, directory))


SERVER_SEEDS = [3, 7, 11, 19, 23, 42]


@pytest.mark.parametrize("kind", ["postgresql", "mariadb"])
@pytest.mark.parametrize("seed", SERVER_SEEDS)
def test_generated_schema_on_servers(kind: str, seed: int, keys: Path, tmp_path: Path) -> None:
    """A fixed set of generated schemas on PostgreSQL and MariaDB, judged by the same oracle."""
    for url in fresh_database(kind, tmp_path):
        run_case(build(seed), url, keys, tmp_path)


@pytest.mark.skipif("ERASER_SCHEMA_SEED" not in os.environ, reason="set ERASER_SCHEMA_SEED to replay one case")
def test_replay_one_seed(keys: Path, tmp_path: Path) -> None:
    """One case again, by its seed, on the dialect in ERASER_SCHEMA_DIALECT (default sqlite)."""
    for url in fresh_database(os.environ.get("ERASER_SCHEMA_DIALECT", "sqlite"), tmp_path):
        run_case(build(int(os.environ["ERASER_SCHEMA_SEED"])), url, keys, tmp_path)


PARTITIONED = [
    "CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR(120) NOT NULL, name VARCHAR(80))",
    "CREATE TABLE events (id INTEGER NOT NULL, customer_id INTEGER NOT NULL REFERENCES customers (id), "
    "at DATE NOT NULL, note VARCHAR(200), PRIMARY KEY (id, at)) PARTITION BY RANGE (at)",
    "CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
    "CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')",
    # partitioned, found by its own identifier column, and without any foreign key
    "CREATE TABLE visits (id INTEGER NOT NULL, email VARCHAR(120), at DATE NOT NULL, PRIMARY KEY (id, at)) "
    "PARTITION BY RANGE (at)",
    "CREATE TABLE visits_old PARTITION OF visits FOR VALUES FROM (MINVALUE) TO ('2026-01-01')",
    "CREATE TABLE visits_new PARTITION OF visits FOR VALUES FROM ('2026-01-01') TO (MAXVALUE)",
    f"INSERT INTO customers VALUES (1, '{EMAIL}', 'Zoë Ünal'), (2, 'other@example.be', 'Jürgen Þór')",
    "INSERT INTO events VALUES (1, 1, '2025-03-01', 'a'), (2, 1, '2026-03-01', 'b'), (3, 2, '2025-05-01', 'c'), "
    "(4, 2, '2026-06-01', 'd')",
    f"INSERT INTO visits VALUES (1, '{EMAIL.upper()}', '2025-01-02'), (2, '{EMAIL}', '2026-02-03'), "
    "(3, 'other@example.be', '2026-02-03')",
]


def test_postgresql_declarative_partitions(keys: Path, tmp_path: Path) -> None:
    """Partitioned tables on PostgreSQL (one with a foreign key on every partition, one without any): the rows of
    the subject go from the partitioned tables and so from their partitions; everyone else's stay."""
    for url in fresh_database("postgresql", tmp_path):
        engine = sa.create_engine(url)
        try:
            with engine.begin() as conn:
                for statement in PARTITIONED:
                    conn.execute(sa.text(statement))
            spec = Spec(0)
            spec.rules = {"customers": {"action": "delete", "identify": {"email": "email"}},
                          "events": {"action": "delete"}, "visits": {"action": "delete", "identify": {"email": "email"}}}
            config = config_for(spec, url, keys, tmp_path)
            before = oracle.snapshot(engine)
            result = CliRunner().invoke(main, ["erase", "--config", str(config), "--subject", f"email={EMAIL}",
                                               "--yes"], catch_exceptions=False)
            assert result.exit_code == 0, result.output
            (certificate,) = (tmp_path / "certificates").glob("*.cert.json")
            events = {("int:1", "2025-03-01"), ("int:2", "2026-03-01")}
            visits = {("int:1", "2025-01-02"), ("int:2", "2026-02-03")}
            mine = {"customers": {("int:1",)}, "events": events, "visits": visits,
                    "events_2025": events, "events_2026": events, "visits_old": visits, "visits_new": visits}
            problems = oracle.check(before, oracle.snapshot(engine), read_jws(certificate)[1], [EMAIL], mine,
                                    set(spec.rules))
            assert problems == [], "\n".join(problems)
            assert "customers                     1 row(s): delete 1" in result.output, result.output
        finally:
            engine.dispose()
