"""The benchmark scripts run end to end at a tiny size (they are benchmarks: nothing here is timed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import fresh_database

ROOT = Path(__file__).resolve().parents[1]


def run_bench(*args: str) -> str:
    proc = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout


@pytest.mark.slow
def test_same_work_comparison_runs_on_a_tiny_database(tmp_path: Path) -> None:
    """erase_one.py --same-work --process erases two subjects by Eraser, by both baselines and as whole processes,
    and the baselines change the same rows per table as Eraser (the script stops otherwise)."""
    databases = fresh_database("postgresql", tmp_path)
    name = sa.engine.make_url(next(databases)).database
    assert name
    try:
        out = run_bench("bench/erase_one.py", "--db", name, "--persons", "110", "--subjects", "10", "--same-work",
                        "--process", "--sample", "2", "--no-results")
    finally:
        databases.close()
    assert "whole process, `eraser erase --yes` / `psql` (p50)" in out
    assert "baseline + free-text search of other rows" in out


@pytest.mark.slow
def test_erase_pairs_runs_two_trees_subject_by_subject(tmp_path: Path) -> None:
    """erase_pairs.py erases subjects with two trees in turn (here this tree twice), each erasure verified PASS,
    and prints both trees' spreads and the ratio pair by pair."""
    databases = fresh_database("postgresql", tmp_path)
    name = sa.engine.make_url(next(databases)).database
    assert name
    try:
        run_bench("bench/erase_one.py", "--db", name, "--persons", "110", "--subjects", "10", "--build-only")
        out = run_bench("bench/erase_pairs.py", "--db", name, "--persons", "110", "--subjects", "10", "--pairs", "2",
                        "--before", str(ROOT))
    finally:
        databases.close()
    assert "before (" in out and "after (" in out and "statements [" in out
    assert "after / before, pair by pair" in out


@pytest.mark.slow
def test_same_work_comparison_runs_on_mariadb(tmp_path: Path) -> None:
    """--dialect mariadb copies the PostgreSQL database's rows into MariaDB, erases two subjects there by Eraser
    and by the MariaDB baselines, and the baselines change the same rows per table as Eraser."""
    databases = fresh_database("postgresql", tmp_path)
    name = sa.engine.make_url(next(databases)).database
    assert name
    target = f"erase_test_{name[-10:]}"
    try:
        out = run_bench("bench/erase_one.py", "--db", name, "--persons", "110", "--subjects", "10", "--same-work",
                        "--dialect", "mariadb", "--mariadb-db", target, "--sample", "2", "--no-results")
        again = run_bench("bench/erase_one.py", "--db", name, "--persons", "110", "--subjects", "10", "--reuse",
                          "--same-work", "--dialect", "mariadb", "--mariadb-db", target, "--sample", "1",
                          "--no-results")
    finally:
        databases.close()
        admin = sa.create_engine("mysql+pymysql://root@127.0.0.1:3306/")
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS `{target}`")
        admin.dispose()
    assert "MariaDB" in out and "baseline + free-text search of other rows" in out
    assert "copied into MariaDB" not in again  # reused, its subjects reset


@pytest.mark.slow
def test_ticket_benchmark_times_issuance_on_a_prefilled_chain() -> None:
    """tickets.py --chain N --issuance-only times certificate issuance on an empty chain and on one of N."""
    out = run_bench("bench/tickets.py", "--chain", "20", "--issuance-only", "--no-results")
    assert "| 0 | 50 |" in out and "| 20 | 50 |" in out
