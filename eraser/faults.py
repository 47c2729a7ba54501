"""Faults on purpose, by name, to show that every path is recoverable (the fault-injection tests set
ERASER_FAULT in the daemon's environment; nothing else does).

`ERASER_FAULT=enospc:WHERE:N` makes the first N writes at WHERE fail as a full disk would (ENOSPC), N 1 if
left out: `reserve` (the space reservation before an erasure), `certificate` (the certificate file, after its
temporary file was created) or `log` (the transparency-log append). `ERASER_FAULT=STEP` (eraser.daemon) kills
the process at a named step of a ticket instead.
"""

from __future__ import annotations

import errno
import os
from collections import Counter
from pathlib import Path

import structlog

log = structlog.get_logger("eraser.faults")
PLACES = ("reserve", "certificate", "log")
_injected: Counter[str] = Counter()


def disk(where: str, path: Path) -> None:
    """Raise ENOSPC at `where` if ERASER_FAULT asks for it and it has not happened often enough yet."""
    spec = os.environ.get("ERASER_FAULT", "")
    if not spec.startswith("enospc:"):
        return
    _, place, *count = spec.split(":")
    if place != where:
        return
    limit = int(count[0]) if count and count[0].isdigit() else 1
    if _injected[where] >= limit:
        return
    _injected[where] += 1
    log.warning("enospc injected", where=where, time=_injected[where])
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
