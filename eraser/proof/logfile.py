"""The transparency log's file: `transparency-log.jsonl` beside the certificates, one JSON line per certificate
in chain order (entry i is certificate i + 1), appended under the store's lock, and the store's head that lets
issuance read a few small files whatever the chain's length. Checkpoints and proofs over the log are
eraser.proof.translog."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from eraser import faults
from eraser._time import iso
from eraser.errors import CertificateError
from eraser.proof.chain import Verified, as_keys, check_chain
from eraser.proof.jws import Head, index_certificate, locked, payload_sha256, read_head, read_jws, write_head
from eraser.proof.keyring import KeySet, Manifest
from eraser.proof.merkle import leaf_hash

LOG_FILE = "transparency-log.jsonl"


class LogError(CertificateError):
    """The transparency log, a checkpoint or a proof does not check out."""


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


def certificate_digest(path: Path) -> str:
    """The SHA-256 of a certificate file's canonical payload: the data of its leaf."""
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
        elif certificate_digest(path) != entry.sha256:
            problems.append(f"certificate {entry.certificate} (log entry {entry.index}) was changed after it "
                            "was logged")
    if problems:
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        raise LogError("; ".join(problems[:3]) + more + ".")
