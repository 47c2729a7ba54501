"""Destruction certificates: RFC 8785 canonical JSON, signed with Ed25519 as a flattened JWS (RFC 7515),
chained by the SHA-256 of the previous certificate's canonical payload, verifiable offline, rendered for
humans. The formats are specified in docs/PROOF.md; verification is in eraser.proof.chain, what an erasure's
certificate says in eraser.proof.payload, its HTML page in eraser.proof.html_page."""

from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from eraser import faults
from eraser._time import iso
from eraser.errors import CertificateError
from eraser.proof.chain import FORMAT, TYP, Verified, verify
from eraser.proof.freetext import scrubbed
from eraser.proof.html_page import render_html
from eraser.proof.jws import (
    ALG,
    canonical,
    certificate_name,
    find_certificate,
    index_certificate,
    jws_bytes,
    locked,
    payload_sha256,
    read_jws,
    sign_jws,
    write_head,
)
from eraser.proof.keys import check_signing_setup, generate_keys, key_id, load_private_key, load_public_key
from eraser.proof.logfile import append_entry, head_of
from eraser.proof.payload import erasure_payload

__all__ = ["ALG", "FORMAT", "TYP", "Verified", "canonical", "erasure_payload", "generate_keys", "key_id",
           "load_private_key", "load_public_key", "read_jws", "render_html", "sign", "verify"]


def sign(payload: dict[str, Any], key: Ed25519PrivateKey, alg: str = ALG) -> dict[str, str]:
    """A flattened JWS JSON serialization (RFC 7515 section 7.2.2) of the canonical payload."""
    return sign_jws(payload, key, TYP, key_id(key.public_key()), alg)


@dataclass(frozen=True)
class Issued:
    path: Path
    certificate_id: str
    sequence: int
    digest: str  # SHA-256 of the file, as the state store records it
    payload_sha256: str = ""  # what the next certificate and the log name it by


def _issued(path: Path) -> Issued:
    payload = read_jws(path)[1]
    meta = payload["certificate"]
    return Issued(path, str(meta["id"]), int(meta["sequence"]), hashlib.sha256(path.read_bytes()).hexdigest(),
                  payload_sha256(payload))


def issue(payload: dict[str, Any], key: Ed25519PrivateKey, directory: Path, cert_id: str | None = None,
          issued_at: datetime | None = None, alg: str = ALG) -> Issued:
    """Sign and store a certificate as the next link of the directory's chain, and log it. With a `cert_id`
    that is already in the chain, return that certificate: a retried ticket never gets two.

    Reads and writes a few small files whatever the chain's length (the head, the id index, one log line).
    """
    with locked(directory):
        head = head_of(directory)
        if cert_id is not None and (existing := find_certificate(directory, cert_id)) is not None:
            return _issued(existing)
        last = datetime.fromisoformat(head.issued_at) if head.issued_at else None
        moment = (issued_at or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
        if last is not None and moment < last:
            if issued_at is not None:
                raise CertificateError(f"issue time {iso(moment)} is before the last certificate's "
                                       f"({iso(last)}); issue times never go backwards along a chain.")
            moment = last  # the clock stepped back: never let the chain's times go backwards
        sequence, cert_id = head.sequence + 1, cert_id or str(uuid.uuid4())
        payload = dict(payload)
        payload["certificate"] = {**payload.get("certificate", {}), "id": cert_id, "format": FORMAT,
                                  "sequence": sequence, "issued_at": iso(moment),
                                  "previous_sha256": head.digest}
        document = jws_bytes(sign(payload, key, alg))
        path = directory / certificate_name(sequence, cert_id)
        write_head(directory, replace(head, pending=path.name))  # a crash from here on forces a rebuild
        tmp = path.with_suffix(".tmp")
        try:
            with open(tmp, "wb") as fh:
                faults.disk("certificate", tmp)
                fh.write(document)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)  # a failed write (a full disk) leaves no temporary file
        index_certificate(directory, cert_id, path.name)
        digest = payload_sha256(payload)
        written = append_entry(directory, head.log_entries, digest, path.name)
        write_head(directory, replace(head, sequence=sequence, file=path.name, digest=digest,
                                      issued_at=iso(moment), log_entries=head.log_entries + 1,
                                      log_bytes=head.log_bytes + written, pending=None))
    return Issued(path, cert_id, sequence, hashlib.sha256(document).hexdigest(), digest)


def ready_to_certify(config: Any, directory: Path | None = None, size: int = 65536) -> None:
    """Check, before anything is erased, that a certificate can be signed and written: an erasure must never be
    left without its proof because of a missing key or an unwritable directory."""
    check_signing_setup(config)
    target = directory or config.certificates
    try:
        target.mkdir(parents=True, exist_ok=True)
        probe = target / f".write-test-{os.getpid()}"
        try:  # real bytes, synced: an empty file fits on a full disk
            with open(probe, "wb") as fh:
                fh.write(b"\0" * size)
                fh.flush()
                os.fsync(fh.fileno())
        finally:
            probe.unlink(missing_ok=True)
        with locked(target):
            head_of(target)  # a chain the issuer cannot extend is refused now, not after the erasure
    except OSError as exc:
        raise CertificateError(f"cannot write certificates to {target}: {exc.strerror}; nothing was erased.") from None


def certify(config: Any, outcome: Any, ticket: Any, directory: Path | None = None,
            payload: dict[str, Any] | None = None, cert_id: str | None = None) -> Issued:
    """Sign the certificate of a verified (or held) erasure and add it to the chain."""
    from eraser.engine.verify import CERTIFIABLE, NOT_RUN

    result = outcome.verification.get("result") if outcome is not None else None
    if outcome is not None and result not in CERTIFIABLE and not (result == NOT_RUN and outcome.plan.hold):
        raise CertificateError("refusing to certify an erasure that did not verify.")
    key = load_private_key(config.signing.private_key)  # checked whole by ready_to_certify, before erasing
    content = scrubbed(payload or erasure_payload(config, outcome, ticket), config.secret_bytes())
    return issue(content, key, directory or config.certificates, cert_id, alg=config.signing.jws_alg)
