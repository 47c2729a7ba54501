"""The README's daemon quick start, run line for line against a real `eraser demo --serve` process."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from eraser.demo import FOLLOW_UP_EMAIL
from eraser.proof.certificates import verify
from tests.test_daemon_processes import free_port

ROOT = Path(__file__).resolve().parents[1]


def quick_start_blocks() -> list[str]:
    """The ```sh blocks of the README's "Daemon quick start" section, in order."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Daemon quick start", 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
    return re.findall(r"```sh\n(.*?)```", section, re.DOTALL)


def exports_printed(proc: subprocess.Popen[str], timeout: float) -> dict[str, str]:
    """The `export NAME=value` lines the demo prints before it starts the daemon."""
    found: dict[str, str] = {}
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    while time.monotonic() < deadline and len(found) < 3:
        line = proc.stdout.readline()
        if not line:
            break
        match = re.match(r"\s*export (\w+)=(\S+)", line)
        if match:
            found[match.group(1)] = match.group(2)
    return found


@pytest.mark.slow
def test_readme_daemon_quick_start_runs_as_written(tmp_path: Path) -> None:
    """The first block starts the daemon (with a smaller demo and a free port added), the second is run
    verbatim by bash: it submits, approves with the second token, waits, fetches the certificate and the
    PDF. The certificate verifies, the PDF is one, and the person is gone from the demo database."""
    start, curls = quick_start_blocks()
    assert start.strip() == "eraser demo --serve"
    port = free_port()
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"}
    proc = subprocess.Popen([*start.split(), "--persons", "60", "--port", str(port)], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=(tmp_path / "daemon.log").open("w"), text=True)
    try:
        exports = exports_printed(proc, timeout=120)
        assert set(exports) == {"ERASER_URL", "HELPDESK_TOKEN", "DPO_TOKEN"}, exports
        assert exports["ERASER_URL"] == f"http://127.0.0.1:{port}"
        config = (tmp_path / "eraser-demo" / "cover_group.yaml").read_text()
        assert exports["HELPDESK_TOKEN"] not in config and exports["DPO_TOKEN"] not in config
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # the daemon's start is what the user waits for too
            if subprocess.run(["curl", "-sf", f"{exports['ERASER_URL']}/healthz"], capture_output=True).returncode == 0:
                break
            time.sleep(0.3)
        run = subprocess.run(["bash", "-euo", "pipefail", "-c", curls], cwd=tmp_path, env={**env, **exports},
                             capture_output=True, text=True, timeout=180)
        assert run.returncode == 0, run.stdout + run.stderr + (tmp_path / "daemon.log").read_text()
        assert "approved" in run.stdout and "valid" in run.stdout
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=60)
    assert code == 0, (tmp_path / "daemon.log").read_text()
    demo = tmp_path / "eraser-demo"
    result = verify(tmp_path / "marie.cert.json", [demo / "keys" / "eraser-signing.pub.pem"], partial=True)
    assert result.payload["ticket"]["reference"] == "HD-1001"
    assert (tmp_path / "marie.nl.pdf").read_bytes().startswith(b"%PDF")
    with sqlite3.connect(demo / "cover.db") as conn:  # our own query, not Eraser's
        assert conn.execute("SELECT count(*) FROM persons WHERE lower(email) = ?", (FOLLOW_UP_EMAIL,)).fetchone() == (0,)
