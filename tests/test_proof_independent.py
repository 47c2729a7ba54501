"""A chain, its log and a checkpoint verified as a third party would from docs/PROOF.md alone: JWS with jwcrypto
(not Eraser's JOSE code), the Merkle tree with an RFC 9162 implementation written here from the RFC."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import rfc8785
from jwcrypto import jwk, jws

from eraser.proof.certificates import generate_keys, issue, load_private_key
from eraser.proof.translog import checkpoint
from tests.test_proof import payload_at

# -- RFC 9162 section 2.1, written from the RFC --------------------------------------------------


def mth(leaves: list[bytes]) -> bytes:
    """MTH(D[n]) over already-hashed leaves; SHA-256("") for the empty tree (2.1.1)."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()


def audit_path(m: int, leaves: list[bytes]) -> list[bytes]:
    """PATH(m, D[n]) (2.1.3.1)."""
    if len(leaves) <= 1:
        return []
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    if m < k:
        return audit_path(m, leaves[:k]) + [mth(leaves[k:])]
    return audit_path(m - k, leaves[k:]) + [mth(leaves[:k])]


def verify_path(leaf: bytes, index: int, size: int, path: list[bytes], root: bytes) -> bool:
    """The verification algorithm of 2.1.3.2, step by step."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            r = hashlib.sha256(b"\x01" + p + r).digest()
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = hashlib.sha256(b"\x01" + r + p).digest()
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def verified_payload(path: Path, key: jwk.JWK, typ: str) -> tuple[dict[str, Any], bytes]:
    """(payload, payload bytes) of a flattened JWS checked by jwcrypto, with its protected typ and alg."""
    token = jws.JWS()
    token.deserialize(path.read_text())
    token.allowed_algs = ["Ed25519", "EdDSA"]
    token.verify(key)
    header = token.jose_header
    assert header["typ"] == typ and header["alg"] in ("Ed25519", "EdDSA")
    raw = token.payload
    payload = json.loads(raw)
    assert rfc8785.dumps(payload) == raw  # canonical form, RFC 8785
    return payload, raw


def test_a_second_jose_library_and_an_own_rfc_9162_verify_chain_log_and_checkpoint(tmp_path: Path) -> None:
    """jwcrypto verifies every certificate (one of them signed with the EdDSA name) and the checkpoint; the
    chain links by SHA-256 of the canonical payload with sequence 1..n and issue times that never go back;
    the log's leaves are those digests in chain order; the checkpoint's root and every inclusion proof check out
    with the Merkle code above."""
    private, public, _ = generate_keys(tmp_path / "keys")
    key = load_private_key(private)
    store = tmp_path / "certificates"
    start = datetime(2026, 3, 1, tzinfo=UTC)
    for n in range(5):
        issue(payload_at(start + timedelta(days=n)), key, store, issued_at=start + timedelta(days=n),
              alg="EdDSA" if n == 2 else "Ed25519")
    cp = checkpoint(store, key)
    verifier = jwk.JWK.from_pem(public.read_bytes())

    digests, previous_time = [], ""
    for n, path in enumerate(sorted(store.glob("*.cert.json")), 1):
        payload, raw = verified_payload(path, verifier, "eraser-certificate+jws")
        meta = payload["certificate"]
        assert meta["format"] == "eraser-certificate/2" and meta["sequence"] == n
        assert path.name == f"{n:010d}-{meta['id']}.cert.json"
        assert meta["previous_sha256"] == (digests[-1].hex() if digests else None)
        assert meta["issued_at"] >= previous_time
        previous_time = meta["issued_at"]
        digests.append(hashlib.sha256(raw).digest())

    log = [json.loads(line) for line in (store / "transparency-log.jsonl").read_text().splitlines()]
    assert [(e["index"], bytes.fromhex(e["sha256"])) for e in log] == list(enumerate(digests))
    leaves = [hashlib.sha256(b"\x00" + d).digest() for d in digests]
    body, _ = verified_payload(cp, verifier, "eraser-log-checkpoint+jws")
    assert body["tree_size"] == 5 and bytes.fromhex(body["root_hash"]) == mth(leaves)
    for index, leaf in enumerate(leaves):
        assert verify_path(leaf, index, 5, audit_path(index, leaves), mth(leaves))
    assert not verify_path(leaves[1], 2, 5, audit_path(2, leaves), mth(leaves))
