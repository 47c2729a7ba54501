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

from importlib import import_module
from typing import Any

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
