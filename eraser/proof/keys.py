"""Ed25519 key files and the secret: key ids, generation, loading, and the checks made before signing anything
(the public key matches the private key, key and secret files are readable by their owner only, the secret is
long enough), and the per-purpose keys derived from the secret with HKDF (RFC 5869)."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import stat
import sys
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from eraser.errors import CertificateError, ConfigError
from eraser.proof.jws import b64, read_bytes

MIN_SECRET_BYTES = 32
_insecure_permissions = {"allowed": False}


def allow_insecure_permissions(allowed: bool) -> None:
    """`--insecure-permissions`: key and secret files readable by others are warned about, not refused."""
    _insecure_permissions["allowed"] = allowed


def jwk(public: Ed25519PublicKey) -> dict[str, str]:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"crv": "Ed25519", "kty": "OKP", "x": b64(raw)}


def key_id(public: Ed25519PublicKey) -> str:
    """RFC 7638 JWK thumbprint of the public key."""
    thumbprint = json.dumps(jwk(public), separators=(",", ":"), sort_keys=True)
    return b64(hashlib.sha256(thumbprint.encode()).digest())


def public_pem(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def generate_keys(out: Path, name: str = "eraser-signing") -> tuple[Path, Path, str]:
    """Write NAME.pem (private, mode 0600) and NAME.pub.pem; refuse to overwrite an existing key."""
    out.mkdir(parents=True, exist_ok=True)
    private_path, public_path = out / f"{name}.pem", out / f"{name}.pub.pem"
    if private_path.exists():
        raise CertificateError(f"{private_path} already exists; refusing to overwrite a signing key.")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    public_path.write_bytes(public_pem(key.public_key()))
    return private_path, public_path, key_id(key.public_key())


def load_private_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except OSError as exc:
        raise CertificateError(f"cannot read signing key {path}: {exc.strerror}; "
                               "create one with `eraser keys generate`.") from None
    except (ValueError, TypeError):
        raise CertificateError(f"{path} is not an unencrypted PEM private key.") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise CertificateError(f"{path} is not an Ed25519 key.")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    data = read_bytes(path, "public key")
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:
        raise CertificateError(f"{path} is not a PEM public key.") from None
    if not isinstance(key, Ed25519PublicKey):
        raise CertificateError(f"{path} is not an Ed25519 public key.")
    return key


# -- checks before signing --------------------------------------------------------------------------

def check_private(path: Path, what: str) -> None:
    """Refuse a key or secret file that group or others can read or write (warn with
    --insecure-permissions)."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return  # reading it reports the problem in its own words
    if mode & 0o077:
        message = (f"{what} {path} has mode {mode:04o}: group or others can read it; make it 0600 "
                   f"(chmod 600 {path})")
        if not _insecure_permissions["allowed"]:
            raise CertificateError(message + ", or pass --insecure-permissions.")
        print(f"WARNING: {message}; continuing because of --insecure-permissions.", file=sys.stderr)


def check_signing_setup(config: Any) -> Ed25519PrivateKey:
    """The signing key a config names, after checking its file, its public key and the secret."""
    check_private(config.signing.private_key, "signing key")
    key = load_private_key(config.signing.private_key)
    public = config.signing.public_key
    if public is not None:
        if key_id(load_public_key(public)) != key_id(key.public_key()):
            raise CertificateError(f"the public key {public} does not match the signing key "
                                   f"{config.signing.private_key}; certificates would not verify.")
    if config.secret_file is not None:
        check_private(config.secret_file, "secret file")
    check_secret(config.secret_bytes(), str(config.path or "the config"))
    return key


def check_secret(secret: bytes, where: str) -> None:
    if len(secret) < MIN_SECRET_BYTES:
        raise ConfigError(f"{where}: the secret is {len(secret)} bytes; it keys every subject reference and must "
                          f"be at least {MIN_SECRET_BYTES} (e.g. `openssl rand -hex 32`).")


def derived_key(secret: bytes, purpose: str) -> bytes:
    """A key for one purpose only, derived from the secret (HKDF-SHA256, info = eraser/<purpose>)."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=f"eraser/{purpose}".encode()).derive(secret)


def keyed_reference(secret: bytes, purpose: str, value: str) -> str:
    """hmac-sha256:<hex> of a value under the purpose's derived key: stable, and unguessable without the
    secret."""
    mac = hmac.new(derived_key(secret, purpose), value.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"hmac-sha256:{mac}"
