"""Space for a certificate, reserved before anything is erased.

A probe that writes nothing proves nothing on a full disk. Before an erasure commits, the daemon writes and
fsyncs a reservation file of the certificate's expected size in the certificates directory; it is removed
just before the certificate is written, so the space it held is there for it. A reservation that cannot be
written stops the erasure before anything changed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from eraser import faults
from eraser.errors import CertificateError
from eraser.proof.certificates import canonical

PREFIX = ".reserve-"


def expected_size(payload: dict[str, Any]) -> int:
    """Bytes a certificate of this payload takes, with room to spare: base64 in a JWS, the chain fields, the
    files section added after the commit, and its transparency-log line."""
    return (len(canonical(payload)) + 1024) * 3 // 2 + 8192


def reservation(directory: Path, ticket_id: str) -> Path:
    return directory / f"{PREFIX}{ticket_id}"


def reserve(directory: Path, ticket_id: str, size: int) -> Path:
    """Write and fsync `size` bytes for one ticket's certificate; CertificateError (nothing erased) if the
    directory cannot hold them."""
    path = reservation(directory, ticket_id)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as fh:
            faults.disk("reserve", path)
            fh.write(b"\0" * size)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        path.unlink(missing_ok=True)
        raise CertificateError(f"cannot reserve {size} bytes for the certificate in {directory}: "
                               f"{exc.strerror}; nothing was erased.") from None
    return path


def release(directory: Path, ticket_id: str) -> None:
    """Give the reserved space back (just before the certificate is written, or when the attempt ends)."""
    reservation(directory, ticket_id).unlink(missing_ok=True)
