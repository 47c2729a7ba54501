"""Transparency log of the certificates: an append-only Merkle tree (RFC 9162) with signed checkpoints.

Each certificate's digest (the SHA-256 of its canonical payload) is a leaf of the log, in chain order: entry i
is certificate i + 1 of the chain, and a log that says otherwise was reordered or renumbered. The log lives beside the certificates,
in `transparency-log.jsonl` (one JSON line per entry). A checkpoint signs the tree size, the root hash and a
timestamp with the Ed25519 signing key. Whoever keeps a checkpoint can later check, offline:

* inclusion: a certificate is in the log that checkpoint describes (RFC 9162 section 2.1.3);
* consistency: a later checkpoint describes the same log with entries only added (RFC 9162 section 2.1.4),
  and every certificate the old checkpoint covers is still in the store, unchanged.

Hashing is RFC 9162's: leaf = SHA-256(0x00 || data), node = SHA-256(0x01 || left || right); the data of a
leaf is the 32-byte SHA-256 of the certificate's canonical payload.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from eraser._time import iso
from eraser.errors import CertificateError
from eraser.proof import signednote
from eraser.proof.chain import Verified, as_keys, check_chain
from eraser.proof.jws import read_jws, write_jws
from eraser.proof.keyring import KeySet, Manifest, parse_time, sign_jws, verify_signed
from eraser.proof.keys import key_id
from eraser.proof.logfile import (
    LOG_FILE,
    Entry,
    LogError,
    audit,
    certificate_digest,
    check_log,
    read_log,
    sync,
)
from eraser.proof.logfile import (
    append as append,  # re-exported: logging a certificate is part of the log's API
)
from eraser.proof.merkle import (
    consistency_proof,
    inclusion_path,
    leaf_hash,
    root_hash,
    verify_consistency_proof,
    verify_inclusion_path,
)

CHECKPOINTS = "checkpoints"
CHECKPOINT_TYP = "eraser-log-checkpoint+jws"
CHECKPOINT_FORMAT = "eraser-log-checkpoint/1"


# -- checkpoints -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Checkpoint:
    path: Path
    origin: str
    tree_size: int
    root_hash: bytes
    timestamp: datetime
    kid: str


@dataclass(frozen=True)
class Inclusion:  # what verify_inclusion proved
    index: int
    checkpoint: Checkpoint
    path_length: int


@dataclass(frozen=True)
class Consistency:  # what verify_consistency proved
    old: Checkpoint
    new: Checkpoint
    proof_length: int


def _origin(directory: Path, entries: Sequence[Entry]) -> str:
    if entries:
        try:
            issuer = read_jws(directory / entries[0].certificate)[1].get("issuer") or {}
            if issuer.get("organisation"):
                return f"{issuer['organisation']} erasure certificates"
        except CertificateError:
            pass
    return "erasure certificates"


def checkpoint(directory: Path, key: Ed25519PrivateKey, origin: str | None = None,
               now: datetime | None = None, keys: KeySet | Manifest | Sequence[Path] | None = None) -> Path:
    """Log any new certificates, check the store still holds every logged one, sign and write a checkpoint.

    Refuses (LogError, CertificateError) when a logged certificate is missing or changed, when the log is
    not the chain in order, or when any certificate does not verify with `keys` (default: the signing key's
    own public key; pass the manifest once keys were rotated): a checkpoint is never signed over a store
    that no longer matches its log.
    """
    public = key.public_key()
    entries = sync(directory, keys if keys is not None else KeySet({key_id(public): public}))
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    payload = {"type": "log-checkpoint", "format": CHECKPOINT_FORMAT,
               "origin": origin or _origin(directory, entries),
               "tree_size": len(entries), "root_hash": root_hash([e.leaf for e in entries]).hex(),
               "timestamp": iso(moment), "log": LOG_FILE}
    path = directory / CHECKPOINTS / f"{len(entries):06d}-{moment:%Y%m%dT%H%M%SZ}.checkpoint.json"
    n = 1
    while path.exists():
        n += 1
        path = path.with_name(f"{len(entries):06d}-{moment:%Y%m%dT%H%M%SZ}-{n}.checkpoint.json")
    write_jws(path, sign_jws(payload, key, CHECKPOINT_TYP), exclusive=True)
    text = signednote.checkpoint_text(str(payload["origin"]), len(entries), bytes.fromhex(str(payload["root_hash"])),
                                      moment)
    note = path.with_name(path.name.removesuffix(".json") + ".note")
    note.write_text(text + "\n" + signednote.sign_line(text, signednote.key_name(str(payload["origin"])), key),
                    encoding="utf-8")
    return path


def read_checkpoint(path: Path, public_keys: KeySet | Manifest | Sequence[Path],
                    witnesses: Sequence[Path] = ()) -> Checkpoint:
    """A checkpoint (JWS, or C2SP signed note) whose signature checks out with one of the keys (within its
    period, for a manifest), co-signed by every witness key given (notes only)."""
    if path.name.endswith(".note"):
        return _read_note(path, as_keys(public_keys), witnesses)
    if witnesses:
        raise LogError(f"{path}: only a checkpoint note (.checkpoint.note) carries witness cosignatures.")
    payload, kid = verify_signed(path, CHECKPOINT_TYP, as_keys(public_keys), at_field="timestamp")
    size, root = payload.get("tree_size"), payload.get("root_hash")
    if payload.get("format") != CHECKPOINT_FORMAT or not isinstance(size, int) or size < 0 \
            or not isinstance(root, str) or len(root) != 64:
        raise LogError(f"{path}: malformed checkpoint.")
    try:
        root_bytes = bytes.fromhex(root)
    except ValueError:
        raise LogError(f"{path}: malformed checkpoint (root hash is not hex).") from None
    return Checkpoint(path, str(payload.get("origin", "")), size, root_bytes,
                      parse_time(payload.get("timestamp"), f"{path}: timestamp"), kid)


def _read_note(path: Path, keys: KeySet, witnesses: Sequence[Path]) -> Checkpoint:
    from eraser.proof.keys import load_public_key

    try:
        note = signednote.parse(path.read_text(encoding="utf-8"), str(path))
    except OSError as exc:
        raise LogError(f"cannot read checkpoint {path}: {exc.strerror}.") from None
    kid = signednote.signed_by(note, dict(keys.keys), str(path))
    keys.key_for(kid, note.timestamp, str(path))
    for witness in witnesses:
        signednote.cosigned_by(note, load_public_key(witness), str(path))
    return Checkpoint(path, note.origin, note.size, note.root, note.timestamp, kid)


def default_store(checkpoint_path: Path) -> Path:
    """The certificates directory a checkpoint belongs to: the parent of its checkpoints/ folder."""
    parent = checkpoint_path.resolve().parent
    return parent.parent if parent.name == CHECKPOINTS else parent


# -- proofs ------------------------------------------------------------------------------------

def covered(log: Path, cp: Checkpoint) -> list[Entry]:
    """The entries of the log (a file, or the log in a certificates directory) that the checkpoint covers;
    LogError if the log has fewer: entries were removed."""
    entries = read_log(log)
    if len(entries) < cp.tree_size:
        raise LogError(f"the log in {log} has {len(entries)} entries, fewer than the {cp.tree_size} of checkpoint "
                       f"{cp.path.name}: entries were removed.")
    return entries[:cp.tree_size]


def verify_inclusion(cert_path: Path, checkpoint_file: Path, public_keys: KeySet | Manifest | Sequence[Path],
                     log: Path | None = None, links: Sequence[Verified] | None = None,
                     witnesses: Sequence[Path] = ()) -> Inclusion:
    """The certificate is in the log the checkpoint describes (RFC 9162 inclusion proof against its root).

    The audit path is computed from the log (default: the one beside the certificate) and checked against
    the signed root, so a rewritten log fails as surely as an edited certificate. Every entry the checkpoint
    covers must be the chain's certificate of that position, verified (`links`: the chain already checked).
    """
    keys = as_keys(public_keys)
    cp = read_checkpoint(checkpoint_file, keys, witnesses)
    entries = covered(log or cert_path.resolve().parent, cp)
    digest = certificate_digest(cert_path)
    index = next((e.index for e in entries if e.sha256 == digest), None)
    if index is None:
        named = next((e for e in entries if e.certificate == cert_path.name), None)
        if named is not None:
            raise LogError(f"{cert_path}: changed since it was logged (log entry {named.index} holds another "
                           "SHA-256).")
        raise LogError(f"{cert_path}: not in the log as of checkpoint {checkpoint_file.name} "
                       f"(tree size {cp.tree_size}).")
    check_log(entries, links if links is not None else check_chain(cert_path.resolve().parent, keys))
    leaves = [e.leaf for e in entries]
    path = inclusion_path(index, leaves)
    if not verify_inclusion_path(leaf_hash(bytes.fromhex(digest)), index, cp.tree_size, path, cp.root_hash):
        raise LogError(f"inclusion proof of {cert_path.name} fails against checkpoint "
                       f"{checkpoint_file.name}: "
                       "the log does not match the signed root; it was rewritten.")
    return Inclusion(index, cp, len(path))


def verify_consistency(old_cp: Path, new_cp: Path, public_keys: KeySet | Manifest | Sequence[Path],
                       store: Path | None = None) -> Consistency:
    """The new checkpoint's log extends the old one's (RFC 9162 consistency proof), and the store still holds
    every certificate the new checkpoint covers, unchanged and in chain order. LogError with the reason
    otherwise."""
    keys = as_keys(public_keys)
    old, new = read_checkpoint(old_cp, keys), read_checkpoint(new_cp, keys)
    if old.origin != new.origin:
        raise LogError(f"the checkpoints are of different logs ({old.origin!r} and {new.origin!r}).")
    if new.tree_size < old.tree_size:
        raise LogError(f"the log shrank from {old.tree_size} to {new.tree_size} entries between "
                       f"{old_cp.name} and {new_cp.name}.")
    directory = store or default_store(new_cp)
    entries = covered(directory, new)
    audit(directory, entries)
    check_log(entries, check_chain(directory, keys))
    leaves = [e.leaf for e in entries]
    if root_hash(leaves) != new.root_hash:
        raise LogError(f"the log in {directory} does not match checkpoint {new_cp.name}: it was rewritten.")
    proof = consistency_proof(old.tree_size, leaves) if old.tree_size else []
    if not verify_consistency_proof(old.tree_size, new.tree_size, old.root_hash, new.root_hash, proof):
        raise LogError(f"consistency proof from {old_cp.name} ({old.tree_size} entries) to {new_cp.name} "
                       f"({new.tree_size}) fails: the log was rewritten, not only appended to.")
    return Consistency(old, new, len(proof))

