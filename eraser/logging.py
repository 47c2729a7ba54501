"""structlog set-up: JSON lines for the daemon, console lines on a terminal, and a processor that removes
the current ticket's identifiers from every event, its traceback included, before it is rendered."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TextIO

import structlog

REDACTED = "[redacted]"
_terms: ContextVar[re.Pattern[str] | None] = ContextVar("eraser_redact_terms", default=None)


@contextmanager
def redacting(terms: list[str]) -> Iterator[None]:
    """While the block runs, every log event has these strings (case-insensitive) replaced."""
    pattern = re.compile("|".join(re.escape(t) for t in sorted(set(terms), key=len, reverse=True)),
                         re.IGNORECASE) if terms else None
    token = _terms.set(pattern)
    try:
        yield
    finally:
        _terms.reset(token)


def _scrub(value: Any, pattern: re.Pattern[str]) -> Any:
    if isinstance(value, str):
        return pattern.sub(REDACTED, value)
    if isinstance(value, dict):
        return {k: _scrub(v, pattern) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_scrub(v, pattern) for v in value]
    if isinstance(value, BaseException):
        return pattern.sub(REDACTED, f"{type(value).__name__}: {value}")
    return value


def redact_identifiers(_logger: Any, _method: str, event: dict[str, Any]) -> dict[str, Any]:
    """structlog processor: the subject's identifiers never reach a log line."""
    pattern = _terms.get()
    if pattern is None:
        return event
    return {k: _scrub(v, pattern) for k, v in event.items()}


def configure(json: bool | None = None, level: str = "INFO", stream: TextIO | None = None,
              file: Path | None = None) -> None:
    """One place that configures logging; JSON when not on a terminal (or when asked), console otherwise."""
    out = stream or sys.stderr
    if json is None:
        json = not out.isatty()
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        # Tracebacks become text before redaction, so they are scrubbed too and every renderer keeps them.
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
        redact_identifiers,
    ]
    # Plain tracebacks: a pretty formatter would print local variables, values the redaction never saw.
    console = structlog.dev.ConsoleRenderer(colors=False, exception_formatter=structlog.dev.plain_traceback)
    renderer: Any = structlog.processors.JSONRenderer() if json else console

    def formatter(render: Any) -> logging.Formatter:
        return structlog.stdlib.ProcessorFormatter(
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, render],
            foreign_pre_chain=shared)

    root = logging.getLogger()
    for h in list(root.handlers):
        root.removeHandler(h)
    handler: logging.Handler = logging.StreamHandler(out)
    handler.setFormatter(formatter(renderer))
    root.addHandler(handler)
    if file is not None:  # a file always gets JSON lines
        file.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(file, encoding="utf-8")
        handler.setFormatter(formatter(structlog.processors.JSONRenderer()))
        root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(True)  # library warnings become log events too, never raw lines in a JSON stream
    logging.getLogger("alembic").setLevel(max(logging.WARNING, logging.getLevelName(level)))
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, logging.getLevelName(level)))
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        cache_logger_on_first_use=False,
    )
