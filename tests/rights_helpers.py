"""Helpers shared by the tests of the other rights (export, restriction, suppression, replay, files, webhooks)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from click.testing import CliRunner, Result

from eraser.cli import main
from eraser.demo import DEMO_EMAIL
from eraser.proof.certificates import read_jws


def run(*args: str) -> Result:
    """The CLI in-process; a traceback fails the test."""
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def variant(config: Path, tmp_path: Path, *replacements: tuple[str, str], extra: str = "",
            name: str = "variant.yaml") -> Path:
    """A copy of a config beside the original (so relative paths resolve the same), with texts replaced."""
    text = config.read_text()
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = config.with_name(name)
    path.write_text(text + extra)
    return path


def certificate_of(output: str) -> dict[str, Any]:
    """The payload of the certificate a command printed the path of."""
    path = Path(output.rsplit("Certificate: ", 1)[1].split()[0])
    return read_jws(path)[1]


def person_id(engine: sa.Engine, email: str = DEMO_EMAIL) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT id FROM persons WHERE email = :e"), {"e": email}).scalar_one())


def table_rows(engine: sa.Engine, table: str) -> dict[Any, dict[str, Any]]:
    """Every row of a table by id."""
    with engine.connect() as conn:
        return {r.id: dict(r._mapping) for r in conn.execute(sa.text(f"SELECT * FROM {table}"))}


def grep_bytes(paths: list[Path], needle: str) -> list[str]:
    """Files (and SQLite side files) whose bytes contain the needle, in any case."""
    hits = []
    for path in paths:
        if path.is_file() and needle.lower().encode() in path.read_bytes().lower():
            hits.append(path.name)
    return hits


def dump_json(value: Any) -> str:
    return json.dumps(value, default=str, sort_keys=True)


TOKEN = "rights-test-token"


class LocalDaemon:
    """An in-process daemon (API and worker) over a small SQLite demo under `root`."""

    def __init__(self, root: Path, extra: str = "", persons: int = 30) -> None:
        import hashlib

        from fastapi.testclient import TestClient

        from eraser.config import load_config
        from eraser.daemon.api import create_app
        from eraser.daemon.worker import Worker
        from eraser.demo import prepare
        from eraser.store.state import StateStore

        self.root = root
        self.config_path = prepare(root, persons=persons, seed=5)
        with self.config_path.open("a") as fh:
            fh.write(f"api:\n  tokens:\n    - {{name: helpdesk, sha256: {hashlib.sha256(TOKEN.encode()).hexdigest()}}}\n"
                     + extra)
        self.config = load_config(self.config_path)
        self.store = StateStore(self.config.state or "")
        self.store.migrate()
        self.client = TestClient(create_app(self.config, self.store))
        self.worker = Worker(self.config, self.store)

    def submit(self, kind: str, email: str = DEMO_EMAIL, ref: str | None = None) -> dict[str, Any]:
        response = self.client.post("/tickets", json={"kind": kind, "subject": {"email": email}, "external_ref": ref,
                                                      "requested_by": "helpdesk agent 7"},
                                    headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status_code in (200, 201), response.text
        return dict(response.json())

    def ticket(self, ticket_id: str) -> dict[str, Any]:
        response = self.client.get(f"/tickets/{ticket_id}", headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status_code == 200, response.text
        return dict(response.json())

    def drain(self) -> int:
        done = 0
        while self.worker.run_once():
            done += 1
        return done

    def close(self) -> None:
        self.worker.close()
        self.store.dispose()
