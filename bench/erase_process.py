"""Benchmark: the whole `eraser erase --yes` process, start to exit, on a database built by bench/erase_one.py.

Each round erases one of erase_one's subjects (its rows reset, untimed, before every run) with each code tree in
turn, the order alternating from round to round: wall time from spawn to exit, and the child's own CPU time
(user + system, from `getrusage(RUSAGE_CHILDREN)` around the run), with the load average before each run. A code
tree is a directory put first on PYTHONPATH (e.g. an exported older commit: `git archive <rev> | tar -x -C dir`),
run with this virtualenv's `eraser` script. After each run the subject's rows are read back with SQL of this script
(rows per table, and whether its email is still anywhere in them), so every tree must leave the same rows behind.
The subjects are erased again and again, so the state store's suppression list is emptied before each run: every run
is a first request for its subject.

    .venv/bin/python bench/erase_process.py --db eraser_bench_100k --persons 100000 --rounds 6 \\
        --tree before=/tmp/before --tree after=.
    .venv/bin/python bench/erase_process.py --db x --persons 10000 --tree now=. --profile   # cProfile of one run

The database is changed (subjects erased and reset): use a copy (`CREATE DATABASE x TEMPLATE eraser_bench_100k`).
The config is configs/cover_group.yaml as shipped (its state store beside a copy under bench/out/); the schema cache
is warmed by one untimed run of each tree first. Each tree's bytecode is compiled first (`compileall`), as an installed
package has it: without it (PYTHONDONTWRITEBYTECODE) every run also compiles Eraser's own modules, about 0.1 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
import erase_one  # noqa: E402
from same_work import forget_erasures  # noqa: E402

ROWS = {  # the subject's rows, table by table, read independently of Eraser
    "persons": "SELECT count(*) FROM persons WHERE id = %(pid)s",
    "persons still named": "SELECT count(*) FROM persons WHERE id = %(pid)s AND email = %(email)s",
    "projects": "SELECT count(*) FROM projects WHERE person_id = %(pid)s",
    "photos": "SELECT count(*) FROM photos WHERE project_id IN (SELECT id FROM projects WHERE person_id = %(pid)s)",
    "quotes": "SELECT count(*) FROM quotes WHERE project_id IN (SELECT id FROM projects WHERE person_id = %(pid)s)",
    "invoices": "SELECT count(*) FROM invoices WHERE person_id = %(pid)s",
    "invoice_lines": "SELECT count(*) FROM invoice_lines WHERE invoice_id IN "
                     "(SELECT id FROM invoices WHERE person_id = %(pid)s)",
    "payments": "SELECT count(*) FROM payments WHERE invoice_id IN (SELECT id FROM invoices WHERE person_id = %(pid)s)",
    "support_messages": "SELECT count(*) FROM support_messages WHERE person_id = %(pid)s",
    "usage_events": "SELECT count(*) FROM usage_events WHERE person_id = %(pid)s",
    "newsletter_subscriptions": "SELECT count(*) FROM newsletter_subscriptions WHERE lower(trim(email)) = %(email)s",
    "email in projects or messages": "SELECT (SELECT count(*) FROM projects WHERE description ILIKE '%%' || "
                                     "%(email)s || '%%') + (SELECT count(*) FROM support_messages WHERE body ILIKE "
                                     "'%%' || %(email)s || '%%')",
}


def remaining(conn: psycopg.Connection, pid: int) -> dict[str, int]:
    params = {"pid": pid, "email": erase_one.Subjects.email(pid)}
    return {name: conn.execute(sql, params).fetchone()[0] for name, sql in ROWS.items()}  # type: ignore[index]


def run(tree: Path, config: Path, pid: int, profile: Path | None = None, importtime: Path | None = None,
        variables: dict[str, str] | None = None) -> tuple[float, float, str]:
    """One whole process: wall ms, the child's CPU ms, its output (`-X importtime` into `importtime`)."""
    env = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}, "PYTHONPATH": str(tree), **({"PYTHONPROFILEIMPORTTIME": "1"} if importtime else {}), **(variables or {})}
    script = Path(sys.executable).with_name("eraser")
    cmd = [str(script), "--log-level", "WARNING", "erase", "--config", str(config), "--subject",
           f"email={erase_one.Subjects.email(pid)}", "--yes", "--operator", "bench"]
    if profile is not None:
        cmd = [sys.executable, "-m", "cProfile", "-o", str(profile), *cmd]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=tree)
    wall = (time.perf_counter() - t0) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode:
        raise SystemExit(f"{tree}: eraser erase failed: {(proc.stderr or proc.stdout)[-800:]}")
    if importtime is not None:
        importtime.write_text(proc.stderr, encoding="utf-8")
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    return wall, cpu, proc.stdout


def spread(values: list[float]) -> str:
    ordered = sorted(values)
    return (f"min {ordered[0]:,.0f}, p50 {statistics.median(ordered):,.0f}, max {ordered[-1]:,.0f} "
            f"(n={len(ordered)})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--persons", type=int, required=True, help="as the database was built with")
    parser.add_argument("--subjects", type=int, default=100)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5432)
    parser.add_argument("--user", default="postgres")
    parser.add_argument("--tree", action="append", required=True, metavar="NAME=DIR[,VAR=VALUE...]",
                        help="a code tree to run (first on PYTHONPATH), with environment variables of its own; "
                             "give several to compare them")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", action="store_true",
                        help="one run of each tree under cProfile (bench/out/erase_process.NAME.prof) and one "
                             "under -X importtime (bench/out/erase_process.NAME.imports), no timing")
    args = parser.parse_args(argv)
    trees: dict[str, Path] = {}
    extra: dict[str, dict[str, str]] = {}
    for given in args.tree:
        name, _, rest = given.partition("=")
        directory, *variables = rest.split(",")
        trees[name] = Path(directory).resolve()
        extra[name] = dict(v.split("=", 1) for v in variables)
    for tree in trees.values():  # the bytecode an installed package has (pip compiles it at install)
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "eraser"), str(tree / "connectors")],
                       check=True, env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"})
    erase_one.OUT.mkdir(parents=True, exist_ok=True)
    erase_one.prepare_environment(args)
    config = erase_one.OUT / "cover_group.shipped.yaml"
    shutil.copyfile(erase_one.CONFIG, config)
    today = date.today()
    pools = erase_one.Pools()
    subjects = erase_one.Subjects(args.persons, args.subjects).regular
    conn = psycopg.connect(erase_one.dsn(args, args.db), autocommit=True)
    state = config.with_name("eraser-state.db")  # the config's default state store, beside it

    def erase(name: str, i: int, profile: Path | None = None,
              importtime: Path | None = None) -> tuple[float, float, dict[str, int]]:
        pid = subjects[i % len(subjects)]
        erase_one.reset_subjects(conn, erase_one.OneSubject(pid), pools, today)
        forget_erasures(state)
        wall, cpu, _ = run(trees[name], config, pid, profile, importtime, extra[name])
        return wall, cpu, remaining(conn, pid)

    print(f"{args.db}; trees: {', '.join(f'{n}={d}' for n, d in trees.items())}; {datetime.now(UTC):%Y-%m-%d %H:%M} "
          f"UTC; uptime: {os.popen('uptime').read().strip()}", flush=True)
    if args.profile:
        for name in trees:
            path = erase_one.OUT / f"erase_process.{name}.prof"
            erase(name, 0, path)
            erase(name, 1, importtime=path.with_suffix(".imports"))
            print(f"{name}: profile written to {path}, imports to {path.with_suffix('.imports')}")
        return 0
    left: dict[str, int] | None = None
    for i, name in enumerate(trees):  # warm the schema cache, untimed
        left = erase(name, i)[2]
    walls: dict[str, list[float]] = {n: [] for n in trees}
    cpus: dict[str, list[float]] = {n: [] for n in trees}
    loads: list[float] = []
    for r in range(args.rounds):
        order = list(trees) if r % 2 == 0 else list(reversed(trees))
        for name in order:
            loads.append(os.getloadavg()[0])
            wall, cpu, rows = erase(name, r)
            if rows != left:
                raise SystemExit(f"round {r}, {name}: the subject's rows differ from the first run's: {rows} / {left}")
            walls[name].append(wall)
            cpus[name].append(cpu)
            print(f"round {r + 1} {name:>8}: wall {wall:6,.0f} ms, CPU {cpu:6,.0f} ms, load {loads[-1]:.2f}",
                  flush=True)
    print(f"\nrows the subject has after each erasure (the same for every tree): {left}")
    print(f"1-minute load average during the runs: {min(loads):.2f}-{max(loads):.2f}")
    print("| tree | wall ms | child CPU ms (user + system) |\n|---|---|---|")
    for name in trees:
        print(f"| {name} | {spread(walls[name])} | {spread(cpus[name])} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
