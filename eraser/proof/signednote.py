"""Checkpoints as C2SP signed notes (c2sp.org/signed-note, c2sp.org/tlog-checkpoint), co-signed by witnesses
(c2sp.org/tlog-cosignature, cosignature/v1).

A checkpoint note's text is `<origin>\\n<tree size>\\n<base64 root hash>\\n` and one extension line
`eraser-timestamp <ISO 8601>`; after a blank line come signature lines `— <key name> <base64(key hash ||
signature)>`. The log signs the text with Ed25519 (key hash: the first 4 bytes of SHA-256(name || 0x0A || 0x01
|| public key)); a witness signs `cosignature/v1\\ntime <unix seconds>\\n` followed by the text (key hash with
0x04 instead of 0x01, and the 8-byte big-endian time before the signature).
"""

from __future__ import annotations

import base64
import hashlib
import re
import struct
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from eraser._time import iso
from eraser.errors import CertificateError

DASH = "\u2014"
ED25519, COSIGNATURE_V1 = 0x01, 0x04
TIMESTAMP = "eraser-timestamp "


class NoteError(CertificateError):
    """A signed note is malformed or a signature on it does not check out."""


def key_name(origin: str) -> str:
    """A note key name for a log origin: no whitespace and no '+', as the signed-note format requires."""
    return re.sub(r"[\s+]+", "-", origin.strip()) or "eraser-log"


def _raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_hash(name: str, public: Ed25519PublicKey, kind: int) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([kind]) + _raw(public)).digest()[:4]


def checkpoint_text(origin: str, size: int, root: bytes, timestamp: datetime) -> str:
    moment = iso(timestamp)
    return f"{origin}\n{size}\n{base64.b64encode(root).decode()}\n{TIMESTAMP}{moment}\n"


def sign_line(text: str, name: str, key: Ed25519PrivateKey) -> str:
    """The log's signature line over the note text."""
    sig = key.sign(text.encode())
    return f"{DASH} {name} {base64.b64encode(key_hash(name, key.public_key(), ED25519) + sig).decode()}\n"


def _cosigned_message(text: str, when: int) -> bytes:
    return f"cosignature/v1\ntime {when}\n".encode() + text.encode()


def cosign_line(text: str, name: str, key: Ed25519PrivateKey, when: datetime) -> str:
    """A witness's cosignature/v1 line over the checkpoint text at time `when`."""
    seconds = int(when.timestamp())
    sig = key.sign(_cosigned_message(text, seconds))
    blob = key_hash(name, key.public_key(), COSIGNATURE_V1) + struct.pack(">Q", seconds) + sig
    return f"{DASH} {name} {base64.b64encode(blob).decode()}\n"


@dataclass(frozen=True)
class Note:
    text: str
    signatures: tuple[tuple[str, bytes], ...]  # (key name, decoded signature blob)
    origin: str
    size: int
    root: bytes
    timestamp: datetime

    def serialize(self) -> str:
        return self.text + "\n" + "".join(f"{DASH} {n} {base64.b64encode(b).decode()}\n"
                                          for n, b in self.signatures)


def parse(data: str, what: str) -> Note:
    """A checkpoint note, for form only (signatures are checked by `signed_by` and `cosigned_by`)."""
    text, sep, rest = data.partition("\n\n")
    if not sep or not text:
        raise NoteError(f"{what}: not a signed note (no blank line before the signatures).")
    text += "\n"
    signatures = []
    for line in rest.splitlines():
        match = re.fullmatch(DASH + r" (\S+) ([A-Za-z0-9+/=]+)", line)
        if not match:
            raise NoteError(f"{what}: malformed signature line.")
        blob = base64.b64decode(match.group(2))
        if len(blob) < 4 + 64:
            raise NoteError(f"{what}: malformed signature line (too short).")
        signatures.append((match.group(1), blob))
    lines = text.splitlines()
    stamps = [line[len(TIMESTAMP):] for line in lines[3:] if line.startswith(TIMESTAMP)]
    try:
        size, root = int(lines[1]), base64.b64decode(lines[2], validate=True)
        timestamp = datetime.fromisoformat(stamps[0]).astimezone(UTC)
    except (IndexError, ValueError):
        raise NoteError(f"{what}: malformed checkpoint (origin, tree size, root hash, timestamp).") from None
    if size < 0 or len(root) != 32 or not lines[0]:
        raise NoteError(f"{what}: malformed checkpoint (origin, tree size, root hash, timestamp).")
    return Note(text, tuple(signatures), lines[0], size, root, timestamp)


def signed_by(note: Note, keys: dict[str, Ed25519PublicKey], what: str) -> str:
    """The key id (of `keys`) whose log signature on the note checks out, else NoteError."""
    for name, blob in note.signatures:
        for kid, public in keys.items():
            if blob[:4] == key_hash(name, public, ED25519) and len(blob) == 68:
                try:
                    public.verify(blob[4:], note.text.encode())
                except InvalidSignature:
                    raise NoteError(f"{what}: bad signature: the checkpoint was changed after signing.") from None
                return kid
    raise NoteError(f"{what}: not signed by any of the log keys given.")


def cosigned_by(note: Note, witness: Ed25519PublicKey, what: str) -> datetime:
    """When the witness co-signed the note, else NoteError."""
    for name, blob in note.signatures:
        if blob[:4] == key_hash(name, witness, COSIGNATURE_V1) and len(blob) == 76:
            (seconds,) = struct.unpack(">Q", blob[4:12])
            try:
                witness.verify(blob[12:], _cosigned_message(note.text, seconds))
            except InvalidSignature:
                raise NoteError(f"{what}: bad cosignature by witness {name}.") from None
            return datetime.fromtimestamp(seconds, UTC)
    raise NoteError(f"{what}: not co-signed by the witness key given.")
