"""`eraser serve` as an operator runs it: the global log options, one JSON object per log line whatever a
library emits, SIGHUP reloads the config (validated first), and ticket ids by a unique prefix."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import httpx
import pytest
import structlog
from click.testing import CliRunner

from eraser.cli import main
from eraser.demo import prepare
from eraser.store.state import StateStore
from eraser.store.tables import now
from tests.test_daemon import DPO, HELPDESK
from tests.test_daemon_processes import free_port, healthy, wait_until

ROOT = Path(__file__).resolve().parents[1]


def noisy_daemon(config_path: str, state_url: str | None, host: str, port: int) -> None:
    """Stands in for the daemon: what a real one emits through structlog, stdlib logging and `warnings`."""
    structlog.get_logger("eraser.daemon.worker").info("daemon starting", port=port)
    structlog.get_logger("eraser.daemon.worker").error("something failed")
    logging.getLogger("sqlalchemy.engine").warning("a raw library log line")
    warnings.warn("a library warning", UserWarning, stacklevel=1)


@pytest.fixture
def serve_runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    import eraser.daemon.serve

    monkeypatch.setattr(eraser.daemon.serve, "serve", noisy_daemon)
    config = tmp_path / "c.yaml"
    config.write_text("{}")

    def run(*options: str) -> list[str]:
        logging.captureWarnings(False)  # as in a new process: an earlier test's capture was undone by pytest
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            result = CliRunner().invoke(main, [*options, "serve", "--config", str(config)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        logging.captureWarnings(False)
        return [line for line in result.stderr.splitlines() if line.strip()]

    return run


def test_serve_json_log_lines_are_json_even_for_library_warnings(serve_runner: Any) -> None:
    """With --log-format json every stderr line is one JSON object: structlog events, stdlib log records and
    Python warnings alike."""
    lines = serve_runner("--log-format", "json")
    events = [json.loads(line) for line in lines]  # fails on a raw line
    assert {"daemon starting", "something failed", "a raw library log line"} <= {e["event"] for e in events}
    assert any("a library warning" in e["event"] for e in events)


def test_serve_honours_log_level_and_console_format(serve_runner: Any) -> None:
    """--log-level ERROR drops the daemon's INFO lines; --log-format console writes no JSON."""
    lines = serve_runner("--log-format", "console", "--log-level", "ERROR")
    assert any("something failed" in line for line in lines)
    assert not any("daemon starting" in line for line in lines)
    assert not any(line.lstrip().startswith("{") for line in lines)
    default = serve_runner("--log-format", "json")
    assert any(json.loads(line)["event"] == "daemon starting" for line in default)  # INFO unless asked


def _ticket(store: StateStore, ticket_id: str) -> None:
    store.submit(kind="erase", subject_ref=f"ref-{ticket_id}", identifier_refs=[f"ref-{ticket_id}"],
                 identifier_types=["email"], sealed=None, ticket_id=ticket_id, external_ref=None,
                 received_at=now(), requested_by="helpdesk")


def test_ticket_commands_take_a_unique_id_prefix(tmp_path: Path) -> None:
    """`ticket show/approve/extend/reject` accept the start of an id; an ambiguous or unknown one is refused in
    one sentence and changes nothing."""
    config = prepare(tmp_path / "demo", persons=20)
    store = StateStore(f"sqlite:///{config.parent / 'eraser-state.db'}")
    store.migrate()
    for tid in ("aaaa1111-0000-4000-8000-000000000001", "aaaa2222-0000-4000-8000-000000000002",
                "bbbb3333-0000-4000-8000-000000000003"):
        _ticket(store, tid)
    runner = CliRunner()
    shown = runner.invoke(main, ["ticket", "show", "--config", str(config), "bbbb"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["id"] == "bbbb3333-0000-4000-8000-000000000003"
    ambiguous = runner.invoke(main, ["ticket", "reject", "--config", str(config), "aaaa", "--reason", "not ours"])
    assert ambiguous.exit_code != 0 and "more than one ticket starts with aaaa" in ambiguous.output
    assert ambiguous.output.count("\n") == 1 and "Traceback" not in ambiguous.output
    assert {store.ticket(t)["status"] for t in ("aaaa1111-0000-4000-8000-000000000001",  # type: ignore[index]
                                                "aaaa2222-0000-4000-8000-000000000002")} == {"received"}
    rejected = runner.invoke(main, ["ticket", "reject", "--config", str(config), "AAAA2", "--reason", "not ours"])
    assert rejected.exit_code == 0 and "aaaa2222" in rejected.output, rejected.output
    unknown = runner.invoke(main, ["ticket", "show", "--config", str(config), "cc%"])
    assert unknown.exit_code != 0 and unknown.output.count("\n") == 1
    store.dispose()


def tokens_yaml(**tokens: str) -> str:
    """An `api.tokens` block with these tokens (name=token), each allowed to read every ticket."""
    lines = "".join(f"    - {{name: {name}, sha256: {hashlib.sha256(token.encode()).hexdigest()}, roles: [read]}}\n"
                    for name, token in tokens.items())
    return f"api:\n  tokens:\n{lines}"


def _get(port: int, token: str) -> int:
    return httpx.get(f"http://127.0.0.1:{port}/tickets", headers={"Authorization": f"Bearer {token}"},
                     timeout=5).status_code


@pytest.mark.slow
def test_sighup_reloads_a_valid_config_and_keeps_the_old_one_on_a_bad_one(tmp_path: Path) -> None:
    """A real `eraser serve`: SIGHUP with a new token in the config makes the token valid; SIGHUP with a broken
    config logs one sentence and keeps serving with the previous config; SIGTERM then stops it cleanly. Every
    log line is JSON."""
    config = prepare(tmp_path / "demo", persons=20)
    original = config.read_text()
    config.write_text(original + tokens_yaml(helpdesk=HELPDESK))
    port, log = free_port(), tmp_path / "serve.log"
    proc = subprocess.Popen([sys.executable, "-m", "eraser", "--log-format", "json", "serve", "--config", str(config),
                             "--port", str(port)], cwd=ROOT, env=dict(os.environ), stdout=log.open("w"),
                            stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: healthy(port), 60, "the daemon to listen")
        assert _get(port, HELPDESK) == 200 and _get(port, DPO) == 401

        config.write_text(original + tokens_yaml(helpdesk=HELPDESK, dpo=DPO))
        proc.send_signal(signal.SIGHUP)
        wait_until(lambda: "config reloaded" in log.read_text() or proc.poll() is not None, 30, "the reload")
        assert proc.poll() is None, log.read_text()
        assert _get(port, DPO) == 200

        config.write_text(original + tokens_yaml(helpdesk=HELPDESK, dpo=DPO) + "approval: sometimes\n")
        proc.send_signal(signal.SIGHUP)
        wait_until(lambda: "config not reloaded" in log.read_text(), 30, "the refused reload")
        time.sleep(0.5)
        assert proc.poll() is None and _get(port, DPO) == 200 and _get(port, HELPDESK) == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=60)
    assert code == 0, log.read_text()
    events = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    refused = [e["event"] for e in events if e["event"].startswith("config not reloaded")]
    assert len(refused) == 1 and "approval" in refused[0] and refused[0].count(". ") == 0, refused
    assert events[-1]["event"] == "daemon stopped"
