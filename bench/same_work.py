"""The same-work baseline of bench/erase_one.py: hand-written SQL that does what Eraser does for one subject.

For each subject, in turn: Eraser in process (open_session, make_plan, erase, certify), then the hand-written
statements on the same rows (the subject is reset, untimed, in between), then, with `--process`, the whole
`eraser erase --yes` process and `psql` running the same statements. Each side's rows changed per table are
compared with Eraser's, so the baseline cannot do less than Eraser on the rows.

The baseline locates the person by email (the expression index Eraser uses), deletes and anonymizes the same
rows in one transaction, and in its `+ free text` variant also replaces the subject's email and mobile number in
every other row of the `free_text:` columns (Eraser's redaction, served by the same indexes, or by none). It does
not verify (no second locate, no residual scan) and writes no certificate: that is Eraser's extra work.
"""

from __future__ import annotations

import os
import re
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

import psycopg

ERASED = "'[erased]'"
SUBJECT_PROJECTS = "SELECT id FROM projects WHERE person_id = %(pid)s::int"
RELEASED = "SELECT id FROM invoices WHERE person_id = %(pid)s::int AND invoice_date < %(cutoff)s::date"
REFERENCED_ADDRESS = ("(EXISTS (SELECT 1 FROM persons p WHERE p.address_id = a.id) "
                      "OR EXISTS (SELECT 1 FROM projects r WHERE r.site_address_id = a.id))")
PERSON_KEPT = ("(EXISTS (SELECT 1 FROM invoices i WHERE i.person_id = p.id) "
               "OR EXISTS (SELECT 1 FROM projects r WHERE r.person_id = p.id))")


def scrub(column: str, source: str = "p") -> str:
    """SQL: `column` with the subject's name, email and mobile number replaced (Eraser's free-text redaction)."""
    out = column
    for part in ("first_name", "last_name", "mobile", "email"):
        out = f"replace({out}, {source}.{part}, {ERASED})"
    return out


LOCATE = ("SELECT p.id AS pid, p.mobile, coalesce((SELECT array_agg(DISTINCT a) FROM (SELECT p.address_id UNION ALL "
          "SELECT site_address_id FROM projects WHERE person_id = p.id) s(a) WHERE a IS NOT NULL), '{{}}') AS owned "
          "FROM persons p WHERE {persons} = %(email)s::text FOR UPDATE OF p")

# (table, change, statement): in the order a careful hand would write them, children first
CORE: list[tuple[str, str, str]] = [
    ("newsletter_subscriptions", "delete",
     "DELETE FROM newsletter_subscriptions WHERE {newsletter_subscriptions} = %(email)s::text"),
    ("usage_events", "delete", "DELETE FROM usage_events WHERE person_id = %(pid)s::int"),
    ("support_messages", "delete", "DELETE FROM support_messages WHERE person_id = %(pid)s::int"),
    ("photos", "delete", f"DELETE FROM photos WHERE project_id IN ({SUBJECT_PROJECTS})"),
    ("invoice_lines", "delete", f"DELETE FROM invoice_lines WHERE invoice_id IN ({RELEASED})"),
    ("payments", "delete", f"DELETE FROM payments WHERE invoice_id IN ({RELEASED})"),
    ("invoices", "delete", f"DELETE FROM invoices WHERE id IN ({RELEASED})"),
    ("quotes", "anonymize", f"UPDATE quotes q SET notes = {ERASED} WHERE project_id IN ({SUBJECT_PROJECTS}) "
     "AND EXISTS (SELECT 1 FROM invoices i WHERE i.quote_id = q.id)"),
    ("quotes", "delete", f"DELETE FROM quotes q WHERE project_id IN ({SUBJECT_PROJECTS}) "
     "AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.quote_id = q.id)"),
    ("projects", "anonymize", f"UPDATE projects pr SET title = {ERASED}, description = {scrub('pr.description')} "
     "FROM persons p WHERE p.id = pr.person_id AND pr.person_id = %(pid)s::int "
     "AND EXISTS (SELECT 1 FROM quotes q WHERE q.project_id = pr.id)"),
    ("projects", "delete", "DELETE FROM projects pr WHERE person_id = %(pid)s::int "
     "AND NOT EXISTS (SELECT 1 FROM quotes q WHERE q.project_id = pr.id)"),
    ("persons", "anonymize", f"UPDATE persons p SET first_name = {ERASED}, last_name = {ERASED}, "
     "email = 'erased-' || id || '@invalid', phone = CASE WHEN phone IS NOT NULL THEN '+32 0' END, "
     "mobile = '+32 0', customer_number = left(md5(random()::text), 20), "
     "date_of_birth = make_date(extract(year FROM date_of_birth)::int, 1, 1) "
     f"WHERE id = %(pid)s::int AND {PERSON_KEPT}"),
    ("persons", "delete", f"DELETE FROM persons p WHERE id = %(pid)s::int AND NOT {PERSON_KEPT}"),
    ("addresses", "anonymize", f"UPDATE addresses a SET street = {ERASED}, house_number = NULL, "
     f"postcode = left(postcode, 2) || '00' WHERE id = ANY(%(owned)s::int[]) AND {REFERENCED_ADDRESS}"),
    ("addresses", "delete", f"DELETE FROM addresses a WHERE id = ANY(%(owned)s::int[]) AND NOT {REFERENCED_ADDRESS}"),
]


def _mentions(column: str) -> str:
    """SQL: the column names the subject; ILIKE and LIKE, which a pg_trgm GIN index on the column serves."""
    return f"({column} ILIKE '%%' || %(email)s::text || '%%' OR {column} LIKE '%%' || %(mobile)s::text || '%%')"


def _replaced(column: str) -> str:
    return f"replace(replace({column}, %(email)s::text, {ERASED}), %(mobile)s::text, {ERASED})"


# Other customers' rows that name the subject: searched in every row, as Eraser's free_text: redaction does.
# With the search indexes of `eraser config check --apply-indexes`, the rows are found through the same index and
# with the same planner setting as Eraser's ({support_messages_mentions} and {projects_mentions}).
FREE_TEXT: list[tuple[str, str, str]] = [
    ("", "", "{prefer_indexes}"),
    ("support_messages", "redact", f"UPDATE support_messages SET subject = {_replaced('subject')}, "
     f"body = {_replaced('body')} WHERE {{support_messages_mentions}}"),
    ("projects", "redact", f"UPDATE projects SET description = {_replaced('description')} "
     "WHERE {projects_mentions}"),
]
FREE_TEXT_COLUMNS = {"support_messages": ("subject", "body"), "projects": ("description",)}


def _search_mentions(expression: str) -> str:
    """SQL: the table's search text names the subject (eraser/engine/search_index.py: the text lower-cased is part of it)."""
    return (f"(({expression}) LIKE '%%' || lower(%(email)s::text) || '%%' OR ({expression}) LIKE '%%' || "
            "%(mobile)s::text || '%%')")


def email_lookups(conn: psycopg.Connection) -> dict[str, str]:
    """Per table, the email expression its lookup index covers (the index Eraser's lookup uses), so the baseline
    is served by the same index; lower(trim(email)) where the schema has none."""
    out = {}
    for table in ("persons", "newsletter_subscriptions"):
        row = conn.execute("SELECT pg_get_indexdef(c.oid, 1, true) FROM pg_class c WHERE c.relname = %s",
                           (f"ix_{table}_email_folded",)).fetchone()
        out[table] = row[0] if row else "lower(trim(email))"
    searched = False
    for table, columns in FREE_TEXT_COLUMNS.items():
        row = conn.execute("SELECT pg_get_indexdef(c.oid, 1, true) FROM pg_class c WHERE c.relname LIKE %s",
                           (f"ix\\_{table}\\_search\\_%",)).fetchone()
        searched = searched or row is not None
        out[f"{table}_mentions"] = _search_mentions(row[0].replace("%", "%%")) if row else \
            " OR ".join(_mentions(c) for c in columns)
    out["prefer_indexes"] = "SET LOCAL enable_seqscan = off" if searched else "SELECT 1"
    return out


def statements(free_text: bool, lookups: dict[str, str]) -> list[tuple[str, str, str]]:
    """The baseline's statements after the locate, in order (the free-text search after the subject's rows)."""
    return [(t, c, s.format(**lookups) if "{" in s else s)
            for t, c, s in CORE[:11] + (FREE_TEXT if free_text else []) + CORE[11:]]


def run_in_process(dsn: str, email: str, cutoff: date, free_text: bool) -> tuple[float, dict[str, dict[str, int]]]:
    """Milliseconds from connect to commit, and rows changed per table and change."""
    changed: dict[str, dict[str, int]] = {}
    t0 = time.perf_counter()
    with psycopg.connect(dsn) as conn:
        lookups = email_lookups(conn)
        row = conn.execute(LOCATE.format(**lookups), {"email": email}).fetchone()
        if row is None:
            raise SystemExit(f"baseline: no person with the email of subject {email}")
        params = {"email": email, "cutoff": cutoff, "pid": row[0], "mobile": row[1], "owned": list(row[2])}
        for table, change, stmt in statements(free_text, lookups):
            n = conn.execute(stmt, params).rowcount
            if n and table:
                changed.setdefault(table, {})[change] = changed.get(table, {}).get(change, 0) + n
        conn.commit()
    return (time.perf_counter() - t0) * 1000, changed


def psql_script(free_text: bool, lookups: dict[str, str]) -> str:
    """The same statements for psql: parameters become psql variables, the locate sets them with \\gset."""
    def convert(stmt: str) -> str:
        return re.sub(r"%\((\w+)\)s", r":'\1'", stmt).replace("%%", "%")

    body = [convert(LOCATE.format(**lookups)) + " \\gset"] + [convert(s) + ";"
                                                                for _, _, s in statements(free_text, lookups)]
    return "\\set ON_ERROR_STOP 1\nBEGIN;\n" + "\n".join(body) + "\nCOMMIT;\n"


def eraser_counts(done: dict[tuple[str, str], dict[str, int]]) -> dict[str, dict[str, int]]:
    """Eraser's rows changed per table, with anonymize and free-text redaction of the same table as one update."""
    return {table: counts for (_, table), counts in done.items()}


def same_rows(eraser: dict[str, dict[str, int]], baseline: dict[str, dict[str, int]]) -> str | None:
    """None when the baseline deleted the same rows per table and updated the same tables; else the difference."""
    def deletes(c: dict[str, dict[str, int]]) -> dict[str, int]:
        return {t: v["delete"] for t, v in c.items() if v.get("delete")}

    def updated(c: dict[str, dict[str, int]]) -> set[str]:
        return {t for t, v in c.items() if any(n for k, n in v.items() if k != "delete")}

    if deletes(eraser) != deletes(baseline) or updated(eraser) != updated(baseline):
        return f"Eraser changed {eraser}, the baseline {baseline}"
    return None


def spread(values: Sequence[float]) -> tuple[float, float, float, float]:
    """min, median, p95 (nearest rank), max."""
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, max(0, -(-95 * len(ordered) // 100) - 1))]
    return ordered[0], statistics.median(ordered), p95, ordered[-1]


@dataclass
class Series:
    """One measured line: its label and milliseconds per subject."""

    label: str
    ms: list[float] = field(default_factory=list)


@dataclass
class Comparison:
    """The interleaved series of one configuration."""

    title: str
    eraser: Series
    eraser_total: Series
    core: Series
    free_text: Series
    process_eraser: Series
    process_psql: Series
    notes: list[str] = field(default_factory=list)
    LABELS: ClassVar[tuple[str, ...]] = (
        "Eraser, in process: plan + erase", "Eraser, in process: open_session + plan + erase + certify",
        "baseline: locate + 15 statements, one transaction", "baseline + free-text search of other rows (2 UPDATEs)",
        "whole process: `eraser erase --yes`", "whole process: `psql` running the baseline + free text")

    def rows(self) -> list[tuple[str, str, str, str, str, str]]:
        out = []
        for s in (self.eraser, self.eraser_total, self.core, self.free_text, self.process_eraser,
                  self.process_psql):
            if s.ms:
                lo, mid, p95, hi = spread(s.ms)
                out.append((s.label, str(len(s.ms)), f"{lo:.1f}", f"{mid:.1f}", f"{p95:.1f}", f"{hi:.1f}"))
        return out

    def ratios(self) -> list[str]:
        def med(s: Series) -> float:
            return statistics.median(s.ms)

        out = [f"Eraser plan + erase / baseline (p50): {med(self.eraser) / med(self.core):.1f}x against the "
               f"subject's rows only, {med(self.eraser) / med(self.free_text):.1f}x against the baseline with the "
               "free-text search"]
        if self.process_eraser.ms and self.process_psql.ms:
            out.append(f"whole process, `eraser erase --yes` / `psql` (p50): "
                       f"{med(self.process_eraser) / med(self.process_psql):.1f}x")
        return out

    def text(self) -> str:
        header = ("what", "n", "min ms", "median ms", "p95 ms", "max ms")
        lines = [self.title, "  ".join(f"{h:>10}" if i else f"{h:<62}" for i, h in enumerate(header))]
        lines += ["  ".join(f"{c:>10}" if i else f"{c:<62}" for i, c in enumerate(r)) for r in self.rows()]
        return "\n".join(lines + self.ratios())

    def markdown(self) -> str:
        lines = ["| what | n | min ms | median ms | p95 ms | max ms |", "|---|--:|--:|--:|--:|--:|"]
        lines += [f"| {' | '.join(r)} |" for r in self.rows()]
        return "\n".join(lines + [""] + [f"- {r}" for r in self.ratios()] + [f"- {n}" for n in self.notes])


def forget_erasures(state: Path) -> None:
    """Empty the suppression list of the state store, so that each run is a first request for its subject, as most
    are (a subject erased before is planned before the erasure to see whether anything remains)."""
    if state.exists():
        with sqlite3.connect(state) as db:
            if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'suppression'").fetchone():
                db.execute("DELETE FROM suppression")


def time_process(cmd: list[str], env: dict[str, str], stdin: str | None = None) -> float:
    """Wall milliseconds of a whole process, start to exit; its failure stops the benchmark."""
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, input=stdin, capture_output=True, text=True)
    ms = (time.perf_counter() - t0) * 1000
    if proc.returncode:
        raise SystemExit(f"{cmd[0]} {cmd[1] if len(cmd) > 1 else ''} failed: {(proc.stderr or proc.stdout)[-800:]}")
    return ms


def eraser_process(config: Path, email: str) -> list[str]:
    return [str(Path(sys.executable).with_name("eraser")), "--log-level", "WARNING", "erase", "--config",
            str(config), "--subject", f"email={email}", "--yes", "--operator", "bench"]


def psql_process(dsn: str, email: str, cutoff: date, script: Path) -> list[str]:
    return ["psql", "-X", "-q", "-d", dsn, "-v", f"email={email}", "-v", f"cutoff={cutoff}", "-f", str(script)]


def compare(pids: list[int], email_of: Any, reset: Any, erase_one_subject: Any, dsn: str, config: Path,
            cutoff: date, title: str, process: bool, out: Path) -> Comparison:
    """Eraser, baseline, baseline + free text (and the two processes), subject after subject, the subject's rows
    reset (untimed) before each side; stops if a side changed other rows than Eraser did."""
    c = Comparison(title, *(Series(label) for label in Comparison.LABELS))
    script = out / "same_work.psql"
    with psycopg.connect(dsn) as conn:
        lookups = email_lookups(conn)
    script.write_text(psql_script(True, lookups), encoding="utf-8")
    env = dict(os.environ)
    for pid in pids:
        email = email_of(pid)
        run = erase_one_subject(pid)
        c.eraser.ms.append(run.total_ms)
        c.eraser_total.ms.append(run.open_ms + run.total_ms + run.certify_ms)
        expected = eraser_counts(run.done)
        for series, free in ((c.core, False), (c.free_text, True)):
            reset(pid)
            ms, changed = run_in_process(dsn, email, cutoff, free)
            series.ms.append(ms)
            if (diff := same_rows(expected, changed)) is not None:
                raise SystemExit(f"subject {pid}: the baseline did not do the same work: {diff}")
        if process:
            reset(pid)
            forget_erasures(config.with_name("eraser-state.db"))  # a first request, as the in-process erasure was
            c.process_eraser.ms.append(time_process(eraser_process(config, email), env))
            reset(pid)
            c.process_psql.ms.append(time_process(psql_process(dsn, email, cutoff, script), env))
        reset(pid)
    return c


def release_cutoff(today: date) -> date:
    """The first invoice date still retained today under the BE invoices preset (older ones are released)."""
    from eraser.engine.retention import release_date
    from eraser.table_rules import RetainRule

    rule = RetainRule.model_validate({"preset": "invoices", "from": "invoice_date"}, context={"jurisdiction": "BE"})
    return next(date.fromordinal(d) for d in range(date(2000, 1, 1).toordinal(), today.toordinal())
                if release_date(rule, {"invoice_date": date.fromordinal(d)}, today) > today)


INTRO = """Eraser and a hand-written baseline doing the same work, interleaved subject after subject in one run
(`bench/erase_one.py --same-work`, code in `bench/same_work.py`): each subject is erased by Eraser, reset (untimed),
erased by the baseline, reset, erased by the baseline with the free-text search, and with `--process` by the whole
`eraser erase --yes` process and by `psql` running the same statements. The baseline locates the person by email
through the same expression index, deletes and anonymizes the same rows (checked per table against Eraser's counts
on every subject) in one transaction, on the same indexes; it does not verify and writes no certificate.
The database is built by this script's set-based loader, with the shape and proportions of
`eraser.demo.populate()`; with `--dialect mariadb` the same rows are copied into MariaDB and the baseline is the
same statements in MariaDB's dialect (no whole-process lines there). The runs of the `## erase_one` section above
compare with a one-row DELETE, which is not the same work; read their ratios as such. One subject at 1,000,000
persons (22M rows, with the search indexes) is measured in "Fewer round trips per erasure, and one subject at
1,000,000 persons" below, beside 10k and 100k at the same load; the 1M figures of the `## erase_one` section are
older runs of other code. The 2 cores are shared with other developers' test suites and benchmark builds (load
averages of 0.1 to 12 during these runs, given per run)."""


def save(result: Comparison, directory: Path, persons: int, scan: str, trigram: bool, search: bool = False,
         dialect: str | None = None) -> None:
    """The medians of a run, for the growth table across sizes."""
    import json

    directory.mkdir(parents=True, exist_ok=True)
    variant = "bench" if scan != "all" or trigram else "shipped + search indexes" if search else "shipped"
    variant = f"{dialect}, {variant}" if dialect else variant
    med = {s.label: statistics.median(s.ms) for s in (result.eraser, result.eraser_total, result.core,
                                                       result.free_text, result.process_eraser,
                                                       result.process_psql) if s.ms}
    (directory / f"{variant.replace(' + ', '-').replace(' ', '-')}-{persons}.json").write_text(json.dumps({"persons": persons, "variant": variant,
                                                                      "p50": med}), encoding="utf-8")


def growth(directory: Path) -> dict[str, str]:
    """The `Growth` block: p50 of each line at each size measured, per config, and the largest / smallest size."""
    import json

    runs = [json.loads(p.read_text(encoding="utf-8")) for p in directory.glob("*.json")]
    if not runs:
        return {}
    columns: list[tuple[str, list[int]]] = []
    for variant in ("shipped", "shipped + search indexes", "bench", "MariaDB, shipped"):
        sizes = sorted(r["persons"] for r in runs if r["variant"] == variant)
        if sizes:
            columns.append((variant, sizes))
    p50 = {(r["variant"], r["persons"]): r["p50"] for r in runs}
    head = ["p50 ms"]
    for variant, sizes in columns:
        head += [f"{variant}, {n:,} persons" for n in sizes] + ([f"{variant}: {sizes[-1] // sizes[0]}x persons"]
                                                                if len(sizes) > 1 else [])
    lines = ["| " + " | ".join(head) + " |", "|---|" + "--:|" * (len(head) - 1)]
    for label in Comparison.LABELS:
        cells = [label]
        for variant, sizes in columns:
            values = [p50[(variant, n)].get(label) for n in sizes]
            cells += [f"{v:.1f}" if v is not None else "-" for v in values]
            if len(sizes) > 1:
                cells.append(f"{values[-1] / values[0]:.2f}x" if values[0] and values[-1] else "-")
        lines.append("| " + " | ".join(cells) + " |")
    return {"Growth (p50 ms, from the runs above)": "\n".join(lines)}


# -- MariaDB ------------------------------------------------------------------------------------------------------
# The same statements in MariaDB's dialect: no casts, IN lists for arrays, multi-table DELETE and UPDATE with joins
# where PostgreSQL's use IN (subquery) (MariaDB 10.11 reads a single-table DELETE's table whole for those), the
# person's own table named instead of aliased (MariaDB refuses a DELETE's table in its own subquery).

M_RELEASED = "WHERE i.person_id = %(pid)s AND i.invoice_date < %(cutoff)s"
M_REFERENCED = ("(EXISTS (SELECT 1 FROM persons p WHERE p.address_id = addresses.id) "
                "OR EXISTS (SELECT 1 FROM projects r WHERE r.site_address_id = addresses.id))")
M_KEPT = ("(EXISTS (SELECT 1 FROM invoices i WHERE i.person_id = persons.id) "
          "OR EXISTS (SELECT 1 FROM projects r WHERE r.person_id = persons.id))")
M_LOCATE = ("SELECT persons.id, persons.mobile, concat_ws(',', persons.address_id, (SELECT group_concat(DISTINCT "
            "r.site_address_id) FROM projects r WHERE r.person_id = persons.id)) FROM persons WHERE {persons} FOR UPDATE")
M_CORE: list[tuple[str, str, str]] = [
    ("newsletter_subscriptions", "delete", "DELETE FROM newsletter_subscriptions WHERE {newsletter_subscriptions}"),
    ("usage_events", "delete", "DELETE FROM usage_events WHERE person_id = %(pid)s"),
    ("support_messages", "delete", "DELETE FROM support_messages WHERE person_id = %(pid)s"),
    ("photos", "delete", "DELETE ph FROM photos ph JOIN projects pr ON pr.id = ph.project_id "
     "WHERE pr.person_id = %(pid)s"),
    ("invoice_lines", "delete", f"DELETE il FROM invoice_lines il JOIN invoices i ON i.id = il.invoice_id {M_RELEASED}"),
    ("payments", "delete", f"DELETE pa FROM payments pa JOIN invoices i ON i.id = pa.invoice_id {M_RELEASED}"),
    ("invoices", "delete", "DELETE FROM invoices WHERE person_id = %(pid)s AND invoice_date < %(cutoff)s"),
    ("quotes", "anonymize", f"UPDATE quotes q JOIN projects pr ON pr.id = q.project_id SET q.notes = {ERASED} "
     "WHERE pr.person_id = %(pid)s AND EXISTS (SELECT 1 FROM invoices i WHERE i.quote_id = q.id)"),
    ("quotes", "delete", "DELETE q FROM quotes q JOIN projects pr ON pr.id = q.project_id "
     "WHERE pr.person_id = %(pid)s AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.quote_id = q.id)"),
    ("projects", "anonymize", f"UPDATE projects pr JOIN persons p ON p.id = pr.person_id SET pr.title = {ERASED}, "
     f"pr.description = {scrub('pr.description')} WHERE pr.person_id = %(pid)s "
     "AND EXISTS (SELECT 1 FROM quotes q WHERE q.project_id = pr.id)"),
    ("projects", "delete", "DELETE FROM projects WHERE person_id = %(pid)s "
     "AND NOT EXISTS (SELECT 1 FROM quotes q WHERE q.project_id = projects.id)"),
    ("persons", "anonymize", f"UPDATE persons SET first_name = {ERASED}, last_name = {ERASED}, "
     "email = concat('erased-', id, '@invalid'), phone = CASE WHEN phone IS NOT NULL THEN '+32 0' END, "
     "mobile = '+32 0', customer_number = left(md5(rand()), 20), "
     f"date_of_birth = makedate(year(date_of_birth), 1) WHERE id = %(pid)s AND {M_KEPT}"),
    ("persons", "delete", f"DELETE FROM persons WHERE id = %(pid)s AND NOT {M_KEPT}"),
    ("addresses", "anonymize", f"UPDATE addresses SET street = {ERASED}, house_number = NULL, "
     f"postcode = concat(left(postcode, 2), '00') WHERE id IN %(owned)s AND {M_REFERENCED}"),
    ("addresses", "delete", f"DELETE FROM addresses WHERE id IN %(owned)s AND NOT {M_REFERENCED}"),
]


def _m_mentions(column: str) -> str:
    """SQL: the column names the subject (no index serves it on MariaDB: the table is read, as Eraser reads it)."""
    return f"(lower({column}) LIKE concat('%%', %(email)s, '%%') OR {column} LIKE concat('%%', %(mobile)s, '%%'))"


def _m_replaced(column: str) -> str:
    return f"replace(replace({column}, %(email)s, {ERASED}), %(mobile)s, {ERASED})"


M_FREE_TEXT: list[tuple[str, str, str]] = [
    ("support_messages", "redact", f"UPDATE support_messages SET subject = {_m_replaced('subject')}, "
     f"body = {_m_replaced('body')} WHERE {_m_mentions('subject')} OR {_m_mentions('body')}"),
    ("projects", "redact", f"UPDATE projects SET description = {_m_replaced('description')} "
     f"WHERE {_m_mentions('description')}"),
]


_CONNECTORS: dict[str, Any] = {}


def mariadb_lookups(url: str, email: str) -> dict[str, str]:
    """Eraser's own lookup of the email columns on MariaDB (SQLConnector.lookup_clause), as SQL with the address
    written in: a column with a case-insensitive collation is compared as itself, through its own index (prefix
    LIKEs for stored leading spaces), so both sides read the same index rows; the folded comparison then keeps the
    subject's, as Eraser's confirmation in Python does."""
    from connectors.sql import open_connector

    connector = _CONNECTORS.get(url) or _CONNECTORS.setdefault(url, open_connector("baseline", url))
    out = {}
    for table in ("persons", "newsletter_subscriptions"):
        found = str(connector.lookup_clause(table, "email", "email", [email]).compile(
            dialect=connector.engine.dialect, compile_kwargs={"literal_binds": True}))
        # the rows the index finds, kept when their folded address is the subject's (Eraser confirms in Python)
        folded = str(connector.lookup_expression(table, "email", "email").compile(
            dialect=connector.engine.dialect, compile_kwargs={"literal_binds": True})).replace("%", "%%")
        out[table] = f"({found}) AND {folded} = %(email)s"
    return out


def run_in_process_mariadb(connect: Any, url: str, email: str, cutoff: date, free_text: bool
                           ) -> tuple[float, dict[str, dict[str, int]]]:
    """As run_in_process, on MariaDB through PyMySQL (rows counted as matched, as SQLAlchemy counts them)."""
    changed: dict[str, dict[str, int]] = {}
    lookups = mariadb_lookups(url, email)
    t0 = time.perf_counter()
    conn = connect()
    try:
        with conn.cursor() as cur:
            cur.execute(M_LOCATE.format(**lookups), {"email": email})
            row = cur.fetchone()
            if row is None:
                raise SystemExit(f"baseline: no person with the email of subject {email}")
            owned = tuple(int(a) for a in str(row[2] or "").split(",") if a)
            params = {"email": email, "cutoff": cutoff, "pid": row[0], "mobile": row[1], "owned": owned}
            statements = M_CORE[:11] + (M_FREE_TEXT if free_text else []) + M_CORE[11:]
            for table, change, stmt in statements:
                n = cur.execute(stmt.format(**lookups) if "{" in stmt else stmt, params)
                if n:
                    changed.setdefault(table, {})[change] = changed.get(table, {}).get(change, 0) + n
        conn.commit()
    finally:
        conn.close()
    return (time.perf_counter() - t0) * 1000, changed


def compare_mariadb(pids: list[int], email_of: Any, reset: Any, erase_one_subject: Any, connect: Any, url: str,
                    cutoff: date, title: str) -> Comparison:
    """compare() on MariaDB: Eraser in process and the same-work baseline in process, interleaved per subject
    (no whole-process lines: the `mysql` client is not timed here)."""
    c = Comparison(title, *(Series(label) for label in Comparison.LABELS))
    for pid in pids:
        email = email_of(pid)
        run = erase_one_subject(pid)
        c.eraser.ms.append(run.total_ms)
        c.eraser_total.ms.append(run.open_ms + run.total_ms + run.certify_ms)
        expected = eraser_counts(run.done)
        for series, free in ((c.core, False), (c.free_text, True)):
            reset(pid)
            ms, changed = run_in_process_mariadb(connect, url, email, cutoff, free)
            series.ms.append(ms)
            if (diff := same_rows(expected, changed)) is not None:
                raise SystemExit(f"subject {pid}: the baseline did not do the same work: {diff}")
        reset(pid)
    return c
