"""One read of each text table per erasure on MariaDB, where nothing indexes text inside a value and every text
search reads the table (eraser/engine/search_index.py): before the changes, the erasure reads each table the
free-text redaction and the residual scan search, once, for every row holding any of their search terms. The
redaction then takes its rows from that read, and the residual scan, after the changes, reads again by primary
key only those rows and the rows the plan covers (the rows Eraser wrote).

That is the residual scan's full read only if nothing in the transaction can put an identifier into any other
row. Eraser's own writes are Faker values and redaction marks in the planned rows and in the rows found; the
database's own actions are what this module checks before it is used:
- a trigger can copy anything anywhere: where the connector's schema has one, its tables are read again after
  the changes, as before (the plan says so: eraser.engine.search_index.slow_scan_note);
- a foreign key that cascades (ON DELETE or ON UPDATE CASCADE, SET NULL, SET DEFAULT) can delete or move rows
  the plan does not name: a table read in part (`max_rows_per_table`) that is the child of one is read again
  after the changes, since its newest rows are then not known beforehand. Otherwise such a table is read before
  in its newest `max_rows_per_table` rows plus as many as the plan deletes from it: the newest rows left after
  the deletes are among them;
- a table without a primary key cannot be read again by key: it is read again after the changes.
Other transactions see nothing uncommitted, and this one reads a consistent snapshot of theirs (InnoDB's
REPEATABLE READ) before and after alike. A table read whole for the redaction is then scanned whole by the
residual scan too (not in its newest rows only).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
import structlog

from connectors.base import Key
from connectors.sql import SQLConnector, _chunks
from eraser.config import Config
from eraser.engine.residual import names_if_found, scan_tables, with_stored_identifiers
from eraser.engine.search_index import larger_than, text_columns, triggers
from eraser.engine.terms import Terms, subject_terms
from eraser.engine.textsearch import Hit, Search, _as_text, find_all
from eraser.subjects import Subject

if TYPE_CHECKING:
    from eraser.engine.plan import Plan

log = structlog.get_logger("eraser.engine.candidates")

MOVING = {"CASCADE", "SET NULL", "SET DEFAULT"}


def _moved_by_keys(connector: SQLConnector, table: str) -> bool:
    """Whether a foreign key of the table deletes or changes its rows when a parent row changes."""
    return any(str(fk.ondelete or "").upper() in MOVING or str(fk.onupdate or "").upper() in MOVING
               for fk in connector.table(table).foreign_key_constraints)


def either(a: Terms, b: Terms) -> Terms:
    """Terms that find and confirm what either finds and confirms."""
    patterns = [p.pattern for p in (a.pattern, b.pattern) if p is not None]
    return Terms(tuple(dict.fromkeys(a.search + b.search)),
                 re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE) if patterns else None,
                 max(a.skipped, b.skipped), tuple(sorted(set(a.phones) | set(b.phones))), a.regions or b.regions)


@dataclass
class Candidates:
    """One connector's read before the changes: per table, the rows holding any search term (key -> the text
    columns that hold one, as read), and how each table is to be searched after the changes."""

    found: dict[str, Hit]
    columns: dict[str, list[str]]  # the residual scan's text columns, per table it searched
    partial: set[str]  # read in their newest rows only
    again: set[str] = field(default_factory=set)  # read again after the changes (see the module's docstring)

    def free_text(self, table: str, columns: list[str], terms: Terms) -> Hit | None:
        """The rows whose `columns` hold one of `terms`, from the read before the changes; None: search again."""
        if table in self.again or table not in self.found:
            return None
        hit = Hit(table)
        for key, cols in self.found[table].rows.items():
            held = {c: t for c, t in cols.items() if c in columns and terms.found(t)}
            if held:
                hit.rows[key] = held
        return hit

    def after(self, connector: SQLConnector, conn: Any, table: str, terms: Terms, plan: Plan, name: str
              ) -> tuple[Hit, bool] | None:
        """The residual scan of a table after the changes: the rows found before and the plan's rows, read again
        by primary key; None: search the table again."""
        if table in self.again or table not in self.found or table not in self.columns:
            return None
        tab = connector.table(table)
        pk = [c.name for c in tab.primary_key.columns]
        columns = self.columns[table]
        keys: set[Key] = set(self.found[table].rows)
        keys |= {tuple(row[c] for c in pk) for tp in plan.tables if tp.connector == name and tp.table == table
                 for row in tp.rows.values() if all(c in row for c in pk)}
        hit = Hit(table)
        ordered = sorted((k for k in keys if all(v is not None for v in k)), key=repr)
        for chunk in _chunks(ordered):
            stmt = sa.select(*(tab.c[c] for c in pk), *(_as_text(tab.c[c]).label(f"t_{i}")
                                                        for i, c in enumerate(columns)))
            for r in connector._run(conn, stmt.where(connector._in(tab, pk, list(chunk)))):
                m = r._mapping
                held = {c: m[f"t_{i}"] for i, c in enumerate(columns) if terms.found(m[f"t_{i}"])}
                if held:
                    hit.rows[tuple(m[c] for c in pk)] = held
        return hit, table in self.partial


def read_candidates(connectors: dict[str, SQLConnector], config: Config, subject: Subject, conns: dict[str, Any],
                    plan: Plan) -> None:
    """Before the changes, on each MariaDB connector: the one read (plan.candidates[connector])."""
    residual = subject_terms(names_if_found(subject, plan), config)
    redactable = subject_terms(with_stored_identifiers(subject, config, plan), config)
    terms = either(residual, redactable)
    if not terms:
        return
    for name, connector in connectors.items():
        if connector.dialect != "mysql":
            continue
        conn = conns[name]
        if n := triggers(connector, conn):
            log.info("triggers: text tables read again after the changes", connector=name, triggers=n)
            continue
        settings = config.connectors[name].residual_scan
        columns = {t: cols for t in scan_tables(connector, settings) if (cols := text_columns(connector, t))}
        free = {t: list(rule.free_text) for t, rule in config.connectors[name].tables.items() if rule.free_text}
        read = {t: list(dict.fromkeys([*columns.get(t, []), *free.get(t, [])])) for t in {*columns, *free}}
        again = {t for t in read if not connector.table(t).primary_key.columns}
        limit = settings.max_rows_per_table
        windowed = [t for t in read if t not in free and t not in again]
        large = larger_than(connector, conn, windowed, limit) if limit is not None and windowed else set()
        again |= {t for t in large if _moved_by_keys(connector, t)}
        deleted = {tp.table: len(tp.keys("delete")) for tp in plan.tables if tp.connector == name}
        searches = {t: Search(cols, limit + deleted.get(t, 0) if t in large and limit is not None else None)
                    for t, cols in read.items() if t not in again}
        # the free-text tables with both searches' terms, the others with the residual scan's alone (each term
        # is one more comparison per column and row: the redaction's phone number and keys are not looked for there)
        found = find_all(connector, conn, {t: s for t, s in searches.items() if t in free}, terms)
        found.update(find_all(connector, conn, {t: s for t, s in searches.items() if t not in free}, residual))
        plan.candidates[name] = Candidates({t: hit for t, (hit, _) in found.items()}, columns, large - again, again)
