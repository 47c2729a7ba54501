"""The demo as a new user runs it, and the README as its reference."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from eraser.cli import main
from eraser.demo import DEMO_EMAIL, FOLLOW_UP_EMAIL

ROOT = Path(__file__).resolve().parents[1]


def test_demo_builds_erases_and_verifies(tmp_path: Path) -> None:
    """`eraser demo` builds 1,000 persons, erases one, and verifies its certificate; all under --dir."""
    directory = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", "--dir", str(directory)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Verification: PASS" in result.output and "verified: valid" in result.output
    assert {p.name for p in directory.iterdir()} >= {"cover.db", "cover_group.yaml", "keys", "certificates", "logs"}
    cert = next(directory.glob("certificates/*.cert.json"))
    again = CliRunner().invoke(main, ["certificate", "verify", str(cert), "--public-key",
                                      str(directory / "keys" / "eraser-signing.pub.pem")])
    assert again.exit_code == 0 and again.output.startswith("valid"), again.output
    check = CliRunner().invoke(main, ["config", "check", str(directory / "cover_group.yaml")])
    assert check.exit_code == 0 and "0 error(s)" in check.output, check.output


def test_readme_documents_every_command() -> None:
    """Each CLI command appears in the README's CLI reference."""
    readme = (ROOT / "README.md").read_text()
    commands = []
    for name, command in main.commands.items():
        sub = getattr(command, "commands", None)
        commands += [f"eraser {name} {s}" for s in sub] if sub else [f"eraser {name}"]
    missing = [c for c in commands if not re.search(re.escape(c) + r"\b", readme)]
    assert not missing, f"undocumented in README.md: {missing}"


def test_demo_twice_leaves_a_register_without_flags(tmp_path: Path) -> None:
    """Running the demo again starts the state store and the certificate chain afresh together, so `eraser
    register` finds one ticket with its one certificate and flags nothing."""
    directory = tmp_path / "demo"
    for _ in range(2):
        result = CliRunner().invoke(main, ["demo", "--dir", str(directory), "--persons", "30"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    register = CliRunner().invoke(main, ["register", "--config", str(directory / "cover_group.yaml"),
                                         "--format", "json"], catch_exceptions=False)
    assert register.exit_code == 0, register.output
    rows = json.loads(register.output)
    assert len(rows) == 1 and rows[0]["flags"] == [] and len(rows[0]["certificates"]) == 1, rows
    assert len(list(directory.glob("certificates/*.cert.json"))) == 1


def test_demo_names_a_person_who_is_still_there(tmp_path: Path) -> None:
    """The follow-up example the demo prints is a person the demo did not erase: our own query finds her."""
    directory = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", "--dir", str(directory), "--persons", "30"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert f"--subject email={FOLLOW_UP_EMAIL}" in result.output
    with sqlite3.connect(directory / "cover.db") as conn:
        assert conn.execute("SELECT count(*) FROM persons WHERE email = ?", (FOLLOW_UP_EMAIL,)).fetchone() == (1,)
        assert conn.execute("SELECT count(*) FROM persons WHERE email = ?", (DEMO_EMAIL,)).fetchone() == (0,)
    readme = (ROOT / "README.md").read_text()
    assert f"--subject email={FOLLOW_UP_EMAIL}" in readme
