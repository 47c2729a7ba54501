"""Eraser: erase personal data from production databases and prove it.

The public API (imported on first use, so that `import eraser.config` stays light):

    load_config(path)                                  -> Config                 eraser.config
    plan_erasure(session, config, subject, day)        -> Plan (nothing changes) eraser.erasure
    erase_subject(config, subject, ticket)             -> Erased                 eraser.erasure
    purge_tenant(session, store, tenant)               -> PurgeResult            eraser.purge
    verify_certificate(path, keys)                     -> Verified               eraser.proof.chain

with open_session(config) (eraser.engine.session), parse_subject(identifiers, config) (eraser.subjects) and
new_ticket() (eraser.tickets). The layers, top to bottom, are drawn in README.md ("Architecture").
"""

from __future__ import annotations

import gc
import sys
from importlib import import_module
from pathlib import Path
from typing import Any


def _structlog_without_rich() -> None:
    """structlog renders tracebacks with `rich` when it can import it, local variables included: values the
    redaction of eraser.logging never sees. Eraser configures plain tracebacks, so structlog is imported with
    rich hidden (it is in a virtualenv only as a development tool's dependency); this also spares every process
    rich's import, about 35 ms. `import rich` works as usual afterwards."""
    if "structlog" in sys.modules or "rich" in sys.modules:
        return
    sys.modules["rich"] = None  # type: ignore[assignment]  # what `import rich` in structlog takes as absent
    try:
        import structlog  # noqa: F401
    finally:
        del sys.modules["rich"]


def _start_up() -> None:
    """The `eraser` command collects no garbage while it imports: the ~160,000 objects its imports create all
    live until exit, and collecting them cost about 50 ms. The command's group callback (eraser.cli.main) freezes
    them and turns collection on again. A program that imports eraser is left alone, and so is a multiprocessing
    child of the command (the daemon's worker: it has the command's argv, but never runs the callback)."""
    if Path((getattr(sys, "argv", None) or [""])[0]).name == "eraser" and "multiprocessing" not in sys.modules:
        gc.disable()


_start_up()
_structlog_without_rich()

__version__ = "0.1.0"
SOFTWARE_NAME = "eraser-agent"

_API = {
    "load_config": ("eraser.config", "load_config"),
    "plan_erasure": ("eraser.erasure", "plan_erasure"),
    "erase_subject": ("eraser.erasure", "erase_subject"),
    "purge_tenant": ("eraser.purge", "purge_tenant"),
    "verify_certificate": ("eraser.proof.chain", "verify"),
    "open_session": ("eraser.engine.session", "open_session"),
    "parse_subject": ("eraser.subjects", "parse_subject"),
    "new_ticket": ("eraser.tickets", "new_ticket"),
}
__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    if name in _API:
        module, attr = _API[name]
        return getattr(import_module(module), attr)
    raise AttributeError(f"module 'eraser' has no attribute {name!r}")
