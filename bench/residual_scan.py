"""What the residual scan and free-text redaction cost per erasure, on PostgreSQL, with a 1,000,000-row text table.

Builds (or reuses) the database `eraser_residual_bench`: the demo schema with 2,000 persons (eraser.demo.populate)
plus 1,000,000 support messages in the demo's style (each names its writer's phone number, email and name), so
`support_messages` holds about 1M rows of text and the other tables about 45,000 rows. Then it erases a few
subjects (a new subject per erasure, by email, as `eraser erase --yes`) under each setting below and prints the
latency of `erase` and the part of it spent in the scan and in free-text redaction:

  none        no residual scan, no free_text (the erasure alone)
  free_text   free_text: on support_messages and projects, no scan
  full        residual_scan over all tables, no row limit, no trigram index
  limited     residual_scan over all tables, max_rows_per_table as in the demo config (50000)
  trigram     residual_scan over all tables, no row limit, pg_trgm GIN indexes on the text columns of the big table
  shipped     configs/cover_group.yaml as shipped (free_text, scan with its row limit), with the trigram indexes

`--readonly DB` instead times the scan alone, read-only, on an existing database of the demo schema (e.g. the
1M-person `eraser_bench` of bench/erase_one.py): plan and scan in a transaction that is rolled back.

    .venv/bin/python bench/residual_scan.py
    .venv/bin/python bench/residual_scan.py --subjects 5 --cases limited,trigram
    .venv/bin/python bench/residual_scan.py --readonly eraser_bench --subjects 3 --cases limited
    .venv/bin/python bench/residual_scan.py --readonly eraser_bench --subjects 3 --cases limited --limit 50000
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CONFIG = ROOT / "configs" / "cover_group.yaml"
OUT = ROOT / "bench" / "out" / "residual"
PERSONS = 2000
MESSAGES = 1_000_000
CASES = ["none", "free_text", "full", "limited", "trigram", "shipped"]
TRGM = [("support_messages", "body"), ("support_messages", "subject")]


def config_text(case: str, limit: int | None = None) -> str:
    """configs/cover_group.yaml, changed for one setting (and another max_rows_per_table, if given)."""
    text = CONFIG.read_text()
    if limit is not None:
        text = re.sub(r"max_rows_per_table: \d+", f"max_rows_per_table: {limit}", text)
    if case not in ("free_text", "shipped"):
        text = text.replace("        free_text: [description]\n", "").replace("        free_text: [subject, body]\n", "")
    if case in ("none", "free_text"):
        text = text.replace("      tables: all\n", "      tables: []\n")
    if case in ("full", "trigram"):
        text = re.sub(r"      max_rows_per_table: \d+\n", "", text)
    return text


def build(server: str, db: str) -> float | None:
    from eraser.demo import populate

    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": db}).scalar():
            conn.execute(sa.text(f'CREATE DATABASE "{db}"'))
    admin.dispose()
    engine = sa.create_engine(sa.engine.make_url(server).set(database=db))
    try:
        with engine.connect() as conn:
            has = conn.execute(sa.text("SELECT to_regclass('support_messages') IS NOT NULL")).scalar()
            if has and conn.execute(sa.text("SELECT count(*) FROM support_messages")).scalar() >= MESSAGES * 0.9:
                return None
        started = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        populate(engine, persons=PERSONS, seed=7)
        with engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO support_messages (person_id, sent_at, channel, subject, body) "
                "SELECT p.id, timestamp '2020-01-01' + make_interval(mins => g), 'email', 'Vraag ' || g, "
                "'Beste, kunnen jullie mij terugbellen op ' || p.mobile || ' of mailen naar ' || p.email || "
                "'? Groeten, ' || p.first_name || ' ' || p.last_name "
                "FROM generate_series(1, :n) g JOIN persons p ON p.id = 2 + mod(g, :persons - 1)"),
                {"n": MESSAGES, "persons": PERSONS})
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))
        return time.perf_counter() - started
    finally:
        engine.dispose()


def trigram(url: str, on: bool) -> float:
    """Create (or drop) the GIN trigram indexes; seconds spent."""
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    started = time.perf_counter()
    with engine.connect() as conn:
        conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        for table, column in TRGM:
            name = f"ix_{table}_{column}_trgm"
            if on:
                conn.execute(sa.text(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)"))
            else:
                conn.execute(sa.text(f"DROP INDEX IF EXISTS {name}"))
    engine.dispose()
    return time.perf_counter() - started


class Clock:
    """Wall time spent inside the wrapped functions (the scan and free-text redaction)."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def wrap(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started
        return timed


def emails(url: str, first: int, count: int) -> list[str]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        found = conn.execute(sa.text("SELECT email FROM persons WHERE id >= :a AND email IS NOT NULL ORDER BY id "
                                     "LIMIT :n"), {"a": first, "n": count}).scalars().all()
    engine.dispose()
    return list(found)


def run_case(case: str, url: str, subjects: list[str]) -> tuple[list[float], list[float], dict[str, Any]]:
    from eraser.config import load_config
    from eraser.engine import execute
    from eraser.subjects import parse_subject

    path = OUT / f"{case}.yaml"
    path.write_text(config_text(case))
    config = load_config(path)
    clock = Clock()
    originals = execute.residual_scan, execute.redact_free_text
    execute.residual_scan, execute.redact_free_text = clock.wrap(originals[0]), clock.wrap(originals[1])
    totals, scans, last = [], [], {}
    try:
        with execute.open_session(config) as session:
            for email in subjects:
                subject = parse_subject([f"email={email}"], config)
                clock.seconds = 0.0
                started = time.perf_counter()
                outcome = execute.erase(session, subject)
                totals.append((time.perf_counter() - started) * 1000)
                scans.append(clock.seconds * 1000)
                last = outcome.verification.get("residual_scan", {})
                if outcome.verification["result"] != "PASS":
                    raise SystemExit(f"{case}: {outcome.verification}")
    finally:
        execute.residual_scan, execute.redact_free_text = originals
    return totals, scans, last


def readonly(url: str, subjects: list[str], case: str, limit: int | None) -> list[float]:
    """The scan alone on an existing database, inside a transaction that is rolled back."""
    from eraser.config import load_config
    from eraser.engine.execute import _plan
    from eraser.engine.residual import residual_scan
    from eraser.engine.session import open_session
    from eraser.subjects import parse_subject

    path = OUT / f"readonly-{case}.yaml"
    path.write_text(config_text(case, limit))
    config = load_config(path)
    out = []
    with open_session(config) as session:
        for email in subjects:
            subject = parse_subject([f"email={email}"], config)
            with ExitStack() as stack:
                conns = {n: stack.enter_context(c.read()) for n, c in session.connectors.items()}
                plan = _plan(session, subject, conns, time_today(), time_today(), None, for_update=False)
                started = time.perf_counter()
                result, _ = residual_scan(session.connectors, config, subject, conns, plan)
                out.append((time.perf_counter() - started) * 1000)
                print(f"  {case}: scan {out[-1]:.0f} ms, {result['tables_scanned']} tables, "
                      f"{result['columns_scanned']} columns, in part: {len(result['tables_scanned_in_part'])}, "
                      f"hits {result['hits']}, in kept rows {result['hits_in_kept_rows']}")
    return out


def time_today() -> Any:
    from datetime import date

    return date.today()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--db", default="eraser_residual_bench")
    parser.add_argument("--subjects", type=int, default=5, help="erasures per setting (a new subject each)")
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--first", type=int, default=10,
                        help="first person id of the subjects (a later run takes persons no earlier run erased)")
    parser.add_argument("--readonly", metavar="DB", help="time the scan alone, read-only, on this existing database")
    parser.add_argument("--limit", type=int, default=None, help="with --readonly: another max_rows_per_table")
    args = parser.parse_args(argv)
    cases = args.cases.split(",")
    OUT.mkdir(parents=True, exist_ok=True)
    from eraser import logging as eraser_logging
    from eraser.proof.certificates import generate_keys

    eraser_logging.configure(level="WARNING")
    if not (OUT / "keys" / "eraser-signing.pem").exists():
        generate_keys(OUT / "keys")
    os.environ.update({"ERASER_SECRET": "residual-bench-secret-not-for-production-1", "ERASER_SIGNING_KEY": str(OUT / "keys/eraser-signing.pem"),
                       "ERASER_PUBLIC_KEY": str(OUT / "keys/eraser-signing.pub.pem"),
                       "ERASER_CERTIFICATES": str(OUT / "certificates")})
    db = args.readonly or args.db
    url = sa.engine.make_url(args.server).set(database=db).render_as_string(hide_password=False)
    os.environ["COVER_DB_URL"] = url
    if args.readonly:
        subjects = emails(url, 1000, args.subjects)
        for case in cases:
            times = readonly(url, subjects, case, args.limit)
            print(f"{case:<10} scan alone, read-only on {db}: p50 {statistics.median(times):.0f} ms, "
                  f"max {max(times):.0f} ms")
        return 0
    built = build(args.server, args.db)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT count(*) FROM support_messages")).scalar()
        size = conn.execute(sa.text("SELECT pg_size_pretty(pg_total_relation_size('support_messages'))")).scalar()
    engine.dispose()
    print(f"{args.db}: support_messages {rows:,} rows ({size})" + (f", built in {built:.0f} s" if built else ", reused"))
    print(f"{'setting':<10} {'erase p50 ms':>12} {'max':>8} {'scan + free text p50 ms':>22} {'max':>8}  scanned")
    trigram(url, on=False)
    first = args.first
    for case in cases:
        if case in ("trigram", "shipped"):
            seconds = trigram(url, on=True)
            if seconds > 1:
                print(f"  (created the trigram indexes on {', '.join(f'{t}.{c}' for t, c in TRGM)} in {seconds:.0f} s)")
        subjects = emails(url, first, args.subjects)
        first += args.subjects
        totals, scans, last = run_case(case, url, subjects)
        scope = (f"{last.get('tables_scanned', 0)} tables, {last.get('columns_scanned', 0)} columns, "
                 f"{len(last.get('tables_scanned_in_part', []))} in part, trigram-indexed columns "
                 f"{sum(c.get('trigram_indexed_columns', 0) for c in last.get('by_connector', []))}") if last else ""
        print(f"{case:<10} {statistics.median(totals):>12.0f} {max(totals):>8.0f} {statistics.median(scans):>22.0f} "
              f"{max(scans):>8.0f}  {scope}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
