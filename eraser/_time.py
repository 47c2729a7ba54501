"""Time as Eraser writes it: UTC, whole seconds, with Z, in every certificate, manifest, checkpoint and package."""

from __future__ import annotations

from datetime import UTC, datetime


def iso(moment: datetime) -> str:
    """UTC, seconds, with Z: the form every timestamp in certificates, manifests and checkpoints has."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def now_iso() -> str:
    """This moment, as `iso` writes it."""
    return iso(datetime.now(UTC))
