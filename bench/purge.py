"""Benchmark: purge one tenant of a PostgreSQL database of the demo schema, five ways, on the same data.

The source database (default `eraser_purge_bench`) is built by bench/erase_one.py's set-based loader with 10
tenants; every run gets a fresh copy of it (CREATE DATABASE ... TEMPLATE), so each starts from the same rows:

    .venv/bin/python bench/erase_one.py --db eraser_purge_bench --persons 1000000 --tenants 10 --build-only
    .venv/bin/python bench/purge.py --tenant T007

(a) `eraser purge` in delete mode, (b) `eraser purge --mode anonymize`, (c) the floor: hand-written set-based
DELETE / UPDATE ... SET col = constant per table, in one transaction, run as --pairs interleaved pairs with (a)
and (b) (Eraser, floor, Eraser, floor, ...), the median and spread printed; (d) a Faker UPDATE per row by primary key,
timed on 10,000 rows and extrapolated, (e) pynonymizer 2.5.0 (fake_update with a `where` on the tenant).
Each way runs in a child process: wall time, rows/s and that child's own peak RSS (VmHWM). Every anonymize run is checked:
no masked column keeps its original value in any of the tenant's rows, unique and NOT NULL constraints hold, each
masked column has >= 500 distinct values among the tenant's rows, retained invoicing rows are byte-identical.
MariaDB (--mariadb): a smaller database built with eraser.demo.populate(), pairs as on PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import psycopg
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pairs import Measured, interleaved, pair_ratios, spread_text  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out" / "purge"
RESULTS = ROOT / "bench" / "RESULTS.md"
PY = sys.executable

# The columns every anonymizing way masks (table -> column -> Faker provider); Eraser's config says the same.
MASKED: dict[str, dict[str, str]] = {
    "persons": {"first_name": "first_name", "last_name": "last_name", "email": "email", "phone": "phone_number",
                "mobile": "phone_number", "customer_number": "uuid4"},
    "addresses": {"street": "street_name", "city": "city"},
    "projects": {"title": "catch_phrase", "description": "sentence"},
    "photos": {"caption": "word"},
    "quotes": {"notes": "sentence"},
    "support_messages": {"subject": "sentence", "body": "paragraph"},
    "usage_events": {"ip_address": "ipv4", "user_agent": "user_agent"},
}
RETAINED = ("invoices", "invoice_lines", "payments")


def say(text: str) -> None:
    print(text, flush=True)


# -- the tenant's rows, in SQL (the floor and the gates use the same definitions) -----------------------------

def scope_sql(tid: int) -> dict[str, str]:
    p = f"SELECT id FROM persons WHERE tenant_id = {tid}"
    pr = f"SELECT id FROM projects WHERE tenant_id = {tid} OR person_id IN ({p})"
    inv = f"SELECT id FROM invoices WHERE person_id IN ({p})"
    return {
        "persons": p, "projects": pr,
        "photos": f"SELECT id FROM photos WHERE project_id IN ({pr})",
        "quotes": f"SELECT id FROM quotes WHERE project_id IN ({pr})",
        "invoices": inv,
        "invoice_lines": f"SELECT id FROM invoice_lines WHERE invoice_id IN ({inv})",
        "payments": f"SELECT id FROM payments WHERE invoice_id IN ({inv})",
        "support_messages": f"SELECT id FROM support_messages WHERE person_id IN ({p})",
        "usage_events": f"SELECT id FROM usage_events WHERE person_id IN ({p})",
        # the tenant's own addresses: those of its persons and projects that no other tenant's row uses
        "addresses": f"SELECT id FROM addresses a WHERE id IN (SELECT address_id FROM persons WHERE tenant_id = {tid} "
                     f"UNION SELECT site_address_id FROM projects WHERE id IN ({pr})) AND NOT EXISTS (SELECT 1 FROM "
                     f"persons o WHERE o.address_id = a.id AND o.tenant_id <> {tid}) AND NOT EXISTS (SELECT 1 FROM "
                     f"projects o WHERE o.site_address_id = a.id AND o.tenant_id <> {tid} AND NOT EXISTS (SELECT 1 FROM persons "
                     f"op WHERE op.id = o.person_id AND op.tenant_id = {tid}))",
    }


def same(query: str) -> str:
    return query


def floor_delete(tid: int, cutoff: date, wrap: Any = same) -> list[str]:
    """Delete mode by hand: released invoicing rows go, retained ones stay with their person (and quote, project,
    address) set to constants; everything else of the tenant is deleted. Children first, one transaction."""
    s = scope_sql(tid)
    expired = f"SELECT id FROM invoices WHERE person_id IN ({s['persons']}) AND invoice_date < '{cutoff}'"
    return [
        f"CREATE TEMP TABLE floor_addresses AS SELECT id AS address_id FROM ({s['addresses']}) x",
        f"DELETE FROM invoice_lines WHERE invoice_id IN ({expired})",
        f"DELETE FROM payments WHERE invoice_id IN ({expired})",
        f"DELETE FROM photos WHERE project_id IN ({s['projects']})",
        f"DELETE FROM support_messages WHERE person_id IN ({s['persons']})",
        f"DELETE FROM usage_events WHERE person_id IN ({s['persons']})",
        f"DELETE FROM invoices WHERE id IN ({wrap(expired)})",
        f"UPDATE quotes q SET notes = '[erased]' WHERE project_id IN ({s['projects']}) "
        "AND EXISTS (SELECT 1 FROM invoices i WHERE i.quote_id = q.id)",
        f"DELETE FROM quotes q WHERE project_id IN ({s['projects']}) "
        "AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.quote_id = q.id)",
        f"UPDATE projects p SET title = '[erased]' WHERE id IN ({wrap(s['projects'])}) "
        "AND EXISTS (SELECT 1 FROM quotes q WHERE q.project_id = p.id)",
        f"DELETE FROM projects p WHERE id IN ({wrap(s['projects'])}) "
        "AND NOT EXISTS (SELECT 1 FROM quotes q WHERE q.project_id = p.id)",
        "UPDATE persons p SET first_name = 'x', last_name = 'x', email = 'x', phone = 'x', mobile = 'x', "
        "customer_number = 'X' || id, date_of_birth = make_date(extract(year FROM date_of_birth)::int, 1, 1) "
        f"WHERE tenant_id = {tid} AND (EXISTS (SELECT 1 FROM invoices i WHERE i.person_id = p.id) "
        "OR EXISTS (SELECT 1 FROM projects r WHERE r.person_id = p.id))",
        f"DELETE FROM persons p WHERE tenant_id = {tid} AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.person_id "
        "= p.id) AND NOT EXISTS (SELECT 1 FROM projects r WHERE r.person_id = p.id)",
        "UPDATE addresses a SET street = 'x', house_number = NULL, postcode = left(postcode, 2) || '00' "
        "WHERE id IN (SELECT address_id FROM floor_addresses) AND (EXISTS (SELECT 1 FROM persons p WHERE "
        "p.address_id = a.id) OR EXISTS (SELECT 1 FROM projects r WHERE r.site_address_id = a.id))",
        "DELETE FROM addresses a WHERE id IN (SELECT address_id FROM floor_addresses) AND NOT EXISTS (SELECT 1 FROM "
        "persons p WHERE p.address_id = a.id) AND NOT EXISTS (SELECT 1 FROM projects r WHERE r.site_address_id = a.id)",
    ]


def floor_anonymize(tid: int, wrap: Any = same) -> list[str]:
    """Anonymize mode by hand: every masked column of the tenant's rows set to a constant, one UPDATE per table."""
    s = scope_sql(tid)
    out = []
    for table, cols in MASKED.items():
        sets = ", ".join(f"{c} = " + ("'X' || id" if c == "customer_number" else "'x'") for c in cols)
        out.append(f"UPDATE {table} SET {sets} WHERE id IN ({wrap(s[table])})")
    return out


def floor_delete_mysql(tid: int, cutoff: date) -> list[str]:
    """The same work as floor_delete in MariaDB's best form: the tenant's keys gathered once into temporary tables
    with a primary key, then one multi-table DELETE (or UPDATE) joined to them per table, one transaction.
    (MariaDB plans `IN (SELECT * FROM (...) dt)`, the form it needs to read the table it changes, as a scan of
    the table per statement.)"""
    s = scope_sql(tid)
    return [
        f"CREATE TEMPORARY TABLE floor_p (PRIMARY KEY (id)) SELECT id FROM persons WHERE tenant_id = {tid}",
        f"CREATE TEMPORARY TABLE floor_pr (PRIMARY KEY (id)) SELECT id FROM projects WHERE tenant_id = {tid} "
        "OR person_id IN (SELECT id FROM floor_p)",
        "CREATE TEMPORARY TABLE floor_exp (PRIMARY KEY (id)) SELECT i.id FROM invoices i JOIN floor_p p "
        f"ON p.id = i.person_id WHERE i.invoice_date < '{cutoff}'",
        f"CREATE TEMPORARY TABLE floor_addresses (PRIMARY KEY (address_id)) SELECT id AS address_id FROM "
        f"({s['addresses']}) x",
        "DELETE l FROM invoice_lines l JOIN floor_exp e ON e.id = l.invoice_id",
        "DELETE y FROM payments y JOIN floor_exp e ON e.id = y.invoice_id",
        "DELETE ph FROM photos ph JOIN floor_pr r ON r.id = ph.project_id",
        "DELETE m FROM support_messages m JOIN floor_p p ON p.id = m.person_id",
        "DELETE u FROM usage_events u JOIN floor_p p ON p.id = u.person_id",
        "DELETE i FROM invoices i JOIN floor_exp e ON e.id = i.id",
        "UPDATE quotes q JOIN floor_pr r ON r.id = q.project_id SET q.notes = '[erased]' "
        "WHERE EXISTS (SELECT 1 FROM invoices i WHERE i.quote_id = q.id)",
        "DELETE q FROM quotes q JOIN floor_pr r ON r.id = q.project_id "
        "WHERE NOT EXISTS (SELECT 1 FROM invoices i WHERE i.quote_id = q.id)",
        "UPDATE projects p JOIN floor_pr r ON r.id = p.id SET p.title = '[erased]' "
        "WHERE EXISTS (SELECT 1 FROM quotes q WHERE q.project_id = p.id)",
        "DELETE p FROM projects p JOIN floor_pr r ON r.id = p.id "
        "WHERE NOT EXISTS (SELECT 1 FROM quotes q WHERE q.project_id = p.id)",
        "UPDATE persons p JOIN floor_p f ON f.id = p.id SET p.first_name = 'x', p.last_name = 'x', p.email = 'x', "
        "p.phone = 'x', p.mobile = 'x', p.customer_number = CONCAT('X', p.id), "
        "p.date_of_birth = MAKEDATE(YEAR(p.date_of_birth), 1) WHERE EXISTS (SELECT 1 FROM invoices i "
        "WHERE i.person_id = p.id) OR EXISTS (SELECT 1 FROM projects r WHERE r.person_id = p.id)",
        "DELETE p FROM persons p JOIN floor_p f ON f.id = p.id WHERE NOT EXISTS (SELECT 1 FROM invoices i "
        "WHERE i.person_id = p.id) AND NOT EXISTS (SELECT 1 FROM projects r WHERE r.person_id = p.id)",
        "UPDATE addresses a JOIN floor_addresses f ON f.address_id = a.id SET a.street = 'x', a.house_number = NULL, "
        "a.postcode = CONCAT(LEFT(a.postcode, 2), '00') WHERE EXISTS (SELECT 1 FROM persons p WHERE "
        "p.address_id = a.id) OR EXISTS (SELECT 1 FROM projects r WHERE r.site_address_id = a.id)",
        "DELETE a FROM addresses a JOIN floor_addresses f ON f.address_id = a.id WHERE NOT EXISTS (SELECT 1 FROM "
        "persons p WHERE p.address_id = a.id) AND NOT EXISTS (SELECT 1 FROM projects r WHERE r.site_address_id = a.id)",
    ]


def floor_anonymize_mysql(tid: int) -> list[str]:
    """floor_anonymize in MariaDB's best form: each table's keys in a temporary table, one UPDATE joined to it."""
    s = scope_sql(tid)
    out = []
    for table, cols in MASKED.items():
        out.append(f"CREATE TEMPORARY TABLE floor_{table} (PRIMARY KEY (id)) SELECT id FROM ({s[table]}) x")
        sets = ", ".join(f"t.{c} = " + ("CONCAT('X', t.id)" if c == "customer_number" else "'x'") for c in cols)
        out.append(f"UPDATE {table} t JOIN floor_{table} k ON k.id = t.id SET {sets}")
    return out


# -- databases -----------------------------------------------------------------------------------------------

class PG:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args

    def dsn(self, db: str) -> str:
        return f"postgresql://{self.args.user}@{self.args.host}:{self.args.port}/{db}"

    def url(self, db: str) -> str:
        return f"postgresql+psycopg://{self.args.user}@{self.args.host}:{self.args.port}/{db}"

    def copy(self, db: str) -> float:
        clock = time.perf_counter()
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{db}" TEMPLATE "{self.args.source}" STRATEGY FILE_COPY')
        return time.perf_counter() - clock

    def drop(self, db: str) -> None:
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def child(cmd: list[str], env: dict[str, str] | None = None, timeout: float | None = None) -> tuple[float, int, str]:
    """Run a command; wall seconds, peak RSS in MB of the child, and its output. TimeoutError past `timeout`."""
    import tempfile
    import threading

    clock = time.perf_counter()
    with tempfile.TemporaryFile("w+") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, text=True)
        timer = threading.Timer(timeout, proc.kill) if timeout else None
        if timer:
            timer.start()
        peak = [0]
        watcher = threading.Thread(target=own_peak_rss, args=(proc.pid, peak), daemon=True)
        watcher.start()
        _pid, status, _usage = os.wait4(proc.pid, 0)
        watcher.join()
        if timer:
            timer.cancel()
        log.seek(0)
        out = log.read()
    if timeout and time.perf_counter() - clock >= timeout:
        raise TimeoutError(f"did not finish within {timeout:.0f} s (killed)")
    seconds = time.perf_counter() - clock
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])}... failed:\n{out[-3000:]}")
    return seconds, peak[0] // 1024, out


def own_peak_rss(pid: int, peak: list[int]) -> None:
    """The child's own high-water RSS in kB (VmHWM), read until it exits. ru_maxrss of a child starts from the
    parent's RSS at fork, so it would report the benchmark's memory for a small child."""
    status = Path(f"/proc/{pid}/status")
    while True:
        try:
            text = status.read_text()
        except OSError:
            return
        found = re.search(r"VmHWM:\s+(\d+)", text)
        if not found:  # a zombie: exited, its last reading stands
            return
        peak[0] = max(peak[0], int(found.group(1)))
        time.sleep(0.05)


def summary(out: str) -> str:
    """Eraser's closing line and when each phase ended (seconds since the start of the purge)."""
    done = next((line for line in out.splitlines() if line.startswith("Purged tenant")), "(no summary line)")
    phases = []
    out = re.sub(r"\x1b\[[0-9;]*m", "", out)  # the console log colours its fields
    for line in out.splitlines():
        m = re.search(r"purge (scope gathered|planned|batches done|verified)\S*\s.*?seconds=([\d.]+)", line)
        if m:
            phases.append(f"{m.group(1)} {m.group(2)} s")
    return done + (" Phases: " + ", ".join(phases) + "." if phases else "")


def tenant_rows(conn: psycopg.Connection, tid: int, tables: Any = None) -> dict[str, int]:
    s = scope_sql(tid)
    return {t: conn.execute(f"SELECT count(*) FROM ({s[t]}) x").fetchone()[0]  # type: ignore[index]
            for t in (tables or s)}


CUTOFF: list[date] = []
UPTIME: list[str] = []


def retained_digest(conn: psycopg.Connection, tid: int) -> str:
    """MD5 of the tenant's invoicing rows whose retention period has not ended (released ones may go)."""
    s = scope_sql(tid)
    kept = f"SELECT id FROM invoices WHERE person_id IN ({s['persons']}) AND invoice_date >= '{CUTOFF[0]}'"
    where = {"invoices": f"id IN ({kept})", "invoice_lines": f"invoice_id IN ({kept})",
             "payments": f"invoice_id IN ({kept})"}
    parts = [conn.execute(f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) FROM {t} t "
                          f"WHERE {where[t]}").fetchone()[0] for t in RETAINED]  # type: ignore[index]
    return "/".join(parts)


def snapshot(conn: psycopg.Connection, tid: int) -> None:
    """Keep the originals of the masked columns (untimed) for the gates."""
    s = scope_sql(tid)
    for table, cols in MASKED.items():
        conn.execute(f"DROP TABLE IF EXISTS bench_orig_{table}")
        conn.execute(f"CREATE TABLE bench_orig_{table} AS SELECT id, {', '.join(cols)} FROM {table} "
                     f"WHERE id IN ({s[table]})")
        conn.execute(f"ALTER TABLE bench_orig_{table} ADD PRIMARY KEY (id)")


def gates(conn: psycopg.Connection, tid: int, digest: str, columns: dict[str, dict[str, str]] | None = None
          ) -> tuple[bool, list[str]]:
    """The correctness gates of an anonymize run; (passed, the failures)."""
    failures = []
    for table, cols in (columns or MASKED).items():
        for col in cols:
            same = conn.execute(f"SELECT count(*) FROM {table} t JOIN bench_orig_{table} o ON o.id = t.id "
                                f"WHERE t.{col} = o.{col}").fetchone()[0]  # type: ignore[index]
            distinct = conn.execute(f"SELECT count(DISTINCT t.{col}) FROM {table} t JOIN bench_orig_{table} o "
                                    "ON o.id = t.id").fetchone()[0]  # type: ignore[index]
            if same:
                failures.append(f"{table}.{col}: {same:,} row(s) keep their original value")
            if distinct < 500:
                failures.append(f"{table}.{col}: {distinct} distinct value(s)")
    dupes = conn.execute("SELECT count(*) - count(DISTINCT customer_number) FROM persons").fetchone()[0]  # type: ignore[index]
    if dupes:
        failures.append(f"persons.customer_number: {dupes} duplicate(s)")
    for table, col in (("persons", "first_name"), ("persons", "last_name"), ("persons", "customer_number")):
        nulls = conn.execute(f"SELECT count(*) FROM {table} WHERE {col} IS NULL").fetchone()[0]  # type: ignore[index]
        if nulls:
            failures.append(f"{table}.{col}: {nulls} NULL(s)")
    if retained_digest(conn, tid) != digest:
        failures.append("retained invoicing rows changed")
    return not failures, failures


# -- the ways ------------------------------------------------------------------------------------------------

def eraser_config(url: str, tenant_mode: str) -> Path:
    base = yaml.safe_load((ROOT / "configs" / "cover_group.yaml").read_text())
    base["connectors"]["cover"]["url"] = url
    base["connectors"]["cover"].pop("residual_scan", None)
    tables = base["connectors"]["cover"]["tables"]
    tables["persons"]["tenant"] = "tenant_id"
    tables["projects"]["tenant"] = "tenant_id"
    for table, cols in MASKED.items():
        merged = {**tables[table].get("columns", {}), **{c: f"faker:{p}" for c, p in cols.items()}}
        tables[table]["columns"] = merged
    base["tenants"] = {"table": "tenants", "key": "code", "mode": tenant_mode}
    base["state"] = f"sqlite:///{OUT / 'state.db'}"
    base["certificates"] = str(OUT / "certificates")
    path = OUT / f"config-{tenant_mode}.yaml"
    path.write_text(yaml.safe_dump(base, sort_keys=False))
    return path


def env() -> dict[str, str]:
    keys = OUT / "keys"
    if not (keys / "eraser-signing.pem").exists():
        from eraser.proof.certificates import generate_keys

        generate_keys(keys)
    return {**os.environ, "ERASER_SECRET": "bench-purge-secret-not-for-production-0001", "ERASER_SIGNING_KEY": str(keys / "eraser-signing.pem"),
            "ERASER_PUBLIC_KEY": str(keys / "eraser-signing.pub.pem"), "ERASER_CERTIFICATES": str(OUT / "certificates"),
            "COVER_DB_URL": "unused"}


def run_eraser(url: str, tenant: str, mode: str, batch: int | None) -> tuple[float, int, str]:
    config = eraser_config(url, mode)
    (OUT / "state.db").unlink(missing_ok=True)
    size = ["--batch-size", str(batch)] if batch else []
    return child([PY, "-m", "eraser", "--log-level", "INFO", "purge", "--config", str(config), "--tenant", tenant,
                  "--yes", "--mode", mode, *size], env())


FLOOR_CHILD = """
import sys, psycopg
dsn, stmts = sys.argv[1], sys.argv[2:]
with psycopg.connect(dsn) as conn:
    for s in stmts:
        conn.execute(s)
    conn.commit()
"""

FLOOR_SA_CHILD = """
import sys, sqlalchemy as sa
url, stmts = sys.argv[1], sys.argv[2:]
engine = sa.create_engine(url)
with engine.begin() as conn:
    for s in stmts:
        conn.execute(sa.text(s))
"""

NAIVE_CHILD = """
import sys, json, time, psycopg
sys.path.insert(0, sys.argv[3])
from eraser.engine.anonymize import make_faker
dsn, plan = sys.argv[1], json.loads(open(sys.argv[2]).read())
fake = make_faker(["nl_BE", "fr_BE"])
with psycopg.connect(dsn) as conn:
    for table, cols, ids, lengths in plan:
        sets = ", ".join(f"{c} = %s" for c in cols)
        for i in ids:
            values = [str(getattr(fake, p)())[:n] for p, n in zip(cols.values(), lengths)]
            conn.execute(f"UPDATE {table} SET {sets} WHERE id = %s", (*values, i))
    conn.commit()
"""


def naive_plan(conn: psycopg.Connection, tid: int, sample: int, counts: dict[str, int]) -> list[Any]:
    """10,000 rows drawn from the tables in proportion to the tenant's rows in each."""
    s = scope_sql(tid)
    total = sum(counts[t] for t in MASKED)
    plan = []
    for table, cols in MASKED.items():
        n = max(1, round(sample * counts[table] / total))
        ids = [r[0] for r in conn.execute(f"SELECT id FROM ({s[table]}) x ORDER BY 1 LIMIT {n}")]
        lengths = [conn.execute("SELECT coalesce(character_maximum_length, 10000) FROM information_schema.columns "
                                "WHERE table_name = %s AND column_name = %s", (table, c)).fetchone()[0]  # type: ignore[index]
                   for c in cols]
        plan.append((table, cols, ids, lengths))
    return plan


def naive(args: argparse.Namespace, pg: PG, work: str, tid: int, counts: dict[str, int], masked_total: int,
          lines: list[Any], prepared: Any) -> None:
    say("(d) naive row-by-row Faker UPDATE")
    prepared(False)
    with psycopg.connect(pg.dsn(work)) as conn:
        plan = naive_plan(conn, tid, args.naive_rows, counts)
    n = sum(len(p[2]) for p in plan)
    plan_file = OUT / "naive-plan.json"  # 10,000 keys are too long for a command line
    plan_file.write_text(json.dumps(plan))
    seconds, rss, _ = child([PY, "-c", NAIVE_CHILD, pg.dsn(work), str(plan_file), str(ROOT)])
    est = seconds * masked_total / n
    lines.append(("(d) naive: a Faker UPDATE per row by primary key", f"{masked_total:,} (extrapolated from "
                  f"{n:,})", f"{est:,.0f} (extrapolated; {seconds:.1f} s for {n:,})", f"{n / seconds:,.0f}",
                  f"{rss}", "not checked (sample)"))
    say(f"  (d): {n:,} rows in {seconds:.1f} s ({n / seconds:,.0f} rows/s), extrapolated {est:,.0f} s")


def pynonymizer_strategy(tid: int, columns: dict[str, dict[str, str]]) -> Path:
    s = scope_sql(tid)
    tables = {}
    for table, cols in columns.items():
        where = f"tenant_id = {tid}" if table == "persons" else f"id IN ({s[table]})"
        tables[table] = {"columns": {c: {"type": "fake_update", "fake_type": p, "where": where}
                                     for c, p in cols.items()}}
    path = OUT / "pynonymizer.yml"
    path.write_text(yaml.safe_dump({"locale": "nl_BE", "tables": tables}, sort_keys=False))
    return path


def explain(url: str, tenant: str) -> str:
    """The plan PostgreSQL picks for Eraser's pool join (first batch of usage_events), after the run."""
    from eraser import logging as eraser_logging
    from eraser.config import load_config
    from eraser.engine.session import open_session
    from eraser.purge.batches import run_batch
    from eraser.purge.pools import Pools
    from eraser.purge.scope import Scope

    eraser_logging.configure(level="WARNING")
    os.environ.update({k: v for k, v in env().items() if k.startswith(("ERASER_", "COVER_"))})
    config = load_config(eraser_config(url, "anonymize"))
    with open_session(config) as session:
        graph = session.graphs["cover"]
        with graph.connector.engine.connect() as conn:
            scope = Scope(config, "cover", graph, conn, tenant, "anonymize", date.today())
            scope.build()
            lo, hi, n = next(scope.boundaries("usage_events", 10_000))
            pools = Pools(scope)
            pools.explain = []
            run_batch(scope, pools, "usage_events", lo, hi, n)
            conn.rollback()
            return pools.explain[0] if pools.explain else "(no UPDATE)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default="eraser_purge_bench", help="the database built by erase_one.py")
    parser.add_argument("--tenant", default="T007")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5432)
    parser.add_argument("--user", default="postgres")
    parser.add_argument("--batch-size", type=int, default=None, help="Eraser's --batch-size (default: the config's)")
    parser.add_argument("--naive-rows", type=int, default=10_000)
    parser.add_argument("--pynonymizer-timeout", type=float, default=600, help="seconds before way (e) is stopped")
    parser.add_argument("--ways", default="a,b,c,d,e")
    parser.add_argument("--pairs", type=int, default=3,
                        help="Eraser and floor runs per mode, interleaved (Eraser, floor, Eraser, floor, ...)")
    parser.add_argument("--mariadb", action="store_true", help="also the MariaDB lines (smaller scale)")
    parser.add_argument("--mariadb-persons", type=int, default=20_000)
    parser.add_argument("--mariadb-source", default="eraser_purge_bench_src",
                        help="the MariaDB database built with eraser.demo.populate() (a copy is made per run)")
    parser.add_argument("--no-results", action="store_true")
    parser.add_argument("--keep-other-ways", action="store_true",
                        help="keep the lines of the ways not run now from bench/RESULTS.md (and its MariaDB lines)")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    if args.ways == "none":  # MariaDB only: its lines replace those in the existing section
        maria = mariadb(args)
        say("\n".join(maria))
        if not args.no_results:
            text = RESULTS.read_text()
            old = re.search(r"^## purge\n(.*?)(?=^## |\Z)", text, re.S | re.M)
            body = old.group(1) if old else "\n"
            previous = "\n".join(_old_mariadb()[1:])
            body = body.replace(previous, "\n".join(maria[1:])) if previous else \
                body.rstrip("\n") + "\n" + "\n".join(maria) + "\n\n"
            text = text.replace(old.group(0), "## purge\n" + body) if old else text + "\n## purge\n" + body
            RESULTS.write_text(text)
        return 0
    pg = PG(args)
    work = f"{args.source}_run"
    lines: list[tuple[str, str, str, str, str, str]] = []
    notes: list[str] = []
    ways = args.ways.split(",")
    with psycopg.connect(pg.dsn(args.source)) as conn:
        tid = conn.execute("SELECT id FROM tenants WHERE code = %s", (args.tenant,)).fetchone()[0]  # type: ignore[index]
        counts = tenant_rows(conn, tid)
        persons_total = conn.execute("SELECT count(*) FROM persons").fetchone()[0]  # type: ignore[index]
        tenants = conn.execute("SELECT count(*) FROM tenants").fetchone()[0]  # type: ignore[index]
        all_rows = conn.execute("SELECT sum(n_live_tup) FROM pg_stat_user_tables").fetchone()[0]  # type: ignore[index]
    tenant_total = sum(counts.values())
    masked_total = sum(counts[t] for t in MASKED)
    say(f"{args.source}: {persons_total:,} persons in {tenants} tenants (~{all_rows:,} rows); tenant {args.tenant}: "
        f"{tenant_total:,} rows ({', '.join(f'{t} {n:,}' for t, n in counts.items())})")
    from eraser.engine.retention import release_date
    from eraser.table_rules import RetainRule

    rule = RetainRule.model_validate({"preset": "invoices", "from": "invoice_date"}, context={"jurisdiction": "BE"})
    cutoff = next(date.fromordinal(d) for d in range(date(2000, 1, 1).toordinal(), date(2100, 1, 1).toordinal())
                  if release_date(rule, {"invoice_date": date.fromordinal(d)}, date.today()) > date.today())
    CUTOFF.append(cutoff)
    load_before = os.getloadavg()[0]
    UPTIME.append(os.popen("uptime").read().strip())
    say(f"uptime: {UPTIME[0]}")

    def prepared(snap: bool) -> str:
        seconds = pg.copy(work)
        with psycopg.connect(pg.dsn(work)) as conn:
            digest = retained_digest(conn, tid)
            if snap:
                snapshot(conn, tid)
            conn.commit()
        say(f"  fresh copy of {args.source} in {seconds:.0f} s")
        return digest

    def line(way: str, rows: int, runs: list[Measured], gate: str) -> None:
        seconds = statistics.median(r.seconds for r in runs)
        wall = f"{seconds:,.1f}" + (f" ({spread_text([r.seconds for r in runs])})" if len(runs) > 1 else "")
        rss = max(r.rss for r in runs)
        lines.append((way, f"{rows:,}", wall, f"{rows / seconds:,.0f}", f"{rss}", gate))
        say(f"  {way}: {rows:,} rows, median {wall} s, {rows / seconds:,.0f} rows/s, peak RSS {rss} MB; {gate}")

    def eraser_way(mode: str) -> Measured:
        digest = prepared(mode == "anonymize")
        seconds, rss, out = run_eraser(pg.url(work), args.tenant, mode, args.batch_size)
        with psycopg.connect(pg.dsn(work)) as conn:
            if mode == "delete":
                gate = ("verification PASS" if "verification PASS" in out else "verification FAILED") + (
                    "; retained rows identical" if retained_digest(conn, tid) == digest else "; retained rows CHANGED")
            else:
                ok, failures = gates(conn, tid, digest)
                gate = "gates PASS" if ok else "gates FAIL: " + "; ".join(failures[:4])
        return Measured(seconds, rss, gate, summary(out))

    def floor_way(mode: str) -> Measured:
        digest = prepared(mode == "anonymize")
        stmts = floor_delete(tid, cutoff) if mode == "delete" else floor_anonymize(tid)
        seconds, rss, _ = child([PY, "-c", FLOOR_CHILD, pg.dsn(work), *stmts])
        with psycopg.connect(pg.dsn(work)) as conn:
            changed = retained_digest(conn, tid) != digest
        return Measured(seconds, rss, "constants (gates n/a)" + ("; retained rows CHANGED" if changed else ""))

    modes = [m for way, m in (("a", "delete"), ("b", "anonymize")) if way in ways]
    paired = interleaved(modes, args.pairs, eraser_way, floor_way)
    for (side, mode), runs in paired.items():
        way = (f"({'a' if mode == 'delete' else 'b'}) Eraser, {mode} mode" if side == "eraser" else
               f"(c) floor, {mode}: one statement per table, one transaction")
        rows = tenant_total if side == "eraser" or mode == "delete" else masked_total
        line(way, rows, runs, "; ".join(dict.fromkeys(r.gate for r in runs)))
        notes += [f"{way[:3]} run {n}: {r.note}" for n, r in enumerate(runs, 1) if r.note]
    notes += pair_ratios(paired)
    if "b" in ways:
        try:
            plan = explain(pg.url(work), args.tenant)
        except Exception as exc:
            plan = f"(plan not shown: {type(exc).__name__})"
        notes.append("Plan of Eraser's pool UPDATE (first batch of usage_events):\n\n```\n" + plan + "\n```")
    if "d" in ways:
        try:
            naive(args, pg, work, tid, counts, masked_total, lines, prepared)
        except Exception as exc:
            lines.append(("(d) naive", "-", "-", "-", "-", f"failed: {type(exc).__name__}: {str(exc)[:200]}"))
    if "e" in ways:
        say("(e) pynonymizer 2.5.0, fake_update with where")
        cols = {t: {c: p for c, p in cs.items() if c != "customer_number"} for t, cs in MASKED.items()}
        digest = prepared(True)
        strategy = pynonymizer_strategy(tid, cols)
        binary = str(Path(PY).with_name("pynonymizer"))
        try:
            seconds, rss, out = child([binary, "-t", "postgres", "-d", args.host, "-P", str(args.port), "-u",
                                       args.user, "-p", "", "-n", work, "-s", str(strategy), "--only-step",
                                       "ANONYMIZE_DB", "--seed-rows", "2000"], timeout=args.pynonymizer_timeout)
            with psycopg.connect(pg.dsn(work)) as conn:
                ok, failures = gates(conn, tid, digest, cols)
            gate = "gates PASS" if ok else "gates FAIL: " + "; ".join(failures[:3])
            line("(e) pynonymizer 2.5.0 (fake_update, where; customer_number left out)", masked_total,
                 [Measured(seconds, rss, gate)], gate)
        except TimeoutError as exc:
            lines.append(("(e) pynonymizer 2.5.0 (fake_update, where; customer_number left out)", f"{masked_total:,}",
                          f"> {args.pynonymizer_timeout:,.0f}", f"< {masked_total / args.pynonymizer_timeout:,.0f}",
                          "-", str(exc)))
        except RuntimeError as exc:
            lines.append(("(e) pynonymizer 2.5.0", "-", "-", "-", "-", "could not run: " +
                          str(exc).splitlines()[-1][:200]))
            say(str(exc)[-2000:])
    pg.drop(work)
    load_after = os.getloadavg()[0]
    rows = [f"| {' | '.join(row)} |" for row in lines]
    kept: list[str] = []
    if args.keep_other_ways and RESULTS.exists():  # lines of the ways not run this time, from the last run
        old = re.search(r"^## purge\n(.*?)(?=^## |\Z)", RESULTS.read_text(), re.S | re.M)
        kept = [r for r in (old.group(1).splitlines() if old else [])
                if re.match(r"^\| \(([a-e])\)", r) and r[3] not in ways]
        notes.insert(0, f"Ways {', '.join(ways)} re-run at {datetime.now(UTC):%H:%M} UTC; the other lines are from "
                        "the previous run.")
    table = ["| way | rows | wall s | rows/s | peak RSS MB | checks |", "|---|---:|---:|---:|---:|---|"]
    table += sorted(rows + kept, key=lambda r: r[:5])
    try:
        maria = mariadb(args) if args.mariadb else _old_mariadb() if args.keep_other_ways else []
    except Exception as exc:  # the PostgreSQL results stand on their own
        maria = ["", f"MariaDB: not measured ({type(exc).__name__}: {str(exc).splitlines()[0][:200]})"]
    say("\n".join(table + maria))
    if not args.no_results:
        write_results(args, persons_total, tenants, all_rows, counts, table, maria, notes, load_before, load_after)
    return 0


# -- MariaDB, smaller --------------------------------------------------------------------------------------------

def mariadb(args: argparse.Namespace) -> list[str]:
    """One line per way on MariaDB, on a database built with eraser.demo.populate() (Python, so smaller)."""
    import sqlalchemy as sa

    from eraser.demo import populate

    root = "mysql+pymysql://root@127.0.0.1:3306"
    src, work = args.mariadb_source, f"{args.mariadb_source}_run"
    admin = sa.create_engine(f"{root}/mysql", isolation_level="AUTOCOMMIT")
    tables = ["tenants", "addresses", "persons", "projects", "photos", "quotes", "invoices", "invoice_lines",
              "payments", "newsletter_subscriptions", "support_messages", "usage_events"]
    with admin.connect() as c:
        exists = c.execute(sa.text("SELECT count(*) FROM information_schema.tables WHERE table_schema = :s"),
                           {"s": src}).scalar_one()
    if not exists:
        say(f"MariaDB: building {src} with {args.mariadb_persons:,} persons")
        with admin.connect() as c:
            c.execute(sa.text(f"CREATE DATABASE {src} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
        populate(sa.create_engine(f"{root}/{src}"), persons=args.mariadb_persons, seed=7, tenants=10)

    def fresh() -> None:
        with admin.connect() as c:
            c.execute(sa.text(f"DROP DATABASE IF EXISTS {work}"))
            c.execute(sa.text(f"CREATE DATABASE {work} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
            for t in tables:
                c.execute(sa.text(f"CREATE TABLE {work}.{t} LIKE {src}.{t}"))
            c.execute(sa.text("SET foreign_key_checks = 0"))
            for t in tables:
                c.execute(sa.text(f"INSERT INTO {work}.{t} SELECT * FROM {src}.{t}"))
            c.execute(sa.text("SET foreign_key_checks = 1"))
        # LIKE copies indexes, not foreign keys: take them from the demo schema
        eng = sa.create_engine(f"{root}/{work}")
        with eng.begin() as c:
            for t in tables:
                for fk in sa.Table(t, sa.MetaData(), autoload_with=sa.create_engine(f"{root}/{src}")).foreign_keys:
                    c.execute(sa.text(f"ALTER TABLE {t} ADD FOREIGN KEY ({fk.parent.name}) REFERENCES "
                                      f"{fk.column.table.name} ({fk.column.name})"))
        eng.dispose()

    out = ["", f"MariaDB ({args.mariadb_persons:,} persons in 10 tenants, built with eraser.demo.populate; tenant "
           f"{args.tenant}):", "", "| way | rows | wall s | rows/s | peak RSS MB | checks |", "|---|---:|---:|---:|---:|---|"]
    url = f"{root}/{work}"
    eng = sa.create_engine(f"{root}/{src}")
    with eng.connect() as c:
        tid = c.execute(sa.text("SELECT id FROM tenants WHERE code = :c"), {"c": args.tenant}).scalar_one()
        counts = {t: c.execute(sa.text(f"SELECT count(*) FROM ({q}) x")).scalar_one()
                  for t, q in scope_sql(tid).items()}
    eng.dispose()
    total, masked = sum(counts.values()), sum(counts[t] for t in MASKED)
    from eraser.engine.retention import release_date
    from eraser.table_rules import RetainRule

    rule = RetainRule.model_validate({"preset": "invoices", "from": "invoice_date"}, context={"jurisdiction": "BE"})
    cutoff = next(date.fromordinal(d) for d in range(date(2000, 1, 1).toordinal(), date(2100, 1, 1).toordinal())
                  if release_date(rule, {"invoice_date": date.fromordinal(d)}, date.today()) > date.today())

    floors = {"delete": floor_delete_mysql(tid, cutoff), "anonymize": floor_anonymize_mysql(tid)}

    def left() -> str:
        """Rows left in the tenant's tables after a run (Eraser and the floor of one mode must agree)."""
        eng = sa.create_engine(url)
        with eng.connect() as c:
            n = {t: c.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one() for t in counts}
        eng.dispose()
        return f"{sum(n.values()):,} rows left in the tenant's tables"

    def eraser_way(mode: str) -> Measured:
        fresh()
        seconds, rss, out = run_eraser(url, args.tenant, mode, args.batch_size)
        gate = "verification PASS" if "verification PASS" in out else "verification FAILED"
        return Measured(seconds, rss, f"{gate}; {left()}", summary(out))

    def floor_way(mode: str) -> Measured:
        fresh()
        seconds, rss, _ = child([PY, "-c", FLOOR_SA_CHILD, url, *floors[mode]])
        return Measured(seconds, rss, left())

    paired = interleaved(["delete", "anonymize"], args.pairs, eraser_way, floor_way)
    for (side, mode), runs in paired.items():
        rows = total if side == "eraser" or mode == "delete" else masked
        seconds = statistics.median(r.seconds for r in runs)
        way = f"Eraser, {mode} mode" if side == "eraser" else f"floor, {mode} (one statement per table, one transaction)"
        out.append(f"| {way} | {rows:,} | {seconds:.1f} ({spread_text([r.seconds for r in runs])}) | "
                   f"{rows / seconds:,.0f} | {max(r.rss for r in runs)} | "
                   f"{'; '.join(dict.fromkeys(r.gate for r in runs))} |")
    out += ["", *(f"MariaDB {line}" for line in pair_ratios(paired))]
    out += [f"MariaDB {side} {mode} run {n}: {r.note}" for (side, mode), runs in paired.items()
            for n, r in enumerate(runs, 1) if r.note]
    with admin.connect() as c:
        c.execute(sa.text(f"DROP DATABASE IF EXISTS {work}"))
    return out


def _old_mariadb() -> list[str]:
    old = re.search(r"^## purge\n(.*?)(?=^## |\Z)", RESULTS.read_text(), re.S | re.M) if RESULTS.exists() else None
    text = old.group(1) if old else ""
    start = text.find("\nMariaDB")
    if start < 0:
        return []
    lines = []
    for line in text[start + 1:].splitlines():
        if line.startswith(("MariaDB", "|")) or (not line and len(lines) == 1):
            lines.append(line)
        elif lines:
            break
    return ["", *lines]


def write_results(args: argparse.Namespace, persons: int, tenants: int, all_rows: int, counts: dict[str, int],
                  table: list[str], maria: list[str], notes: list[str], before: float, after: float) -> None:
    import sqlalchemy

    command = "python bench/purge.py " + " ".join(sys.argv[1:])
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    section = "\n".join([
        "## purge", "",
        f"Command: `{command}`, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. Database: `{args.source}` built with "
        f"`python bench/erase_one.py --db {args.source} --persons {persons} --tenants {tenants} --build-only` "
        f"(~{all_rows:,} rows); each way runs on a fresh copy (CREATE DATABASE ... TEMPLATE). Tenant {args.tenant}: "
        f"{sum(counts.values()):,} rows (" + ", ".join(f"{t} {n:,}" for t, n in counts.items()) + "). "
        f"Eraser batch size {f'{args.batch_size:,}' if args.batch_size else 'the config default'}. Machine: {platform.machine()}, {os.cpu_count()} cores shared with "
        f"other users (1-minute load average {before:.1f} before, {after:.1f} after); Python "
        f"{platform.python_version()}, SQLAlchemy {sqlalchemy.__version__}. Rows: every row of the tenant for delete "
        "ways, the rows with masked columns for the floor of anonymize, (d) and (e); wall time includes process start, "
        "planning, verification and the certificate for Eraser, and the start of a Python process for the floor. "
        f"(a), (b) and (c) are {args.pairs} interleaved pairs per mode (Eraser, floor, Eraser, floor, ...), each on "
        "a fresh copy; wall s is their median, with the spread. Peak RSS is the measured child process's own "
        "(its VmHWM, read from /proc while it runs, the largest of its runs), never the benchmark's. "
        f"`uptime` at the start: {UPTIME[0]}; at the end: {os.popen('uptime').read().strip()}. Code: commit "
        f"{os.popen(f'git -C {ROOT} rev-parse --short HEAD').read().strip()}.",
        "", *table, *maria, "", *notes, ""])
    pattern = re.compile(r"^## purge\n.*?(?=^## |\Z)", re.S | re.M)
    text = pattern.sub(section, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(text)


if __name__ == "__main__":
    raise SystemExit(main())
