"""The suppression list (seed 004, newsletter): after an erasure, a keyed hash of each normalized identifier is
kept, so an address that comes back (a re-import, a marketing list) can be recognized without being stored.

The hash is HMAC-SHA256 under the controller's secret over `TYPE:normalized value` (the same reference a legal
hold uses), so `eraser suppressed --email " Jan.Peeters@Example.be "` matches the erased `jan.peeters@example.be`.
Changing the secret empties the list in effect: keep the secret as long as the list.
"""

from __future__ import annotations

from typing import Any

from eraser.config import Config
from eraser.errors import SubjectError
from eraser.rights_state import RightsStore
from eraser.subjects import Subject, keyed_hash, parse_subject


def references(subject: Subject, secret: bytes) -> list[tuple[str, str]]:
    """(identifier type, keyed reference) of every identifier of the subject."""
    return [(t, "hmac-sha256:" + keyed_hash(secret, f"{t}:{v}")) for t in subject.types for v in subject.identifiers[t]]


def identifier_type(config: Config, kind: str) -> str:
    """The config's identifier type for `--email` or `--phone`: the one of that name, else the one of that kind."""
    if kind in config.identifiers:
        return kind
    named = sorted(name for name, t in config.identifiers.items() if t.kind == kind)
    if not named:
        raise SubjectError(f"{config.path} defines no identifier of kind '{kind}'.")
    return named[0]


def lookup(config: Config, rights: RightsStore, pairs: list[str]) -> dict[str, Any] | None:
    """The suppression entry of any of the given identifiers (TYPE=VALUE), or None."""
    subject = parse_subject(pairs, config)
    return rights.suppressed([ref for _, ref in references(subject, config.secret_bytes())])
