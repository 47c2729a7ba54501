"""Logs never carry a subject's identifiers."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest
import sqlalchemy as sa
import structlog

from eraser import logging as eraser_logging


def test_redaction_processor_scrubs_every_value() -> None:
    """The processor replaces identifiers anywhere in the event, whatever their case, nested or not."""
    with eraser_logging.redacting(["jan.peeters@example.be", "+32470123456"]):
        event = eraser_logging.redact_identifiers(None, "info", {
            "event": "found JAN.Peeters@example.be", "nested": {"list": ["x +32470123456 y"]}, "n": 3})
    assert "jan.peeters" not in json.dumps(event).lower() and "+32470123456" not in json.dumps(event)
    assert event["n"] == 3 and event["event"] == "found [redacted]"


def test_configured_logging_redacts() -> None:
    """Through the configured processor chain (not capture_logs, which drops processors), lines are clean."""
    stream = io.StringIO()
    eraser_logging.configure(json=True, level="DEBUG", stream=stream)
    with eraser_logging.redacting(["jan@example.be"]):
        structlog.get_logger("t").info("ticket for jan@example.be", detail="Jan@Example.be")
    line = stream.getvalue()
    assert "[redacted]" in line and "example.be" not in line.lower()
    assert json.loads(line.splitlines()[-1])["event"] == "ticket for [redacted]"


IDENTIFIER = "jan@example.be"


def _log_failing_statement(engine: sa.Engine, json_lines: bool, redact: list[str]) -> str:
    """Run a statement with the identifier as a bound parameter that fails, and log the exception through the
    configured pipeline (processors, redaction and renderer as the daemon has them)."""
    stream = io.StringIO()
    eraser_logging.configure(json=json_lines, level="INFO", stream=stream)
    with eraser_logging.redacting(redact):
        try:
            with engine.connect() as conn:
                conn.execute(sa.text("SELECT * FROM no_such_table WHERE email = :email"), {"email": IDENTIFIER})
        except sa.exc.DBAPIError:
            structlog.get_logger("t").exception("statement failed")
            logging.getLogger("stdlib").exception("statement failed")
    return stream.getvalue()


@pytest.mark.parametrize("json_lines", [True, False], ids=["json", "console"])
def test_tracebacks_are_kept_and_redacted_in_both_renderers(json_lines: bool) -> None:
    """A failing statement with a bound identifier, on an engine that shows parameters: both renderers keep the
    traceback, and the identifier in SQLAlchemy's `[parameters: ...]` is redacted in it."""
    engine = sa.create_engine("sqlite://")
    out = _log_failing_statement(engine, json_lines, [IDENTIFIER])
    engine.dispose()
    assert IDENTIFIER not in out, out
    if json_lines:
        events = [json.loads(line) for line in out.splitlines()]
        assert len(events) == 2 and all("Traceback" in e["exception"] for e in events), out
        assert all("[parameters: ('[redacted]',)]" in e["exception"] for e in events)
    else:
        assert out.count("statement failed\nTraceback") == 2 and "[parameters: ('[redacted]',)]" in out, out


def test_every_engine_eraser_creates_hides_parameters(tmp_path: Path) -> None:
    """Connector, state-store and demo engines are built with hide_parameters: outside a ticket's redaction
    context (nothing to redact), a failing statement's log line still carries no bound value."""
    from connectors.sql import open_connector
    from eraser.store.state import StateStore

    db = tmp_path / "c.db"
    sa.create_engine(f"sqlite:///{db}").connect().close()
    connector = open_connector("c", f"sqlite:///{db}")
    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    try:
        for engine in (connector.engine, store.engine):
            assert engine.hide_parameters
            for json_lines in (True, False):
                out = _log_failing_statement(engine, json_lines, [])
                assert IDENTIFIER not in out and "hidden due to hide_parameters" in out, out
    finally:
        connector.engine.dispose()
        store.dispose()
