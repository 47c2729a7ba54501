"""How long `eraser discover` takes on a 100-table, 1,000,000-row PostgreSQL schema.

Builds (or reuses) the database `eraser_discover_speed`: ten copies of a ten-table shop schema (customers with
names, emails, phones, dates of birth and addresses; orders and order lines; invoices and payments with IBANs;
usage events with IP addresses, user agents and JSONB properties; support messages; products and categories;
an audit log without foreign keys), 100 tables and 1,000,000 rows in all, generated in SQL. Then it runs
`eraser discover --url ... --sample N` as a separate process a few times and prints the wall-clock seconds,
the tables configured and the personal columns found.

    .venv/bin/python bench/discover_speed.py                 # builds the database on first use
    .venv/bin/python bench/discover_speed.py --runs 5 --sample 1000
    .venv/bin/python bench/discover_speed.py --rebuild
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
GROUPS = 10
ROWS = {"categories": 50, "products": 950, "customers": 10_000, "orders": 15_000, "order_lines": 20_000,
        "invoices": 5_000, "payments": 4_000, "events": 29_000, "messages": 15_000, "audit_log": 1_000}


def h(expr: str, salt: int, n: int) -> str:
    """SQL: a deterministic pseudo-random integer in [0, n)."""
    return f"mod(hashint8extended(({expr})::bigint, {salt}) & 2147483647, {n})"


def ddl(g: int) -> list[str]:
    s = f"_{g:02d}"
    return [
        f"CREATE TABLE categories{s} (id int PRIMARY KEY, name varchar(80), description text)",
        f"CREATE TABLE products{s} (id int PRIMARY KEY, category_id int REFERENCES categories{s}, sku varchar(20), "
        "name varchar(120), description text, price_cents int)",
        f"CREATE TABLE customers{s} (id int PRIMARY KEY, first_name varchar(80), last_name varchar(80), "
        "email varchar(160), phone varchar(30), date_of_birth date, street varchar(160), postcode varchar(10), "
        "city varchar(80), language varchar(2), created_at timestamp)",
        f"CREATE TABLE orders{s} (id int PRIMARY KEY, customer_id int REFERENCES customers{s}, ordered_at timestamp, "
        "status varchar(12), note text)",
        f"CREATE TABLE order_lines{s} (id int PRIMARY KEY, order_id int REFERENCES orders{s}, "
        f"product_id int REFERENCES products{s}, quantity int, unit_price_cents int)",
        f"CREATE TABLE invoices{s} (id int PRIMARY KEY, customer_id int REFERENCES customers{s}, number varchar(20), "
        "invoice_date date, total_excl_cents bigint, vat_cents bigint, total_cents bigint, billing_name varchar(160))",
        f"CREATE TABLE payments{s} (id int PRIMARY KEY, invoice_id int REFERENCES invoices{s}, paid_on date, "
        "amount_cents bigint, payer_iban varchar(34))",
        f"CREATE TABLE events{s} (id int PRIMARY KEY, customer_id int REFERENCES customers{s}, occurred_at timestamp, "
        "event varchar(40), ip_address varchar(45), user_agent varchar(200), properties jsonb)",
        f"CREATE TABLE messages{s} (id int PRIMARY KEY, customer_id int REFERENCES customers{s}, sent_at timestamp, "
        "subject varchar(200), body text)",
        f"CREATE TABLE audit_log{s} (id int PRIMARY KEY, actor varchar(40), action varchar(40), detail text, "
        "created_at timestamp)",
    ]


def fill(g: int) -> list[str]:
    s = f"_{g:02d}"
    n = ROWS
    first = "(ARRAY['Jan','Marie','Luc','Sofie','Pieter','Emma','Louis','Lotte','Nathalie','Thomas'])"
    last = "(ARRAY['Peeters','Janssens','Maes','Jacobs','Mertens','Willems','Claes','Goossens','Wouters','Dubois'])"
    city = "(ARRAY['Gent','Antwerpen','Leuven','Brugge','Namur','Liège','Mons','Hasselt'])"
    return [
        f"INSERT INTO categories{s} SELECT i, 'Category ' || i, 'Products of kind ' || i "
        f"FROM generate_series(1, {n['categories']}) i",
        f"INSERT INTO products{s} SELECT i, 1 + {h('i', 1, n['categories'])}, 'SKU' || i, 'Product ' || md5(i::text), "
        f"'A sturdy item, model ' || i, 100 + {h('i', 2, 100000)} FROM generate_series(1, {n['products']}) i",
        f"INSERT INTO customers{s} SELECT i, {first}[1 + {h('i', 3, 10)}], {last}[1 + {h('i', 4, 10)}], "
        f"'customer' || i || '.' || {g} || '@example.be', '+32 47' || {h('i', 5, 10)} || ' ' || "
        f"lpad({h('i', 6, 1000000)}::text, 6, '0'), date '1940-01-01' + {h('i', 7, 25000)}::int, "
        f"'Kerkstraat ' || (1 + {h('i', 8, 200)}), (1000 + {h('i', 9, 8999)})::text, {city}[1 + {h('i', 10, 8)}], "
        f"'nl', timestamp '2015-01-01' + make_interval(days => {h('i', 11, 3500)}::int) "
        f"FROM generate_series(1, {n['customers']}) i",
        f"INSERT INTO orders{s} SELECT i, 1 + {h('i', 12, n['customers'])}, "
        f"timestamp '2018-01-01' + make_interval(days => {h('i', 13, 2500)}::int), "
        f"(ARRAY['open','paid','shipped'])[1 + {h('i', 14, 3)}], "
        f"CASE WHEN {h('i', 15, 10)} = 0 THEN 'Please deliver after 5 pm, call ' || '+32 470 ' || "
        f"lpad({h('i', 16, 1000000)}::text, 6, '0') END FROM generate_series(1, {n['orders']}) i",
        f"INSERT INTO order_lines{s} SELECT i, 1 + {h('i', 17, n['orders'])}, 1 + {h('i', 18, n['products'])}, "
        f"1 + {h('i', 19, 5)}, 100 + {h('i', 20, 50000)} FROM generate_series(1, {n['order_lines']}) i",
        f"INSERT INTO invoices{s} SELECT i, 1 + {h('i', 21, n['customers'])}, 'INV' || i, "
        f"date '2016-01-01' + {h('i', 22, 3500)}::int, 1000 + {h('i', 23, 100000)}, 210 + {h('i', 24, 21000)}, "
        f"1210 + {h('i', 25, 121000)}, {first}[1 + {h('i', 26, 10)}] || ' ' || {last}[1 + {h('i', 27, 10)}] "
        f"FROM generate_series(1, {n['invoices']}) i",
        f"INSERT INTO payments{s} SELECT i, 1 + {h('i', 28, n['invoices'])}, date '2016-02-01' + "
        f"{h('i', 29, 3500)}::int, 1210 + {h('i', 30, 121000)}, 'BE71096123456769' "
        f"FROM generate_series(1, {n['payments']}) i",
        f"INSERT INTO events{s} SELECT i, 1 + {h('i', 31, n['customers'])}, timestamp '2020-01-01' + "
        f"make_interval(mins => {h('i', 32, 3000000)}::int), (ARRAY['login','view','export'])[1 + {h('i', 33, 3)}], "
        f"(1 + {h('i', 34, 223)}) || '.' || {h('i', 35, 256)} || '.' || {h('i', 36, 256)} || '.' || "
        f"{h('i', 37, 256)}, 'Mozilla/5.0 (X11; Linux x86_64) Firefox/' || (100 + {h('i', 38, 30)}), "
        f"jsonb_build_object('page', '/p/' || {h('i', 39, 500)}, 'ms', {h('i', 40, 900)}) "
        f"FROM generate_series(1, {n['events']}) i",
        f"INSERT INTO messages{s} SELECT i, 1 + {h('i', 41, n['customers'])}, timestamp '2019-01-01' + "
        f"make_interval(mins => {h('i', 42, 3000000)}::int), 'Question about order ' || i, "
        f"'Hello, please contact me at customer' || (1 + {h('i', 43, n['customers'])}) || '.' || {g} || "
        f"'@example.be about my order. Regards' FROM generate_series(1, {n['messages']}) i",
        f"INSERT INTO audit_log{s} SELECT i, 'system', 'export', 'export ' || i || ' done', timestamp '2024-01-01' "
        f"+ make_interval(mins => i) FROM generate_series(1, {n['audit_log']}) i",
    ]


def build(admin_url: str, db: str, rebuild: bool) -> float | None:
    """Create and fill the database unless it already holds the expected rows; seconds spent, or None if reused."""
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    expected = GROUPS * sum(ROWS.values())
    with admin.connect() as conn:
        exists = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": db}).scalar()
        if exists and rebuild:
            conn.execute(sa.text(f'DROP DATABASE "{db}" WITH (FORCE)'))
            exists = None
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{db}"'))
    admin.dispose()
    engine = sa.create_engine(sa.engine.make_url(admin_url).set(database=db))
    try:
        with engine.connect() as conn:
            count = conn.execute(sa.text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")).scalar()
            if count == GROUPS * len(ROWS):
                total = conn.execute(sa.text("SELECT sum(n_live_tup) FROM pg_stat_user_tables")).scalar()
                if total and abs(int(total) - expected) < expected * 0.05:
                    return None
        started = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            for g in range(1, GROUPS + 1):
                for statement in ddl(g) + fill(g):
                    conn.execute(sa.text(statement))
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("ANALYZE"))
        return time.perf_counter() - started
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--db", default="eraser_discover_speed")
    parser.add_argument("--sample", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args(argv)
    built = build(args.server, args.db, args.rebuild)
    print(f"{args.db}: {GROUPS * len(ROWS)} tables, {GROUPS * sum(ROWS.values()):,} rows"
          + (f" (built in {built:.1f} s)" if built is not None else " (reused)"))
    url = sa.engine.make_url(args.server).set(database=args.db).render_as_string(hide_password=False)
    eraser = str(Path(sys.executable).with_name("eraser"))
    seconds = []
    output = ""
    for _ in range(args.runs):
        started = time.perf_counter()
        done = subprocess.run([eraser, "discover", "--url", url, "--sample", str(args.sample)],
                              capture_output=True, text=True, check=True)
        seconds.append(time.perf_counter() - started)
        output = done.stdout
    header = output.splitlines()[0]
    print(f"eraser discover --sample {args.sample}: " + ", ".join(f"{s:.2f}" for s in seconds)
          + f" s (median {statistics.median(seconds):.2f} s, whole process: start, reflect, sample, classify, print)")
    print(header.removeprefix("# "))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
