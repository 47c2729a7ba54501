"""The package's face: the public API resolves, and importing a low module does not pull in the rest."""

from __future__ import annotations

import subprocess
import sys

import pytest

import eraser


@pytest.mark.parametrize("name", ["load_config", "plan_erasure", "erase_subject", "purge_tenant",
                                  "verify_certificate", "open_session", "parse_subject", "new_ticket"])
def test_each_name_of_the_api_is_callable(name: str) -> None:
    assert callable(getattr(eraser, name))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'erase_everything'"):
        eraser.erase_everything  # noqa: B018


def test_importing_the_config_does_not_import_the_engine() -> None:
    code = "import sys, eraser.config; print(sorted(m for m in sys.modules if m.startswith('eraser.')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "eraser.engine" not in out and "eraser.erasure" not in out, out
