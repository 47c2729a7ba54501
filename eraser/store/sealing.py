"""The identifiers a pending ticket needs, sealed with AES-GCM under a key derived from the controller's secret, and
wiped when the ticket ends."""

from __future__ import annotations

import json
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class Sealer:
    """AES-GCM for the identifiers a pending ticket needs; the key is derived from the controller's secret."""

    def __init__(self, secret: bytes) -> None:
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"eraser ticket identifiers").derive(secret)
        self._aead = AESGCM(key)

    def seal(self, identifiers: dict[str, list[str]], ticket_id: str) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, json.dumps(identifiers).encode(), ticket_id.encode())

    def unseal(self, blob: bytes, ticket_id: str) -> dict[str, list[str]]:
        return dict(json.loads(self._aead.decrypt(blob[:12], blob[12:], ticket_id.encode())))
