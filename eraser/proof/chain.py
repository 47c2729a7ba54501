"""Verifying certificates: one certificate's signature, type, format and key period, and its chain checked whole.

A chain is every `NNNNNNNNNN-ID.cert.json` of a directory. It holds when its signed sequence numbers run 1, 2,
3, ... with no gap and no number twice (a fork), each certificate names the SHA-256 of its predecessor's
canonical payload, issue times never go backwards, and each file name carries its signed sequence and id.
Keys are only those the verifier names (public key files, or a manifest checked against a root key): nothing
found beside the certificates is trusted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature

from eraser._time import iso
from eraser.errors import CertificateError
from eraser.proof.jws import ALGS, CERT_NAME, chain_files, payload_sha256, read_jws
from eraser.proof.keyring import KeySet, Manifest, ManifestKey, load_manifest, parse_time

TYP = "eraser-certificate+jws"
FORMAT = "eraser-certificate/2"


@dataclass(frozen=True)
class Verified:
    payload: dict[str, Any]
    kid: str
    sequence: int
    chain: str
    path: Path | None = None
    digest: str = ""
    issued_at: datetime | None = None
    chain_length: int = 0


def as_keys(keys: KeySet | Manifest | Sequence[Path]) -> KeySet:
    if isinstance(keys, KeySet):
        return keys
    if isinstance(keys, Manifest):
        return keys.keyset()
    if not keys:
        raise CertificateError("no trusted key to verify with: pass --public-key FILE, or --manifest FILE with "
                               "--root-key FILE.")
    return KeySet.from_files(list(keys))


def issue_time(payload: dict[str, Any], what: str) -> datetime:
    """When a certificate was issued: the signed `certificate.issued_at` (not when its ticket completed)."""
    return parse_time((payload.get("certificate") or {}).get("issued_at"), f"{what}: certificate.issued_at")


def verify_one(path: Path, keys: KeySet | None) -> Verified:
    """Signature, type, algorithm, format, key period and file name of one certificate; no chain check. With
    keys None (the issuer rebuilding its own head) the signature is not checked, everything else is."""
    header, payload, signing_input, signature = read_jws(path)
    if header.get("typ") != TYP:
        raise CertificateError(f"{path}: not a destruction certificate (JWS type {header.get('typ')!r}, expected "
                               f"{TYP!r}).")
    if header.get("alg") not in ALGS:
        raise CertificateError(f"{path}: unsupported algorithm {header.get('alg')!r} (expected Ed25519).")
    meta = payload.get("certificate")
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        found = meta.get("format") if isinstance(meta, dict) else None
        raise CertificateError(f"{path}: certificate format {found!r} is not {FORMAT!r}.")
    sequence = meta.get("sequence")
    if not isinstance(sequence, int) or isinstance(sequence, bool) or sequence < 1:
        raise CertificateError(f"{path}: malformed certificate (no chain sequence number).")
    at = issue_time(payload, str(path))
    if keys is not None:
        try:
            keys.key_for(header.get("kid"), at, str(path)).verify(signature, signing_input)
        except InvalidSignature:
            raise CertificateError(f"{path}: bad signature: the certificate was changed after signing, or "
                                   "signed by another key.") from None
    named = CERT_NAME.match(path.name)
    if named and (int(named["seq"]), named["id"]) != (sequence, meta.get("id")):
        raise CertificateError(f"{path}: the file name says certificate {int(named['seq'])} but the signed "
                               f"sequence is {sequence} (id {meta.get('id')}); the file was renamed.")
    return Verified(payload, str(header.get("kid")), sequence, "", path, payload_sha256(payload), at)


def check_chain(directory: Path, keys: KeySet | None) -> list[Verified]:
    """Every certificate of the directory, in chain order, each verified and linked to the one before;
    CertificateError with one sentence on the first gap, fork, broken link or time going backwards."""
    links = sorted((verify_one(p, keys) for p in chain_files(directory)), key=lambda v: v.sequence)
    checked: list[Verified] = []
    for link in links:
        meta = link.payload["certificate"]
        previous = checked[-1] if checked else None
        if previous is not None and link.sequence == previous.sequence:
            raise CertificateError(f"fork in {directory}: two certificates claim number {link.sequence} "
                                   f"({_name(previous)} and {_name(link)}).")
        expected = previous.sequence + 1 if previous else 1
        if link.sequence != expected:
            raise CertificateError(f"gap in {directory}: certificate {expected} is missing (the next one present "
                                   f"is {link.sequence}, {_name(link)}).")
        if previous is None:
            if meta.get("previous_sha256") is not None:
                raise CertificateError(f"{link.path}: certificate 1 names a predecessor; it is not the start of "
                                       "this chain.")
            chain = "first certificate of its chain"
        else:
            if meta.get("previous_sha256") != previous.digest:
                raise CertificateError(f"{link.path}: broken chain: certificate {previous.sequence} "
                                       f"({_name(previous)}) is not the one this certificate follows; it was "
                                       "replaced or edited.")
            assert previous.issued_at is not None and link.issued_at is not None
            if link.issued_at < previous.issued_at:
                raise CertificateError(f"{link.path}: issued at {iso(link.issued_at)}, before certificate "
                                       f"{previous.sequence} ({iso(previous.issued_at)}): issue times go backwards "
                                       "along the chain, so it was backdated.")
            chain = f"linked to certificate {previous.sequence}"
        checked.append(Verified(link.payload, link.kid, link.sequence, chain, link.path, link.digest,
                                link.issued_at))
    return [Verified(v.payload, v.kid, v.sequence, v.chain, v.path, v.digest, v.issued_at, len(checked))
            for v in checked]


def _name(link: Verified) -> str:
    return link.path.name if link.path else "?"


def verify(path: Path, keys: KeySet | Manifest | Sequence[Path], partial: bool = False) -> Verified:
    """Verify a certificate and, unless `partial`, the whole chain of its directory (which it must belong
    to)."""
    keyset = as_keys(keys)
    if partial:
        one = verify_one(path, keyset)
        return Verified(one.payload, one.kid, one.sequence, "verified on its own (--partial): its place in the "
                        "chain was not checked", one.path, one.digest, one.issued_at)
    if not CERT_NAME.match(path.name):
        raise CertificateError(f"{path}: not named like a link of a certificate chain (NNNNNNNNNN-ID.cert.json); "
                               "verify it with --partial to check it on its own.")
    target = path.resolve()
    for link in check_chain(target.parent, keyset):
        if link.path is not None and link.path.resolve() == target:
            return link
    raise CertificateError(f"{path}: cannot read certificate {path}.")


@dataclass(frozen=True)
class ManifestVerified:
    verified: Verified
    key: ManifestKey
    issued_at: datetime
    manifest: Manifest


def verify_with_manifest(path: Path, manifest: Manifest | Path, root: Any = None,
                         partial: bool = False) -> ManifestVerified:
    """Verify a certificate (and its chain) with only the manifest and the root public key: each signature
    within its key's period."""
    if not isinstance(manifest, Manifest):
        if root is None:
            raise CertificateError("a key manifest is checked against the root public key; pass it.")
        manifest = load_manifest(manifest, root)
    verified = verify(path, manifest, partial)
    entry = manifest.key(verified.kid)
    assert entry is not None and verified.issued_at is not None
    return ManifestVerified(verified, entry, verified.issued_at, manifest)
