"""Benchmark: one subject's plan + erase, two code trees subject by subject in turn (the order alternating), so that
a shared machine's load falls on both alike.

Each tree runs in a worker process of its own (`PYTHONPATH` at the tree, run from it), which erases one subject
per request exactly as bench/same_work.py's in-process line does: the subject's rows reset (untimed), a new
session, `make_plan`, `erase` with the plan's fingerprint, `certify`, the session closed, the rows reset again.
Printed per tree: plan + erase wall milliseconds (min, p50, p95, max), the worker's own CPU milliseconds
(`time.process_time`, less moved by the other users of the cores than the wall time) and the statements per
erasure; then after / before per pair. The database is one of bench/erase_one.py's (`--build-only`, and a run
with `--trigram search` for its search indexes).

    python bench/erase_pairs.py --db eraser_bench_10k --persons 10000 --pairs 16 --before /tmp/before-tree
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent


def worker(db: str, persons: int, subjects: int) -> int:
    """Erase the subject of each line of stdin (a person id); one JSON line of timings per subject."""
    sys.path.insert(0, str(HERE))
    import erase_one as eo
    import psycopg

    args = argparse.Namespace(db=db, persons=persons, host="127.0.0.1", port=5432, user="postgres",
                              subjects=subjects, tenants=5)
    today, pools = date.today(), eo.Pools(tenants=5)
    eo.prepare_environment(args)
    from eraser import logging as eraser_logging
    from eraser.config import load_config
    from eraser.engine.execute import erase, make_plan
    from eraser.engine.session import open_session
    from eraser.proof.certificates import certify
    from eraser.subjects import parse_subject
    from eraser.tickets import new_ticket

    eraser_logging.configure(level="WARNING")
    config = load_config(eo.config_path())
    conn = psycopg.connect(eo.dsn(args, db), autocommit=True)
    print("ready", flush=True)
    for line in sys.stdin:
        pid = int(line)
        eo.reset_subjects(conn, eo.OneSubject(pid), pools, today)
        subject = parse_subject([f"email={eo.Subjects.email(pid)}"], config)
        ticket = new_ticket(operator="bench")
        session = open_session(config)
        before = session.statements
        with eraser_logging.redacting(subject.terms()):
            t0, c0 = time.perf_counter(), time.process_time()
            plan = make_plan(session, subject, ticket.received_at.date())
            outcome = erase(session, subject, ticket.received_at.date(), expected_fingerprint=plan.fingerprint())
            t1, c1 = time.perf_counter(), time.process_time()
            certify(config, outcome, ticket)
        session.close()
        if outcome.verification["result"] != "PASS":
            raise SystemExit(f"subject {pid}: verification {outcome.verification['result']}")
        eo.reset_subjects(conn, eo.OneSubject(pid), pools, today)
        print(json.dumps({"pid": pid, "ms": (t1 - t0) * 1000, "cpu": (c1 - c0) * 1000,
                          "statements": session.statements - before}), flush=True)
    return 0


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, -(-95 * len(ordered) // 100) - 1))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="eraser_bench_10k")
    parser.add_argument("--persons", type=int, default=10_000)
    parser.add_argument("--subjects", type=int, default=100, help="as the database was built with")
    parser.add_argument("--pairs", type=int, default=16)
    parser.add_argument("--before", required=True, help="the other code tree (e.g. an exported commit)")
    parser.add_argument("--after", default=str(HERE.parent), help="default: this tree")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args.db, args.persons, args.subjects)
    trees = {"before": Path(args.before).resolve(), "after": Path(args.after).resolve()}
    procs = {}
    for name, tree in trees.items():
        script = tree / "bench" / "erase_pairs.py"
        if not script.exists():
            script = HERE / "erase_pairs.py"  # an older tree without this script: its code, this worker
        env = dict(os.environ, PYTHONPATH=str(tree))
        procs[name] = subprocess.Popen([sys.executable, str(script), "--worker", "--db", args.db, "--persons",
                                        str(args.persons), "--subjects", str(args.subjects), "--before", "-"], cwd=tree, env=env,
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert procs[name].stdout is not None and procs[name].stdout.readline().strip() == "ready"
    sys.path.insert(0, str(HERE))
    import erase_one as eo

    subjects = eo.Subjects(args.persons, args.subjects).regular
    out: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
    print(f"uptime before: {os.popen('uptime').read().strip()}", flush=True)
    for i in range(args.pairs):
        order = ["before", "after"] if i % 2 == 0 else ["after", "before"]
        for j, name in enumerate(order):
            proc = procs[name]
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(f"{subjects[(2 * i + j) % len(subjects)]}\n")
            proc.stdin.flush()
            line = proc.stdout.readline()
            if not line:
                raise SystemExit(f"the {name} worker stopped")
            out[name].append(json.loads(line))
    print(f"uptime after: {os.popen('uptime').read().strip()}")
    for name, runs in out.items():
        ms = [r["ms"] for r in runs]
        cpu = [r["cpu"] for r in runs]
        print(f"{name} ({trees[name]}): n {len(ms)}; plan + erase ms min {min(ms):.1f}, p50 {statistics.median(ms):.1f}, "
              f"p95 {p95(ms):.1f}, max {max(ms):.1f}; CPU ms p50 {statistics.median(cpu):.1f} (min {min(cpu):.1f}); "
              f"statements {sorted({int(r['statements']) for r in runs})}")
    wall = [a["ms"] / b["ms"] for a, b in zip(out["after"], out["before"], strict=True)]
    cpu = [a["cpu"] / b["cpu"] for a, b in zip(out["after"], out["before"], strict=True)]
    print(f"after / before, pair by pair: wall p50 {statistics.median(wall):.2f}x, CPU p50 {statistics.median(cpu):.2f}x")
    for proc in procs.values():
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
