"""Certificate issuance against the length of the chain: time `issue()` on an empty chain and on one of N.

Used by bench/tickets.py (`--chain N`): the daemon's certificates go through the same `issue()`, which reads the
chain's directory to find its head, so its cost can grow with the certificates already issued.
"""

from __future__ import annotations

import shutil
import statistics
import time
from pathlib import Path
from typing import Any


def payload(n: int) -> dict[str, Any]:
    """A certificate body of the size of an erasure's (11 tables), without any identifier."""
    tables = [{"connector": "cover", "table": f"table_{t}", "deleted": 3 + t, "anonymized": t % 2, "retained": t % 3,
               "category": "correspondence", "basis": "GDPR Art. 17(1)"} for t in range(11)]
    return {"kind": "erasure", "subject_reference": f"{n:064x}", "tables": tables,
            "verification": {"result": "PASS", "checks": 52}, "backups": {"retention": "35d"}}


def fill(directory: Path, key: Any, count: int) -> float:
    """Issue `count` certificates into `directory`; seconds it took."""
    from eraser.proof.certificates import issue

    clock = time.perf_counter()
    for n in range(count):
        issue(payload(n), key, directory)
    return time.perf_counter() - clock


def issuance(root: Path, key_path: Path, chain: int, samples: int = 50) -> list[tuple[int, list[float]]]:
    """Milliseconds of `samples` issuances on an empty chain and on a chain of `chain` certificates."""
    from eraser.proof.certificates import generate_keys, issue, load_private_key

    if not key_path.exists():
        generate_keys(key_path.parent)
    key = load_private_key(key_path)
    out = []
    for length in sorted({0, chain}):
        directory = root / f"chain-{length}"
        shutil.rmtree(directory, ignore_errors=True)
        fill(directory, key, length)
        times = []
        for n in range(samples):
            clock = time.perf_counter()
            issue(payload(length + n), key, directory)
            times.append((time.perf_counter() - clock) * 1000)
        out.append((length, times))
        shutil.rmtree(directory, ignore_errors=True)
    return out


def table(results: list[tuple[int, list[float]]]) -> str:
    """Markdown: per chain length, p50 / p95 / max of an issuance."""
    rows = ["| chain before (certificates) | issuances | p50 ms | p95 ms | max ms |", "|--:|--:|--:|--:|--:|"]
    for length, times in results:
        ordered = sorted(times)
        p95 = ordered[min(len(ordered) - 1, -(-95 * len(ordered) // 100) - 1)]
        rows.append(f"| {length:,} | {len(times)} | {statistics.median(times):.1f} | {p95:.1f} | {ordered[-1]:.1f} |")
    return "\n".join(rows)
