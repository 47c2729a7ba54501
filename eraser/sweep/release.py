"""Planning a release: which due rows of one parent certificate go (deleted or anonymized as their rule says),
which stay for now and why (another certificate still retains them, a legal hold, a row that stays still refers
to them, a table that left the config), and the digests of every row that must stay as it is. Carried out and
certified by eraser.sweep."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa

from connectors.base import Key
from eraser.config import Config
from eraser.engine.holds import hold_on, tenant_reference
from eraser.engine.plan import Decision, Plan, TablePlan, _fold, _referencing
from eraser.engine.retention import ActiveHold
from eraser.engine.schema import Graph
from eraser.engine.session import Session
from eraser.engine.verify import row_digest
from eraser.proof.certificates import canonical
from eraser.store.state import StateStore
from eraser.store.tables import retained_rows, tickets
from eraser.store.tickets import RetainedRow
from eraser.table_rules import TableRule

UNCONFIGURED = TableRule(action="delete")  # the rule of a table outside the config whose rows refer to released rows


@dataclass
class Line:
    """What becomes of the due rows of one table under one parent certificate (counts and dates, no values)."""

    parent: str
    connector: str
    table: str
    action: str  # delete | anonymize | absent | not yet | hold | error
    rows: int
    release_dates: list[str]
    reason: str


@dataclass
class Release:
    """The planned release of one parent certificate's due rows."""

    parent: str
    plan: Plan
    items: dict[tuple[str, str, Key], RetainedRow]  # planned row -> its retained_rows entry
    absent: list[RetainedRow]
    lines: list[Line]
    kept: dict[tuple[str, str, Key], tuple[str, set[str]]] = field(default_factory=dict)

    def going(self) -> list[tuple[str, str, Key]]:
        return [(tp.connector, tp.table, k) for tp in self.plan.tables for k in tp.keys("delete") + tp.keys("anonymize")]


def plan_release(session: Session, store: StateStore, parent_id: str, items: list[RetainedRow], today: date,
                 conns: dict[str, Any], for_update: bool) -> Release:
    """Decide every due row of one parent certificate, and digest every row that must stay as it is."""
    config = session.config
    tables = {(name, t): TablePlan(name, t, rule, {}, {}, []) for name, graph in session.graphs.items()
              for t, rule in graph.rules.items()}
    plan = Plan(f"retention release of {parent_id}", [], today, None, [])
    release = Release(parent_id, plan, {}, [], [])
    held = _ticket_holds(config, store, {i["ticket_id"] for i in items}, today)
    outcome: dict[int, tuple[str, str]] = {}  # item id -> (action, reason) for those not planned as a row
    groups: dict[tuple[str, str], list[RetainedRow]] = defaultdict(list)
    for item in items:
        groups[(item["connector"], item["table_name"])].append(item)
    for (name, table), group in sorted(groups.items()):
        if name not in session.graphs or table not in session.graphs[name].rules:
            why = "no longer in the config" if name in session.graphs else f"connector {name} is no longer in the config"
            outcome.update({i["id"]: ("error", why) for i in group})
            continue
        graph = session.graphs[name]
        table_rule = graph.rules[table]
        pk = graph.pk(table)
        present = {_text_key(tuple(r[c] for c in pk)): r
                   for r in graph.connector.rows_by_keys(conns[name], table, pk, [i["primary_key"] for i in group],
                                                         for_update=for_update)}
        tp = tables[(name, table)]
        for item in group:
            row = present.get(_text_key(item["primary_key"]))
            rule = (table_rule.for_row(row) if row is not None else None) or (0, table_rule)
            then = rule[1].retain.then if rule[1].retain else "delete"
            strategies = {c: s for c, s in rule[1].columns.items() if s.kind != "keep"} if then == "anonymize" else {}
            if item["ticket_id"] in held:
                outcome[item["id"]] = ("hold", f"legal hold: {held[item['ticket_id']].reason}")
            elif row is None:
                outcome[item["id"]] = ("absent", "already absent before this sweep")
                release.absent.append(item)
            elif then == "anonymize" and not strategies:
                outcome[item["id"]] = ("error", "released by anonymizing, but no columns: say how")
            else:
                key = tuple(row[c] for c in pk)
                tp.rows[key] = row
                tp.decisions[key] = Decision(then, f"retention period ended on {item['release_on'].isoformat()}",
                                             item["release_on"], dict(strategies))
                release.items[(name, table, key)] = item
    for name, graph in session.graphs.items():
        _still_retained(config, store, graph, tables, release, held, conns[name], today)
        _hold_back_referenced(graph, tables, conns[name])
    plan.tables = list(tables.values())
    release.lines = _lines(parent_id, items, release, outcome)
    release.kept = {(tp.connector, tp.table, key): (row_digest(tp.rows[key]), set())
                    for tp in plan.tables for key, d in tp.decisions.items() if d.action == "retain"}
    return release


def _text_key(key: Any) -> str:
    return canonical(list(key)).decode()


def _ticket_holds(config: Config, store: StateStore, ticket_ids: set[str], today: date) -> dict[str, ActiveHold]:
    """The legal hold, if any, on the subject (or tenant) of each ticket."""
    held: dict[str, ActiveHold] = {}
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(tickets.c.id, tickets.c.subject_ref, tickets.c.identifier_refs, tickets.c.tenant)
                            .where(tickets.c.id.in_(sorted(ticket_ids)))).all()
    for row in rows:
        refs = {row.subject_ref, *json.loads(row.identifier_refs or "[]")}
        if row.tenant:
            refs.add(tenant_reference(row.tenant))
        hold = hold_on(config, store, refs, today)
        if hold is not None:
            held[row.id] = hold
    return held


def _still_retained(config: Config, store: StateStore, graph: Graph, tables: dict[tuple[str, str], TablePlan],
                    release: Release, held: dict[str, ActiveHold], conn: Any, today: date) -> None:
    """Rows still retained (under any certificate) in the tables this release touches stay exactly as they are: they
    are digested, and one planned for release that another certificate still retains is not released yet."""
    name = graph.connector.name
    released = {t for (c, t), tp in tables.items() if c == name and tp.decisions}
    if not released:
        return
    touched = sorted(released | {e.child for e in graph.edges if e.parent in released})  # cascades reach children
    planned = {(t, _text_key(k)): k for (c, t, k) in release.items if c == name}
    ids = {i["id"] for i in release.items.values()}
    with store.engine.connect() as sconn:
        others = [r for r in sconn.execute(sa.select(retained_rows).where(
            retained_rows.c.connector == name, retained_rows.c.table_name.in_(touched),
            retained_rows.c.released_at.is_(None))) if r.id not in ids]
    extra_held = _ticket_holds(config, store, {r.ticket_id for r in others} - set(held), today) if others else {}
    by_table: dict[str, list[Any]] = defaultdict(list)
    for r in others:
        by_table[r.table_name].append(r)
    for table, rows in sorted(by_table.items()):
        tp = tables.setdefault((name, table), TablePlan(name, table, UNCONFIGURED, {}, {}, []))
        for r in rows:
            key = planned.get((table, r.primary_key))
            staying = r.release_on > today or r.ticket_id in held or r.ticket_id in extra_held
            if key is not None and key in tp.rows and staying and tp.decisions[key].action != "retain":
                tp.decisions[key] = Decision("retain", "not yet: still retained under certificate "
                                             f"{r.certificate_id} until {r.release_on.isoformat()}",
                                             tp.decisions[key].release)
        pk = graph.pk(table)
        for row in graph.connector.rows_by_keys(conn, table, pk, [tuple(json.loads(r.primary_key)) for r in rows]):
            key = tuple(row[c] for c in pk)
            if key not in tp.decisions:
                tp.rows[key] = row
                tp.decisions[key] = Decision("retain", "still retained")


def _hold_back_referenced(graph: Graph, tables: dict[tuple[str, str], TablePlan], conn: Any) -> None:
    """A row to delete that a row which stays still refers to is not released yet (whatever the foreign key's ON
    DELETE: a cascade or SET NULL would change the row that stays, RESTRICT would refuse); the rows that refer to
    released rows are digested too."""
    name = graph.connector.name
    changed = True
    while changed:
        changed = False
        for table in graph.delete_order():
            tp = tables[(name, table)]
            doomed = tp.keys("delete")
            if not doomed:
                continue
            why: dict[Key, Counter[str]] = defaultdict(Counter)
            for edge in graph.inbound(table):
                child = tables.get((name, edge.child))
                going = set(child.keys("delete")) if child else set()
                by_ref: dict[Key, list[Key]] = defaultdict(list)
                for k in doomed:
                    by_ref[_fold(tuple(tp.rows[k][c] for c in edge.parent_cols))].append(k)
                referrers = _referencing(graph, edge, [tuple(tp.rows[k][c] for c in edge.parent_cols) for k in doomed],
                                         conn)
                for child_key, ref in referrers:
                    if child_key is not None and child_key in going:
                        continue
                    # the database matched it to one of them: if Python cannot tell which, hold them all back
                    for k in by_ref.get(_fold(ref)) or doomed:
                        why[k][edge.child] += 1
                _digest_referrers(graph, edge.child, [c for c, _ in referrers if c is not None], tables, conn)
            # a row kept with the rows that refer to it (`retain: keeps:`) is anonymized where they stay
            strategies = {c: s for c, s in tp.rule.columns.items() if s.kind != "keep"} \
                if tp.rule.retain is None else {}
            for k, counted in why.items():
                users = ", ".join(f"{t} ({n})" for t, n in sorted(counted.items()))
                tp.decisions[k] = Decision("anonymize", f"retention period ended; still referenced by {users}",
                                           tp.decisions[k].release, dict(strategies)) if strategies else \
                    Decision("retain", f"not yet: still referenced by {users}", tp.decisions[k].release)
                changed = True


def _digest_referrers(graph: Graph, table: str, keys: list[Key], tables: dict[tuple[str, str], TablePlan],
                      conn: Any) -> None:
    name = graph.connector.name
    tp = tables.setdefault((name, table), TablePlan(name, table, UNCONFIGURED, {}, {}, []))
    pk = graph.pk(table)
    for row in graph.connector.rows_by_keys(conn, table, pk, [k for k in keys if k not in tp.decisions]):
        key = tuple(row[c] for c in pk)
        tp.rows[key] = row
        tp.decisions[key] = Decision("retain", "refers to a released row")


def _lines(parent: str, items: list[RetainedRow], release: Release,
           outcome: dict[int, tuple[str, str]]) -> list[Line]:
    decided = {i["id"]: (release.plan.table(c, t).decisions[k].action, release.plan.table(c, t).decisions[k].reason)
               for (c, t, k), i in release.items.items()}
    grouped: dict[tuple[str, str, str, str], list[RetainedRow]] = defaultdict(list)
    for item in items:
        action, reason = outcome.get(item["id"]) or decided[item["id"]]
        if action == "retain":
            action = "not yet"
        elif action in ("delete", "anonymize"):
            reason = "retention period ended"  # on the release dates the line lists
        grouped[(item["connector"], item["table_name"], action, reason)].append(item)
    return [Line(parent, c, t, a, len(g), sorted({i["release_on"].isoformat() for i in g}), r)
            for (c, t, a, r), g in sorted(grouped.items())]
