"""Rows -> decisions: delete, anonymize, retain (basis, release date), hold, or review (shared, left alone).

Over-erasure is as serious as under-erasure: a row is only deleted when nothing that stays refers to it.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from connectors.base import Edge, Key, Row
from eraser.engine import links
from eraser.engine.locate import Found
from eraser.engine.retention import ActiveHold, release_date
from eraser.engine.schema import Graph
from eraser.table_rules import RetainRule, Strategy, TableRule

if TYPE_CHECKING:
    from eraser.engine.kept import KeptForOthers

Action = Literal["delete", "anonymize", "retain", "hold", "review"]
ACTIONS: tuple[Action, ...] = ("delete", "anonymize", "retain", "hold", "review")


@dataclass
class Decision:
    action: Action
    reason: str
    release: date | None = None
    strategies: dict[str, Strategy] = field(default_factory=dict)
    kept_with: str | None = None  # retained because a retained row of this table refers to it (`retain: keeps:`)
    kept_by: RetainRule | None = None  # with kept_with: the retain: block (the table's or a row rule's) it is kept by
    rule: str | None = None  # the row rule that took the row (tables with `rules:`), NO_RULE when none did
    code: str = ""  # what the reason says, for renderers in other languages: shared, referenced ("" = none)
    params: dict[str, Any] = field(default_factory=dict)  # the reason's values, by name (no row value)


NO_RULE = "no rule"


@dataclass
class TablePlan:
    connector: str
    table: str
    rule: TableRule
    rows: dict[Key, Row]
    decisions: dict[Key, Decision]
    reached: list[str]

    def keys(self, action: Action) -> list[Key]:
        return [k for k, d in self.decisions.items() if d.action == action]

    def counts(self) -> dict[str, int]:
        counted = Counter(d.action for d in self.decisions.values())
        return {a: counted.get(a, 0) for a in ACTIONS}

    def summary(self) -> dict[str, Any]:
        """What happens to this table's rows and why, without any row value."""
        out: dict[str, Any] = {"connector": self.connector, "table": self.table, "found": len(self.rows),
                               "counts": self.counts(), "reached_by": self.reached}
        if self.rule.category:
            out["category"] = self.rule.category
        reasons: dict[str, list[str]] = {}
        for d in self.decisions.values():
            if d.reason not in reasons.setdefault(d.action, []):
                reasons[d.action].append(d.reason)
        out["reasons"] = reasons
        if self.rule.rules:
            by_rule: dict[str, Counter[str]] = {}
            for d in self.decisions.values():
                by_rule.setdefault(d.rule or NO_RULE, Counter())[d.action] += 1
            order = [r.label(i) for i, r in enumerate(self.rule.rules)] + [NO_RULE]
            out["rules"] = {r: dict(sorted(by_rule[r].items())) for r in order if r in by_rule}
        strategies = {c: str(s) for d in self.decisions.values() if d.action in ("anonymize", "retain")
                      for c, s in sorted(d.strategies.items())}
        if strategies:
            out["strategies"] = strategies
        releases = sorted(d.release for d in self.decisions.values() if d.action == "retain" and d.release)
        if releases:
            out["release"] = {"first": releases[0].isoformat(), "last": releases[-1].isoformat()}
        if self.rule.recipients and any(d.action in ("delete", "anonymize") for d in self.decisions.values()):
            out["recipients"] = list(self.rule.recipients)
        return out


@dataclass
class Plan:
    subject_ref: str
    identifier_types: list[str]
    request_date: date
    hold: ActiveHold | None
    tables: list[TablePlan]
    kept: KeptForOthers | None = field(default=None, repr=False, compare=False)  # judges other people's rows
    # other people's kept rows whose text names the subject: never changed, listed (connector, table, key, column)
    kept_for_others: list[dict[str, Any]] = field(default_factory=list)
    # the free-text redactions, by table, other people's rows included (counts only; eraser.engine.residual)
    free_text: list[dict[str, Any]] = field(default_factory=list)
    # an erasure's one read of the text tables before its changes, by connector (eraser.engine.candidates)
    candidates: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def table(self, connector: str, table: str) -> TablePlan:
        return next(t for t in self.tables if t.connector == connector and t.table == table)

    def totals(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for t in self.tables:
            total.update(t.counts())
        return {a: total.get(a, 0) for a in ACTIONS}

    def fingerprint(self) -> str:
        """Changes whenever a row or a decision would differ: execution refuses a stale plan."""
        digest = hashlib.sha256()
        for t in sorted(self.tables, key=lambda t: (t.connector, t.table)):
            for key, d in sorted(t.decisions.items(), key=lambda kv: repr(kv[0])):
                digest.update(f"{t.connector}|{t.table}|{key!r}|{d.action}|{d.release}\n".encode())
        return digest.hexdigest()

    def to_dict(self) -> dict[str, Any]:
        return {"subject": self.subject_ref, "identifier_types": self.identifier_types,
                "request_date": self.request_date.isoformat(),
                "hold": {"reason": self.hold.reason, "until": self.hold.until.isoformat() if self.hold.until else None}
                if self.hold else None,
                "totals": self.totals(),
                "tables": [t.summary() for t in self.tables],
                "kept_for_others": self.kept_for_others,
                "free_text_redactions": self.free_text}


def _key(row: Row, cols: tuple[str, ...]) -> Key:
    return tuple(row[c] for c in cols)


def _fold(key: Key) -> Key:
    """A key compared as loosely as a SQL collation may (case, accents, trailing spaces), so that a reference
    the database matched to a row is never missed in Python because the two spellings differ."""
    def text(value: str) -> str:
        bare = "".join(ch for ch in unicodedata.normalize("NFKD", value) if not unicodedata.combining(ch))
        return bare.casefold().rstrip(" ")
    return tuple(text(v) if isinstance(v, str) else v for v in key)


def plan_connector(graph: Graph, found: dict[str, Found], conn: Any, request_date: date, today: date,
                   hold: ActiveHold | None) -> list[TablePlan]:
    """Decide every located row of one connector."""
    name = graph.connector.name
    decisions: dict[str, dict[Key, Decision]] = {t: {} for t in graph.rules}
    for table in reversed(graph.delete_order()):  # parents first: 'from: parent' needs their release dates
        rule = graph.rules[table]
        for pk, row in found[table].rows.items():
            decisions[table][pk] = _initial(graph, table, rule, row, found, decisions, request_date, today, hold,
                                            found[table].reasons[pk])
    if hold is None:
        asked: Referencing = {}  # the rows referring to the subject's, read once along each foreign key
        _mark_shared(graph, found, decisions, conn, asked)
        _keep_parents(graph, found, decisions)
        _keep_referenced(graph, found, decisions, conn, asked)
    plans = []
    for table in sorted(graph.rules):
        reached = sorted(set(found[table].reasons.values()))
        plans.append(TablePlan(name, table, graph.rules[table], found[table].rows, decisions[table], reached))
    return plans


def unmatched(plan: Plan) -> list[tuple[str, int]]:
    """(table, rows) of the subject's rows that match none of their table's row rules."""
    out = []
    for tp in plan.tables:
        n = sum(1 for d in tp.decisions.values() if d.rule == NO_RULE)
        if n:
            out.append((f"{tp.connector}.{tp.table}", n))
    return out


def _initial(graph: Graph, table: str, rule: TableRule, row: Row, found: dict[str, Found],
             decisions: dict[str, dict[Key, Decision]], request_date: date, today: date,
             hold: ActiveHold | None, reached: str) -> Decision:
    """The decision of the row rule that takes the row; a row no rule takes is left for review and blocks the
    erasure (plan shows it; erase refuses until a rule says what happens to such rows)."""
    picked = rule.for_row(row)
    if hold is not None:
        until = f" until {hold.until.isoformat()}" if hold.until else ""
        label = None if not rule.rules else NO_RULE if picked is None else rule.rules[picked[0]].label(picked[0])
        return Decision("hold", f"legal hold{until}: {hold.reason}", rule=label)
    if picked is None:
        columns = sorted({c for r in rule.rules for c in r.when})
        return Decision("review", f"matches none of the table's rules (by {', '.join(columns)}); add a rule for "
                                  "such rows before erasing", rule=NO_RULE)
    index, chosen = picked
    decision = _decide(graph, table, chosen, row, found, decisions, request_date, today, reached)
    if index >= 0:
        decision.rule = rule.rules[index].label(index)
    return decision


def _decide(graph: Graph, table: str, rule: TableRule, row: Row, found: dict[str, Found],
            decisions: dict[str, dict[Key, Decision]], request_date: date, today: date, reached: str) -> Decision:
    if rule.action == "retain":
        assert rule.retain is not None
        parent_release = None
        if rule.retain.from_ == "parent":
            releases = []
            for e in graph.outbound(table):
                if e.parent in decisions:
                    parent_rows = found[e.parent].rows
                    value = links.child_ref(e, row)
                    releases += [d.release for k, d in decisions[e.parent].items()
                                 if d.release and value is not None and links.parent_ref(e, parent_rows[k]) == value]
            parent_release = max(releases) if releases else None
        release = release_date(rule.retain, row, request_date, parent_release)
        if release <= today:
            then = rule.retain.then
            return Decision(then, f"retention period ended on {release.isoformat()}",
                            release, dict(rule.columns) if then == "anonymize" else {})
        return Decision("retain", rule.retain.basis, release, dict(rule.minimize))
    if rule.action == "review":
        return Decision("review", "undecided: the config marks this table 'action: review'; choose delete, "
                                  "anonymize or retain before erasing")
    if rule.action == "anonymize":
        return Decision("anonymize", f"configured to anonymize ({reached.split(' ')[0]})", strategies=dict(rule.columns))
    return Decision("delete", "configured to delete")


def _keep_parents(graph: Graph, found: dict[str, Found], decisions: dict[str, dict[Key, Decision]]) -> None:
    """`retain: {keeps: [table]}`: a row of that table which a retained row refers to (an invoice's address) is
    retained with it, on its basis and until its release date (the latest, when several refer to it); a row left
    for review (shared with someone else) stays so."""
    for child in graph.delete_order():  # children first: a kept row can keep its own parents in turn
        rule = graph.rules[child]
        keeps = {p for _, r in rule.variants() if r.retain is not None for p in r.retain.keeps}
        for edge in graph.outbound(child):
            if edge.parent not in keeps or edge.parent not in found or edge.parent == child:
                continue
            parents = {_fold(links.parent_ref(edge, row)): pk for pk, row in found[edge.parent].rows.items()}
            for pk, d in decisions[child].items():
                retain = _retain_of(rule, found[child].rows[pk])
                if retain is None or edge.parent not in retain.keeps:
                    continue
                ref = links.child_ref(edge, found[child].rows[pk])
                target = parents.get(_fold(ref)) if ref is not None else None
                if d.action != "retain" or target is None:
                    continue
                now = decisions[edge.parent][target]
                if now.action in ("delete", "anonymize") or now.action == "retain" and \
                        (now.release or date.min) < (d.release or date.max):
                    decisions[edge.parent][target] = Decision(
                        "retain", f"kept with the retained row(s) of {child} that refer to it: {d.reason}", d.release,
                        dict(graph.rules[edge.parent].minimize), child, retain, rule=now.rule)


def _retain_of(rule: TableRule, row: Row) -> RetainRule | None:
    """The retain: block that applies to a row: the table's, or that of the row rule that takes the row."""
    picked = rule.for_row(row)
    return picked[1].retain if picked is not None else None


Referencing = dict[Edge, tuple[set[Key], list[tuple[Key | None, Key]]]]


def _integers(keys: list[Key]) -> bool:
    return all(type(v) is int for key in keys for v in key)


def _referencing(graph: Graph, edge: Edge, parent_keys: list[Key], conn: Any, asked: Referencing | None = None
                 ) -> list[tuple[Key | None, Key]]:
    """(child primary key or None, referenced parent key as links.parent_ref gives it) for rows of edge.child
    pointing at parent_keys. Within one plan (`asked`: nothing is written meanwhile) a second question along a plain
    foreign key about integer keys already asked is answered from the first answer: for integers, Python's equality
    is the database's, so the rows kept are exactly those the database would return."""
    if asked is not None and edge in asked and links.condition_of(edge) is None and _integers(parent_keys) \
            and set(parent_keys) <= asked[edge][0]:
        wanted = set(parent_keys)
        return [(child, ref) for child, ref in asked[edge][1] if ref in wanted]
    child_pk = graph.connector.table(edge.child).primary_key.columns
    pk_cols = tuple(c.name for c in child_pk)
    select = list(dict.fromkeys(pk_cols + edge.child_cols))
    rows = links.children(graph.connector, conn, edge, parent_keys, select=select)
    found = [(_key(r, pk_cols) if pk_cols else None, ref) for r in rows if (ref := links.child_ref(edge, r)) is not None]
    if asked is not None and links.condition_of(edge) is None and _integers(parent_keys):
        asked[edge] = (set(parent_keys), found)
    return found


def _mark_shared(graph: Graph, found: dict[str, Found], decisions: dict[str, dict[Key, Decision]], conn: Any,
                 asked: Referencing | None = None) -> None:
    """Rows of the subject's that rows outside the subject's data also use stay, for review; the reason names every
    referencing table with its count. Along a followed edge only owned parents can have such rows (locate found
    every child of the others)."""
    for table, f in found.items():
        outside: dict[Key, list[tuple[int, Edge]]] = {}
        for edge in graph.inbound(table):
            check = [pk for pk in f.rows if edge not in graph.follow or edge.child not in found or pk in f.upward]
            if not check:
                continue
            keys = [_key(f.rows[pk], edge.parent_cols) for pk in check]
            refs = Counter(_fold(ref) for child_key, ref in _referencing(graph, edge, keys, conn, asked)
                           if child_key is None or edge.child not in found or child_key not in found[edge.child].rows)
            for pk in check:
                if n := refs.get(_fold(links.parent_ref(edge, f.rows[pk])), 0):
                    outside.setdefault(pk, []).append((n, edge))
        for pk, uses in outside.items():
            if decisions[table][pk].action not in ("review", "hold", "retain"):
                decisions[table][pk] = Decision(
                    "review", _shared_reason(uses), rule=decisions[table][pk].rule, code="shared",
                    params={"uses": [{"rows": n, "table": edge.child, "relation": str(edge)} for n, edge in uses]})


def _shared_reason(uses: list[tuple[int, Edge]]) -> str:
    if len(uses) == 1:
        n, edge = uses[0]
        return f"shared: also used by {n} row(s) of {edge.child} outside this subject's data ({edge}); left for review"
    parts = [f"{n} row(s) of {edge.child} ({edge})" for n, edge in uses]
    return f"shared: also used by {', '.join(parts[:-1])} and {parts[-1]} outside this subject's data; left for review"


def _why_text(by: dict[str, str]) -> str:
    """The English of what still refers to a row (renderers in other languages use the code and params)."""
    if by["kind"] == "outside":
        return f"rows of {by['table']} outside this subject's data"
    return f"{by['kind']} row(s) of {by['table']}"


def _keep_referenced(graph: Graph, found: dict[str, Found], decisions: dict[str, dict[Key, Decision]],
                     conn: Any, asked: Referencing | None = None) -> None:
    """A row to delete that a remaining row still refers to is anonymized instead (or left for review)."""
    referenced: dict[tuple[str, Edge], dict[Key, tuple[str, str]]] = {}  # -> (by what kind of row, its table)
    for table, f in found.items():
        doomed = [pk for pk, d in decisions[table].items() if d.action == "delete"]
        if not doomed:
            continue
        for edge in graph.inbound(table):
            followed = edge in graph.follow and edge.child in found
            if followed and not (set(doomed) & f.upward):
                continue  # locate already found every child of a non-upward row along a followed edge
            keys = [_key(f.rows[pk], edge.parent_cols) for pk in doomed]
            for child_key, ref in _referencing(graph, edge, keys, conn, asked):
                if child_key is None or edge.child not in found or child_key not in found[edge.child].rows:
                    referenced.setdefault((table, edge), {})[_fold(ref)] = ("outside", edge.child)
    changed = True
    while changed:
        changed = False
        inside: dict[tuple[str, Edge], dict[Key, tuple[str, str]]] = {}
        for child, f in found.items():
            for edge in graph.outbound(child):
                if edge.parent not in found:
                    continue
                for pk, d in decisions[child].items():
                    if d.action != "delete" and (held := links.child_ref(edge, f.rows[pk])) is not None:
                        inside.setdefault((edge.parent, edge), {})[_fold(held)] = \
                            (d.action if d.action != "review" else "kept", child)
        for table, f in found.items():
            for pk, d in decisions[table].items():
                if d.action != "delete":
                    continue
                rule = (graph.rules[table].for_row(f.rows[pk]) or (0, graph.rules[table]))[1]
                why = None
                for edge in graph.inbound(table):
                    ref = _fold(links.parent_ref(edge, f.rows[pk]))
                    why = referenced.get((table, edge), {}).get(ref) or inside.get((table, edge), {}).get(ref)
                    if why:
                        break
                if why is None:
                    continue
                changed = True
                by = {"kind": why[0], "table": why[1]}
                if rule.columns:
                    decisions[table][pk] = Decision("anonymize", f"kept and anonymized instead of deleted: still "
                                                    f"referenced by {_why_text(by)}", d.release, dict(rule.columns),
                                                    rule=d.rule, code="referenced", params={"by": by})
                else:
                    decisions[table][pk] = Decision("review", f"not deleted: still referenced by {_why_text(by)}, and "
                                                    "no columns: are configured to anonymize it; left for review",
                                                    rule=d.rule, code="referenced", params={"by": by})
