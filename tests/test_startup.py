"""What a whole `eraser erase --yes` process imports: only what an erasure uses.

Each test runs the command in a process of its own, as the `eraser` script does (`from eraser.cli import main`,
with argv[0] `eraser`), on a SQLite database, and reads the modules it had loaded when it exited.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from eraser.config import load_config
from eraser.demo import DEMO_EMAIL, populate
from eraser.store.state import StateStore
from tests.conftest import cover_environment, tiny_config

CONFIG = Path(__file__).resolve().parents[1] / "configs" / "cover_group.yaml"
ROOT = Path(__file__).resolve().parents[1]
NEVER = (  # what an erasure never needs: rendering, HTTP, the daemon, discovery, purge, sweep, migrations
    "rich", "pygments", "reportlab", "pyhanko", "babel", "fastapi", "starlette", "uvicorn", "httpx", "anyio",
    "prometheus_client", "apscheduler", "alembic", "pymysql", "eraser.daemon", "eraser.discover", "eraser.purge",
    "eraser.sweep", "eraser.proof.pdf", "eraser.proof.pdf_verify", "eraser.demo", "eraser.checks")
NOT_SQLITE = (  # an erasure in SQLite databases (the state store is one too) loads no other dialect or driver
    "sqlalchemy.dialects.postgresql", "sqlalchemy.dialects.mysql", "psycopg", "psycopg_binary", "pymysql")
RUN = """
import atexit, json, os, sys
atexit.register(lambda: open(os.environ["MODULES_OUT"], "w").write(json.dumps(sorted(sys.modules))))
sys.argv[0] = "eraser"
from eraser.cli import main
main()
"""


def modules_of_erase(config: Path, subject: str, tmp_path: Path) -> set[str]:
    """The modules of `eraser erase --yes`, its state store created first (a new one is migrated with Alembic)."""
    StateStore(load_config(config).state or "").migrate()
    out = tmp_path / "modules.json"
    done = subprocess.run([sys.executable, "-c", RUN, "erase", "--config", str(config), "--subject", subject,
                           "--yes"], capture_output=True, text=True, cwd=ROOT, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "MODULES_OUT": str(out)})
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Certificate: " in done.stdout
    return set(json.loads(out.read_text()))


def loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


def test_an_erasure_with_the_shipped_config_imports_no_renderer_server_or_discovery(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped config's erasure (Faker replacements included) loads no rich, PDF, HTTP, daemon, discovery,
    purge or migration code."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    populate(sa.create_engine(url), persons=20, seed=3)
    cover_environment(url, tmp_path, monkeypatch)
    config = tmp_path / "cover_group.yaml"  # a copy: its state store beside it
    config.write_text(CONFIG.read_text())
    modules = modules_of_erase(config, f"email={DEMO_EMAIL}", tmp_path)
    assert "faker" in modules and "eraser.engine.execute" in modules  # it did erase, with replacements
    assert loaded(modules, (*NEVER, *NOT_SQLITE)) == []


def test_an_erasure_without_faker_strategies_does_not_import_faker(tmp_path: Path) -> None:
    """Faker (its import scans every locale of every provider) is imported only where a `faker:` strategy is
    checked or used."""
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    with sa.create_engine(url).begin() as conn:
        conn.execute(sa.text("CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR(80), name VARCHAR(80))"))
        conn.execute(sa.text("INSERT INTO customers VALUES (1, 'an@example.be', 'An'), (2, 'bo@example.be', 'Bo')"))
    config = tiny_config(tmp_path, "Shop BV", url, {"customers": {
        "action": "delete", "identify": {"email": "email"}, "columns": {"email": "hash", "name": "redact"}}})
    modules = modules_of_erase(config, "email=an@example.be", tmp_path)
    assert loaded(modules, ("faker", *NEVER, *NOT_SQLITE)) == []
    with sa.create_engine(url).connect() as conn:
        assert conn.execute(sa.text("SELECT id FROM customers")).scalars().all() == [2]


def test_help_imports_no_database_or_crypto_library() -> None:
    """`eraser --help` loads the command definitions only: no SQLAlchemy, driver, pydantic, Faker or cryptography."""
    code = ("import json, sys\nsys.argv[0] = 'eraser'\nfrom eraser.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    print(json.dumps(sorted(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-2000:]
    modules = set(json.loads(done.stdout.splitlines()[-1]))
    assert "eraser.cli.daemon" in modules  # every command is listed
    assert loaded(modules, ("sqlalchemy", "psycopg", "pydantic", "faker", "cryptography", "joserfc", *NEVER)) == []


def test_a_database_error_in_a_command_is_one_sentence_without_values(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line imports SQLAlchemy only with the commands that use it, and still turns its errors into
    one sentence (the driver's text may quote row values) with exit code 3."""
    from click.testing import CliRunner

    import eraser.config
    from eraser.cli import main

    def failing(_path: object) -> None:
        raise sa.exc.OperationalError("SELECT secret", {}, Exception("row value jan@example.be"))

    monkeypatch.setattr(eraser.config, "load_config", failing)
    result = CliRunner().invoke(main, ["plan", "--config", "x.yaml", "--subject", "email=jan@example.be"])
    assert result.exit_code == 3, result.output
    assert result.stderr.strip() == ("Error: database error (OperationalError); the transaction was rolled back and "
                                     "nothing was changed.")


def test_collection_is_off_only_while_the_command_starts() -> None:
    """The `eraser` command imports without garbage collection and turns it on in its group callback; a
    multiprocessing child with the command's argv (the daemon's worker never runs that callback) and a program that
    imports eraser keep it on."""
    probe = ("import sys{setup}\nsys.argv[0] = {argv!r}\nimport gc, eraser\nprint(gc.isenabled())\n"
             "from click.testing import CliRunner\nfrom eraser.cli import main\n"
             "CliRunner().invoke(main, ['subject-ref', '--help'])\nprint(gc.isenabled())")
    for argv, setup, expected in (("/usr/local/bin/eraser", "", "False\nTrue"),
                                  ("/usr/local/bin/eraser", "\nimport multiprocessing.spawn", "True\nTrue"),
                                  ("app.py", "", "True\nTrue")):
        done = subprocess.run([sys.executable, "-c", probe.format(setup=setup, argv=argv)], capture_output=True,
                              text=True, cwd=ROOT, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert done.stdout.split() == expected.split(), (argv, setup, done.stdout, done.stderr[-1000:])


FAKER_PROBE = """
import collections, contextlib, json, pkgutil, sys
listed = collections.Counter()
original = pkgutil.iter_importer_modules
def counting(importer, prefix=''):
    listed[str(getattr(importer, 'path', ''))] += 1
    return original(importer, prefix)
pkgutil.iter_importer_modules = counting
import eraser.engine.anonymize as anonymize
if sys.argv[1] == 'plain':
    anonymize._faker_packages_listed_once = contextlib.nullcontext
fake = anonymize.make_faker(['nl_BE', 'fr_BE'], seed=11)
values = [fake.first_name(), fake.last_name(), fake.email(), fake.phone_number(), fake.street_name(), fake.iban(),
          fake.uuid4(), fake['fr_BE'].phone_number()]
print(json.dumps({'values': values, 'providers': sorted(dir(fake['nl_BE'])) + sorted(dir(fake['fr_BE'])),
                  'listings': sum(listed.values()), 'directories': len(listed),
                  'restored': pkgutil.iter_modules.__module__ == 'pkgutil'}))
"""


def test_faker_lists_each_of_its_directories_once_and_builds_the_same_faker() -> None:
    """Faker's import and a first Faker in two locales list its 20 package directories 58 times (pkgutil); make_faker
    lists each once, and the Faker it builds has the same providers and, seeded alike, makes the same values as one
    built with pkgutil left alone."""
    def probe(mode: str) -> dict[str, object]:
        done = subprocess.run([sys.executable, "-c", FAKER_PROBE, mode], capture_output=True, text=True, cwd=ROOT,
                              timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert done.returncode == 0, done.stderr[-2000:]
        result: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
        return result

    once, plain = probe("once"), probe("plain")
    assert plain["listings"] > plain["directories"]  # 58 listings of 20 directories with Faker 40
    assert once["listings"] == once["directories"] == plain["directories"]
    assert once["values"] == plain["values"] and once["providers"] == plain["providers"]
    assert once["restored"] and plain["restored"]
