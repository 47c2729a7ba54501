"""Signing-key rotation: a key manifest signed by an offline root key says which Ed25519 key signed when.

The manifest is a flattened JWS (like the certificates) over RFC 8785 canonical JSON, signed by the root key.
It lists every signing key ever used: its key id (RFC 7638 thumbprint), public key (JWK), status (`active` or
`retired`) and validity period. A certificate verifies against the manifest when its key is listed and the
certificate's signed issue time (`certificate.issued_at`) falls within that key's period: certificates signed
before a rotation keep verifying, and a retired key cannot issue new ones without the issue time giving it away
(the chain checks that issue times never go backwards, so a backdated certificate is caught too).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from eraser._time import iso
from eraser.errors import CertificateError
from eraser.proof.jws import ALGS, read_jws, unb64, write_jws
from eraser.proof.jws import sign_jws as _sign_jws
from eraser.proof.keys import generate_keys, jwk, key_id, load_public_key

__all__ = ["iso", "jwk", "write_jws"]

MANIFEST_TYP = "eraser-key-manifest+jws"
MANIFEST_FORMAT = "eraser-key-manifest/1"
STATUSES = ("active", "retired")


class KeyringError(CertificateError):
    """A key manifest is malformed, not signed by the root key, or does not vouch for a signature."""


def parse_time(value: Any, what: str) -> datetime:
    if not isinstance(value, str):
        raise KeyringError(f"{what} is missing or not a timestamp.")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise KeyringError(f"{what} ({value!r}) is not an ISO 8601 timestamp.") from None
    if moment.tzinfo is None:
        raise KeyringError(f"{what} ({value!r}) has no time zone.")
    return moment.astimezone(UTC)


def sign_jws(payload: dict[str, Any], key: Ed25519PrivateKey, typ: str) -> dict[str, str]:
    """A flattened JWS of the canonical payload, the protected header naming the key by its thumbprint."""
    return _sign_jws(payload, key, typ, key_id(key.public_key()))


def public_from_jwk(value: Any, what: str) -> Ed25519PublicKey:
    if not isinstance(value, dict) or value.get("kty") != "OKP" or value.get("crv") != "Ed25519":
        raise KeyringError(f"{what} is not an Ed25519 JWK.")
    try:
        return Ed25519PublicKey.from_public_bytes(unb64(str(value.get("x", ""))))
    except ValueError:
        raise KeyringError(f"{what} holds no valid Ed25519 public key.") from None


# -- key sets: what a verifier trusts ------------------------------------------------------------

@dataclass(frozen=True)
class KeySet:
    """Ed25519 public keys by key id; keys from a manifest also carry their validity period."""

    keys: Mapping[str, Ed25519PublicKey]
    periods: Mapping[str, tuple[datetime, datetime | None]] = field(default_factory=dict)
    source: str = "the public keys given"

    @classmethod
    def from_files(cls, paths: Sequence[Path]) -> KeySet:
        keys = {key_id(k): k for k in (load_public_key(p) for p in paths)}
        return cls(keys, source=f"the {len(keys)} public key(s) given")

    def key_for(self, kid: Any, at: datetime | None, what: str) -> Ed25519PublicKey:
        """The key with that id, if this set vouches for it at that time; else KeyringError saying why."""
        if not self.keys:
            raise KeyringError(f"{what}: no public key to verify with.")
        if kid not in self.keys:
            raise KeyringError(f"{what}: signed by unknown key {kid} (not among {self.source}).")
        period = self.periods.get(str(kid))
        if period is not None:
            start, end = period
            if at is None:
                raise KeyringError(f"{what}: carries no issue time to check against the validity of key "
                                   f"{kid}.")
            if at < start:
                raise KeyringError(f"{what}: issued at {iso(at)}, before key {kid} became valid "
                                   f"({iso(start)}).")
            if end is not None and at > end:
                raise KeyringError(f"{what}: issued at {iso(at)}, after key {kid} was retired ({iso(end)}); "
                                   "a retired key cannot issue new certificates.")
        return self.keys[str(kid)]


def as_keyset(keys: KeySet | Sequence[Path]) -> KeySet:
    return keys if isinstance(keys, KeySet) else KeySet.from_files(list(keys))


def verify_signed(path: Path, typ: str, keys: KeySet,
                  at_field: str | None = None) -> tuple[dict[str, Any], str]:
    """(payload, kid) of a JWS file of the given type, checked with a key the set vouches for."""
    header, payload, signing_input, signature = read_jws(path)
    if header.get("typ") != typ:
        raise KeyringError(f"{path}: not a {typ.split('+')[0]} file (type {header.get('typ')!r}).")
    if header.get("alg") not in ALGS:
        raise KeyringError(f"{path}: unsupported algorithm {header.get('alg')!r}.")
    at = parse_time(payload.get(at_field), f"{path}: {at_field}") if at_field else None
    key = keys.key_for(header.get("kid"), at, str(path))
    try:
        key.verify(signature, signing_input)
    except InvalidSignature:
        raise KeyringError(f"{path}: bad signature: the file was changed after signing.") from None
    return payload, str(header.get("kid"))


# -- the manifest --------------------------------------------------------------------------------

@dataclass(frozen=True)
class ManifestKey:
    kid: str
    public: Ed25519PublicKey
    status: str
    valid_from: datetime
    valid_until: datetime | None

    def to_dict(self) -> dict[str, Any]:
        return {"kid": self.kid, "jwk": jwk(self.public), "status": self.status,
                "valid_from": iso(self.valid_from),
                "valid_until": iso(self.valid_until) if self.valid_until else None}


@dataclass(frozen=True)
class Manifest:
    path: Path
    version: int
    issued_at: datetime
    root_kid: str
    keys: tuple[ManifestKey, ...]
    sha256: str

    @property
    def active(self) -> ManifestKey | None:
        return next((k for k in self.keys if k.status == "active"), None)

    def keyset(self) -> KeySet:
        return KeySet({k.kid: k.public for k in self.keys},
                      {k.kid: (k.valid_from, k.valid_until) for k in self.keys},
                      source=f"the keys of manifest {self.path.name}, version {self.version}")

    def key(self, kid: str) -> ManifestKey | None:
        return next((k for k in self.keys if k.kid == kid), None)


def _manifest_payload(version: int, root: Ed25519PublicKey, keys: Sequence[ManifestKey], issued_at: datetime,
                      previous_sha256: str | None) -> dict[str, Any]:
    return {"type": "key-manifest", "format": MANIFEST_FORMAT, "version": version,
            "issued_at": iso(issued_at),
            "root_key": {"kid": key_id(root), "jwk": jwk(root)}, "previous_sha256": previous_sha256,
            "keys": [k.to_dict() for k in keys]}


def _root_public(root: Ed25519PublicKey | Path) -> Ed25519PublicKey:
    return root if isinstance(root, Ed25519PublicKey) else load_public_key(root)


def load_manifest(path: Path, root: Ed25519PublicKey | Path) -> Manifest:
    """Read a manifest and check it: signed by this root key, each key id the thumbprint of its key."""
    root_key = _root_public(root)
    root_kid = key_id(root_key)
    root_only = KeySet({root_kid: root_key}, source="the root key given")
    payload, kid = verify_signed(path, MANIFEST_TYP, root_only)
    if payload.get("format") != MANIFEST_FORMAT or (payload.get("root_key") or {}).get("kid") != root_kid:
        raise KeyringError(f"{path}: not a key manifest of this root key.")
    version = payload.get("version")
    if not isinstance(version, int) or version < 1:
        raise KeyringError(f"{path}: malformed key manifest (no version).")
    keys = []
    for n, entry in enumerate(payload.get("keys") or [], 1):
        what = f"{path}: key {n} of the manifest"
        if not isinstance(entry, dict):
            raise KeyringError(f"{what} is not an object.")
        public = public_from_jwk(entry.get("jwk"), what)
        if entry.get("kid") != key_id(public):
            raise KeyringError(f"{what}: key id {entry.get('kid')} is not the thumbprint of its public key.")
        if entry.get("status") not in STATUSES:
            raise KeyringError(f"{what}: status {entry.get('status')!r} is not active or retired.")
        start = parse_time(entry.get("valid_from"), f"{what}: valid_from")
        end = parse_time(entry["valid_until"], f"{what}: valid_until") if entry.get("valid_until") else None
        if entry["status"] == "retired" and end is None:
            raise KeyringError(f"{what}: retired without a valid_until.")
        if end is not None and end < start:
            raise KeyringError(f"{what}: valid_until is before valid_from.")
        keys.append(ManifestKey(str(entry["kid"]), public, str(entry["status"]), start, end))
    if sum(1 for k in keys if k.status == "active") > 1:
        raise KeyringError(f"{path}: more than one active key.")
    issued_at = parse_time(payload.get("issued_at"), f"{path}: issued_at")
    return Manifest(path, version, issued_at, kid, tuple(keys),
                    hashlib.sha256(path.read_bytes()).hexdigest())


def create_manifest(out: Path, root_key: Ed25519PrivateKey, signing_keys: Sequence[Ed25519PublicKey],
                    valid_from: datetime | None = None) -> Manifest:
    """Write version 1 of a manifest: the given signing key(s) active from valid_from (default: now)."""
    if not signing_keys:
        raise KeyringError("a manifest needs at least one signing key.")
    if len(signing_keys) > 1:
        raise KeyringError("a new manifest has exactly one active signing key; add others by rotation.")
    start = (valid_from or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    keys = [ManifestKey(key_id(signing_keys[0]), signing_keys[0], "active", start, None)]
    payload = _manifest_payload(1, root_key.public_key(), keys, datetime.now(UTC), None)
    try:
        write_jws(out, sign_jws(payload, root_key, MANIFEST_TYP), exclusive=True)
    except FileExistsError:
        raise KeyringError(f"{out} already exists; refusing to overwrite a key manifest (rotate instead).") \
            from None
    return load_manifest(out, root_key.public_key())


@dataclass(frozen=True)
class Rotated:
    manifest: Manifest
    private_key: Path
    public_key: Path
    kid: str
    retired_kid: str
    retired_public_key: Path | None


def rotate(manifest_path: Path, root_key: Ed25519PrivateKey, keys_dir: Path, name: str = "eraser-signing",
           now: datetime | None = None) -> Rotated:
    """Retire the active key (valid_until = now), add a new active key, re-sign the manifest with the root
    key.

    The new key pair is written to KEYS_DIR/NAME.pem and NAME.pub.pem, so a config that names those files
    signs with the new key from now on. If those files held the retired key, its public key is kept as
    NAME-<key id prefix>.pub.pem and its private key file is deleted: nothing can sign with it any more.
    """
    manifest = load_manifest(manifest_path, root_key.public_key())
    old = manifest.active
    if old is None:
        raise KeyringError(f"{manifest_path}: no active key to rotate.")
    moment = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    if moment <= old.valid_from:
        raise KeyringError(f"rotation time {iso(moment)} is not after the active key's valid_from "
                           f"({iso(old.valid_from)}).")
    private_path, public_path = keys_dir / f"{name}.pem", keys_dir / f"{name}.pub.pem"
    holds_old = False
    if private_path.exists():
        try:
            current = serialization.load_pem_private_key(private_path.read_bytes(), password=None)
        except (ValueError, TypeError):
            raise KeyringError(f"{private_path} is not an unencrypted PEM private key.") from None
        holds_old = isinstance(current, Ed25519PrivateKey) and key_id(current.public_key()) == old.kid
        if not holds_old:
            raise KeyringError(f"{private_path} is not the manifest's active key; refusing to replace it.")
    staging = f"{name}.new"
    for leftover in (keys_dir / f"{staging}.pem", keys_dir / f"{staging}.pub.pem"):
        leftover.unlink(missing_ok=True)
    new_private, new_public, new_kid = generate_keys(keys_dir, staging)
    new_key = load_public_key(new_public)
    keys = [ManifestKey(k.kid, k.public, "retired", k.valid_from, moment) if k.kid == old.kid else k
            for k in manifest.keys]
    keys.append(ManifestKey(new_kid, new_key, "active", moment, None))
    payload = _manifest_payload(manifest.version + 1, root_key.public_key(), keys, moment, manifest.sha256)
    write_jws(manifest_path, sign_jws(payload, root_key, MANIFEST_TYP))
    retired_public = None
    if holds_old:
        retired_public = keys_dir / f"{name}-{old.kid[:12]}.pub.pem"
        os.replace(public_path, retired_public)
        private_path.unlink()
    os.replace(new_private, private_path)
    os.replace(new_public, public_path)
    updated = load_manifest(manifest_path, root_key.public_key())
    return Rotated(updated, private_path, public_path, new_kid, old.kid,
                   retired_public)
