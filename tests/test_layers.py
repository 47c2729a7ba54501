"""The package's layers hold: nothing low imports anything high."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_layers_contract_is_kept() -> None:
    """pyproject.toml's import-linter contract (function-local imports included). In its own process: import-linter
    configures logging with dictConfig, which would switch off every logger the other tests have made."""
    code = ("import sys\nfrom importlinter.cli import lint_imports\n"
            f"sys.exit(lint_imports(config_filename={str(ROOT / 'pyproject.toml')!r}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("layer", ["eraser.engine", "eraser.proof", "eraser.store"])
def test_kernel_layers_never_reach_the_daemon_or_cli(layer: str) -> None:
    """A direct check that does not rely on the contract's wording: import the layer alone and look at what
    came with it."""
    code = (f"import sys, pkgutil, importlib, {layer} as p\n"
            "for m in pkgutil.walk_packages(p.__path__, p.__name__ + '.'):\n"
            "    if 'migrations' not in m.name: importlib.import_module(m.name)\n"
            "print(' '.join(sorted(m for m in sys.modules if m.startswith(('eraser.cli', 'eraser.daemon', 'eraser.demo')))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
