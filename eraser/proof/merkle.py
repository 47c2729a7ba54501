"""RFC 9162 (Certificate Transparency 2.0) Merkle trees: leaf and node hashes, the root, inclusion and
consistency proofs and their verification. Pure functions over bytes; the log file is eraser.proof.logfile."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_hash(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) of a list of leaf hashes (section 2.1.1); SHA-256 of the empty string for an empty tree."""
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaves[0]
    k = _split(n)
    return node_hash(root_hash(leaves[:k]), root_hash(leaves[k:]))


def inclusion_path(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]) (section 2.1.3.1): the audit path of leaf `index` in the tree of these leaf hashes."""
    n = len(leaves)
    if not 0 <= index < n:
        raise ValueError(f"leaf {index} is not in a tree of size {n}")
    if n == 1:
        return []
    k = _split(n)
    if index < k:
        return inclusion_path(index, leaves[:k]) + [root_hash(leaves[k:])]
    return inclusion_path(index - k, leaves[k:]) + [root_hash(leaves[:k])]


def consistency_proof(old_size: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) (section 2.1.4.1) for 0 < m <= n; empty when m == n."""
    if not 0 < old_size <= len(leaves):
        raise ValueError(f"no consistency proof from size {old_size} to {len(leaves)}")

    def subproof(m: int, tree: Sequence[bytes], complete: bool) -> list[bytes]:
        n = len(tree)
        if m == n:
            return [] if complete else [root_hash(tree)]
        k = _split(n)
        if m <= k:
            return subproof(m, tree[:k], complete) + [root_hash(tree[k:])]
        return subproof(m - k, tree[k:], False) + [root_hash(tree[:k])]

    return subproof(old_size, leaves, True)


def _to_right_child(fn: int, sn: int) -> tuple[int, int]:
    """RFC 9162's "until LSB(fn) is set or fn is equal to 0, right-shift both fn and sn equally"."""
    while fn and not fn & 1:
        fn, sn = fn >> 1, sn >> 1
    return fn, sn


def verify_inclusion_path(leaf: bytes, index: int, size: int, path: Sequence[bytes], root: bytes) -> bool:
    """Section 2.1.3.2: does the audit path lead from the leaf hash at `index` to `root`, tree of `size`?"""
    if index >= size or index < 0:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            fn, sn = _to_right_child(fn, sn)
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency_proof(old_size: int, new_size: int, old_root: bytes, new_root: bytes,
                             proof: Sequence[bytes]) -> bool:
    """Section 2.1.4.2: does the proof show the tree of old_size (old_root) is a prefix of the tree of
    new_size (new_root)?

    Trees of equal size are consistent when their roots are equal (and the proof is empty); the empty tree is
    a prefix of every tree.
    """
    if old_size < 0 or new_size < old_size:
        return False
    if old_size == 0:
        return not proof
    if old_size == new_size:
        return not proof and old_root == new_root
    path = list(proof)
    if not path:
        return False
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            fn, sn = _to_right_child(fn, sn)
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == old_root and sr == new_root and sn == 0
