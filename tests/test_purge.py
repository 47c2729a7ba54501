"""End-of-contract purge of one tenant: scope, retained rows, export package, certificate, resume, dry run."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from click.testing import CliRunner

from eraser.engine.session import open_session
from eraser.proof.certificates import read_jws, verify
from eraser.purge import ACTIONS, verify_package
from eraser.purge import purge_tenant as purge
from tests.conftest import DIALECTS, ConfigFile, cover_environment, fresh_database

TENANT, TENANT_ID = "T002", 2
RETAINED = ("invoices", "invoice_lines", "payments")


@dataclass
class Env(ConfigFile):
    url: str
    config_path: Path
    directory: Path
    engine: sa.Engine


def _env(url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch_size: int = 40) -> Iterator[Env]:
    from eraser.demo import populate

    engine = sa.create_engine(url)
    populate(engine, persons=36, seed=11, tenants=3)
    directory = tmp_path / "env"
    cover_environment(url, directory, monkeypatch)
    data = yaml.safe_load((Path(__file__).resolve().parents[1] / "configs" / "cover_group.yaml").read_text())
    data["tenants"] = {"table": "tenants", "key": "code", "batch_size": batch_size}
    data["contracts"] = [{"tenant": TENANT, "ends_on": "2026-01-31", "action": "return_and_destroy"}]
    for table in ("persons", "projects"):
        data["connectors"]["cover"]["tables"][table]["tenant"] = "tenant_id"
    config_path = directory / "cover_group.yaml"
    config_path.write_text(yaml.safe_dump(data, sort_keys=False))
    try:
        yield Env(url, config_path, directory, engine)
    finally:
        engine.dispose()


@pytest.fixture(params=DIALECTS)
def env(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Env]:
    """Three tenants' data on each dialect, with a config that says how tables belong to tenants."""
    for url in fresh_database(request.param, tmp_path):
        yield from _env(url, tmp_path, monkeypatch)


@pytest.fixture
def sqlite_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Env]:
    """The same on SQLite only."""
    for url in fresh_database("sqlite", tmp_path):
        yield from _env(url, tmp_path, monkeypatch)


def snapshot(engine: sa.Engine) -> dict[str, dict[Any, str]]:
    """Every row of every table, by primary key, as a digest of its values."""
    meta = sa.MetaData()
    meta.reflect(engine)
    out: dict[str, dict[Any, str]] = {}
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            out[table.name] = {row[0]: hashlib.sha256(repr(tuple(row)).encode()).hexdigest()
                               for row in conn.execute(sa.select(table).order_by(table.c.id))}
    return out


def tenant_keys(engine: sa.Engine, tenant_id: int) -> dict[str, set[Any]]:
    """The tenant's rows in the demo schema, found by hand (independently of the engine)."""
    with engine.connect() as c:
        def ids(sql: str, **params: Any) -> set[Any]:
            return {r[0] for r in c.execute(sa.text(sql), params)}
        persons = ids("SELECT id FROM persons WHERE tenant_id = :t", t=tenant_id)
        projects = ids("SELECT id FROM projects WHERE tenant_id = :t OR person_id IN "
                       "(SELECT id FROM persons WHERE tenant_id = :t)", t=tenant_id)
        keys = {"persons": persons, "projects": projects}
        rows = {t: c.execute(sa.text(f"SELECT id, {fk} FROM {t}")).all() for t, fk in (
            ("photos", "project_id"), ("quotes", "project_id"), ("invoices", "person_id"),
            ("support_messages", "person_id"), ("usage_events", "person_id"))}
        for t, parent in (("photos", projects), ("quotes", projects), ("invoices", persons),
                          ("support_messages", persons), ("usage_events", persons)):
            keys[t] = {i for i, fk in rows[t] if fk in parent}
        for t in ("invoice_lines", "payments"):
            keys[t] = {i for i, fk in c.execute(sa.text(f"SELECT id, invoice_id FROM {t}")) if fk in keys["invoices"]}
        keys["addresses"] = {a for p, a in c.execute(sa.text("SELECT id, address_id FROM persons")) if p in persons} | \
            {a for p, a in c.execute(sa.text("SELECT id, site_address_id FROM projects")) if p in projects}
    return keys


def test_purge_tenant(env: Env) -> None:
    """A tenant's rows are deleted or anonymized, retained invoicing rows and other tenants' rows are byte-identical,
    foreign keys hold, the return package is complete and its digest is in the signed certificate."""
    before = snapshot(env.engine)
    mine = tenant_keys(env.engine, TENANT_ID)
    store = env.store()
    with open_session(env.config) as session:
        planned = purge(session, None, TENANT, dry_run=True)
        result = purge(session, store, TENANT, export_dir=env.directory / "return")
    store.dispose()
    after = snapshot(env.engine)
    assert result.verification["result"] == "PASS"
    assert result.totals() == planned.totals()  # the dry run predicted exactly what happened
    for table, rows in before.items():
        for key, digest in rows.items():
            if key not in mine.get(table, set()):
                assert after[table].get(key) == digest, f"{table} {key} of another tenant changed"
    totals = {a: 0 for a in ACTIONS}
    for table, keys in mine.items():
        for key in keys:
            if table in RETAINED and key in after[table]:
                assert after[table][key] == before[table][key], f"retained {table} {key} changed"
                totals["retain"] += 1
            elif key in after[table]:
                totals["anonymize" if after[table][key] != before[table][key] else "review"] += 1
        assert {k for k in after[table] if k in keys} <= keys
    assert totals["retain"] == result.totals()["retain"] > 0
    assert totals["anonymize"] == result.totals()["anonymize"] > 0
    assert totals["review"] == result.totals()["review"]  # shared with another tenant: left as it was
    assert result.totals()["delete"] > 0 and result.totals()["anonymize"] > 0
    with env.engine.connect() as conn:
        if env.engine.dialect.name == "sqlite":
            assert conn.execute(sa.text("PRAGMA foreign_key_check")).all() == []
    package = env.directory / "return"
    manifest = json.loads((package / "manifest.json").read_text())
    assert {f["path"] for f in manifest["files"]} >= {f"cover/{t}.jsonl" for t in mine} | {"README.txt"}
    jsonl = {f["path"]: f["rows"] for f in manifest["files"] if f["path"].endswith(".jsonl")}
    assert jsonl["cover/persons.jsonl"] == len(mine["persons"])
    payload = read_jws(result.certificate.path)[1]
    assert payload["export"]["manifest_sha256"] == verify_package(package)
    assert payload["certificate"]["type"] == "purge" and payload["tenant"]["code"] == TENANT
    assert payload["verification"]["result"] == "PASS" and payload["retained"]
    assert "Backups" in payload["remaining_copies"]["statement"]
    verify(result.certificate.path, [env.directory / "keys" / "eraser-signing.pub.pem"])


@pytest.mark.parametrize("stage", ["journaled", "committed"])
def test_resume_after_interruption(sqlite_env: Env, stage: str) -> None:
    """A purge interrupted in the middle of its batches (before or after a batch's commit) resumes at the next batch,
    and its totals are exactly those the dry run predicted."""
    env = sqlite_env
    store = env.store()
    calls = 0

    def interrupt(table: str, seq: int, when: str) -> None:
        nonlocal calls
        if when == stage:
            calls += 1
            if calls == 5:
                raise KeyboardInterrupt("killed")

    with open_session(env.config) as session:
        planned = purge(session, None, TENANT, dry_run=True)
        with pytest.raises(KeyboardInterrupt):
            purge(session, store, TENANT, on_batch=interrupt)
        result = purge(session, store, TENANT)
    store.dispose()
    assert result.resumed
    assert result.totals() == planned.totals()
    assert result.verification["result"] == "PASS"


def test_dry_run_changes_nothing(sqlite_env: Env) -> None:
    """A dry run prints rows per table and action and an estimated time, and changes no row and no state."""
    env = sqlite_env
    before = snapshot(env.engine)
    result = CliRunner().invoke(_main(), ["purge", "--config", str(env.config_path), "--tenant", TENANT, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "persons" in result.output and "Estimated time" in result.output and "nothing changed" in result.output
    assert snapshot(env.engine) == before
    assert not (env.directory / "certificates").exists()


def test_cli_purge_and_unknown_tenant(sqlite_env: Env) -> None:
    """`eraser purge --yes --export` purges and names the certificate; an unknown tenant is one sentence, exit 2."""
    env = sqlite_env
    runner = CliRunner()
    bad = runner.invoke(_main(), ["purge", "--config", str(env.config_path), "--tenant", "NOPE", "--yes"])
    assert bad.exit_code == 2
    assert bad.output.strip().count("\n") == 0 and "unknown tenant 'NOPE'" in bad.output
    ok = runner.invoke(_main(), ["purge", "--config", str(env.config_path), "--tenant", TENANT, "--yes",
                                 "--export", str(env.directory / "package")])
    assert ok.exit_code == 0, ok.output
    assert "verification PASS" in ok.output and "Certificate:" in ok.output
    assert (env.directory / "package" / "manifest.json").exists()
    assert not list(env.directory.glob(".package.tmp-*"))


def test_daemon_purge_ticket(sqlite_env: Env) -> None:
    """The scheduler's contract-end job records a purge ticket; the worker returns the data, purges and certifies."""
    from eraser.daemon.jobs import job_contract_end
    from eraser.daemon.worker import Worker

    env = sqlite_env
    store = env.store()
    job_contract_end(str(env.config_path), TENANT, "return_and_destroy")
    worker = Worker(env.config, store)
    try:
        assert worker.run_once()
    finally:
        worker.close()
    ticket = store.tickets()[0]
    store.dispose()
    assert ticket["kind"] == "purge" and ticket["status"] == "done_with_retention", ticket["last_error"]
    exports = list((env.directory / "exports").glob("purge-*/manifest.json"))
    assert len(exports) == 1
    certificate = next((env.directory / "certificates").glob("*.cert.json"))
    assert read_jws(certificate)[1]["export"]["manifest_sha256"] == verify_package(exports[0].parent)


def _main() -> Any:
    from eraser.cli import main

    return main



def test_a_stopping_daemon_leaves_a_purge_at_a_batch_boundary(sqlite_env: Env) -> None:
    """SIGTERM sets the worker's stop: the purge ends after the batch it is in, journaled, its claim released;
    the next start resumes at the next batch and certifies once, with the tenant's rows gone."""
    import threading

    from eraser.daemon.jobs import job_contract_end
    from eraser.daemon.worker import Worker

    env = sqlite_env
    store = env.store()
    job_contract_end(str(env.config_path), TENANT, "destroy")
    total = sum(len(keys) for keys in tenant_keys(env.engine, TENANT_ID).values())
    worker = Worker(env.config, store)
    worker.stop = threading.Event()
    worker.stop.set()  # as serve does on SIGTERM
    try:
        assert worker.run_once()
        ticket = store.tickets()[0]
        assert ticket["status"] == "running" and ticket["claimed_by"] is None, ticket
        left = sum(len(keys) for keys in tenant_keys(env.engine, TENANT_ID).values())  # our own SQL
        assert 0 < left < total, (left, total)  # one batch went, the rest waits
        assert not list((env.directory / "certificates").glob("*.cert.json"))
        worker.stop.clear()
        assert worker.run_once()
    finally:
        worker.close()
    ticket = store.tickets()[0]
    store.dispose()
    assert ticket["status"] in ("done", "done_with_retention"), ticket["last_error"]
    assert len(list((env.directory / "certificates").glob("*.cert.json"))) == 1
    kept = sum(len(keys) for keys in tenant_keys(env.engine, TENANT_ID).values())
    assert kept < left  # the resumed purge went on from where it stopped
