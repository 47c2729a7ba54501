"""Certificate issuance against the chain's length: time `issue()` for the first certificates and after N.

    python bench/issue.py --count 3000

Prints the median time of one issuance over the first 50 and over the last 50 of COUNT certificates issued
into a fresh directory (sign, write, link into the chain, append to the log).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from eraser.proof.certificates import generate_keys, issue, load_private_key

PAYLOAD = {"certificate": {"type": "erasure"}, "outcome": "erased", "totals": {"delete": 3},
           "ticket": {"reference": "BENCH-1", "completed_at": "2026-03-05T14:07:00Z"}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=3000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="eraser-bench-issue-") as tmp:
        key = load_private_key(generate_keys(Path(tmp) / "keys")[0])
        times = []
        for _ in range(args.count):
            started = time.perf_counter()
            issue(PAYLOAD, key, Path(tmp) / "certificates")
            times.append((time.perf_counter() - started) * 1000)
    first, last = statistics.median(times[:50]), statistics.median(times[-50:])
    print(f"{args.count} certificates: median issue {first:.2f} ms for the first 50, {last:.2f} ms for the last 50")


if __name__ == "__main__":
    main()
