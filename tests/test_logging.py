"""Logs never carry a subject's identifiers."""

from __future__ import annotations

import io
import json

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
