"""bench/erase_process.py runs end to end at a tiny size (a benchmark: nothing here is timed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import fresh_database

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_whole_process_benchmark_compares_two_trees_on_a_tiny_database(tmp_path: Path) -> None:
    """Two trees (here the same one twice) erase subjects of a database built by erase_one.py as whole processes,
    interleaved, and leave the same rows behind (the script stops otherwise)."""
    databases = fresh_database("postgresql", tmp_path)
    name = sa.engine.make_url(next(databases)).database
    assert name
    try:
        for args in (["bench/erase_one.py", "--persons", "110", "--subjects", "10", "--build-only"],
                     ["bench/erase_process.py", "--persons", "110", "--subjects", "10", "--rounds", "2",
                      "--tree", "one=.", "--tree", f"two=.,ERASER_SCHEMA_CACHE={tmp_path / 'cache'}"]):
            proc = subprocess.run([sys.executable, *args, "--db", name], cwd=ROOT, capture_output=True, text=True,
                                  timeout=600)
            assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    finally:
        databases.close()
    assert "| one | min " in proc.stdout and "| two | min " in proc.stdout
    assert "the same for every tree" in proc.stdout
