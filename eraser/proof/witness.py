"""`eraser log witness`: a third party (the controller's DPO, an auditor) co-signs a checkpoint after checking
that the log only grew since the last checkpoint it co-signed. A rewrite of the log is then caught by anyone
who keeps a witnessed checkpoint, even if the log's own key signed the rewrite."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from eraser.proof import signednote
from eraser.proof.keyring import KeySet
from eraser.proof.merkle import consistency_proof, root_hash, verify_consistency_proof
from eraser.proof.translog import Checkpoint, LogError, read_checkpoint, read_log


@dataclass(frozen=True)
class Witnessed:
    checkpoint: Checkpoint
    previous_size: int | None
    proof_length: int
    state: Path


def _state_file(state: Path, origin: str) -> Path:
    return state / f"{hashlib.sha256(origin.encode()).hexdigest()[:16]}.checkpoint.note"


def witness(note_path: Path, store: Path, log_keys: KeySet, key: Ed25519PrivateKey, name: str, state: Path,
            now: datetime | None = None) -> Witnessed:
    """Check the note is signed by the log, its tree is the log in STORE, and the log only grew since the
    checkpoint last witnessed (kept in STATE); then append this witness's cosignature to the note and keep it
    as the last witnessed. LogError with one sentence, and nothing written, otherwise."""
    new = read_checkpoint(note_path, log_keys)
    seen = _state_file(state, new.origin)
    old = read_checkpoint(seen, log_keys) if seen.exists() else None
    entries = read_log(store)
    if len(entries) < new.tree_size:
        raise LogError(f"the log in {store} has {len(entries)} entries, fewer than the {new.tree_size} of "
                       f"{note_path.name}.")
    leaves = [e.leaf for e in entries[:new.tree_size]]
    if root_hash(leaves) != new.root_hash:
        raise LogError(f"the log in {store} does not match {note_path.name}: it was rewritten.")
    proof: Sequence[bytes] = []
    if old is not None:
        if new.tree_size < old.tree_size:
            raise LogError(f"{note_path.name} has {new.tree_size} entries, fewer than the {old.tree_size} "
                           "witnessed before: the log shrank; not co-signed.")
        proof = consistency_proof(old.tree_size, leaves) if old.tree_size else []
        if not verify_consistency_proof(old.tree_size, new.tree_size, old.root_hash, new.root_hash, proof):
            raise LogError(f"{note_path.name} is not consistent with the checkpoint witnessed before "
                           f"({old.tree_size} entries): the log was rewritten; not co-signed.")
    data = note_path.read_text(encoding="utf-8")
    note = signednote.parse(data, str(note_path))
    line = signednote.cosign_line(note.text, name, key, now or datetime.now(UTC))
    cosigned = data if data.endswith("\n") else data + "\n"
    cosigned += line
    state.mkdir(parents=True, exist_ok=True)
    for target in (note_path, seen):
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(cosigned, encoding="utf-8")
        os.replace(tmp, target)
    return Witnessed(new, old.tree_size if old else None, len(proof), seen)
