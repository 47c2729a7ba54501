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

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from eraser import faults
from eraser._time import iso
from eraser.errors import CertificateError
from eraser.proof import signednote
from eraser.proof.chain import Verified, as_keys, check_chain
from eraser.proof.jws import (
    Head,
    index_certificate,
    locked,
    payload_sha256,
    read_head,
    read_jws,
    write_head,
    write_jws,
)
from eraser.proof.keyring import KeySet, Manifest, parse_time, sign_jws, verify_signed
from eraser.proof.keys import key_id
from eraser.proof.merkle import (
    consistency_proof,
    inclusion_path,
    leaf_hash,
    root_hash,
    verify_consistency_proof,
    verify_inclusion_path,
)

LOG_FILE = "transparency-log.jsonl"
CHECKPOINTS = "checkpoints"
CHECKPOINT_TYP = "eraser-log-checkpoint+jws"
CHECKPOINT_FORMAT = "eraser-log-checkpoint/1"


class LogError(CertificateError):
    """The transparency log, a checkpoint or a proof does not check out."""


# -- the log file ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    index: int
    sha256: str
    certificate: str
    logged_at: str

    @property
    def leaf(self) -> bytes:
        return leaf_hash(bytes.fromhex(self.sha256))


def log_path(directory: Path) -> Path:
    return directory / LOG_FILE


def read_log(path: Path) -> list[Entry]:
    """The entries of a log file (or of the log in a certificates directory), checked for form and order."""
    if path.is_dir():
        path = log_path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise LogError(f"cannot read the transparency log {path}: {exc.strerror}.") from None
    entries = []
    for number, line in enumerate(lines, 1):
        try:
            item = json.loads(line)
            entry = Entry(int(item["index"]), str(item["sha256"]), str(item["certificate"]),
                          str(item["logged_at"]))
            bytes.fromhex(entry.sha256)
        except (ValueError, KeyError, TypeError):
            raise LogError(f"{path}, line {number}: malformed log entry.") from None
        if entry.index != number - 1 or len(entry.sha256) != 64:
            raise LogError(f"{path}, line {number}: entry {entry.index} out of order or malformed; "
                           "the log was edited.")
        entries.append(entry)
    return entries


def _digest(path: Path) -> str:
    return payload_sha256(read_jws(path)[1])


def _line(entry: Entry) -> bytes:
    return (json.dumps({"index": entry.index, "sha256": entry.sha256, "certificate": entry.certificate,
                        "logged_at": entry.logged_at}, separators=(",", ":")) + "\n").encode()


def append_entry(directory: Path, index: int, digest: str, name: str) -> int:
    """Append entry `index` to the log (the caller holds the store's lock and knows the log's size); return
    the bytes written."""
    line = _line(Entry(index, digest, name, iso(datetime.now(UTC))))
    faults.disk("log", log_path(directory))
    fd = os.open(log_path(directory), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)
    return len(line)


def check_log(entries: Sequence[Entry], links: Sequence[Verified]) -> None:
    """Entry i is certificate i + 1 of the chain, by file name and digest; LogError with one sentence if not."""
    for entry in entries:
        if entry.index >= len(links):
            raise LogError(f"log entry {entry.index} names {entry.certificate}, but the chain has only "
                           f"{len(links)} certificate(s): it is missing from the store.")
        link = links[entry.index]
        name = link.path.name if link.path else ""
        if entry.certificate != name:
            raise LogError(f"log entry {entry.index} names {entry.certificate}, but certificate "
                           f"{link.sequence} of the chain is {name}: the log was reordered or renumbered.")
        if entry.sha256 != link.digest:
            raise LogError(f"certificate {name} (log entry {entry.index}) was changed after it was logged.")


def _extend(directory: Path, links: Sequence[Verified], upto: int | None = None) -> list[Entry]:
    """Under the lock: check the log against the chain, log the certificates it lacks (up to sequence
    `upto`), and refresh the store's head. Returns the whole log."""
    entries = read_log(directory)
    check_log(entries, links)
    for link in links[len(entries):upto]:
        assert link.path is not None
        append_entry(directory, len(entries), link.digest, link.path.name)
        entries.append(Entry(len(entries), link.digest, link.path.name, ""))
    for link in links:
        assert link.path is not None
        index_certificate(directory, str(link.payload["certificate"].get("id")), link.path.name)
    last = links[-1] if links else None
    size = log_path(directory).stat().st_size if log_path(directory).exists() else 0
    write_head(directory, Head(last.sequence, last.path.name, last.digest,
                               iso(last.issued_at) if last.issued_at else None, len(entries), size)
               if last and last.path else Head(log_entries=len(entries), log_bytes=size))
    return entries


def rebuild_head(directory: Path) -> Head:
    """The issuer's head rebuilt from the store (after a crash, or for a store without one): the chain's
    structure is checked (signatures are the verifier's business) and the log completed. Under the lock."""
    _extend(directory, check_chain(directory, None))
    head = read_head(directory)
    assert head is not None
    return head


def head_of(directory: Path) -> Head:
    """The store's head if it matches the store, else rebuilt from the whole chain. Under the lock.

    The head file is a hint, never trusted as it is: it must name the log's size, the log's last entry must be
    its certificate with its digest, and that certificate must carry its sequence, digest and issue time (one
    certificate and the log's last line read, whatever the chain's length). A head file edited, stale or
    pointing elsewhere is rebuilt, so the next certificate still follows the real last one; verification
    (`eraser certificate verify`, `eraser log verify`) never reads it and checks the chain whole."""
    head = read_head(directory)
    if head is not None and head.pending is None and _matches(directory, head):
        return head
    return rebuild_head(directory)


def _matches(directory: Path, head: Head) -> bool:
    log = log_path(directory)
    size = log.stat().st_size if log.exists() else 0
    if size != head.log_bytes:
        return False
    if head.sequence == 0:
        return head.file is None and head.digest is None and size == 0 and head.log_entries == 0
    if head.file is None or Path(head.file).name != head.file or head.log_entries < 1:
        return False
    try:
        payload = read_jws(directory / head.file)[1]
        with open(log, "rb") as fh:
            fh.seek(max(0, size - 4096))
            last = json.loads(fh.read().splitlines()[-1])
    except (OSError, ValueError, IndexError, CertificateError):
        return False
    meta = payload.get("certificate") or {}
    return (meta.get("sequence"), meta.get("issued_at"), payload_sha256(payload)) == \
        (head.sequence, head.issued_at, head.digest) and \
        (last.get("index"), last.get("certificate"), last.get("sha256")) == (head.log_entries - 1, head.file, head.digest)


def sync(directory: Path, keys: KeySet | Manifest | Sequence[Path]) -> list[Entry]:
    """Log every certificate of the directory not logged yet, in chain order, after checking the chain whole
    with the keys and the log against it; return the whole log."""
    keyset = as_keys(keys)
    with locked(directory):
        audit(directory, read_log(directory))
        return _extend(directory, check_chain(directory, keyset))


def append(cert_path: Path, keys: KeySet | Manifest | Sequence[Path]) -> Entry:
    """Log a certificate (and any before it not logged yet); a logged certificate keeps its entry. The chain
    is checked whole with the keys first: a forged, reordered or renumbered certificate is never logged."""
    directory = cert_path.resolve().parent
    keyset = as_keys(keys)
    with locked(directory):
        links = check_chain(directory, keyset)
        target = next((v for v in links if v.path and v.path.resolve() == cert_path.resolve()), None)
        if target is None:
            raise LogError(f"{cert_path}: not a certificate of the chain in {directory}.")
        return _extend(directory, links, target.sequence)[target.sequence - 1]


def audit(directory: Path, entries: Sequence[Entry]) -> None:
    """Every logged certificate is still in the store, unchanged; LogError listing those that are not."""
    problems = []
    for entry in entries:
        path = directory / entry.certificate
        if not path.exists():
            problems.append(f"certificate {entry.certificate} (log entry {entry.index}) is missing from the "
                            "store")
        elif _digest(path) != entry.sha256:
            problems.append(f"certificate {entry.certificate} (log entry {entry.index}) was changed after it "
                            "was logged")
    if problems:
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        raise LogError("; ".join(problems[:3]) + more + ".")


# -- checkpoints -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Checkpoint:
    path: Path
    origin: str
    tree_size: int
    root_hash: bytes
    timestamp: datetime
    kid: str


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

@dataclass(frozen=True)
class Inclusion:
    index: int
    checkpoint: Checkpoint
    path_length: int


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
    entries = read_log(log or cert_path.resolve().parent)
    if len(entries) < cp.tree_size:
        raise LogError(f"the log has {len(entries)} entries, fewer than the {cp.tree_size} of checkpoint "
                       f"{checkpoint_file.name}: entries were removed.")
    entries = entries[:cp.tree_size]
    digest = _digest(cert_path)
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


@dataclass(frozen=True)
class Consistency:
    old: Checkpoint
    new: Checkpoint
    proof_length: int


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
    entries = read_log(directory)
    if len(entries) < new.tree_size:
        raise LogError(f"the log in {directory} has {len(entries)} entries, fewer than the {new.tree_size} "
                       f"of checkpoint {new_cp.name}: entries were removed.")
    entries = entries[:new.tree_size]
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

