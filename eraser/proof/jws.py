"""What every proof module shares, and nothing else: base64url, RFC 8785 canonical JSON, the flattened JWS
(RFC 7515 section 7.2.2, signed with joserfc), the certificate store's lock, its file names and its head.

The head (`.chain-head.json`) holds the last link of the chain and the size of the log, so that issuing a
certificate reads one small file however long the chain is. It is a cache, never trusted by a verifier:
verification always reads the certificates themselves.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import os
import re
import unicodedata
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from joserfc import jws
from joserfc.jwk import OKPKey

from eraser.errors import CertificateError

ALG = "Ed25519"  # fully-specified JOSE algorithm name (RFC 9864); the key is an OKP Ed25519 key
ALGS = ("Ed25519", "EdDSA")  # accepted on verification: EdDSA is the older name of the same signature
CERT_NAME = re.compile(r"^(?P<seq>\d{6,})-(?P<id>[0-9A-Za-z._-]+)\.cert\.json$")
SEQ_DIGITS = 10
HEAD_FILE = ".chain-head.json"
IDS_DIR = ".ids"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))




def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {_nfc(k): _nfc(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_nfc(v) for v in value]
    if isinstance(value, float):
        raise TypeError("certificates hold no floating-point numbers")
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def canonical(payload: Any) -> bytes:
    return rfc8785.dumps(_nfc(payload))


def payload_sha256(payload: dict[str, Any]) -> str:
    """The digest that links a certificate into its chain and its log: SHA-256 of its canonical payload (the
    JWS payload bytes), so reformatting the file changes nothing."""
    return hashlib.sha256(canonical(payload)).hexdigest()


# -- the flattened JWS -----------------------------------------------------------------------------

def sign_jws(payload: dict[str, Any], key: Ed25519PrivateKey, typ: str, kid: str,
             alg: str = ALG) -> dict[str, str]:
    """A flattened JWS JSON serialization of the canonical payload; the protected header names key and type.
    `alg` EdDSA (the same signature) is for verifiers that do not know RFC 9864's name yet."""
    if alg not in ALGS:
        raise CertificateError(f"JWS algorithm {alg!r} is not one of {', '.join(ALGS)}.")
    header = {"alg": alg, "kid": kid, "typ": typ, "cty": "application/json"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # joserfc warns that EdDSA is deprecated by RFC 9864: chosen knowingly
        signed = jws.serialize_json({"protected": header}, canonical(payload), OKPKey.import_key(key),
                                    algorithms=[alg])
    return {"protected": str(signed["protected"]), "payload": str(signed["payload"]),
            "signature": str(signed["signature"])}


def jws_bytes(document: dict[str, str]) -> bytes:
    return json.dumps(document, indent=2).encode() + b"\n"


def write_jws(path: Path, document: dict[str, str], *, exclusive: bool = False) -> bytes:
    """Write a JWS file atomically (or, with exclusive, only if it does not exist yet); return its bytes."""
    data = jws_bytes(document)
    path.parent.mkdir(parents=True, exist_ok=True)
    if exclusive:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        return data
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return data


def read_bytes(path: Path, what: str) -> bytes:
    """A file's bytes, or CertificateError 'cannot read WHAT PATH: the reason.'"""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CertificateError(f"cannot read {what} {path}: {exc.strerror}.") from None


def read_jws(path: Path) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    """(header, payload, signing input, signature) of a JWS file, or CertificateError 'malformed'."""
    raw = read_bytes(path, "certificate")
    try:
        document = json.loads(raw)
        protected, body, signature = document["protected"], document["payload"], unb64(document["signature"])
        header = json.loads(unb64(protected))
        payload_bytes = unb64(body)
        payload = json.loads(payload_bytes)
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise CertificateError(f"{path}: malformed certificate (not a JWS JSON document with protected, payload "
                               "and signature).") from None
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise CertificateError(f"{path}: malformed certificate (header or payload is not a JSON object).")
    if canonical(payload) != payload_bytes:
        raise CertificateError(f"{path}: malformed certificate (payload is not in RFC 8785 canonical form).")
    return header, payload, f"{protected}.{body}".encode(), signature


# -- the store: lock, file names, head ---------------------------------------------------------------

@contextmanager
def locked(directory: Path) -> Iterator[None]:
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".chain.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def certificate_name(sequence: int, cert_id: str) -> str:
    return f"{sequence:0{SEQ_DIGITS}d}-{cert_id}.cert.json"


def chain_files(directory: Path) -> list[Path]:
    """Every file of the directory named like a link of a chain, by the number in its name (a hint only: the
    signed sequence is what counts)."""
    named = [(int(m["seq"]), p) for p in directory.glob("*.cert.json") if (m := CERT_NAME.match(p.name))]
    return [p for _, p in sorted(named)]


def find_certificate(directory: Path, cert_id: str) -> Path | None:
    """The certificate of that id in the store, by its index entry (one file read, whatever the chain's
    length); a store without an index is searched by name."""
    marker = directory / IDS_DIR / cert_id
    try:
        name = marker.read_text(encoding="utf-8").strip()
    except OSError:
        name = ""
    if name and (directory / name).exists():
        return directory / name
    if (directory / HEAD_FILE).exists() and not name:
        return None
    return next((p for p in chain_files(directory) if (m := CERT_NAME.match(p.name)) and m["id"] == cert_id), None)


def index_certificate(directory: Path, cert_id: str, name: str) -> None:
    (directory / IDS_DIR).mkdir(exist_ok=True)
    marker = directory / IDS_DIR / cert_id
    tmp = marker.with_name(cert_id + ".tmp")
    tmp.write_text(name + "\n", encoding="utf-8")
    os.replace(tmp, marker)


@dataclass(frozen=True)
class Head:
    """The last link of the chain and the log's size, as the issuer last wrote them."""

    sequence: int = 0
    file: str | None = None
    digest: str | None = None
    issued_at: str | None = None
    log_entries: int = 0
    log_bytes: int = 0
    pending: str | None = None  # set while a certificate is being written: a crash then forces a rebuild


def read_head(directory: Path) -> Head | None:
    try:
        return Head(**json.loads((directory / HEAD_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def write_head(directory: Path, head: Head) -> None:
    path = directory / HEAD_FILE
    tmp = path.with_name(HEAD_FILE + ".tmp")
    tmp.write_text(json.dumps(asdict(head)), encoding="utf-8")
    os.replace(tmp, path)
