"""Benchmark: `POST /tickets` latency with 8 concurrent clients while the daemon's worker is busy erasing.

Against a PostgreSQL demo database built by bench/erase_one.py (`--db`, `--persons`), each variant starts with a
fresh state store holding a backlog of erase tickets (`--backlog`), so that its worker is erasing from the first
request on; then `--clients` clients post `--tickets` tickets back to back (each waits for its answer, then posts
the next) over keep-alive HTTP connections. Measured: p50/p95/p99/max of `POST /tickets`, intakes per second, and
how many tickets the worker finished meanwhile (it must be busy). The variants, interleaved in every round:

- `eraser serve`: this tree (the worker in a process of its own);
- `eraser serve` of an earlier tree (`--before DIR`, e.g. an exported commit: the worker a thread of the intake's
  process), when given;
- `eraser serve` of this tree with httptools and uvloop importable (`--standard DIR`, e.g. from `pip install
  --target DIR httptools uvloop`): uvicorn's C HTTP parser and event loop instead of h11 and asyncio, as the
  daemon extra (uvicorn[standard]) installs them; `serve` is then the same code without them;
- `bare`: the same intake work (token check, subject validation, HMAC references, AES-GCM seal, the one insert
  with its journal line; eraser.daemon.intake.submit_ticket) in a bare ASGI app on uvicorn, beside an
  `eraser serve` of this tree whose worker erases the same backlog: the floor for the HTTP stack.

    .venv/bin/python bench/tickets.py --db intake_bench_10k --persons 10000 --before /tmp/intake-before
    .venv/bin/python bench/tickets.py --chain 3000 --issuance-only   # certificate issuance on a chain of 3,000
    .venv/bin/python bench/tickets.py --profile 200 ...              # where a ticket's time goes (cProfile)

With --chain N the certificate directory of the daemons holds N certificates before the first ticket, and the
time of one certificate issuance (bench/chain.py) is measured on an empty chain and on a chain of N.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import http.client
import json
import math
import os
import pstats
import resource
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out" / "tickets"
TOKEN = "bench-intake-token"
FINAL = ("done", "done_with_retention", "held", "rejected")
TRIGRAM = [("support_messages", "subject"), ("support_messages", "body"), ("projects", "title"),
           ("projects", "description")]
sys.path.insert(0, str(ROOT))


def say(text: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {text}", flush=True)


def url(args: argparse.Namespace, db: str) -> str:
    return f"postgresql+psycopg://{args.user}@{args.host}:{args.port}/{db}"


def recreate(args: argparse.Namespace, db: str) -> None:
    with psycopg.connect(f"host={args.host} port={args.port} user={args.user} dbname=postgres",
                         autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db}"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def environment(args: argparse.Namespace) -> tuple[Path, dict[str, str]]:
    from eraser.proof.certificates import generate_keys

    keys = OUT / "keys"
    if not (keys / "eraser-signing.pem").exists():
        generate_keys(keys)
    env = {"COVER_DB_URL": url(args, args.db), "ERASER_SECRET": "bench-tickets-secret-not-for-production-01",
           "ERASER_SIGNING_KEY": str(keys / "eraser-signing.pem"),
           "ERASER_PUBLIC_KEY": str(keys / "eraser-signing.pub.pem"),
           "ERASER_CERTIFICATES": str(OUT / "certificates" / f"{datetime.now(UTC):%Y%m%dT%H%M%S}")}
    config = OUT / "tickets.yaml"
    digest = hashlib.sha256(TOKEN.encode()).hexdigest()
    # The affordable residual scan the issue suggests: a declared scan set (the free-text tables), served by
    # trigram indexes, instead of every text column of every table.
    text = (ROOT / "configs" / "cover_group.yaml").read_text()
    scan_all = "      tables: all\n      max_rows_per_table: 50000\n"
    if scan_all not in text:
        raise SystemExit("configs/cover_group.yaml changed: update the residual_scan override of bench/tickets.py")
    if args.scan == "declared":
        text = text.replace(scan_all, "      tables: [support_messages, projects]\n")
    with psycopg.connect(f"host={args.host} port={args.port} user={args.user} dbname={args.db}",
                         autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for table, column in TRIGRAM:
            conn.execute(f"CREATE INDEX IF NOT EXISTS ix_{table}_{column}_trgm ON {table} USING gin ({column} "
                         "gin_trgm_ops)")
        conn.execute("ANALYZE")
    config.write_text(text +
                      f"state: {url(args, args.state_db)}\n"
                      f"api:\n  rate_limit: {{per_minute: 600000, burst: 10000}}\n"  # intake at full speed
                      f"  tokens:\n    - {{name: bench, sha256: {digest}}}\n"
                      "daemon:\n  poll_seconds: 0.2\n")
    return config, env


def subjects(args: argparse.Namespace, count: int, offset: int) -> list[str]:
    engine = sa.create_engine(url(args, args.db))
    with engine.connect() as conn:
        emails = list(conn.execute(sa.text("SELECT email FROM persons WHERE email IS NOT NULL ORDER BY id "
                                           "LIMIT :n OFFSET :o"), {"n": count, "o": 1000 + offset}).scalars())
    engine.dispose()
    return emails


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest rank: the smallest value with at least q of the values at or below it."""
    return sorted_values[max(0, math.ceil(q * len(sorted_values)) - 1)]


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def worker_pid(daemon: int) -> int | None:
    """The worker process of an `eraser serve` (its child running eraser.daemon.worker_process), if it has one."""
    for pid in children(daemon):
        try:
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                return pid
        except OSError:
            continue
    return None


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return not Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"


def backlog(args: argparse.Namespace, config: Path, env: dict[str, str], emails: list[str]) -> None:
    """Fresh state store with `emails` as erase tickets, ready for the worker."""
    from eraser.config import load_config
    from eraser.daemon.intake import submit_ticket
    from eraser.store.state import StateStore

    recreate(args, args.state_db)
    os.environ.update(env)
    store = StateStore(url(args, args.state_db))
    store.migrate()
    loaded = load_config(config)
    for i, email in enumerate(emails):
        submit_ticket(store, loaded, kind="erase", subject={"email": email}, external_ref=f"W-{i}", received_at=None,
                      requested_by="bench")
    store.dispose()


def finished(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT count(*) FROM tickets WHERE status IN :s")
                                .bindparams(sa.bindparam("s", expanding=True)), {"s": list(FINAL)}).scalar() or 0)


def worker_steps(engine: sa.Engine) -> int:
    """Journal lines the worker wrote (planned, running, prepared, committed, done ...): its progress."""
    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT count(*) FROM journal WHERE node <> 'intake'")).scalar() or 0)


def wait(what: str, predicate: Any, procs: list[subprocess.Popen[bytes]], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if any(p.poll() is not None for p in procs) or time.monotonic() > deadline:
            raise SystemExit(f"{what} did not happen; see {OUT}/*.log")
        time.sleep(0.1)


def listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def hammer(port: int, emails: list[str], clients: int, prefix: str = "B") -> tuple[list[float], float]:
    """`clients` threads post the tickets back to back over keep-alive connections; latencies (s) and wall time."""
    latencies: list[float] = []
    errors: list[str] = []
    start = threading.Barrier(clients + 1)
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}

    def client(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = [json.dumps({"subject": {"email": emails[i]}, "external_ref": f"{prefix}-{i}", "requested_by": "bench"})
                for i in range(k, len(emails), clients)]
        start.wait()
        for body in mine:
            began = time.perf_counter()
            conn.request("POST", "/tickets", body, headers)
            response = conn.getresponse()
            text = response.read()
            latencies.append(time.perf_counter() - began)
            if response.status != 201:
                errors.append(f"{response.status}: {text[:200]!r}")
        conn.close()

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    start.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    if errors:
        raise SystemExit(f"POST /tickets failed {len(errors)} times, e.g. {errors[0]}")
    return latencies, wall


def run_variant(args: argparse.Namespace, config: Path, env: dict[str, str], variant: str, run: int,
                intake_emails: list[str]) -> dict[str, Any]:
    """One measured run: backlog, daemon up and erasing, 8 clients posting, SIGTERM; its numbers."""
    backlog(args, config, env, subjects(args, args.backlog, len(intake_emails) + run * args.backlog))
    tree = Path(args.before) if variant == "before" else ROOT
    path = f"{tree}{os.pathsep}{args.standard}" if variant == "standard" else str(tree)
    full = {**os.environ, **env, "PYTHONPATH": path}
    port = free_port()
    log = (OUT / f"{variant}-{run}.log").open("wb")
    procs = [subprocess.Popen([sys.executable, "-m", "eraser", "--log-format", "json", "--log-level", "WARNING",
                               "serve", "--config", str(config), "--port", str(port)], cwd=tree, env=full,
                              stdout=log, stderr=subprocess.STDOUT)]
    target = port
    if variant in ("bare", "bare2"):
        target = free_port()
        procs.append(subprocess.Popen([sys.executable, str(ROOT / "bench" / "intake_floor.py"), str(config),
                                       str(target), "2" if variant == "bare2" else "1"], cwd=ROOT,
                                      env={**full, "PYTHONPATH": str(ROOT)}, stdout=log, stderr=subprocess.STDOUT))
    engine = sa.create_engine(url(args, args.state_db))
    try:
        wait("the daemon listening", lambda: listening(port) and listening(target), procs)
        wait("the worker's first erasure", lambda: finished(engine) >= 1, procs)
        hammer(target, intake_emails[:5 * args.clients], args.clients, "warm")  # connections, caches: not timed
        worker = worker_pid(procs[0].pid)
        alone = None
        if worker:  # what the worker takes of the CPU when no intake competes with it
            cpu = cpu_seconds(worker)
            time.sleep(1.0)
            alone = cpu_seconds(worker) - cpu
        before, steps = finished(engine), worker_steps(engine)
        intake = [procs[-1].pid, *(children(procs[-1].pid) if variant == "bare2" else [])]  # uvicorn's workers
        cpu = {pid: cpu_seconds(pid) for pid in {*intake, *([worker] if worker else [])}}
        own = resource.getrusage(resource.RUSAGE_SELF)
        load = os.getloadavg()[0]
        latencies, wall = hammer(target, intake_emails, args.clients)
        erased, steps = finished(engine) - before, worker_steps(engine) - steps
        used = {pid: (cpu_seconds(pid) - start) / wall for pid, start in cpu.items()}
        after = resource.getrusage(resource.RUSAGE_SELF)
        clients_cpu = (after.ru_utime + after.ru_stime - own.ru_utime - own.ru_stime) / wall
        family = children(procs[0].pid)
        stopping = time.perf_counter()
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        codes = [proc.wait(timeout=120) for proc in procs]
        stopped = time.perf_counter() - stopping
        time.sleep(0.5)
        left = [pid for pid in family if alive(pid)]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
        engine.dispose()
    latencies.sort()
    return {"variant": variant, "run": run, "load": load, "posts": len(latencies), "wall": wall,
            "p50": 1000 * percentile(latencies, 0.50), "p95": 1000 * percentile(latencies, 0.95),
            "p99": 1000 * percentile(latencies, 0.99), "max": 1000 * latencies[-1], "erased": erased, "steps": steps,
            "busy": used.get(worker) if worker else None, "alone": alone, "intake_cpu": sum(used[pid] for pid in intake),
            "cpu_ms": 1000 * sum(used[pid] for pid in intake) * wall / len(latencies),
            "clients_cpu": clients_cpu,
            "stop_s": stopped, "codes": codes, "left": left}


def _pct(value: float | None) -> str:
    return "in the intake" if value is None else f"{100 * value:.0f} %"


VARIANTS = {"serve": "`eraser serve`, this tree: worker in its own process",
            "before": "`eraser serve` before (`--before`): worker thread in the intake's process",
            "standard": "`eraser serve`, this tree, with httptools and uvloop (`--standard`: uvicorn[standard], what the "
                        "daemon extra installs)",
            "bare": "bare ASGI app, same intake work (floor), beside a busy `eraser serve` worker",
            "bare2": "the bare app in 2 processes on one socket (`--bare-processes`), beside a busy worker"}


def http_run(args: argparse.Namespace, config: Path, env: dict[str, str]) -> str:
    variants = ["serve", *(["before"] if args.before else []), *(["standard"] if args.standard else []), "bare",
                *(["bare2"] if args.bare_processes else [])]
    intake_emails = subjects(args, args.tickets, 0)
    runs = []
    for round_ in range(args.rounds):
        order = variants if round_ % 2 == 0 else variants[::-1]  # neither variant always first
        for variant in order:
            r = run_variant(args, config, env, variant, len(runs), intake_emails)
            say(f"round {round_ + 1} {variant}: p50 {r['p50']:.1f} p95 {r['p95']:.1f} p99 {r['p99']:.1f} max "
                f"{r['max']:.1f} ms, {r['posts'] / r['wall']:.0f}/s, erased meanwhile {r['erased']} ({r['steps']} worker steps, CPU: worker {_pct(r['busy'])} (alone {_pct(r['alone'])}), intake "
                f"{_pct(r['intake_cpu'])}, {r['cpu_ms']:.2f} ms a POST, clients {_pct(r['clients_cpu'])}), load "
                f"{r['load']:.1f}, stopped in {r['stop_s']:.1f} s (exit {r['codes']}), left behind {r['left']}")
            r["round"] = round_ + 1
            runs.append(r)
    rows = ["| variant | round | load (1 min) | POSTs | p50 ms | p95 ms | p99 ms | max ms | intakes/s | erased meanwhile "
            "| worker's journal steps meanwhile | CPU: worker (alone before) | intake process | intake CPU ms per POST "
            "| clients | SIGTERM to exit (s) | processes left |",
            "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
    for r in runs:
        rows.append(f"| {r['variant']} | {r['round']} | {r['load']:.1f} | {r['posts']} | {r['p50']:.1f} | "
                    f"{r['p95']:.1f} | {r['p99']:.1f} | {r['max']:.1f} | {r['posts'] / r['wall']:.0f} | {r['erased']} | "
                    f"{r['steps']} | {_pct(r['busy'])} ({_pct(r['alone'])}) | {_pct(r['intake_cpu'])} | {r['cpu_ms']:.2f} | "
                    f"{_pct(r['clients_cpu'])} | {r['stop_s']:.1f} | {len(r['left'])} |")
    summary = ["| variant | p50 ms, median (range) | p99 ms, median (range) | max ms (worst) | intakes/s, median "
               "| intake CPU ms per POST, median (range) |",
               "|---|--:|--:|--:|--:|--:|"]
    for variant in variants:
        mine = [r for r in runs if r["variant"] == variant]

        def spread(key: str, rs: list[dict[str, Any]] = mine, digits: int = 1) -> str:
            values = [r[key] for r in rs]
            return f"{statistics.median(values):.{digits}f} ({min(values):.{digits}f}-{max(values):.{digits}f})"

        summary.append(f"| {VARIANTS[variant]} | {spread('p50')} | {spread('p99')} | "
                       f"{max(r['max'] for r in mine):.1f} | "
                       f"{statistics.median(r['posts'] / r['wall'] for r in mine):.0f} | {spread('cpu_ms', digits=2)} |")
    return "\n".join(summary) + "\n\n" + "\n".join(rows)


def profile(args: argparse.Namespace, config: Path, env: dict[str, str], emails: list[str]) -> list[tuple[str, float]]:
    """Run tickets through an in-process worker under cProfile; share of time per part of the work."""
    from eraser import logging as eraser_logging
    from eraser.config import load_config
    from eraser.daemon.intake import submit_ticket
    from eraser.daemon.worker import Worker
    from eraser.store.state import StateStore

    os.environ.update(env)
    recreate(args, args.state_db)
    eraser_logging.configure(level="WARNING")
    loaded = load_config(config)
    store = StateStore(url(args, args.state_db))
    store.migrate()
    for i, email in enumerate(emails):
        submit_ticket(store, loaded, kind="erase", subject={"email": email}, external_ref=f"P-{i}",
                      received_at=None, requested_by="bench")
    worker = Worker(loaded, store)
    worker.session()  # reflection once, as a running daemon has done
    profiler = cProfile.Profile()
    clock = time.perf_counter()
    profiler.enable()
    while worker.run_once():
        pass
    profiler.disable()
    total = time.perf_counter() - clock
    worker.close()
    store.dispose()
    stats = pstats.Stats(profiler)
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]

    def inside(pattern: str) -> float:
        return sum(v[3] for k, v in raw.items() if pattern in f"{k[0]}:{k[2]}")

    parts = [
        ("customer database: psycopg execute (locate, plan, apply, verify)", inside("psycopg/cursor.py:execute")),
        ("customer + state database: commit", inside("psycopg/connection.py:commit")),
        ("state store: journal and ticket updates", inside("eraser/store/state.py:update")),
        ("state store: claim", inside("eraser/store/state.py:claim")),
        ("certificate: canonical JSON + Ed25519 + file", inside("eraser/proof/certificates.py:issue")),
        ("SQL compilation (SQLAlchemy)", inside("sqlalchemy/sql/compiler.py:__init__")),
    ]
    return [("total, per ticket (ms)", 1000 * total / len(emails))] + \
        [(name, 100 * seconds / total) for name, seconds in parts]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=300, help="tickets the clients post per run")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--backlog", type=int, default=40, help="tickets waiting for the worker when a run starts")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--before", help="a tree of an earlier Eraser to run as a variant (its `eraser serve`)")
    parser.add_argument("--standard", metavar="DIR",
                        help="a directory holding httptools and uvloop: this tree's `eraser serve` with them as a variant")
    parser.add_argument("--scan", choices=["declared", "shipped"], default="declared",
                        help="the residual scan: the free-text tables (declared) or every table as configs/ ships it")
    parser.add_argument("--bare-processes", action="store_true",
                        help="also the bare app in two processes sharing the listening socket")
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--db", default="eraser_tickets")
    parser.add_argument("--state-db", default="eraser_tickets_state")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5432)
    parser.add_argument("--user", default="postgres")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="also run N tickets through an in-process worker under cProfile")
    parser.add_argument("--no-results", action="store_true")
    parser.add_argument("--chain", type=int, default=0,
                        help="certificates already in the chain when the daemons start (and issuance timed at 0 and N)")
    parser.add_argument("--issuance-only", action="store_true", help="with --chain: only time the issuances")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    from bench import chain, erase_one

    issuance = ""
    if args.chain:
        say(f"timing certificate issuance on an empty chain and on a chain of {args.chain:,}")
        timed = chain.issuance(OUT / "chains", OUT / "keys" / "eraser-signing.pem", args.chain)
        issuance = chain.table(timed)
        print(issuance)
        if args.issuance_only:
            if not args.no_results:
                _write_section(_section(args, argv, os.getloadavg()[0], "(no HTTP run: --issuance-only)", issuance))
            return 0
    say(f"database {args.db}: {args.persons:,} persons (built or reused by bench/erase_one.py)")
    erase_one.main(["--persons", str(args.persons), "--db", args.db, "--reuse", "--build-only", "--no-results"])
    config, env = environment(args)
    from eraser import logging as eraser_logging

    eraser_logging.configure(level="WARNING")  # the backlog's intake lines
    if args.chain:
        from eraser.proof.certificates import load_private_key

        seconds = chain.fill(Path(env["ERASER_CERTIFICATES"]), load_private_key(OUT / "keys" / "eraser-signing.pem"),
                             args.chain)
        say(f"chain of {args.chain:,} certificates issued in {seconds:.0f} s before the daemons start")
    load = os.getloadavg()[0]
    table = http_run(args, config, env) if args.rounds else "(no HTTP run: --rounds 0)"
    if args.profile:
        parts = profile(args, config, env, subjects(args, args.profile, 2000))
        prof = ["| where a ticket's time goes (in-process worker, cProfile) | |", "|---|--:|"]
        prof += [f"| {name} | {value:.1f}{' ms' if 'ms' in name else ' %'} |" for name, value in parts]
        table += "\n\n" + "\n".join(prof)
    print("\n" + table)
    if not args.no_results:
        _write_section(_section(args, argv, load, table, issuance))
    return 0


def _section(args: argparse.Namespace, argv: list[str] | None, load: float, table: str, issuance: str) -> str:
    command = " ".join(["python bench/tickets.py", *(argv if argv is not None else sys.argv[1:])])
    started = "" if args.issuance_only else f"; the daemons started from the chain of {args.chain:,}"
    chain = (f"\n\nCertificate issuance (`issue()`, sign + write + transparency log), on an empty chain and on a chain "
             f"of {args.chain:,}{started}:\n\n{issuance}" if issuance else "")
    return (f"## tickets\n\nCommand: `{command}`  \nDate: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC  \n"
            f"Machine: {os.cpu_count()} cores; 1-minute load average {load:.1f} at the start (`uptime`: "
            f"{os.popen('uptime').read().strip()}); PostgreSQL on 127.0.0.1 for the customer database "
            f"({args.persons:,} persons) and the state store.\n\n{table}{chain}\n")


def _write_section(section: str) -> None:
    """Replace (or add) the '## tickets' section of bench/RESULTS.md."""
    path = ROOT / "bench" / "RESULTS.md"
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    start = text.find("## tickets\n")
    if start >= 0:
        end = text.find("\n## ", start + 1)
        old = text[start:end + 1 if end >= 0 else len(text)]
        marks = [i for i in range(len(old)) if old.startswith("### ", i) and (i == 0 or old[i - 1] == "\n")
                 and "written by hand" in old[i:old.find("\n", i)]]
        written = marks[0] if marks else -1  # the hand-written sections (their heading says so) stay
        section += ("\n" + old[written:].rstrip("\n") + "\n\n") if written >= 0 else "\n"
        text = text[:start] + section + (text[end + 1:] if end >= 0 else "")
    else:
        text = text.rstrip() + "\n\n" + section
    path.write_text(text)


if __name__ == "__main__":
    raise SystemExit(main())
