"""What a purge certifies and what it keeps: the tenant-wide certificate, the dry run's table, and the retained
rows entered in the state store's retained-row schedule, so the retention sweep releases them and issues a
follow-up certificate that names the purge's."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from eraser._time import iso
from eraser.config import Config
from eraser.engine.retention import add_period, release_date
from eraser.purge.result import PurgeResult
from eraser.purge.rules import kept, retained_parent
from eraser.purge.scope import Scope, same
from eraser.table_rules import RetainRule, TableRule


def retained_schedule(scope: Scope, result: PurgeResult) -> Iterator[dict[str, Any]]:
    """Per retained row of this connector: table, primary key and release date (what the sweep needs), streamed
    row by row (a tenant keeps many). A `from: parent` row is released with its parent, found by a join."""
    from eraser.proof.certificates import canonical

    held: dict[str, dict[Any, date]] = {}  # releases of `from: parent` rows whose own children count from them
    for table in reversed(scope.order()):  # parents first, as the sweep lists them
        rule = scope.graph.rules[table].retain
        if scope.graph.rules[table].action != "retain" or rule is None:
            continue
        if rule.from_ == "parent" and any((g := retained_parent(scope, o)) is not None and g.parent == table
                                          for o in scope.tables if o != table):
            held[table] = {}
        for key, day in _releases(scope, table, rule, held):
            if table in held:
                held[table][key] = day
            one = len(key) == 1 and type(key[0]) is int and abs(key[0]) < 2 ** 53  # its canonical JSON, written
            yield {"connector": scope.name, "table_name": table,
                   "primary_key": f"[{key[0]}]" if one else canonical(list(key)).decode(),
                   "release_on": day.isoformat()}


def _releases(scope: Scope, table: str, rule: RetainRule, held: dict[str, dict[Any, date]]
              ) -> Iterator[tuple[tuple[Any, ...], date]]:
    """(primary key, release date) of the tenant's retained rows of one table, in key order; each distinct start
    date (or parent's) computed once."""
    t = scope.t(table)
    pk = scope.pk_cols(table, t)
    n = len(pk)
    mine = [scope.mine(table, t), kept(scope, table, t)]
    e = retained_parent(scope, table) if rule.from_ == "parent" else None
    up = scope.graph.rules[e.parent].retain if e is not None and e.parent in scope.tables else None
    releases: dict[Any, date] = {}
    if e is not None and up is not None:
        p = scope.t(e.parent).alias()
        own = sa.case((sa.and_(scope.mine(e.parent, p), kept(scope, e.parent, p)), 1), else_=0)
        begin = [p.c[up.from_]] if up.from_ not in ("request", "parent") else [sa.null()]
        stmt = sa.select(*pk, own, *begin, *scope.pk_cols(e.parent, p)).select_from(t).join(
            p, same([p.c[c] for c in e.parent_cols], [t.c[c] for c in e.child_cols])).where(*mine)
        above = held.get(e.parent)
        for row in _stream(scope, stmt, pk):
            if above is not None:  # the parent's own release came from its parent
                parent: date | None = above.get(tuple(row[n + 2:])) if row[n] else None
                yield tuple(row[:n]), release_date(rule, {}, scope.today, parent_release=parent)
                continue
            key = (row[n], row[n + 1])
            if key not in releases:
                parent = release_date(up, {up.from_: key[1]} if up.from_ not in ("request", "parent") else {},
                                      scope.today) if key[0] else None
                releases[key] = release_date(rule, {}, scope.today, parent_release=parent)
            yield tuple(row[:n]), releases[key]
        return
    begin = [t.c[rule.from_]] if rule.from_ not in ("request", "parent") else [sa.null()]
    for row in _stream(scope, sa.select(*pk, *begin).where(*mine), pk):
        if row[n] not in releases:
            releases[row[n]] = release_date(rule, {rule.from_: row[n]} if rule.from_ not in ("request", "parent")
                                            else {}, scope.today)
        yield tuple(row[:n]), releases[row[n]]


def _stream(scope: Scope, stmt: Any, pk: list[Any]) -> Any:
    return scope.run(stmt.order_by(*pk).execution_options(stream_results=True, yield_per=5000))


def purge_payload(config: Config, result: PurgeResult, ticket: dict[str, Any] | None, started_at: datetime,
                  action: str) -> dict[str, Any]:
    """The tenant-wide certificate: counts per table and action, retained rows with basis and release range,
    the return package's manifest digest, the verification, what remains in backups. No row value."""
    from eraser.proof.payload import config_dialects, remaining_parts, software

    completed = datetime.now(UTC)
    databases: dict[str, list[dict[str, Any]]] = {}
    retained = []
    for p in result.parts:
        rule: TableRule = config.connectors[p.connector].tables[p.table]
        entry: dict[str, Any] = {"table": p.table, "rows": p.rows, "counts": dict(p.counts)}
        if result.appeared(p):
            entry["appeared_during_purge"] = result.appeared(p)
        if rule.category:
            entry["category"] = rule.category
        if p.counts["anonymize"]:
            entry["strategies"] = {c: str(s) for c, s in sorted(rule.columns.items())}
        databases.setdefault(p.connector, []).append(entry)
        if p.counts["retain"] and rule.retain is not None:
            retained.append({"connector": p.connector, "table": p.table, "rows": p.counts["retain"],
                             "basis": rule.retain.basis, "period": rule.retain.period,
                             "counted_from": rule.retain.from_,
                             "release_first": (p.release or {}).get("first"),
                             "release_last": (p.release or {}).get("last")})
    backups_until = add_period(completed.date(), config.backups.retention)
    received = ticket["received_at"] if ticket else started_at
    return {
        "certificate": {"type": "purge"},
        "issuer": {"organisation": config.organisation, "role": config.role, "software": software()},
        "controller": config.controller_name,
        "ticket": {"reference": (ticket.get("external_ref") or ticket["id"]) if ticket else f"purge:{result.purge_id}",
                   "kind": "purge", "received_at": iso(received), "started_at": iso(started_at),
                   "completed_at": iso(completed)},
        "legal_ground": "End of the contract: all personal data deleted, or returned and then deleted, at the end "
                        "of the provision of services (GDPR Art. 28(3)(g))",
        "tenant": {"code": result.tenant, "action": action, "mode": result.mode},
        "outcome": "purged_with_retention" if any(r["rows"] for r in retained) else "purged",
        "totals": result.totals(),
        "databases": [{"connector": n, "tables": t} for n, t in sorted(databases.items())],
        "retained": retained,
        "export": result.export,
        "verification": result.verification,
        "execution": {"purge_id": result.purge_id, "batches": sum(len(p.batches) for p in result.parts),
                      "resumed": result.resumed},
        "remaining_copies": {
            "statement": ("This is logical deletion in the databases named above, not sanitization of storage "
                          "media: deleted rows stay in dead tuples until VACUUM (OPTIMIZE TABLE on MariaDB) and in "
                          "the write-ahead log or binary log until it is recycled. Backups (" +
                          config.backups.description + ") keep copies until they expire; after any restore, the "
                          "purge must be applied again."),
            **remaining_parts(config_dialects(config), config.backups.description, "purge"),
            "backups_retention": config.backups.retention,
            "backups_expire_on": backups_until.isoformat()},
    }


def seconds_text(seconds: float | None) -> str:
    if seconds is None:
        return "unknown"
    return str(timedelta(seconds=round(seconds)))


def dry_run_text(result: PurgeResult) -> str:
    """The dry run as a table: rows per action, release-date range of retained rows, estimated time."""
    out = io.StringIO()
    out.write(f"Purge of tenant {result.tenant} ({result.mode} mode): {result.rows:,} row(s) in "
              f"{len(result.parts)} table(s); nothing changed.\n")
    out.write(f"{'table':<28}{'delete':>10}{'anonymize':>11}{'retain':>10}{'review':>9}  retained until\n")
    for p in result.parts:
        c = p.counts
        rel = f"{p.release['first']} .. {p.release['last']}" if p.release and c["retain"] else ""
        out.write(f"{p.connector + '.' + p.table:<28}{c['delete']:>10,}{c['anonymize']:>11,}{c['retain']:>10,}"
                  f"{c['review']:>9,}  {rel}\n")
    t = result.totals()
    out.write(f"{'total':<28}{t['delete']:>10,}{t['anonymize']:>11,}{t['retain']:>10,}{t['review']:>9,}\n")
    out.write(f"Estimated time: {seconds_text(result.estimate_seconds)} ({result.estimate_basis}).\n")
    return out.getvalue()
