"""Eraser without its extras: the core (SQLite, the CLI, the demo, JSON certificates) works with none of them
installed, and a command that needs one says which in one sentence, with no traceback and nothing changed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from eraser.extras import EXTRAS

RUNNER = """
import importlib.util, sys
BLOCKED = set(sys.argv[1].split(","))
class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, Blocker())
_find_spec = importlib.util.find_spec
importlib.util.find_spec = lambda name, package=None: (
    None if name.split(".")[0] in BLOCKED else _find_spec(name, package))
from eraser.cli import main
main(sys.argv[2:], prog_name="eraser")
"""
EVERY_EXTRA = ",".join(m for modules in EXTRAS.values() for m in modules)


def _eraser(*args: str, blocked: str = EVERY_EXTRA, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", RUNNER, blocked, *args], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


@pytest.fixture(scope="module")
def bare_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("bare") / "demo"
    result = _eraser("demo", "--dir", str(directory), "--persons", "12")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return directory


def test_the_demo_erases_and_certifies_with_no_extra_installed(bare_demo: Path) -> None:
    assert list(bare_demo.rglob("*.cert.json"))


def test_serve_names_the_daemon_extra(bare_demo: Path) -> None:
    result = _eraser("serve", "--config", str(next(bare_demo.glob("*.yaml"))), "--port", "0")
    assert result.returncode != 0
    assert "eraser serve needs the daemon extra" in result.stderr and "pip install 'eraser[daemon]'" in result.stderr
    assert "Traceback" not in result.stderr


def test_pdf_rendering_names_the_pdf_extra(bare_demo: Path) -> None:
    certificate = next(bare_demo.rglob("*.cert.json"))
    result = _eraser("certificate", "render", "--format", "pdf", str(certificate))
    assert result.returncode != 0
    assert "needs the pdf extra" in result.stderr and "pip install 'eraser[pdf]'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not list(certificate.parent.glob("*.pdf"))


def test_a_postgresql_connector_names_the_postgresql_extra(tmp_path: Path, bare_demo: Path) -> None:
    config = next(bare_demo.glob("*.yaml")).read_text(encoding="utf-8")
    import re

    pg = re.sub(r"url: .*sqlite[^\n]*", "url: postgresql+psycopg://postgres@127.0.0.1:5432/nowhere", config, count=1)
    path = bare_demo / "pg.yaml"
    path.write_text(pg, encoding="utf-8")
    result = _eraser("config", "check", str(path), blocked="psycopg")
    assert "the database driver psycopg is not installed; install it with pip install 'eraser[postgresql]'" in \
        result.stdout + result.stderr
    assert "Traceback" not in result.stderr
