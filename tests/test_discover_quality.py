"""Discovery's precision and recall of personal columns stay at or above 0.95 on the labelled corpus: the
schemas it was developed on and the held-out ones, measured by bench/discover_quality.py's own code."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from discover_quality import measure  # noqa: E402
from heldout_schemas import HELD_OUT  # noqa: E402
from labelled_schemas import SCHEMAS  # noqa: E402


@pytest.mark.parametrize("corpus", [SCHEMAS, HELD_OUT], ids=["tuned", "held-out"])
def test_precision_and_recall_of_personal_columns(corpus: dict, tmp_path: Path) -> None:
    """Totals over the set: TP / (TP + FP) and TP / (TP + FN) are both >= 0.95."""
    results = measure(1000, 7, tmp_path, corpus)
    tp = sum(int(r["tp"]) for r in results)  # type: ignore[call-overload]
    fp = sum(len(r["fp"]) for r in results)  # type: ignore[arg-type]
    fn = sum(len(r["fn"]) for r in results)  # type: ignore[arg-type]
    assert tp / (tp + fp) >= 0.95, [r["fp"] for r in results]
    assert tp / (tp + fn) >= 0.95, [r["fn"] for r in results]
