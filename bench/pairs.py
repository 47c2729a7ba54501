"""Interleaved pairs for the benchmarks: Eraser and its floor run in turn, and the spread of each side is kept."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass
class Measured:
    """One run: wall seconds, the child process's own peak RSS (MB), its checks and its closing line."""

    seconds: float
    rss: int
    gate: str
    note: str = ""


def interleaved(modes: Sequence[str], pairs: int, eraser: Callable[[str], Measured],
                floor: Callable[[str], Measured]) -> dict[tuple[str, str], list[Measured]]:
    """Eraser, floor, Eraser, floor, ... `pairs` times per mode, so both sides see the same load."""
    runs: dict[tuple[str, str], list[Measured]] = {}
    for n in range(pairs):
        for mode in modes:
            for side, way in (("eraser", eraser), ("floor", floor)):
                print(f"pair {n + 1}/{pairs}, {mode}: {side}", flush=True)
                runs.setdefault((side, mode), []).append(way(mode))
    return runs


def spread_text(values: Sequence[float]) -> str:
    """min / median / max of wall times, e.g. `min 4.1, median 4.3, max 5.0, 3 runs`."""
    return (f"min {min(values):,.1f}, median {statistics.median(values):,.1f}, max {max(values):,.1f}, "
            f"{len(values)} runs")


def pair_ratios(runs: dict[tuple[str, str], list[Measured]]) -> list[str]:
    """Per mode, Eraser / floor of the medians and of each pair."""
    out = []
    for (side, mode), eraser in runs.items():
        floor = runs.get(("floor", mode))
        if side != "eraser" or not floor:
            continue
        ratio = statistics.median(r.seconds for r in eraser) / statistics.median(r.seconds for r in floor)
        each = ", ".join(f"{e.seconds / f.seconds:.2f}x" for e, f in zip(eraser, floor, strict=True))
        out.append(f"{mode}: Eraser / floor {ratio:.2f}x (medians of {len(eraser)} interleaved pairs; "
                   f"pair by pair {each}).")
    return out
