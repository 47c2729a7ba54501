"""Shared fixtures: a fresh database per test on SQLite, PostgreSQL and MariaDB, the demo set-up, and a small
disk to fill.

PostgreSQL and MariaDB tests use the real servers (127.0.0.1:5432 user postgres, 127.0.0.1:3306 root).
Without ERASER_REQUIRE_SERVERS=1 a missing server skips those tests with the reason; with it, they fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml

from eraser.config import Config, load_config
from eraser.proof.certificates import generate_keys
from eraser.store.state import StateStore

SERVERS = {
    "postgresql": os.environ.get("ERASER_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
    "mariadb": os.environ.get("ERASER_TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/mysql"),
}
DIALECTS = ["sqlite", "postgresql", "mariadb"]
SHARED = Path(__file__).resolve().parents[2] / "shared"
_down: dict[str, str] = {}


@pytest.fixture(autouse=True, scope="session")
def schema_cache_of_the_run(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The reflected-schema cache of this test run (connectors.schema_cache), not the user's."""
    os.environ.setdefault("ERASER_SCHEMA_CACHE", str(tmp_path_factory.mktemp("schemas")))


def _server_engine(kind: str) -> sa.Engine:
    """An engine on the server's admin database; skips (or fails, if servers are required) when it is down."""
    if kind in _down:
        _unavailable(kind, _down[kind])
    engine = sa.create_engine(SERVERS[kind], isolation_level="AUTOCOMMIT",
                              connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as exc:
        engine.dispose()
        _down[kind] = str(exc.orig).splitlines()[0]
        _unavailable(kind, _down[kind])
    return engine


def _unavailable(kind: str, reason: str) -> None:
    message = f"{kind} server not reachable at {sa.engine.make_url(SERVERS[kind]).host}: {reason}"
    if os.environ.get("ERASER_REQUIRE_SERVERS") == "1":
        pytest.fail(message + " (ERASER_REQUIRE_SERVERS=1)")
    pytest.skip(message + "; set ERASER_REQUIRE_SERVERS=1 to make this a failure")


def fresh_database(kind: str, tmp_path: Path) -> Iterator[str]:
    """Create an empty database and yield its URL; drop it afterwards."""
    if kind == "sqlite":
        path = tmp_path / "test.db"
        sa.create_engine(f"sqlite:///{path}").connect().close()
        yield f"sqlite:///{path}"
        return
    admin = _server_engine(kind)
    name = f"eraser_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        if kind == "postgresql":
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        else:
            conn.execute(sa.text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
    url = sa.engine.make_url(SERVERS[kind]).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            if kind == "postgresql":
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            else:
                conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
        admin.dispose()


@pytest.fixture(params=DIALECTS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database on each dialect."""
    yield from fresh_database(request.param, tmp_path)


@dataclass
class DemoEnv:
    """The demo schema filled with a small population, keys, secret and the COVER GROUP config."""

    url: str
    config: Path
    directory: Path
    engine: sa.Engine

    @property
    def public_key(self) -> Path:
        return self.directory / "keys" / "eraser-signing.pub.pem"

    @property
    def certificates(self) -> Path:
        return self.directory / "certificates"


DEMO_PERSONS = 40


class ConfigFile:
    """A test set-up with a config file at `config_path`: the config loaded afresh, and its state store migrated."""

    config_path: Path

    @property
    def config(self) -> Config:
        return load_config(self.config_path)

    def store(self) -> StateStore:
        store = StateStore(self.config.state or "")
        store.migrate()
        return store


def tiny_config(tmp_path: Path, organisation: str, url: str, tables: dict[str, Any]) -> Path:
    """A config for a tiny inline schema at `url` (one connector `db`, erasing by email): a signing key generated
    under tmp_path/keys, a fresh secret, certificates and a SQLite state store beside it."""
    generate_keys(tmp_path / "keys")
    config = {"organisation": organisation, "secret": uuid.uuid4().hex,
              "signing": {"private_key": str(tmp_path / "keys" / "eraser-signing.pem"),
                          "public_key": str(tmp_path / "keys" / "eraser-signing.pub.pem")},
              "certificates": str(tmp_path / "certificates"), "state": f"sqlite:///{tmp_path / 'state.db'}",
              "identifiers": {"email": {"kind": "email"}},
              "connectors": {"db": {"url": url, "tables": tables}}}
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def cover_environment(url: str, directory: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the COVER GROUP config reads from the environment: the database URL, a fresh secret, a signing key
    generated under `directory`/keys, and `directory`/certificates."""
    generate_keys(directory / "keys")
    monkeypatch.setenv("COVER_DB_URL", url)
    monkeypatch.setenv("ERASER_SECRET", "test-secret-" + uuid.uuid4().hex)
    monkeypatch.setenv("ERASER_SIGNING_KEY", str(directory / "keys" / "eraser-signing.pem"))
    monkeypatch.setenv("ERASER_PUBLIC_KEY", str(directory / "keys" / "eraser-signing.pub.pem"))
    monkeypatch.setenv("ERASER_CERTIFICATES", str(directory / "certificates"))


@pytest.fixture
def demo_env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DemoEnv]:
    from eraser.demo import populate

    engine = sa.create_engine(db_url)
    populate(engine, persons=DEMO_PERSONS, seed=11)
    directory = tmp_path / "env"
    cover_environment(db_url, directory, monkeypatch)
    config = directory / "cover_group.yaml"  # a copy: the state store beside it stays in the test's directory
    shutil.copy(Path(__file__).resolve().parents[1] / "configs" / "cover_group.yaml", config)
    try:
        yield DemoEnv(db_url, config, directory, engine)
    finally:
        engine.dispose()


# -- a disk with no room left --------------------------------------------------------------------------------

@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MiB tmpfs (root only); skipped where the machine does not allow mounting one."""
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(directory: Path, leave: int) -> Path:
    """Fill the file system holding `directory` to all but `leave` bytes."""
    stats = os.statvfs(directory)
    filler = directory / "filler.bin"
    with open(filler, "wb") as fh:
        fh.write(b"x" * max(0, stats.f_bavail * stats.f_frsize - leave))
    return filler
