"""Benchmark: how long one erasure takes in a PostgreSQL database of realistic size.

Builds (or reuses) the database `eraser_bench`: the demo schema of eraser/demo_schema.py filled set-based,
in SQL, with the shape and proportions of eraser.demo.populate() (about 22 rows per person: 1,000,000
persons give about 22 million rows). 100 chosen subjects get a fixed set of about 50 rows across 11 tables,
one more subject about 500 rows. Then, like `eraser erase`, each subject is planned, erased (with the plan's
fingerprint) and certified, and the latencies, rows and SQL statements are printed and written to
bench/RESULTS.md, next to a hand-written DELETE by primary key as a baseline.

    .venv/bin/python bench/erase_one.py                     # 1,000,000 persons, builds the database
    .venv/bin/python bench/erase_one.py --reuse             # keep the database if its row counts match
    .venv/bin/python bench/erase_one.py --persons 20000     # a small run while developing
    .venv/bin/python bench/erase_one.py --reuse --profile   # cProfile of the erasures, no RESULTS.md
    .venv/bin/python bench/erase_one.py --reuse --trigram free-text --session shared
    .venv/bin/python bench/erase_one.py --reuse --sample 20 # time 20 of the subjects when erasures are slow
    .venv/bin/python bench/erase_one.py --reuse --same-work --process --sample 20  # against the same work

--same-work: Eraser and hand-written SQL doing the same work on the same rows, interleaved subject after subject
(bench/same_work.py), with --process also as whole processes (`eraser erase --yes` and `psql`); the spread of each
is printed and written to the `## erase_one: same work` section, with a growth table across the sizes run.

--dialect mariadb (with --same-work): the same rows in MariaDB, copied from the PostgreSQL database of that size
(built first if needed) into `erase_bench_<persons>` with the demo schema as create_schema() makes it there; Eraser
and the same-work baseline in MariaDB's dialect (bench/same_work.py) interleaved per subject, and the tables
`eraser plan` names as slow scans (MariaDB has no index that finds text inside a value). No whole-process lines.

--session: a new session per subject (as `eraser erase` does), one session for all, or both in turn (the
default). --trigram free-text adds pg_trgm GIN indexes on the config's `free_text:` columns, as the config
advises for PostgreSQL; the default drops them again, leaving the demo schema as create_schema() makes it.
Each run replaces its own `### ...` block in the `## erase_one` section of bench/RESULTS.md.

The database is deterministic: every generated value is a hash of a row key (hashint8extended), so two
loads of the same size hold the same rows. The chosen subjects are reset at the start of every run (their
rows deleted and inserted again), which is what makes --reuse possible after an earlier run erased them.
--reuse rebuilds (drops) the database when it was built with another --persons, --subjects or --tenants.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import platform
import pstats
import random
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
RESULTS = ROOT / "bench" / "RESULTS.md"
CONFIG = ROOT / "configs" / "cover_group.yaml"
SCAN = {"mode": "all"}  # --scan: the config's residual scan as written, or only the declared free-text tables


def config_path() -> Path:
    """The config of the run: configs/cover_group.yaml, or a copy whose residual scan covers only the tables
    with `free_text:` columns (the declared scan set), served by their trigram indexes."""
    if SCAN["mode"] == "all":
        return CONFIG
    text = CONFIG.read_text(encoding="utf-8")
    scan_all = "      tables: all\n      max_rows_per_table: 50000\n"
    if scan_all not in text:
        raise SystemExit("configs/cover_group.yaml changed: update --scan declared in bench/erase_one.py")
    derived = OUT / "cover_group.declared-scan.yaml"
    derived.write_text(text.replace(scan_all, "      tables: [support_messages, projects]\n"), encoding="utf-8")
    return derived
GENERATOR_VERSION = 1  # bump when the generated data changes: --reuse then rebuilds
SECRET = "eraser-bench-secret-not-for-production-0001"

TITLES = ["Veranda", "Pergola", "Terrasoverkapping", "Carport", "Véranda"]
CAPTIONS = ["voorgevel", "jardin", "terras", "façade arrière", None]
STATUSES = ["sent", "accepted", "declined"]
METHODS = ["transfer", "bancontact", "card"]
SOURCES = ["website", "beurs Batibouw", "app"]
CHANNELS = ["email", "phone", "chat"]
SUBJECT_LINES = ["Vraag over offerte", "Question sur le rendu 3D", "Levering"]
EVENTS = ["login", "open_project", "render_3d", "export_pdf", "share_link", "logout"]
DOMAINS = ["example.be", "example.com", "mail.test"]
ZONES = ["2", "3", "9", "4", "65", "81", "50"]
TABLE_ORDER = ["tenants", "addresses", "persons", "projects", "photos", "quotes", "invoices", "invoice_lines",
               "payments", "newsletter_subscriptions", "support_messages", "usage_events"]


# -- SQL expressions of the generator ----------------------------------------------------------

def h(key: str, salt: int, n: int) -> str:
    """SQL: a deterministic pseudo-random integer in [0, n) derived from an integer key."""
    return f"mod(hashint8extended(({key})::bigint, {salt}) & 2147483647, {n})::int"


def lit(value: str | None) -> str:
    return "NULL" if value is None else "'" + value.replace("'", "''") + "'"


def choice(items: Sequence[str | None], key: str, salt: int) -> str:
    """SQL: one of a few literal values, chosen by hash."""
    return f"(ARRAY[{', '.join(lit(i) for i in items)}]::text[])[1 + {h(key, salt, len(items))}]"


def padded(expr: str, width: int) -> str:
    """SQL for Python's f'{n:0{width}d}': lpad() would cut longer numbers."""
    return f"lpad(({expr})::text, greatest({width}, length(({expr})::text)), '0')"


class Pools:
    """Faker values generated once (names, streets, cities, IBANs, user agents), used by hash in SQL.

    The pools are sent as text[] parameters; they are kept short because PostgreSQL walks a text array
    to reach an element."""

    SIZE = 200

    def __init__(self, seed: int = 7, tenants: int = 5) -> None:
        from eraser.engine.anonymize import make_faker

        fake = make_faker(["nl_BE", "fr_BE"], seed)

        def pool(make: Callable[[], str], size: int = self.SIZE) -> list[str]:
            seen: dict[str, None] = {}
            for _ in range(size * 20):
                seen.setdefault(make(), None)
                if len(seen) == size:
                    break
            return list(seen)

        nl, fr = fake["nl_BE"], fake["fr_BE"]
        self.values: dict[str, list[str]] = {
            "first_nl": pool(nl.first_name), "first_fr": pool(fr.first_name),
            "last_nl": pool(nl.last_name), "last_fr": pool(fr.last_name),
            "streets": pool(fake.street_name), "postcodes": pool(fake.postcode), "cities": pool(fake.city),
            "ibans": pool(fake.iban), "agents": pool(lambda: fake.user_agent()[:200], 100),
        }
        self.companies = [fake.company() for _ in range(tenants)]

    def pick(self, name: str, key: str, salt: int) -> str:
        """SQL: a pool value chosen by hash; the pool is the statement parameter %(name)s."""
        return f"(%({name})s::text[])[1 + {h(key, salt, len(self.values[name]))}]"

    # an address's values are functions of its id, so rows that show an address need no join
    def street(self, a: str) -> str:
        return self.pick("streets", a, 30)

    def house(self, a: str) -> str:
        return f"(1 + {h(a, 31, 250)})::text"

    def postcode(self, a: str) -> str:
        return self.pick("postcodes", a, 32)

    def city(self, a: str) -> str:
        return self.pick("cities", a, 33)

    def address_insert(self, source: str, where: str) -> str:
        return (f"INSERT INTO addresses (id, street, house_number, postcode, city, country) "
                f"SELECT a, {self.street('a')}, {self.house('a')}, {self.postcode('a')}, {self.city('a')}, 'BE' "
                f"FROM (SELECT {source} AS a FROM ins WHERE {where}) s RETURNING 1")


def products() -> tuple[str, str, str]:
    from eraser.demo import PRODUCTS

    return (f"(ARRAY[{', '.join(lit(p[0]) for p in PRODUCTS)}]::text[])",
            f"(ARRAY[{', '.join(str(p[1]) for p in PRODUCTS)}]::bigint[])",
            f"(ARRAY[{', '.join(str(p[2]) for p in PRODUCTS)}]::int[])")


def generator(pools: Pools, today: date, tenants: int = 5) -> dict[str, str]:
    """One INSERT ... SELECT per table, for the persons with ids %(lo)s..%(hi)s; counts per person follow
    populate(): 0-3 projects with 0-4 photos and 0-2 quotes each, 0-3 invoices (past dates only) with 1-4
    lines and 1-2 payments, 40% newsletter, 0-3 support messages, 0-10 usage events."""
    span = (today - date(2013, 1, 1)).days - 30
    p = pools
    names, prices, rates = products()
    line_idx = f"1 + {h('i.id * 4 + j', 78, 8)}"
    return {
        "persons": f"""
WITH base AS (
    SELECT g AS id, CASE WHEN {h('g', 1, 2)} = 0 THEN 'nl' ELSE 'fr' END AS language,
           g > %(lo)s AND {h('g', 2, 100)} < 8 AS household,
           timestamp '2013-01-01' + make_interval(days => {h('g', 3, span)}, secs => {h('g', 4, 86400)})
               AS created_at
    FROM generate_series(%(lo)s::int, %(hi)s::int) g
), named AS (
    SELECT b.*,
           CASE WHEN language = 'nl' THEN {p.pick('first_nl', 'id', 5)} ELSE {p.pick('first_fr', 'id', 5)} END
               AS first_name,
           CASE WHEN language = 'nl' THEN {p.pick('last_nl', 'id', 6)} ELSE {p.pick('last_fr', 'id', 6)} END
               AS last_name,
           CASE WHEN {h('id', 7, 7)} < 4
                THEN '+32 ' || z || ' ' || substr(n, 1, 3) || ' ' || substr(n, 4, 2) || ' ' || substr(n, 6, 2)
                ELSE '+32 ' || z || ' ' || substr(n, 2, 2) || ' ' || substr(n, 4, 2) || ' ' || substr(n, 6, 2)
           END AS landline
    FROM base b,
         LATERAL (SELECT (ARRAY{ZONES!r}::text[])[1 + {h('b.id', 7, 7)}] AS z,
                         lpad({h('b.id', 8, 10_000_000)}::text, 7, '0') AS n) l
), ins AS (
    INSERT INTO persons (id, tenant_id, customer_number, first_name, last_name, email, phone, mobile,
                         date_of_birth, language, address_id, created_at, closed_at)
    SELECT id, 1 + {h('id', 9, tenants)}, 'C' || {padded('id', 7)}, first_name, last_name,
           lower(replace(first_name || '.' || last_name || '.' || id || '@' || {choice(DOMAINS, 'id', 10)},
                         ' ', '')),
           CASE WHEN {h('id', 11, 2)} = 0 THEN landline END,
           '+32 4' || substr('5789', 1 + {h('id', 12, 4)}, 1) || {h('id', 13, 10)} || ' ' || (10 + {h('id', 14, 90)})
               || ' ' || (10 + {h('id', 15, 90)}) || ' ' || (10 + {h('id', 16, 90)}),
           date '{today.year - 90}-01-01' + {h('id', 17, 72 * 365)},
           language,
           max(CASE WHEN household THEN NULL ELSE id END) OVER (ORDER BY id),
           created_at,
           CASE WHEN {h('id', 18, 5)} = 0 THEN created_at + make_interval(days => 30 + {h('id', 19, 1971)}) END
    FROM named
    RETURNING id, address_id
), home AS ({p.address_insert('address_id', 'address_id = id')})
SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM home)""",
        # 60% of projects are at the customer's address, the others at a new site address
        "projects": f"""
WITH src AS (
    SELECT p.id AS person_id, p.tenant_id, p.first_name, p.last_name, p.mobile, p.address_id, p.created_at,
           p.id * 16 + k AS hk
    FROM persons p CROSS JOIN LATERAL generate_series(1, {h('p.id', 20, 4)}) k
    WHERE p.id BETWEEN %(lo)s AND %(hi)s
), sited AS (
    SELECT s.*, CASE WHEN {h('hk', 21, 10)} < 6 THEN address_id ELSE nextval('addresses_id_seq') END AS site
    FROM src s OFFSET 0
), ins AS (
    INSERT INTO projects (person_id, tenant_id, title, description, site_address_id, created_at)
    SELECT person_id, tenant_id, {choice(TITLES, 'hk', 22)} || ' ' || {p.city('site')},
           'Klant ' || first_name || ' ' || last_name || ' wenst een offerte; bel ' || mobile || '.',
           site, created_at + make_interval(days => 1 + {h('hk', 23, 60)})
    FROM sited
    RETURNING site_address_id
), sites AS ({p.address_insert('site_address_id', 'site_address_id > %(persons)s')})
SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM sites)""",
        "photos": f"""
INSERT INTO photos (project_id, path, caption, taken_at)
SELECT pr.id, 'tenants/' || pr.tenant_id || '/projects/' || pr.id || '/' || md5(pr.id || '/' || k)::uuid || '.jpg',
       {choice(CAPTIONS, 'pr.id * 8 + k', 24)}, pr.created_at + make_interval(days => {h('pr.id * 8 + k', 25, 90)})
FROM projects pr CROSS JOIN LATERAL generate_series(1, {h('pr.id', 26, 5)}) k
WHERE pr.person_id BETWEEN %(lo)s AND %(hi)s""",
        "quotes": f"""
INSERT INTO quotes (id, project_id, number, amount_cents, status, notes, created_at)
SELECT id, project_id, 'Q' || {padded('id', 7)}, 100000 + {h('id', 27, 2_900_001)}, {choice(STATUSES, 'id', 28)},
       'Offerte voor ' || first_name || ' ' || last_name, created_at + interval '70 days'
FROM (SELECT nextval('quotes_id_seq') AS id, pr.id AS project_id, p.first_name, p.last_name, p.created_at
      FROM projects pr JOIN persons p ON p.id = pr.person_id
           CROSS JOIN LATERAL generate_series(1, {h('pr.id', 29, 3)}) k
      WHERE pr.person_id BETWEEN %(lo)s AND %(hi)s AND p.id BETWEEN %(lo)s AND %(hi)s
      OFFSET 0) s""",
        # totals are the sums of the lines that the invoice_lines statement derives from the same hashes
        "invoices": f"""
WITH pq AS (
    SELECT pr.person_id, min(q.id) AS q1, max(q.id) AS q2
    FROM projects pr JOIN quotes q ON q.project_id = pr.id
    WHERE pr.person_id BETWEEN %(lo)s AND %(hi)s
    GROUP BY pr.person_id
), src AS (
    SELECT nextval('invoices_id_seq') AS id, p.id AS pid, p.first_name, p.last_name, p.address_id,
           d.invoice_date, pq.q1, pq.q2
    FROM persons p CROSS JOIN LATERAL generate_series(1, {h('p.id', 30, 4)}) k
         CROSS JOIN LATERAL (SELECT p.created_at::date + 30 + {h('p.id * 4 + k', 31, 671)} AS invoice_date) d
         LEFT JOIN pq ON pq.person_id = p.id
    WHERE p.id BETWEEN %(lo)s AND %(hi)s AND d.invoice_date < %(today)s
    OFFSET 0
)
INSERT INTO invoices (id, person_id, quote_id, number, invoice_date, due_date, closed_at, billing_name,
                      billing_street, billing_postcode, billing_city, customer_vat_number, total_excl_cents,
                      vat_cents, total_incl_cents)
SELECT s.id, pid,
       CASE WHEN q1 IS NOT NULL AND {h('s.id', 32, 10)} < 3 THEN CASE WHEN {h('s.id', 33, 2)} = 0 THEN q1 ELSE q2 END END,
       'F' || extract(year FROM invoice_date)::int || '-' || {padded('s.id', 6)},
       invoice_date, invoice_date + 30, invoice_date + 5 + {h('s.id', 34, 56)},
       first_name || ' ' || last_name, {p.street('address_id')} || ' ' || {p.house('address_id')},
       {p.postcode('address_id')}, {p.city('address_id')},
       CASE WHEN {h('pid', 35, 100)} < 15 THEN 'BE0' || (200000000 + {h('pid', 36, 800_000_000)}) END,
       t.excl, t.vat, t.excl + t.vat
FROM src s CROSS JOIN LATERAL (
    SELECT sum(qty * price)::bigint AS excl, sum(qty * price * rate / 100)::bigint AS vat
    FROM (SELECT 1 + {h('i.id * 4 + j', 77, 3)} AS qty, {prices}[{line_idx}] AS price, {rates}[{line_idx}] AS rate
          FROM (SELECT s.id) i, generate_series(1, 1 + {h('s.id', 79, 4)}) j) l
) t""",
        "invoice_lines": f"""
INSERT INTO invoice_lines (invoice_id, position, description, quantity, unit_price_cents, vat_rate_pct)
SELECT i.id, j, {names}[{line_idx}], 1 + {h('i.id * 4 + j', 77, 3)}, {prices}[{line_idx}], {rates}[{line_idx}]
FROM invoices i CROSS JOIN LATERAL generate_series(1, 1 + {h('i.id', 79, 4)}) j
WHERE i.person_id BETWEEN %(lo)s AND %(hi)s""",
        # 30% of invoices are paid in two halves
        "payments": f"""
INSERT INTO payments (invoice_id, paid_at, amount_cents, method, payer_iban)
SELECT i.id, i.invoice_date + 10 + 30 * k,
       CASE WHEN parts = 1 THEN total_incl_cents WHEN k = 0 THEN total_incl_cents / 2
            ELSE total_incl_cents - total_incl_cents / 2 END,
       {choice(METHODS, 'i.id * 2 + k', 40)}, {p.pick('ibans', 'i.id * 2 + k', 41)}
FROM (SELECT id, invoice_date, total_incl_cents, CASE WHEN {h('id', 42, 10)} < 3 THEN 2 ELSE 1 END AS parts
      FROM invoices WHERE person_id BETWEEN %(lo)s AND %(hi)s) i
     CROSS JOIN LATERAL generate_series(0, parts - 1) k""",
        "newsletter_subscriptions": f"""
INSERT INTO newsletter_subscriptions (email, language, subscribed_at, source)
SELECT email, language, created_at + make_interval(days => {h('id', 50, 401)}), {choice(SOURCES, 'id', 51)}
FROM persons WHERE id BETWEEN %(lo)s AND %(hi)s AND {h('id', 52, 10)} < 4""",
        "support_messages": f"""
INSERT INTO support_messages (person_id, sent_at, channel, subject, body)
SELECT p.id, p.created_at + make_interval(days => 1 + {h('p.id * 4 + k', 60, 900)}),
       {choice(CHANNELS, 'p.id * 4 + k', 61)}, {choice(SUBJECT_LINES, 'p.id * 4 + k', 62)},
       'Beste, kunnen jullie mij terugbellen op ' || p.mobile || ' of mailen naar ' || p.email
           || '? Groeten, ' || p.first_name || ' ' || p.last_name
FROM persons p CROSS JOIN LATERAL generate_series(1, {h('p.id', 63, 4)}) k
WHERE p.id BETWEEN %(lo)s AND %(hi)s""",
        # 80% IPv4, 20% IPv6
        "usage_events": f"""
INSERT INTO usage_events (person_id, occurred_at, event, ip_address, user_agent)
SELECT p.id, p.created_at + make_interval(mins => 1 + {h('e', 70, 1_000_000)}), {choice(EVENTS, 'e', 71)},
       CASE WHEN {h('e', 72, 10)} < 8
            THEN (1 + {h('e', 73, 223)}) || '.' || {h('e', 74, 256)} || '.' || {h('e', 75, 256)} || '.'
                 || (1 + {h('e', 76, 254)})
            ELSE '2a02:' || substr(md5(e::text), 1, 4) || ':' || substr(md5(e::text), 5, 4) || ':'
                 || substr(md5(e::text), 9, 4) || '::' || substr(md5(e::text), 13, 4) END,
       {p.pick('agents', 'e', 77)}
FROM persons p CROSS JOIN LATERAL generate_series(1, {h('p.id', 78, 11)}) k
     CROSS JOIN LATERAL (SELECT p.id * 16 + k AS e) x
WHERE p.id BETWEEN %(lo)s AND %(hi)s""",
    }


# -- the chosen subjects --------------------------------------------------------------------------

@dataclass(frozen=True)
class Subjects:
    """Which persons are the benchmark's subjects: `regular` (about 50 rows each) and `heavy` (about 500)."""

    persons: int
    count: int

    @property
    def step(self) -> int:
        return self.persons // (self.count + 1)

    @property
    def regular(self) -> list[int]:
        return [self.step * i for i in range(1, self.count + 1)]

    @property
    def heavy(self) -> int:
        return self.step // 2

    @property
    def baseline_person(self) -> int:
        return self.step // 2 + 1  # owns the rows the baseline DELETE removes

    @property
    def all(self) -> list[int]:
        return [*self.regular, self.heavy]

    @staticmethod
    def email(pid: int) -> str:
        return f"bench.subject.{pid}@example.be"


@dataclass(frozen=True)
class OneSubject:
    """One regular subject alone, for resetting its rows between the sides of the same-work comparison."""

    pid: int
    heavy: int = -1
    baseline_person: int | None = None

    @property
    def all(self) -> list[int]:
        return [self.pid]


@dataclass
class Shape:
    """The rows one subject gets: per table, how many."""

    projects: int
    new_sites: int  # projects at an address of their own
    photos: int  # per project
    invoices: list[date]
    lines: int  # per invoice
    split_payments: int  # invoices paid in two halves
    support: int
    usage: int

    def rows(self) -> int:
        addresses = 1 + self.new_sites
        return (addresses + 1 + self.projects * (2 + self.photos) + len(self.invoices) * (1 + self.lines)
                + len(self.invoices) + self.split_payments + 1 + self.support + self.usage)


def shape(heavy: bool, today: date) -> Shape:
    """Invoices from 2014 are past their 10-year retention and deleted; later ones are retained, so the person,
    the quote they refer to and its project are anonymized instead of deleted (as in the demo)."""
    if heavy:
        dates = [date(2014, 3, 14), date(2014, 9, 1)] + [today - timedelta(days=40 + 180 * i) for i in range(18)]
        return Shape(projects=10, new_sites=2, photos=10, invoices=dates, lines=4, split_payments=10,
                     support=50, usage=200)
    return Shape(projects=3, new_sites=1, photos=3,
                 invoices=[date(2014, 3, 14), date(2023, 5, 2), date(2024, 11, 19), today - timedelta(days=40)],
                 lines=3, split_payments=1, support=4, usage=8)


COLUMNS = {
    "addresses": "id, street, house_number, postcode, city, country",
    "persons": "id, tenant_id, customer_number, first_name, last_name, email, phone, mobile, date_of_birth, "
               "language, address_id, created_at, closed_at",
    "projects": "id, person_id, tenant_id, title, description, site_address_id, created_at",
    "photos": "project_id, path, caption, taken_at",
    "quotes": "id, project_id, number, amount_cents, status, notes, created_at",
    "invoices": "id, person_id, quote_id, number, invoice_date, due_date, closed_at, billing_name, "
                "billing_street, billing_postcode, billing_city, customer_vat_number, total_excl_cents, "
                "vat_cents, total_incl_cents",
    "invoice_lines": "invoice_id, position, description, quantity, unit_price_cents, vat_rate_pct",
    "payments": "invoice_id, paid_at, amount_cents, method, payer_iban",
    "newsletter_subscriptions": "email, language, subscribed_at, source",
    "support_messages": "person_id, sent_at, channel, subject, body",
    "usage_events": "person_id, occurred_at, event, ip_address, user_agent",
}


def subject_rows(subjects: Subjects | OneSubject, pools: Pools, today: date,
                 next_ids: Callable[[str, int], list[int]]) -> dict[str, list[tuple[Any, ...]]]:
    """The designed rows of the subjects (and the baseline rows), per table in COLUMNS order; ids of addresses,
    projects, quotes and invoices from `next_ids(table, n)`."""
    from eraser.demo import PRODUCTS

    ids = subjects.all
    rows: dict[str, list[tuple[Any, ...]]] = {t: [] for t in TABLE_ORDER}
    need = {"addresses": 0, "projects": 0, "quotes": 0, "invoices": 0}
    shapes = {pid: shape(pid == subjects.heavy, today) for pid in ids}
    for s in shapes.values():
        need["addresses"] += 1 + s.new_sites
        need["projects"] += s.projects
        need["quotes"] += s.projects
        need["invoices"] += len(s.invoices)
    pool_ids = {t: iter(next_ids(t, n)) for t, n in need.items()}
    v = pools.values
    for pid, s in shapes.items():
        rng = random.Random(pid)
        lang = rng.choice(["nl", "fr"])
        first, last = rng.choice(v[f"first_{lang}"]), rng.choice(v[f"last_{lang}"])
        email = Subjects.email(pid)
        mobile = f"+32 470 {pid // 10000 % 100:02d} {pid // 100 % 100:02d} {pid % 100:02d}"
        created = datetime(2013, 6, 1) + timedelta(days=pid % 300)
        tenant = 1 + pid % len(pools.companies)

        def address(rng: random.Random = rng) -> int:
            aid = next(pool_ids["addresses"])
            rows["addresses"].append((aid, rng.choice(v["streets"]), str(rng.randint(1, 250)),
                                      rng.choice(v["postcodes"]), rng.choice(v["cities"]), "BE"))
            return aid

        home = address()
        street, number, postcode, city = rows["addresses"][-1][1:5]
        rows["persons"].append((pid, tenant, f"C{pid:07d}", first, last, email, None, mobile,
                                date(1970 + pid % 30, 1 + pid % 12, 1 + pid % 28), lang, home, created, None))
        quotes = []
        for n in range(s.projects):
            site = address() if n >= s.projects - s.new_sites else home
            project = next(pool_ids["projects"])
            rows["projects"].append((project, pid, tenant, f"{rng.choice(TITLES)} {city}",
                                     f"Klant {first} {last} wenst een offerte; bel {mobile}.", site,
                                     created + timedelta(days=1 + n)))
            for k in range(s.photos):
                rows["photos"].append((project, f"tenants/{tenant}/projects/{project}/{pid}-{n}-{k}.jpg",
                                       rng.choice(CAPTIONS), created + timedelta(days=10 + k)))
            quote = next(pool_ids["quotes"])
            quotes.append(quote)
            rows["quotes"].append((quote, project, f"Q{quote:07d}", rng.randint(100_000, 3_000_000),
                                   rng.choice(STATUSES), f"Offerte voor {first} {last}",
                                   created + timedelta(days=70)))
        for n, when in enumerate(s.invoices):
            invoice = next(pool_ids["invoices"])
            lines = [(pos, *rng.choice(PRODUCTS), rng.randint(1, 3)) for pos in range(1, s.lines + 1)]
            excl = sum(q * price for _, _, price, _, q in lines)
            vat = sum(q * price * rate // 100 for _, _, price, rate, q in lines)
            rows["invoices"].append((invoice, pid, quotes[0] if n == 2 else None, f"F{when.year}-{invoice:06d}",
                                     when, when + timedelta(days=30), when + timedelta(days=20),
                                     f"{first} {last}", f"{street} {number}", postcode, city, None,
                                     excl, vat, excl + vat))
            for pos, desc, price, rate, q in lines:
                rows["invoice_lines"].append((invoice, pos, desc, q, price, rate))
            parts = [(excl + vat) // 2, excl + vat - (excl + vat) // 2] if n < s.split_payments else [excl + vat]
            for i, amount in enumerate(parts):
                rows["payments"].append((invoice, when + timedelta(days=10 + 30 * i), amount,
                                         rng.choice(METHODS), rng.choice(v["ibans"])))
        # stored with other case and spaces: found only through the lower(trim()) comparison
        rows["newsletter_subscriptions"].append((f" Bench.Subject.{pid}@Example.be ", lang,
                                                 created + timedelta(days=3), "website"))
        for n in range(s.support):
            rows["support_messages"].append((pid, created + timedelta(days=5 + n), rng.choice(CHANNELS),
                                             rng.choice(SUBJECT_LINES),
                                             f"Beste, kunnen jullie mij terugbellen op {mobile} of mailen naar "
                                             f"{email}? Groeten, {first} {last}"))
        for n in range(s.usage):
            rows["usage_events"].append((pid, created + timedelta(minutes=17 * n), rng.choice(EVENTS),
                                         f"81.{pid % 250}.{n % 250}.{1 + n % 200}", rng.choice(v["agents"])))
    for n in range(100 if subjects.baseline_person is not None else 0):
        rows["usage_events"].append((subjects.baseline_person, datetime(2020, 1, 1) + timedelta(minutes=n),
                                     "bench_baseline", "192.0.2.1", "bench"))
    return rows


def reset_subjects(conn: psycopg.Connection, subjects: Subjects | OneSubject, pools: Pools, today: date) -> int:
    """Delete whatever the subjects have (generated rows, or what an earlier erasure kept) and insert their
    designed rows again; also the baseline rows. Returns the number of rows inserted."""
    ids = subjects.all
    emails = [Subjects.email(pid) for pid in ids]
    with conn.transaction():
        conn.execute("CREATE TEMP TABLE old_addresses ON COMMIT DROP AS "
                     "SELECT address_id AS id FROM persons WHERE id = ANY(%(ids)s) AND address_id IS NOT NULL "
                     "UNION SELECT site_address_id FROM projects WHERE person_id = ANY(%(ids)s) "
                     "AND site_address_id IS NOT NULL", {"ids": ids})
        for stmt in (
            "DELETE FROM payments WHERE invoice_id IN (SELECT id FROM invoices WHERE person_id = ANY(%(ids)s))",
            "DELETE FROM invoice_lines WHERE invoice_id IN (SELECT id FROM invoices WHERE person_id = ANY(%(ids)s))",
            "DELETE FROM invoices WHERE person_id = ANY(%(ids)s)",
            "DELETE FROM photos WHERE project_id IN (SELECT id FROM projects WHERE person_id = ANY(%(ids)s))",
            "DELETE FROM quotes WHERE project_id IN (SELECT id FROM projects WHERE person_id = ANY(%(ids)s))",
            "DELETE FROM projects WHERE person_id = ANY(%(ids)s)",
            "DELETE FROM support_messages WHERE person_id = ANY(%(ids)s)",
            "DELETE FROM usage_events WHERE person_id = ANY(%(ids)s) OR person_id = %(baseline)s "
            "AND event = 'bench_baseline'",
            "DELETE FROM newsletter_subscriptions WHERE lower(trim(email)) = ANY(%(emails)s) OR lower(trim(email)) "
            "IN (SELECT lower(trim(email)) FROM persons WHERE id = ANY(%(ids)s))",
            "DELETE FROM persons WHERE id = ANY(%(ids)s)",
            "DELETE FROM addresses a WHERE a.id IN (SELECT id FROM old_addresses) "
            "AND NOT EXISTS (SELECT 1 FROM persons p WHERE p.address_id = a.id) "
            "AND NOT EXISTS (SELECT 1 FROM projects pr WHERE pr.site_address_id = a.id)",
        ):
            conn.execute(stmt, {"ids": ids, "emails": emails, "baseline": subjects.baseline_person})

        rows = subject_rows(subjects, pools, today, lambda t, n: [r[0] for r in conn.execute(
            f"SELECT nextval('{t}_id_seq') FROM generate_series(1, %s)", (n,)).fetchall()])
        with conn.cursor() as cur:
            for table, cols in COLUMNS.items():
                with cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    for row in rows[table]:
                        copy.write_row(row)
    return sum(len(r) for r in rows.values())


# -- building the database -------------------------------------------------------------------------

def say(text: str) -> None:
    print(text, flush=True)


def dsn(args: argparse.Namespace, database: str) -> str:
    return f"postgresql://{args.user}@{args.host}:{args.port}/{database}"


def sa_url(args: argparse.Namespace) -> str:
    return f"postgresql+psycopg://{args.user}@{args.host}:{args.port}/{args.db}"


def eraser_url(args: argparse.Namespace) -> str:
    """The database Eraser erases in: PostgreSQL, or with --dialect mariadb the MariaDB copy."""
    return maria_url(args) if getattr(args, "dialect", "postgresql") == "mariadb" else sa_url(args)


def table_counts(conn: psycopg.Connection) -> dict[str, int]:
    return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLE_ORDER}  # type: ignore[index]


def stamp(args: argparse.Namespace, today: date) -> dict[str, Any]:
    """What a reusable database must have been built with."""
    return {"generator": GENERATOR_VERSION, "persons": args.persons, "subjects": args.subjects,
            "year": today.year, **({"tenants": args.tenants} if args.tenants != 5 else {})}


def try_reuse(args: argparse.Namespace, pools: Pools, today: date) -> dict[str, Any] | None:
    """The record of an existing database built with the same parameters (row counts, how the build went),
    after resetting its subjects; None (with the reason printed) when it must be built again."""
    try:
        conn = psycopg.connect(dsn(args, args.db), autocommit=True)
    except psycopg.OperationalError:
        say(f"--reuse: database {args.db} does not exist; building it.")
        return None
    with conn:
        comment = conn.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                               "WHERE datname = current_database()").fetchone()[0]  # type: ignore[index]
        try:
            recorded = json.loads(comment or "")
        except ValueError:
            recorded = {}
        if recorded.get("stamp") != stamp(args, today):
            say(f"--reuse: {args.db} was built with {recorded.get('stamp')}, not {stamp(args, today)}; rebuilding.")
            return None
        clock = time.perf_counter()
        reset_subjects(conn, Subjects(args.persons, args.subjects), pools, today)
        counts = table_counts(conn)
        if counts != recorded.get("counts"):
            say(f"--reuse: {args.db} holds {counts}, expected {recorded.get('counts')}; rebuilding.")
            return None
        say(f"--reuse: {args.db} holds the expected {sum(counts.values()):,} rows; subjects reset "
            f"({time.perf_counter() - clock:.1f} s).")
        return recorded


def build(args: argparse.Namespace, pools: Pools, today: date) -> dict[str, Any]:
    """Create the database, load it set-based, index it, analyze it. Returns the record it stores: the row
    counts and how long the build took."""
    from eraser.demo.schema import create_schema

    started = time.perf_counter()
    with psycopg.connect(dsn(args, "postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{args.db}"')
    engine = sa.create_engine(sa_url(args))
    try:
        create_schema(engine)  # exactly the demo's tables, constraints and indexes
    finally:
        engine.dispose()
    conn = psycopg.connect(dsn(args, args.db), autocommit=True)
    with conn:
        for setting in ("synchronous_commit = off", "work_mem = '256MB'", "maintenance_work_mem = '1GB'",
                        "max_parallel_maintenance_workers = 2"):
            conn.execute(f"SET {setting}")
        ddl = drop_constraints_and_indexes(conn)
        conn.execute("INSERT INTO tenants (id, code, name, vat_number, contract_ends_on) VALUES "
                     + ", ".join(f"({n}, 'T{n:03d}', {lit(name)}, 'BE0{200000000 + 7919 * n}', "
                                 f"'{today + timedelta(days=100 * n)}')" for n, name in enumerate(pools.companies, 1)))
        statements = generator(pools, today, args.tenants)
        chunk = max(10_000, -(-args.persons // 8))
        ranges = [(lo, min(lo + chunk - 1, args.persons)) for lo in range(1, args.persons + 1, chunk)]
        params: dict[str, Any] = {**pools.values, "persons": args.persons, "today": today}
        total = 0
        load_clock = time.perf_counter()
        for table in TABLE_ORDER[2:]:
            if table == "projects":  # site addresses get ids after the home addresses (persons' ids)
                conn.execute("SELECT setval('addresses_id_seq', %s)", (args.persons,))
            clock = time.perf_counter()
            done = extra = 0
            for n, (lo, hi) in enumerate(ranges, 1):
                cur = conn.execute(statements[table], {**params, "lo": lo, "hi": hi})
                if table in ("persons", "projects"):
                    rows, more = cur.fetchone()  # type: ignore[misc]
                    done, extra = done + rows, extra + more
                else:
                    done += cur.rowcount
                elapsed = time.perf_counter() - clock
                total_now = total + done + extra
                say(f"  load {table:<25} {n}/{len(ranges)}  {done:>11,} rows  {done / elapsed:>9,.0f} rows/s"
                    + (f"  (+{extra:,} addresses)" if extra else "")
                    + f"  | all tables {total_now:>11,} rows, {total_now / (time.perf_counter() - load_clock):,.0f}"
                      " rows/s")
            total += done + extra
            conn.execute(f"ANALYZE {table}")  # later statements join this table: the planner needs its size
        load_seconds = time.perf_counter() - load_clock
        say(f"  loaded {total:,} rows in {load_seconds:.0f} s ({total / load_seconds:,.0f} rows/s)")
        clock = time.perf_counter()
        for kind, stmt in ddl:
            step = time.perf_counter()
            conn.execute(stmt)
            say(f"  {kind:<11} {time.perf_counter() - step:6.1f} s  {stmt[:110]}")
        for table in TABLE_ORDER:
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce(max(id), 0) + 1, false) "
                         f"FROM {table}")
        index_seconds = time.perf_counter() - clock
        say(f"  constraints and indexes in {index_seconds:.0f} s")
        clock = time.perf_counter()
        conn.execute("VACUUM (ANALYZE)")  # statistics, visibility map and hint bits: no autovacuum during timing
        vacuum_seconds = time.perf_counter() - clock
        say(f"  VACUUM (ANALYZE) in {vacuum_seconds:.0f} s")
        reset_subjects(conn, Subjects(args.persons, args.subjects), pools, today)
        conn.execute("ANALYZE")
        counts = table_counts(conn)
        record = {"stamp": stamp(args, today), "counts": counts,
                  "build": {"at": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC", "seconds": round(time.perf_counter() - started),
                            "load_seconds": round(load_seconds), "loaded_rows": total,
                            "index_seconds": round(index_seconds), "vacuum_seconds": round(vacuum_seconds)}}
        # written last: its presence means the build completed
        conn.execute(f"COMMENT ON DATABASE \"{args.db}\" IS {lit(json.dumps(record))}")
    return record


def drop_constraints_and_indexes(conn: psycopg.Connection) -> list[tuple[str, str]]:
    """Drop what create_schema made besides the tables (loading is faster without); return the statements that
    make it again, in order: primary keys and unique constraints, indexes, foreign keys."""
    cons = conn.execute("""
        SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype
        FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
        WHERE n.nspname = 'public' AND c.contype IN ('p', 'u', 'f')""").fetchall()
    indexes = conn.execute("""
        SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'
        AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))""").fetchall()
    for table, name, _, _ in sorted(cons, key=lambda c: c[3] != "f"):
        conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    again = [("constraint", f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}') for t, n, d, k in cons if k != "f"]
    again += [("index", d) for _, d in indexes]
    again += [("foreign key", f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}') for t, n, d, k in cons if k == "f"]
    return again


# -- MariaDB: the same rows, copied from the PostgreSQL database this script built ---------------------------------

MARIADB_TABLES = ["tenants", *TABLE_ORDER[1:]]


def maria_url(args: argparse.Namespace, database: str | None = None) -> str:
    name = args.mariadb_db if database is None else database
    return f"mysql+pymysql://{args.mariadb_user}@{args.mariadb_host}:{args.mariadb_port}/{name}?charset=utf8mb4"


def maria_connect(args: argparse.Namespace) -> Callable[[], Any]:
    import pymysql
    from pymysql.constants import CLIENT

    return lambda: pymysql.connect(host=args.mariadb_host, port=args.mariadb_port, user=args.mariadb_user,
                                   database=args.mariadb_db, charset="utf8mb4", client_flag=CLIENT.FOUND_ROWS)


def maria_counts(conn: Any) -> dict[str, int]:
    with conn.cursor() as cur:
        out = {}
        for t in TABLE_ORDER:
            cur.execute(f"SELECT count(*) FROM {t}")
            out[t] = cur.fetchone()[0]
        return out


def build_mariadb(args: argparse.Namespace, record: dict[str, Any]) -> dict[str, Any]:
    """A MariaDB database with the demo schema as create_schema() makes it there, holding every row of the
    PostgreSQL database (its subjects just reset), copied table by table; stamped like the PostgreSQL one."""
    from eraser.demo.schema import create_schema

    started = time.perf_counter()
    admin = sa.create_engine(maria_url(args, ""))
    with admin.begin() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS `{args.mariadb_db}`")
        conn.exec_driver_sql(f"CREATE DATABASE `{args.mariadb_db}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    admin.dispose()
    engine = sa.create_engine(maria_url(args))
    create_schema(engine)
    engine.dispose()
    target = maria_connect(args)()
    with psycopg.connect(dsn(args, args.db)) as source, target.cursor() as cur:
        cur.execute("SET foreign_key_checks = 0, unique_checks = 0")
        for table in MARIADB_TABLES:
            clock = time.perf_counter()
            with source.cursor(name=f"copy_{table}") as rows:
                rows.execute(f"SELECT * FROM {table} ORDER BY 1")
                columns = None
                done = 0
                while batch := rows.fetchmany(5000):
                    if columns is None:
                        columns = [d.name for d in rows.description or []]
                        insert = (f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
                                  f"({', '.join(['%s'] * len(columns))})")
                    cur.executemany(insert, batch)
                    done += len(batch)
            target.commit()
            say(f"  copied {table:<25} {done:>11,} rows in {time.perf_counter() - clock:.1f} s")
        cur.execute("SET foreign_key_checks = 1, unique_checks = 1")
        cur.execute("ANALYZE TABLE " + ", ".join(MARIADB_TABLES))
        cur.fetchall()
        counts = maria_counts(target)
        if counts != record["counts"]:
            raise SystemExit(f"MariaDB copy holds {counts}, PostgreSQL {record['counts']}")
        stamped = {"stamp": record["stamp"], "counts": counts, "seconds": round(time.perf_counter() - started)}
        cur.execute(f"ALTER DATABASE `{args.mariadb_db}` COMMENT %s", (json.dumps(stamped),))
    target.commit()
    target.close()
    return stamped


def try_reuse_mariadb(args: argparse.Namespace, record: dict[str, Any], pools: Pools, today: date) -> bool:
    """Whether the MariaDB copy exists with the same stamp and row counts (its subjects reset)."""
    import pymysql

    try:
        conn = maria_connect(args)()
    except pymysql.err.OperationalError:
        say(f"--reuse: MariaDB database {args.mariadb_db} does not exist; copying.")
        return False
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT SCHEMA_COMMENT FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = %s",
                        (args.mariadb_db,))
            found = cur.fetchone()
        try:
            recorded = json.loads(found[0] if found else "")
        except ValueError:
            recorded = {}
        if recorded.get("stamp") != record["stamp"]:
            say(f"--reuse: MariaDB {args.mariadb_db} was copied from {recorded.get('stamp')}; copying again.")
            return False
        reset_subjects_mariadb(conn, Subjects(args.persons, args.subjects), pools, today)
        if maria_counts(conn) != record["counts"]:
            say(f"--reuse: MariaDB {args.mariadb_db} holds other row counts; copying again.")
            return False
        return True
    finally:
        conn.close()


def reset_subjects_mariadb(conn: Any, subjects: Subjects | OneSubject, pools: Pools, today: date) -> int:
    """reset_subjects on MariaDB (PyMySQL): the same rows, new ids above the largest."""
    ids = tuple(subjects.all)
    emails = tuple(Subjects.email(pid) for pid in ids)
    p = {"ids": ids, "emails": emails, "baseline": subjects.baseline_person}
    with conn.cursor() as cur:
        cur.execute("SELECT address_id FROM persons WHERE id IN %(ids)s AND address_id IS NOT NULL UNION "
                    "SELECT site_address_id FROM projects WHERE person_id IN %(ids)s AND site_address_id IS NOT NULL", p)
        old = tuple(r[0] for r in cur.fetchall()) or (-1,)
        for stmt in (
            "DELETE FROM payments WHERE invoice_id IN (SELECT id FROM invoices WHERE person_id IN %(ids)s)",
            "DELETE FROM invoice_lines WHERE invoice_id IN (SELECT id FROM invoices WHERE person_id IN %(ids)s)",
            "DELETE FROM invoices WHERE person_id IN %(ids)s",
            "DELETE FROM photos WHERE project_id IN (SELECT id FROM projects WHERE person_id IN %(ids)s)",
            "DELETE FROM quotes WHERE project_id IN (SELECT id FROM projects WHERE person_id IN %(ids)s)",
            "DELETE FROM projects WHERE person_id IN %(ids)s",
            "DELETE FROM support_messages WHERE person_id IN %(ids)s",
            "DELETE FROM usage_events WHERE person_id IN %(ids)s OR person_id = %(baseline)s "
            "AND event = 'bench_baseline'",
            "DELETE FROM newsletter_subscriptions WHERE lower(trim(email)) IN %(emails)s OR lower(trim(email)) "
            "IN (SELECT lower(trim(email)) FROM persons WHERE id IN %(ids)s)",
            "DELETE FROM persons WHERE id IN %(ids)s",
        ):
            cur.execute(stmt, p)
        cur.execute("DELETE FROM addresses WHERE id IN %(old)s "
                    "AND NOT EXISTS (SELECT 1 FROM persons p WHERE p.address_id = addresses.id) "
                    "AND NOT EXISTS (SELECT 1 FROM projects pr WHERE pr.site_address_id = addresses.id)", {"old": old})

        def next_ids(table: str, n: int) -> list[int]:
            cur.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
            top = int(cur.fetchone()[0])
            return list(range(top + 1, top + 1 + n))

        rows = subject_rows(subjects, pools, today, next_ids)
        for table, cols in COLUMNS.items():
            if rows[table]:
                cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(cols.split(',')))})",
                                rows[table])
    conn.commit()
    return sum(len(r) for r in rows.values())


# -- timing -------------------------------------------------------------------------------------------

@dataclass
class Run:
    """One subject's erasure."""

    pid: int
    open_ms: float
    plan_ms: float
    erase_ms: float
    certify_ms: float
    sql_ms: float
    ending_ms: float
    gc_ms: float
    located: int
    changed: int
    plan_statements: int
    erase_statements: int
    decisions: str = ""
    done: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)

    @property
    def total_ms(self) -> float:
        return self.plan_ms + self.erase_ms

    @property
    def statements(self) -> int:
        return self.plan_statements + self.erase_statements


@dataclass
class GcClock:
    """Time spent in Python's garbage collector."""

    seconds: float = 0.0
    _start: float = 0.0

    def __call__(self, phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._start


@dataclass
class SqlClock:
    """Time spent inside cursor.execute (the database and the driver), measured by engine events, in total
    and per statement text."""

    seconds: float = 0.0
    ending: float = 0.0  # COMMIT or ROLLBACK, until the connection is back in the pool
    by_statement: dict[str, list[Any]] = field(default_factory=dict)  # text -> [count, ms, max ms, params]
    _start: list[float] = field(default_factory=list)
    _end_start: float | None = None

    def attach(self, engine: sa.Engine) -> None:
        sa.event.listen(engine, "before_cursor_execute", self._before)
        sa.event.listen(engine, "after_cursor_execute", self._after)
        sa.event.listen(engine, "commit", self._ending)
        sa.event.listen(engine, "rollback", self._ending)
        sa.event.listen(engine, "checkin", self._checkin)

    def reset(self) -> None:
        self.seconds = self.ending = 0.0

    def _ending(self, *_: Any) -> None:
        self._end_start = time.perf_counter()

    def _checkin(self, *_: Any) -> None:
        if self._end_start is not None:
            self.ending += time.perf_counter() - self._end_start
            self._end_start = None

    def _before(self, *_: Any) -> None:
        self._start.append(time.perf_counter())

    def _after(self, _conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        elapsed = time.perf_counter() - self._start.pop()
        self.seconds += elapsed
        entry = self.by_statement.setdefault(statement, [0, 0.0, 0.0, parameters])
        entry[0] += 1
        entry[1] += elapsed * 1000
        entry[2] = max(entry[2], elapsed * 1000)

    def slowest(self, n: int = 6) -> list[tuple[int, float, float, str]]:
        """(count, total ms, max ms, statement) of the statement texts that took longest in all."""
        ranked = sorted(self.by_statement.items(), key=lambda kv: -kv[1][1])[:n]
        return [(c, total, most, " ".join(text.split())) for text, (c, total, most, _) in ranked]

    def explain_lookups(self, args: argparse.Namespace) -> list[str]:
        """EXPLAIN ANALYZE of the identifier lookups exactly as sent (text and parameters)."""
        out = []
        with psycopg.connect(dsn(args, args.db)) as conn:
            for text, (_, _, _, params) in self.by_statement.items():
                if ("lower(btrim(" in text or "regexp_replace(" in text) and "FOR UPDATE" not in text:
                    plan = conn.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + text, params).fetchall()
                    out.append(" ".join(text.split())[:160] + " ...\n" + "\n".join("    " + r[0] for r in plan))
            conn.rollback()
        return out


def prepare_environment(args: argparse.Namespace) -> Path:
    """Keys, secret and certificate directory of the run, passed to the config through its ${ENV} references."""
    from eraser.proof.certificates import generate_keys

    keys = OUT / "keys"
    if not (keys / "eraser-signing.pem").exists():
        generate_keys(keys)
    certificates = OUT / "certificates" / datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    os.environ.update({"COVER_DB_URL": eraser_url(args), "ERASER_SECRET": SECRET,
                       "ERASER_SIGNING_KEY": str(keys / "eraser-signing.pem"),
                       "ERASER_PUBLIC_KEY": str(keys / "eraser-signing.pub.pem"),
                       "ERASER_CERTIFICATES": str(certificates)})
    return certificates


def erase_subjects(pids: list[int], shared: bool, sql: SqlClock,
                   profiler: cProfile.Profile | None = None) -> list[Run]:
    """Per subject, as `eraser erase` does when it shows the plan first: (open_session,) make_plan, erase with the
    plan's fingerprint, certify (under --yes the command makes no plan before the erasure's own, so this times one
    plan more than it). With `shared`, one session serves every subject (a long-running process)."""
    from eraser import logging as eraser_logging
    from eraser.config import load_config
    from eraser.engine.execute import erase, make_plan
    from eraser.engine.session import Session, open_session
    from eraser.proof.certificates import certify
    from eraser.subjects import parse_subject
    from eraser.tickets import new_ticket

    config = load_config(config_path())
    runs = []
    collector = GcClock()
    gc.callbacks.append(collector)
    session: Session | None = open_session(config) if shared else None
    if session:
        for c in session.connectors.values():
            sql.attach(c.engine)
    try:
        for pid in pids:
            subject = parse_subject([f"email={Subjects.email(pid)}"], config)
            ticket = new_ticket(operator="bench")
            if profiler:
                profiler.enable()
            t0 = time.perf_counter()
            if not shared:
                session = open_session(config)
                for c in session.connectors.values():
                    sql.attach(c.engine)
            assert session is not None
            t1 = time.perf_counter()
            sql.reset()
            collector.seconds = 0.0
            before = session.statements
            with eraser_logging.redacting(subject.terms()):
                plan = make_plan(session, subject, ticket.received_at.date())
                t2 = time.perf_counter()
                planned = session.statements - before
                outcome = erase(session, subject, ticket.received_at.date(), expected_fingerprint=plan.fingerprint())
                t3 = time.perf_counter()
                sql_ms, ending_ms, gc_ms = sql.seconds * 1000, sql.ending * 1000, collector.seconds * 1000
                certify(config, outcome, ticket)
                t4 = time.perf_counter()
            if profiler:
                profiler.disable()
            if outcome.verification["result"] != "PASS":
                raise SystemExit(f"subject {pid}: verification {outcome.verification}")
            changed = sum(n for counts in outcome.done.values() for n in counts.values())
            runs.append(Run(pid, (t1 - t0) * 1000, (t2 - t1) * 1000, (t3 - t2) * 1000, (t4 - t3) * 1000,
                            sql_ms, ending_ms, gc_ms, sum(plan.totals().values()), changed, planned,
                            outcome.statements,
                            ", ".join(f"{k} {v}" for k, v in plan.totals().items() if v), outcome.done))
            if not shared:
                session.close()
    finally:
        gc.callbacks.remove(collector)
        if session is not None:
            session.close()
    return runs


def baseline(args: argparse.Namespace, person: int) -> list[float]:
    """Milliseconds of a hand-written DELETE by primary key, one committed transaction each, through SQLAlchemy
    on the same driver and pool options as the connector."""
    from connectors.postgresql import SPECIFICS

    engine = sa.create_engine(sa_url(args), **SPECIFICS.engine_options())
    try:
        with engine.connect() as conn:
            ids = conn.execute(sa.text("SELECT id FROM usage_events WHERE person_id = :p AND event = 'bench_baseline' "
                                       "ORDER BY id"), {"p": person}).scalars().all()
        stmt = sa.text("DELETE FROM usage_events WHERE id = :id")
        out = []
        for row_id in ids:
            t0 = time.perf_counter()
            with engine.begin() as conn:
                conn.execute(stmt, {"id": row_id})
            out.append((time.perf_counter() - t0) * 1000)
        return out
    finally:
        engine.dispose()


def pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


# -- report -------------------------------------------------------------------------------------------

def summarize(runs: list[Run], heavy: Run, base: list[float]) -> list[tuple[str, str, str, str]]:
    """Rows of (measure, a, b, c) for the result table."""
    def lat(name: str, values: Sequence[float]) -> tuple[str, str, str, str]:
        return (name, f"{pct(values, 50):.1f}", f"{pct(values, 95):.1f}", f"{max(values):.1f}")

    def spread(name: str, values: Sequence[int]) -> tuple[str, str, str, str]:
        return (name, f"{min(values)}", f"{statistics.median(values):g}", f"{max(values)}")

    ratio = pct([r.total_ms for r in runs], 50) / pct(base, 50)
    return [
        ("latency (ms)", "p50", "p95", "max"),
        lat("**plan + erase**", [r.total_ms for r in runs]),
        lat("  make_plan", [r.plan_ms for r in runs]),
        lat("  erase (locate again, apply, verify, commit)", [r.erase_ms for r in runs]),
        lat("  of which inside cursor.execute (all statements)", [r.sql_ms for r in runs]),
        lat("  of which COMMIT / ROLLBACK, back to the pool", [r.ending_ms for r in runs]),
        lat("  of which Python garbage collection", [r.gc_ms for r in runs]),
        lat("open_session (before the timed part)", [r.open_ms for r in runs]),
        lat("certify (sign, write)", [r.certify_ms for r in runs]),
        lat("baseline: one DELETE by primary key + commit", base),
        ("plan + erase / baseline (p50)", f"{ratio:.0f}x", "", ""),
        ("per subject", "min", "median", "max"),
        spread("rows located", [r.located for r in runs]),
        spread("rows changed (deleted, anonymized, minimized)", [r.changed for r in runs]),
        spread("SQL statements, plan + erase", [r.statements for r in runs]),
        spread("  of which make_plan", [r.plan_statements for r in runs]),
        spread("  of which erase", [r.erase_statements for r in runs]),
        ("statements scale with tables, not rows", "rows located", "statements", "plan + erase ms"),
        ("  typical subject (median)", f"{statistics.median([r.located for r in runs]):g}",
         f"{statistics.median([r.statements for r in runs]):g}", f"{pct([r.total_ms for r in runs], 50):.1f}"),
        ("  subject with ~500 rows", f"{heavy.located}", f"{heavy.statements}", f"{heavy.total_ms:.1f}"),
    ]


def text_table(rows: list[tuple[str, str, str, str]]) -> str:
    width = max(len(r[0]) for r in rows)
    out = []
    for r in rows:
        if r[1] in ("p50", "min", "rows located"):
            out.append("")
        out.append(f"{r[0].replace('**', ''):<{width}}  {r[1]:>12}  {r[2]:>10}  {r[3]:>15}")
    return "\n".join(out)


def markdown_table(rows: list[tuple[str, str, str, str]]) -> str:
    out = []
    for r in rows:
        if r[1] in ("p50", "min", "rows located"):
            if out:
                out.append("")
            out.append(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} |")
            out.append("|---|--:|--:|--:|")
        else:
            out.append(f"| {r[0].replace('  ', '&nbsp;&nbsp;')} | {r[1]} | {r[2]} | {r[3]} |")
    return "\n".join(out)


def machine(args: argparse.Namespace) -> str:
    cpu = "unknown CPU"
    memory = ""
    try:
        cpu = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text()).group(1)  # type: ignore[union-attr]
        kb = int(re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text()).group(1))  # type: ignore[union-attr]
        memory = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, AttributeError):
        pass
    with psycopg.connect(dsn(args, "postgres")) as conn:
        server = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
        buffers = conn.execute("SHOW shared_buffers").fetchone()[0]  # type: ignore[index]
    return (f"{cpu}, {os.cpu_count()} cores{memory}; PostgreSQL {server} on {args.host} (shared_buffers {buffers}, "
            f"default settings); Python {platform.python_version()}, SQLAlchemy {sa.__version__}, "
            f"psycopg {psycopg.__version__}")


ANALYSIS = "What limits the latency"


def write_results(intro: str, runs: dict[str, str], name: str = "erase_one") -> None:
    """Update the `## erase_one` section of bench/RESULTS.md: the intro is replaced, each `### <title>` of this
    run replaces the one with the same title (others stay, so runs of other variants accumulate), and the
    written analysis under `### What limits the latency` stays last. Other sections of the file stay."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    pattern = re.compile(rf"^## {re.escape(name)}\n.*?(?=^## |\Z)", re.S | re.M)
    found = pattern.search(text)
    blocks: dict[str, str] = {}
    for block in re.split(r"^(?=### )", found.group(0) if found else "", flags=re.M)[1:]:
        title, _, rest = block.partition("\n")
        blocks[title[4:].strip()] = rest.strip("\n")
    analysis = blocks.pop(ANALYSIS, None)
    blocks.update(runs)
    for title in [t for t in blocks if t.startswith("Growth")]:  # the summary stays after the runs it sums up
        blocks[title] = blocks.pop(title)
    section = f"## {name}\n\n" + intro.strip("\n") + "\n\n" + "".join(
        f"### {title}\n\n{body}\n\n" for title, body in blocks.items())
    if analysis:
        section += f"### {ANALYSIS}\n\n{analysis}\n\n"
    text = pattern.sub(lambda _: section, text) if found else text.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


# -- main ---------------------------------------------------------------------------------------------

def ensure_search_indexes(args: argparse.Namespace, wanted: bool) -> list[str]:
    """Make the search indexes of eraser/engine/search_index.py exist, as `eraser config check --apply-indexes` creates
    them (wanted), or not; returns those that exist afterwards."""
    from eraser.checks import apply_indexes, check_config

    if wanted:
        problems, _ = check_config(config_path())
        clock = time.perf_counter()
        if apply_indexes(config_path(), problems, lambda line: None):
            say(f"  `eraser config check --apply-indexes` ran in {time.perf_counter() - clock:.0f} s")
    with psycopg.connect(dsn(args, args.db), autocommit=True) as conn:
        present = sorted(r[0] for r in conn.execute("SELECT indexname FROM pg_indexes WHERE schemaname = 'public' "
                                                    "AND indexname LIKE 'ix\\_%\\_search\\_%'"))
        if not wanted:
            for name in present:
                conn.execute(f'DROP INDEX "{name}"')
            return []
    return present


def ensure_trigram(args: argparse.Namespace, wanted: bool) -> list[str]:
    """Make the pg_trgm GIN indexes on the config's `free_text:` columns exist (wanted) or not; returns those
    that exist afterwards."""
    from eraser.config import load_config

    columns = []
    if wanted:
        config = load_config(config_path())
        for conf in config.connectors.values():
            for table, rule in conf.tables.items():
                columns += [(table, c) for c in getattr(rule, "free_text", None) or []]
        if SCAN["mode"] == "declared":  # the declared scan set reads every text column of its tables
            columns += [("support_messages", "subject"), ("projects", "title")]
    with psycopg.connect(dsn(args, args.db), autocommit=True) as conn:
        present = {r[0] for r in conn.execute("SELECT indexname FROM pg_indexes WHERE schemaname = 'public' "
                                              "AND indexname LIKE 'ix\\_%\\_trgm'")}
        names = {f"ix_{t}_{c}_trgm": (t, c) for t, c in columns}
        for name in sorted(present - set(names)):
            conn.execute(f'DROP INDEX "{name}"')
        if names:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            conn.execute("SET maintenance_work_mem = '1GB'")
        for name, (table, column) in sorted(names.items()):
            if name not in present:
                clock = time.perf_counter()
                conn.execute(f'CREATE INDEX "{name}" ON {table} USING gin ({column} gin_trgm_ops)')
                say(f"  created {name} in {time.perf_counter() - clock:.0f} s")
    return sorted(names)


def code_state() -> str:
    """The commit measured, and whether eraser/, connectors/ or configs/ differed from it (the work tree moves)."""
    import subprocess

    def git(*cmd: str) -> str:
        return subprocess.run(["git", *cmd], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()

    try:
        head = git("rev-parse", "--short", "HEAD")
        changed = git("status", "--porcelain", "--", "eraser", "connectors", "configs").splitlines()
    except (OSError, subprocess.CalledProcessError):
        return "code: unknown (not a git work tree)"
    return f"code: commit {head}" + (f" with {len(changed)} uncommitted change(s) in eraser/, connectors/, configs/"
                                      if changed else "")


def checkpoints(args: argparse.Namespace) -> int:
    """Checkpoints the server was asked for (CREATE/DROP DATABASE by other users of the server force one)."""
    with psycopg.connect(dsn(args, "postgres")) as conn:
        return conn.execute("SELECT checkpoints_req FROM pg_stat_bgwriter").fetchone()[0]  # type: ignore[index]


@dataclass
class Measured:
    """One session mode's results."""

    runs: list[Run]
    heavy: Run
    base: list[float]
    load: tuple[float, float]
    forced_checkpoints: int
    slowest: list[tuple[int, float, float, str]]


HOT_SPOTS = [  # (label, end of the file name, function): where an erasure's time goes, from the profile
    ("waiting for PostgreSQL (psycopg wait, all round trips)", "psycopg/connection.py", "wait"),
    ("SQLConnector._run: compiling each statement again for the log template", "sqlalchemy/sql/elements.py",
     "compile"),
    ("Connection.execute in all, the wait included", "sqlalchemy/engine/base.py", "_execute_clauseelement"),
    ("Faker set-up for the Anonymizer (make_faker)", "eraser/engine/anonymize.py", "make_faker"),
    ("locate (3 per erasure: plan, erase, verify)", "eraser/engine/locate.py", "locate"),
    ("plan_connector (decisions, shared and referenced rows)", "eraser/engine/plan.py", "plan_connector"),
    ("verify (re-locate, checks, residual scan)", "eraser/engine/verify.py", "verify"),
    ("certify", "eraser/proof/certificates.py", "certify"),
    ("open_session (reflection and checks)", "eraser/engine/session.py", "open_session"),
    ("  metadata.reflect", "connectors/sql.py", "_reflect"),
    ("  provider_exists (a new Faker per faker: strategy)", "eraser/engine/anonymize.py", "provider_exists"),
]


def profile_breakdown(profiler: cProfile.Profile, erasures: int) -> str:
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    lines = [f"where the time goes under cProfile, ms per erasure ({erasures} erasures; the profiler slows "
             "Python code down, so compare the rows with each other):"]
    total = sum(v[2] for v in stats.values())
    lines.append(f"  {total / erasures * 1000:8.1f}  everything profiled")
    for label, path, name in HOT_SPOTS:
        cum = sum(v[3] for k, v in stats.items() if k[0].endswith(path) and k[2] == name)
        lines.append(f"  {cum / erasures * 1000:8.1f}  {label}")
    return "\n".join(lines)


def same_work_run(args: argparse.Namespace, subjects: Subjects, pools: Pools, today: date, trigram: list[str],
                  command: str) -> int:
    """Eraser and the same-work baseline interleaved per subject; writes a block of `## erase_one: same work`."""
    import shutil

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import same_work

    from eraser import logging as eraser_logging

    eraser_logging.configure(level="WARNING")
    config = config_path()
    if config == CONFIG:  # the shipped config verbatim, but its state store beside the copy, not in configs/
        config = OUT / "cover_group.shipped.yaml"
        shutil.copyfile(CONFIG, config)
    conn = psycopg.connect(dsn(args, args.db), autocommit=True)
    sql = SqlClock()
    load = os.popen("uptime").read().strip()
    say(f"uptime before: {load}")
    search = SCAN.get("search") or []
    variant = (f"shipped config (configs/cover_group.yaml), with the {len(search)} search indexes "
               "`eraser config check --apply-indexes` creates" if args.scan == "all" and search and not trigram else
               "shipped config (configs/cover_group.yaml as `eraser demo` ships it), no trigram index"
               if args.scan == "all" and not trigram else
               f"bench options: residual scan {args.scan}, trigram indexes {', '.join(trigram) or 'none'}")
    title = f"{args.persons:,} persons, {variant}"
    with conn:
        result = same_work.compare(
            subjects.regular[:args.sample], Subjects.email,
            lambda pid: reset_subjects(conn, OneSubject(pid), pools, today),
            lambda pid: erase_subjects([pid], False, sql)[0], dsn(args, args.db), config,
            same_work.release_cutoff(today), title, args.process, OUT)
    result.notes += [f"command: `{command}`; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {code_state()}",
                     f"`uptime` before: {load}; after: {os.popen('uptime').read().strip()}",
                     f"machine: {machine(args)}"]
    say(result.text())
    if not args.no_results:
        same_work.save(result, OUT / "same_work", args.persons, args.scan, bool(trigram), bool(search))
        write_results(same_work.INTRO, {title: result.markdown(), **same_work.growth(OUT / "same_work")},
                      name="erase_one: same work")
        say(f"results written to {RESULTS}")
    return 0


def same_work_run_mariadb(args: argparse.Namespace, subjects: Subjects, pools: Pools, today: date,
                          command: str) -> int:
    """--same-work on the MariaDB copy: Eraser in process and the same-work baseline in MariaDB's dialect
    (bench/same_work.py), interleaved per subject; what the plan says is slow there is printed and kept."""
    import shutil

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import same_work

    from eraser import logging as eraser_logging
    from eraser.checks import apply_indexes, check_config
    from eraser.config import load_config
    from eraser.engine.search_index import slow_scan_note
    from eraser.engine.session import open_session

    eraser_logging.configure(level="WARNING")
    config = OUT / "cover_group.shipped.yaml"
    shutil.copyfile(CONFIG, config)
    problems, _ = check_config(config)
    clock = time.perf_counter()
    made: list[str] = []
    if apply_indexes(config, problems, made.append):
        say(f"  `eraser config check --apply-indexes` ran in {time.perf_counter() - clock:.0f} s")
    with open_session(load_config(config)) as session:
        slow = slow_scan_note(session.config, session.connectors)
        version = session.connectors["cover"].engine.connect().exec_driver_sql("SELECT version()").scalar()
    say(slow or "no slow scans named")
    conn = maria_connect(args)()
    sql = SqlClock()
    load = os.popen("uptime").read().strip()
    say(f"uptime before: {load}")
    title = (f"{args.persons:,} persons, MariaDB, shipped config (configs/cover_group.yaml), the indexes "
             "`eraser config check --apply-indexes` creates there (no search index: MariaDB has none)")
    try:
        result = same_work.compare_mariadb(
            subjects.regular[:args.sample], Subjects.email,
            lambda pid: reset_subjects_mariadb(conn, OneSubject(pid), pools, today),
            lambda pid: erase_subjects([pid], False, sql)[0], maria_connect(args), maria_url(args),
            same_work.release_cutoff(today), title)
    finally:
        conn.close()
    slow_tables = [line.split(":", 1)[0].strip() for line in slow.splitlines()[1:]]
    result.notes += [f"command: `{command}`; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {code_state()}",
                     f"`uptime` before: {load}; after: {os.popen('uptime').read().strip()}",
                     f"MariaDB {version} on {args.mariadb_host} (default settings), the same rows as the "
                     f"PostgreSQL database `{args.db}` (copied from it); no whole-process lines (the `mysql` client "
                     "is not timed)",
                     "`eraser plan` names as slow scans: " + (", ".join(f"`{t}`" for t in slow_tables) or "none")
                     + " (every erasure reads them: MariaDB has no index that finds text inside a value)",
                     f"machine: {machine(args).split(';')[0]}"]
    say(result.text())
    if not args.no_results:
        same_work.save(result, OUT / "same_work", args.persons, "all", False, False, dialect="MariaDB")
        write_results(same_work.INTRO, {title: result.markdown(), **same_work.growth(OUT / "same_work")},
                      name="erase_one: same work")
        say(f"results written to {RESULTS}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--subjects", type=int, default=100, help="subjects with about 50 rows each")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the database if it already holds the expected row counts")
    parser.add_argument("--db", default="eraser_bench")
    parser.add_argument("--tenants", type=int, default=5, help="tenants the persons are spread over")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5432)
    parser.add_argument("--user", default="postgres")
    parser.add_argument("--session", choices=["per-subject", "shared", "both"], default="both",
                        help="a new session per subject (as `eraser erase` does), one for all, or both in turn")
    parser.add_argument("--profile", action="store_true",
                        help="profile the erasures with cProfile (bench/out/erase_one.prof); RESULTS.md untouched")
    parser.add_argument("--no-results", action="store_true", help="do not write bench/RESULTS.md")
    parser.add_argument("--sample", type=int, default=None,
                        help="erase only the first N of the subjects (and the ~500-row one), when erasures are slow")
    parser.add_argument("--scan", choices=["all", "declared"], default="all",
                        help="residual scan as in the config (every table), or only the tables with free text")
    parser.add_argument("--trigram", choices=["none", "free-text", "search"], default="none",
                        help="free-text: add pg_trgm GIN indexes on the config's free_text: columns (as its "
                             "residual_scan comment advises); none: the demo schema as it is (drops them)")
    parser.add_argument("--build-only", action="store_true", help="build (or check with --reuse) and stop")
    parser.add_argument("--same-work", action="store_true",
                        help="Eraser and the hand-written same-work baseline interleaved, subject after subject "
                             "(bench/same_work.py); the spread of each is printed")
    parser.add_argument("--process", action="store_true",
                        help="with --same-work: also `eraser erase --yes` and `psql` as whole processes")
    parser.add_argument("--dialect", choices=["postgresql", "mariadb"], default="postgresql",
                        help="mariadb: with --same-work, erase in a MariaDB copy of the PostgreSQL database (same rows)")
    parser.add_argument("--mariadb-db", default=None, help="the MariaDB copy (default erase_bench_<persons>)")
    parser.add_argument("--mariadb-host", default="127.0.0.1")
    parser.add_argument("--mariadb-port", type=int, default=3306)
    parser.add_argument("--mariadb-user", default="root")
    args = parser.parse_args(argv)
    args.mariadb_db = args.mariadb_db or f"erase_bench_{args.persons}"
    if args.dialect == "mariadb" and not args.same_work and not args.build_only:
        parser.error("--dialect mariadb runs with --same-work (or --build-only)")
    SCAN["mode"] = args.scan
    if args.persons < 10 * (args.subjects + 1):
        parser.error("--persons must be at least 10 times --subjects")
    if args.sample is not None and not 1 <= args.sample <= args.subjects:
        parser.error("--sample must be between 1 and --subjects")
    command = " ".join(["python bench/erase_one.py", *(argv if argv is not None else sys.argv[1:])])
    today = date.today()
    subjects = Subjects(args.persons, args.subjects)
    OUT.mkdir(parents=True, exist_ok=True)
    pools = Pools(tenants=args.tenants)

    say(f"{args.db}: {args.persons:,} persons, {args.subjects} subjects of {shape(False, today).rows()} rows "
        f"and one of {shape(True, today).rows()}")
    say(code_state())
    record = try_reuse(args, pools, today) if args.reuse else None
    built_now = record is None
    if record is None:
        record = build(args, pools, today)
        say(f"built {args.db} in {record['build']['seconds']} s")
    counts: dict[str, int] = record["counts"]
    say("rows: " + ", ".join(f"{t} {n:,}" for t, n in counts.items()) + f"; total {sum(counts.values()):,}")
    if args.dialect == "mariadb":
        if not (args.reuse and try_reuse_mariadb(args, record, pools, today)):
            say(f"copied into MariaDB {args.mariadb_db} in {build_mariadb(args, record)['seconds']} s")
        if args.build_only:
            return 0
        prepare_environment(args)
        return same_work_run_mariadb(args, subjects, pools, today, command)
    if args.build_only:
        return 0
    certificates = prepare_environment(args)
    os.environ.setdefault("COVER_DB_URL", sa_url(args))
    search = ensure_search_indexes(args, args.trigram == "search")
    trigram = ensure_trigram(args, args.trigram == "free-text")
    SCAN["search"] = search  # type: ignore[assignment]
    say("trigram indexes: " + (", ".join(trigram) if trigram else "none (the demo schema)") +
        f"; search indexes: {len(search)}")
    if args.same_work:
        return same_work_run(args, subjects, pools, today, trigram, command)

    from eraser import logging as eraser_logging
    from eraser.proof.certificates import verify

    eraser_logging.configure(level="WARNING")
    modes = {"both": ["per-subject", "shared"]}.get(args.session, [args.session])
    profiler = cProfile.Profile() if args.profile else None
    results: dict[str, Measured] = {}
    for i, mode in enumerate(modes):
        if i:
            clock = time.perf_counter()
            with psycopg.connect(dsn(args, args.db), autocommit=True) as conn:
                reset_subjects(conn, subjects, pools, today)
            say(f"subjects reset for the next mode ({time.perf_counter() - clock:.1f} s)")
        base = baseline(args, subjects.baseline_person)
        sql = SqlClock()
        load_before, forced_before = os.getloadavg()[0], checkpoints(args)
        runs = erase_subjects([*subjects.regular[:args.sample], subjects.heavy], mode == "shared", sql, profiler)
        heavy = runs.pop()
        m = results[mode] = Measured(runs, heavy, base, (load_before, os.getloadavg()[0]),
                                     checkpoints(args) - forced_before, sql.slowest())
        say(f"\nsession {mode}: {len(runs)} subjects erased and certified; first subject: plan + erase "
            f"{runs[0].total_ms:.0f} ms; load average {m.load[0]:.2f} before, {m.load[1]:.2f} after; "
            f"{m.forced_checkpoints} forced checkpoint(s) meanwhile")
        say(text_table(summarize(runs, heavy, base)))
        say(f"decisions, typical subject: {runs[0].decisions}; subject with ~500 rows: {heavy.decisions}")
        say("statements that took longest in all (count, total ms, max ms):")
        for count, total_ms, most, text in m.slowest:
            say(f"  {count:5d} {total_ms:8.1f} {most:7.2f}  {text[:150]}")
        if i == 0:
            say("identifier lookups as sent, explained:")
            for text in sql.explain_lookups(args):
                say("  " + text)
    chain = sorted(certificates.glob("*.cert.json"))
    verify(chain[-1], [Path(os.environ["ERASER_PUBLIC_KEY"])])
    say(f"\n{len(chain)} certificates in {certificates}; the last verifies against the public key and its chain")

    if profiler:
        path = OUT / "erase_one.prof"
        profiler.dump_stats(path)
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(25)
        say(stream.getvalue())
        say(profile_breakdown(profiler, len(chain)))
        say(f"profile written to {path}")
        return 0
    if args.no_results:
        return 0
    total = sum(counts.values())
    b = record.get("build", {})
    built = (f"built {'by this run' if built_now else 'by an earlier run'}"
             + (f" ({b['at']}) in {b['seconds']} s: {b['loaded_rows']:,} rows loaded in {b['load_seconds']} s "
                f"({b['loaded_rows'] / max(1, b['load_seconds']):,.0f} rows/s), constraints and indexes "
                f"{b['index_seconds']} s, VACUUM (ANALYZE) {b['vacuum_seconds']} s" if b else ""))
    intro = "\n".join([
        f"Database: `{args.db}`, {args.persons:,} persons, {total:,} rows ("
        + ", ".join(f"{t} {n:,}" for t, n in counts.items()) + f"); {built}.  ",
        f"Machine: {machine(args)}. The server is shared: other users' test suites run on it at the same time, "
        "so each run below gives the load average and the checkpoints they forced (CREATE/DROP DATABASE).",
        "",
        f"Each of {args.subjects} subjects has {shape(False, today).rows()} rows in 11 tables; one more has "
        f"{shape(True, today).rows()}. Per subject: `make_plan`, then `erase` with the plan's fingerprint, then "
        "`certify`, as `eraser erase --yes` does; 'plan + erase' is the timed latency. Decisions for a typical "
        f"subject: {results[modes[0]].runs[0].decisions}. The baseline is `DELETE FROM usage_events WHERE id = :id` "
        "in its own transaction, through SQLAlchemy on the same driver, in the same process. Config: "
        "`configs/cover_group.yaml` as it is in the work tree at the time of the run."])
    blocks = {}
    code = code_state()
    for mode, m in results.items():
        title = (f"{'New session per subject' if mode == 'per-subject' else 'One session for all subjects'}, "
                 f"trigram indexes: {args.trigram}, residual scan: {args.scan}")
        slow = "\n".join(f"| {c} | {total_ms / c:.1f} | {most:.1f} | `{text[:140]}...` |"
                          for c, total_ms, most, text in m.slowest)
        blocks[title] = "\n".join([
            f"Command: `{command}`  ",
            f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {len(m.runs)} subjects timed, plus the one with "
            f"~500 rows; 1-minute load average {m.load[0]:.1f} before, {m.load[1]:.1f} after; "
            f"{m.forced_checkpoints} checkpoint(s) forced by other users of the server meanwhile; {code}. "
            + ("Trigram indexes: " + ", ".join(f"`{t}`" for t in trigram) + "." if trigram else
               "No trigram indexes (the demo schema)."),
            "",
            markdown_table(summarize(m.runs, m.heavy, m.base)),
            "",
            "| executions | mean ms | max ms | statements that took longest in all |",
            "|--:|--:|--:|---|",
            slow])
    write_results(intro, blocks)
    say(f"results written to {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
