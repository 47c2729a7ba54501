"""Helpers shared by the tests of the other rights (export, restriction, suppression, replay, files, webhooks)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from click.testing import CliRunner, Result

from eraser.cli import main
from eraser.demo import DEMO_EMAIL
from eraser.proof.certificates import read_jws
from tests.daemon_helpers import InProcessDaemon


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


class LocalDaemon(InProcessDaemon):
    """An in-process daemon (API and worker) over a small SQLite demo under `root`."""

    def __init__(self, root: Path, extra: str = "", persons: int = 30) -> None:
        tokens = f"api:\n  tokens:\n    - {{name: helpdesk, sha256: {hashlib.sha256(TOKEN.encode()).hexdigest()}}}\n"
        super().__init__(root, tokens, TOKEN, extra, persons)

    def submit(self, kind: str, email: str = DEMO_EMAIL, ref: str | None = None,  # type: ignore[override]
               **extra: Any) -> dict[str, Any]:
        return super().submit(email, ref, kind=kind, **extra)
