"""The daemon's signals: SIGTERM/SIGINT stop it (a second one forces), SIGHUP reloads its config.

Stopping follows uvicorn's server loop: the first signal asks for a clean stop (the running ticket finishes
or rolls back), the second stops waiting. A reload validates the new config completely before anything uses
it; a config that does not validate is logged in one sentence and the running one stays. The worker takes a
new config only between tickets, so no ticket ever runs under two configs.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog

from eraser.config import Config, load_config
from eraser.daemon.worker import Worker
from eraser.errors import ConfigError, EraserError

log = structlog.get_logger("eraser.serve")
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Stops:
    """First SIGTERM/SIGINT sets `stopping` (and the server's should_exit), a second one sets `forced`;
    SIGHUP sets `reload` (from the start on: SIGHUP's default would end the process)."""

    def __init__(self) -> None:
        self.stopping = threading.Event()
        self.forced = threading.Event()
        self.reload = threading.Event()
        self.server: Any = None

    def install(self) -> None:
        for sig in STOP_SIGNALS:
            signal.signal(sig, self.handle)
        signal.signal(signal.SIGHUP, lambda *_: self.reload.set())

    def handle(self, sig: int, _frame: Any = None) -> None:
        if self.stopping.is_set():
            self.forced.set()
            if self.server is not None:
                self.server.force_exit = True
        self.stopping.set()
        if self.server is not None:
            self.server.should_exit = True


class SwappableApp:
    """An ASGI app whose target is replaced on reload; requests already running finish on the old one."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


class ReloadingWorker(Worker):
    """A worker that switches to a reloaded config before it claims its next ticket."""

    pending: Config | None = None

    def run_once(self) -> bool:
        new, self.pending = self.pending, None
        if new is not None:
            self.close()  # connections of the old config's connectors
            self.config = new
            self.poll = new.daemon.poll_seconds
        return super().run_once()


def validated_reload(config_path: Path | str, state_url: str | None, running: Config) -> Config:
    """The config at `config_path`, checked as at start plus what cannot change while tickets are in flight."""
    from eraser.proof.certificates import ready_to_certify

    new = load_config(config_path)
    if state_url:
        new = new.model_copy(update={"state": state_url})
    if (new.state or "") != (running.state or ""):
        raise ConfigError(f"{config_path}: the state store cannot change while the daemon runs; restart it instead.")
    if new.secret_bytes() != running.secret_bytes():
        raise ConfigError(f"{config_path}: the secret cannot change while tickets are sealed under it; "
                          "restart the daemon instead.")
    ready_to_certify(new)
    return new


@dataclass(eq=False)
class Reloader:
    """Reloads when `requested` is set (by SIGHUP), in a thread of its own, so the signal handler never blocks
    the server."""

    config_path: Path | str
    state_url: str | None
    config: Config
    apply: Callable[[Config], None]
    requested: threading.Event
    stop: threading.Event = field(default_factory=threading.Event, init=False)
    reloads: int = field(default=0, init=False)

    def run(self) -> None:
        while not self.stop.is_set():
            if self.requested.wait(0.5):
                self.requested.clear()
                self.reload()

    def reload(self) -> bool:
        try:
            new = validated_reload(self.config_path, self.state_url, self.config)
        except EraserError as exc:
            log.error(f"config not reloaded, the running one stays: {exc}")
            return False
        except Exception as exc:  # whatever the new config trips on, the daemon keeps running on the old one
            log.error(f"config not reloaded, the running one stays: {type(exc).__name__} while checking it.")
            return False
        self.apply(new)
        self.config = new
        self.reloads += 1
        log.info("config reloaded", tokens=len(new.api.tokens), approval=new.approval)
        return True
