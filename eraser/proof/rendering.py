"""A certificate rendered for people: its chain checked first where a key is named, then the signed PDF."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any


def checked_for_rendering(file: Path, public_keys: Sequence[Path]) -> tuple[Any, str]:
    """(Verified or None, what to say about the check) for a rendering: the chain is checked with the keys
    named, and without a named key the rendering says it was not checked."""
    from eraser.proof.chain import verify
    from eraser.proof.jws import read_jws

    if not public_keys:
        read_jws(file)
        return None, "not checked (no --public-key given)"
    result = verify(file, list(public_keys))
    return result, f"valid, key {result.kid}, chain position {result.sequence}"


def render_pdf_bytes(file: Path | str, lang: str, public_keys: Sequence[Path] = (), pdf_key: Path | None = None,
                     pdf_cert: Path | None = None) -> bytes:
    """FILE's signed PDF in `lang`; the JWS and its chain are checked first when a public key is named."""
    from eraser.proof.pdf import default_pdf_key, render_pdf

    file = Path(file)
    check, _ = checked_for_rendering(file, public_keys)
    default_key, default_cert = default_pdf_key(file)
    return render_pdf(file, lang, pdf_key or default_key, pdf_cert or default_cert, check)
