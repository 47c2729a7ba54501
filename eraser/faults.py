"""Faults on purpose, by name, to show that every path is recoverable (the fault-injection tests set
ERASER_FAULT in the daemon's environment; nothing else does).

`ERASER_FAULT=enospc:WHERE:N` makes the first N writes at WHERE fail as a full disk would (ENOSPC), N 1 if
left out: `reserve` (the space reservation before an erasure), `certificate` (the certificate file, after its
temporary file was created) or `log` (the transparency-log append). `ERASER_FAULT=STEP` (eraser.daemon.worker)
kills the process at a named step of a ticket instead, and `ERASER_FAULT=STEP@N` the Nth time it reaches a step
that recurs: `purge-journaled` (a purge batch executed and journaled, its transaction not committed) or
`purge-committed` (committed, not yet marked done). With `ERASER_FAULT_GATE=PATH` the kill waits until PATH exists,
so that a test can make the kill happen after another process is up.
"""

from __future__ import annotations

import errno
import os
import signal
import time
from collections import Counter
from pathlib import Path

import structlog

log = structlog.get_logger("eraser.faults")
PLACES = ("reserve", "certificate", "log")
_injected: Counter[str] = Counter()
_reached: Counter[str] = Counter()


def kill(step: str) -> None:
    """SIGKILL this process the Nth time it reaches `step`, when ERASER_FAULT is `STEP@N`."""
    name, _, count = os.environ.get("ERASER_FAULT", "").partition("@")
    if name != step or not count.isdigit():
        return
    _reached[step] += 1
    if _reached[step] == int(count):
        gate = os.environ.get("ERASER_FAULT_GATE")
        deadline = time.monotonic() + 300
        while gate and not Path(gate).exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        log.warning("fault injected", step=step, time=_reached[step])
        os.kill(os.getpid(), signal.SIGKILL)


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
