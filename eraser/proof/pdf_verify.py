"""Checking a certificate PDF: its PAdES signature (intact, covering the whole file, no change after it, and
with a trusted certificate, made by it), then the certificate JSON attached to it, against the store copy beside
it when there is one. Rendering and signing the PDF is eraser.proof.pdf."""

from __future__ import annotations

import hashlib
import io
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from eraser.errors import CertificateError
from eraser.extras import need
from eraser.proof.chain import ManifestVerified, Verified, as_keys, verify
from eraser.proof.keyring import KeySet, Manifest


@dataclass(frozen=True)
class PdfSignature:
    signer: str
    fingerprint: str
    trusted: bool
    signed_at: datetime | None


@dataclass(frozen=True)
class PdfVerified:
    signature: PdfSignature
    attachment: str
    certificate: Verified
    manifest: ManifestVerified | None
    compared_with: Path | None


def _reader(data: bytes, name: str) -> Any:
    need("pdf", "reading a PDF certificate")
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        return PdfFileReader(io.BytesIO(data), strict=False)
    except Exception as exc:  # any parse failure means the file is not the PDF that was signed
        raise CertificateError(f"{name}: not a readable PDF ({type(exc).__name__}); it is damaged or was "
                               "changed.") from None


def check_pdf_signature(data: bytes, trusted_cert: Path | None = None, name: str = "PDF") -> PdfSignature:
    """Validate the PAdES signature: intact, covering the whole file, no change allowed after it, and (with
    trusted_cert) made with that certificate. CertificateError with the reason otherwise."""
    need("pdf", "checking a PDF certificate")
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    reader = _reader(data, name)
    try:
        signatures = reader.embedded_signatures
    except Exception as exc:
        raise CertificateError(f"{name}: its signature cannot be read ({type(exc).__name__}); the PDF was "
                               "changed.") from None
    if not signatures:
        raise CertificateError(f"{name}: the PDF is not signed.")
    sig = signatures[-1]
    try:
        signer_cert = sig.signer_cert
        root = load_cert_from_pemder(str(trusted_cert)) if trusted_cert else signer_cert
        status = validate_pdf_signature(sig, ValidationContext(trust_roots=[root], allow_fetching=False))
    except CertificateError:
        raise
    except Exception as exc:
        raise CertificateError(f"{name}: the PDF signature cannot be validated ({type(exc).__name__}: "
                               f"{exc}); the PDF was changed.") from None
    if not status.intact:
        raise CertificateError(f"{name}: bad PDF signature: the signed bytes were changed after signing.")
    if not status.valid:
        raise CertificateError(f"{name}: bad PDF signature: it does not match the signer's key.")
    if status.coverage is None or status.coverage.name != "ENTIRE_FILE" or len(signatures) != 1:
        raise CertificateError(f"{name}: the PDF was changed after signing (an update was appended after the "
                               "signature).")
    if trusted_cert is not None and not status.trusted:
        raise CertificateError(f"{name}: the PDF was signed by “{signer_cert.subject.human_friendly}”, not "
                               f"with the certificate {trusted_cert}.")
    fingerprint = hashlib.sha256(signer_cert.dump()).hexdigest()
    signed_at = getattr(status, "signer_reported_dt", None)
    common = signer_cert.subject.native.get("common_name") or signer_cert.subject.human_friendly
    return PdfSignature(str(common), fingerprint, trusted_cert is not None, signed_at)


def embedded_certificate(data: bytes, name: str = "PDF") -> tuple[str, bytes]:
    """(file name, bytes) of the certificate JSON attached to the PDF."""
    reader = _reader(data, name)
    try:
        names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
        for i in range(0, len(names), 2):
            file_name = str(names[i])
            if file_name.endswith(".cert.json"):
                return file_name, bytes(names[i + 1].get_object()["/EF"]["/F"].get_object().data)
    except (KeyError, IndexError, TypeError, AttributeError):
        pass
    raise CertificateError(f"{name}: no certificate JSON is attached to this PDF.")


def verify_pdf(pdf: Path, keys: KeySet | Manifest | Sequence[Path], trusted_cert: Path | None = None,
               partial: bool = False) -> PdfVerified:
    """Check a certificate PDF: its PAdES signature (its signer vouched for only by the `trusted_cert` named),
    then the attached JSON with the keys named. If the store copy of the JSON is beside the PDF, the two must
    be identical and the store's chain is checked whole; without it, only with `partial`."""
    try:
        data = pdf.read_bytes()
    except OSError as exc:
        raise CertificateError(f"cannot read {pdf}: {exc.strerror}.") from None
    signature = check_pdf_signature(data, trusted_cert, str(pdf))
    file_name, raw = embedded_certificate(data, str(pdf))
    if Path(file_name).name != file_name:
        raise CertificateError(f"{pdf}: attached file name {file_name!r} is not a plain file name.")
    store_copy = pdf.resolve().parent / file_name
    compared = None
    keyset = as_keys(keys)

    def check(path: Path, alone: bool) -> tuple[Verified, ManifestVerified | None]:
        verified = verify(path, keyset, alone)
        if isinstance(keys, Manifest):
            entry = keys.key(verified.kid)
            assert entry is not None and verified.issued_at is not None
            return verified, ManifestVerified(verified, entry, verified.issued_at, keys)
        return verified, None

    if store_copy.exists():
        if store_copy.read_bytes() != raw:
            raise CertificateError(f"{pdf}: the attached certificate differs from {store_copy}.")
        compared = store_copy
        verified, by_manifest = check(store_copy, partial)
    else:
        if not partial:
            raise CertificateError(f"{pdf}: the store copy {file_name} is not beside the PDF, so its chain cannot "
                                   "be checked; put the PDF in the certificates directory, or pass --partial.")
        with tempfile.TemporaryDirectory(prefix="eraser-pdf-") as tmp:
            path = Path(tmp) / file_name
            path.write_bytes(raw)
            verified, by_manifest = check(path, True)
    return PdfVerified(signature, file_name, verified, by_manifest, compared)

