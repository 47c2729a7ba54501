"""Replay after a backup restore (GDPR Art. 17 and the backups of seed 003).

Every certified erasure is journaled in the state store: connector, table, primary key and action of each row it
deleted, anonymized (with the strategies) or kept, and no personal value. When a database is restored from a
backup taken before some erasures, `eraser replay --since DATE` applies them again by primary key: deleted rows
are deleted again, anonymized rows get fresh replacement values, minimized columns of retained rows are
minimized again, and retained rows must come out byte-identical. Rows released by the retention sweep since the
date are released again. The result is verified inside one transaction per database and certified by a replay
certificate that names the original certificates.

Run it right after the restore, before the restored database takes writes: rows are addressed by primary key.
"""

from __future__ import annotations

import json
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import structlog

from connectors.base import Key, Row
from eraser._time import iso
from eraser.config import Config
from eraser.engine import links
from eraser.engine.anonymize import Anonymizer
from eraser.engine.plan import Plan
from eraser.engine.retention import add_period
from eraser.engine.session import Session
from eraser.engine.verify import row_digest, verdict
from eraser.errors import ConfigError, EraserError, VerificationError
from eraser.proof.certificates import Issued, certify
from eraser.proof.payload import remaining_parts, software
from eraser.store.rights import KeyCodec, RightsStore
from eraser.store.state import StateStore
from eraser.store.tables import _utc
from eraser.store.tickets import JournalEntry
from eraser.table_rules import Strategy

log = structlog.get_logger("eraser.rights.replay")


def journal_entries(config: Config, session: Session, plan: Plan) -> list[JournalEntry]:
    """What an erasure changes (or keeps), per row, without any value: the replay journal of one erasure."""
    codec = KeyCodec(config.secret_bytes())
    entries: list[JournalEntry] = []
    for tp in plan.tables:
        seal = KeyCodec.personal(tp.rule, session.connectors[tp.connector].primary_key(tp.table))
        for key, d in sorted(tp.decisions.items(), key=lambda kv: repr(kv[0])):
            if d.action == "delete":
                action, strategies = "delete", {}
            elif d.action == "anonymize":
                action, strategies = "anonymize", {c: str(s) for c, s in d.strategies.items()}
            elif d.action == "retain":
                strategies = {c: str(s) for c, s in d.strategies.items()}
                action = "minimize" if strategies else "retain"
            else:
                continue  # held and review rows were not touched
            entries.append({"connector": tp.connector, "table": tp.table, "key": codec.encode(key, seal),
                            "action": action, "strategies": strategies})
    return entries


@dataclass
class Step:
    """The last recorded action on one row, and which certificate recorded it."""

    action: str
    strategies: dict[str, str]
    source: str


@dataclass
class ReplayResult:
    since: date
    sources: list[dict[str, Any]]
    done: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)
    verification: dict[str, Any] = field(default_factory=dict)
    files: dict[str, Any] | None = None
    issued: Issued | None = None
    dry_run: bool = False

    def totals(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for counts in self.done.values():
            for action, n in counts.items():
                out[action] = out.get(action, 0) + n
        return out


def _steps(config: Config, store: StateStore, rights: RightsStore, since: datetime
           ) -> tuple[list[dict[str, Any]], dict[tuple[str, str, Key], Step]]:
    """Every recorded erasure and retention release since the date, oldest first, reduced to one step per row:
    the latest one, except that a deleted row stays deleted."""
    from eraser.store.tables import certificates, retained_rows

    sources: list[dict[str, Any]] = []
    events: list[tuple[datetime, str, str, str, Key, str, dict[str, str]]] = []
    for erasure in rights.erasures_since(since):
        sources.append({"certificate_id": erasure["certificate_id"], "kind": erasure["kind"],
                        "certificate_sha256": erasure["certificate_sha256"],
                        "ticket_reference": erasure["ticket_reference"],
                        "completed_at": erasure["completed_at"].isoformat().replace("+00:00", "Z")})
        for row in rights.journal_rows(erasure["certificate_id"]):
            events.append((erasure["completed_at"], erasure["certificate_id"], row["connector"], row["table"],
                           row["key"], row["action"], row["strategies"]))
    with store.engine.connect() as conn:
        released = conn.execute(sa.select(retained_rows, certificates.c.sha256, certificates.c.issued_at)
                                .join(certificates, certificates.c.id == retained_rows.c.followup_certificate_id)
                                .where(retained_rows.c.released_at >= since)
                                .order_by(retained_rows.c.released_at, retained_rows.c.id)).all()
    seen: set[str] = set()
    for r in released:
        rule = config.connectors.get(r.connector)
        table_rule = rule.tables.get(r.table_name) if rule else None
        then = table_rule.retain.then if table_rule is not None and table_rule.retain is not None else "delete"
        strategies = {c: str(s) for c, s in table_rule.columns.items()} if table_rule and then == "anonymize" else {}
        at = _utc(r.released_at) or datetime.now(UTC)
        events.append((at, r.followup_certificate_id, r.connector, r.table_name, tuple(json.loads(r.primary_key)),
                       then, strategies))
        if r.followup_certificate_id not in seen:
            seen.add(r.followup_certificate_id)
            sources.append({"certificate_id": r.followup_certificate_id, "kind": "retention_release",
                            "certificate_sha256": r.sha256, "ticket_reference": "retention sweep",
                            "completed_at": at.isoformat().replace("+00:00", "Z")})
    steps: dict[tuple[str, str, Key], Step] = {}
    for _, source, connector, table, key, action, strategies in sorted(events, key=lambda e: (e[0], e[1])):
        current = steps.get((connector, table, key))
        if current is not None and current.action == "delete":
            continue
        steps[(connector, table, key)] = Step(action, strategies, source)
    sources.sort(key=lambda s: (s["completed_at"], s["certificate_id"]))
    return sources, steps


def replay(config: Config, session: Session, store: StateStore, since: date, dry_run: bool = False,
           directory: Path | None = None, operator: str = "operator") -> ReplayResult:
    """Re-apply every erasure recorded since `since` to the (restored) databases, verify, and certify."""
    from eraser.engine.files import destroy

    started = datetime.now(UTC)
    clock = time.perf_counter()
    rights = RightsStore(store, config.secret_bytes())
    moment = datetime(since.year, since.month, since.day, tzinfo=UTC)
    sources, steps = _steps(config, store, rights, moment)
    result = ReplayResult(since, sources, dry_run=dry_run)
    if not sources:
        return result
    for connector_name, table, _ in steps:
        if connector_name not in session.graphs:
            raise ConfigError(f"the journal names connector '{connector_name}', which the config no longer has; "
                              "replay refuses to guess where its rows are.")
        if table not in session.graphs[connector_name].rules:
            raise ConfigError(f"the journal names table '{table}' of connector '{connector_name}', which the config no "
                              "longer lists; replay refuses to guess what to do with its rows.")
    file_targets: list[dict[str, Any]] = []
    kept_checked = 0
    failures: list[str] = []
    with ExitStack() as stack:  # one transaction per database, all committed together once all verified
        for name, graph in session.graphs.items():
            mine = {(t, k): s for (c, t, k), s in steps.items() if c == name}
            if mine:
                conn = stack.enter_context(graph.connector.read() if dry_run else graph.connector.begin())
                kept, failed = _replay_connector(config, graph, conn, mine, result, file_targets, dry_run)
                kept_checked += kept
                failures += failed
    result.verification = {
        "method": "inside the transaction before commit: rows deleted again are gone, anonymized columns hold new "
                  "values, retained rows are unchanged (SHA-256 per row) and foreign keys and declared links hold; "
                  "the subjects' identifiers are not kept, so rows the original erasures did not see are not "
                  "searched for",
        "result": "NOT RUN (dry run)" if dry_run else verdict(failures, 0), "kept_rows_checked": kept_checked}
    if dry_run:
        return result
    if file_targets or any(r.files is not None for c in config.connectors.values() for r in c.tables.values()):
        result.files = destroy(config, session, file_targets)
    result.issued = certify(config, None, None, directory or config.certificates,
                            payload=_payload(config, session, result, started, operator))
    log.info("replay certified", certificate=result.issued.certificate_id, erasures=len(sources),
             ms=round((time.perf_counter() - clock) * 1000, 1), **result.totals())
    return result


def _replay_connector(config: Config, graph: Any, conn: Any, mine: dict[tuple[str, Key], Step],
                      result: ReplayResult, file_targets: list[dict[str, Any]], dry_run: bool
                      ) -> tuple[int, list[str]]:
    """Re-apply one database's steps inside its open transaction and verify them; returns the kept rows checked."""
    from connectors.files import FileRefusedError, FileStore
    from eraser.engine.files import reference, root_of

    connector = graph.connector
    name = connector.name
    current: dict[str, dict[Key, Row]] = {}
    for table in sorted({t for t, _ in mine}):
        pk = connector.primary_key(table)
        keys = [k for t, k in mine if t == table]
        current[table] = {tuple(r[c] for c in pk): r for r in connector.rows_by_keys(
            conn, table, pk, keys, for_update=not dry_run)}
    for (table, key), step in mine.items():
        counts = result.done.setdefault((name, table), {})
        if key not in current[table]:
            counts["absent"] = counts.get("absent", 0) + 1
        else:
            counts[step.action] = counts.get(step.action, 0) + 1
    if dry_run:
        return 0, []
    # Files of rows erased again: checked before anything changes (an escaping path refuses the replay).
    for (table, key), step in sorted(mine.items(), key=lambda kv: (kv[0][0], repr(kv[0][1]))):
        rule = graph.rules[table].files
        if rule is None or step.action not in ("delete", "anonymize") or key not in current[table]:
            continue
        path = reference(rule, current[table][key])
        if path is not None:
            try:
                FileStore(root_of(config, rule)).check(path)
            except FileRefusedError as exc:
                raise FileRefusedError(f"table {table} ({name}): {exc} The replay was rolled back.") from None
            file_targets.append({"connector": name, "table": table, "key": list(key), "path": path})
    kept = {}
    for (table, key), step in mine.items():
        if step.action in ("retain", "minimize") and key in current[table]:
            kept[(table, key)] = row_digest(current[table][key], set(step.strategies))
    anonymizers: dict[str, Anonymizer] = {}
    for table in sorted({t for t, _ in mine}):
        changes = []
        unique = connector.unique_columns(table)
        for (t, key), step in sorted(mine.items(), key=lambda kv: repr(kv[0][1])):
            if t != table or step.action not in ("anonymize", "minimize") or key not in current[t]:
                continue
            anonymizer = anonymizers.setdefault(step.source, Anonymizer(config.locale, config.secret_bytes()))
            row = current[t][key]
            values = {}
            for col, text in step.strategies.items():
                strategy = Strategy.parse(text)
                if strategy.kind == "keep" or row.get(col) is None:
                    continue

                def taken(candidates: list[Any], col: str = col, table: str = table,
                          connector: Any = connector, conn: Any = conn) -> set[Any]:
                    found = connector.rows_by_keys(conn, table, (col,), [(c,) for c in candidates],
                                                   select=[col])
                    return {r[col] for r in found}

                values[col] = anonymizer.replace(strategy, row[col], connector.column(table, col),
                                                 (table, col) if col in unique else None, taken)
            if values:
                changes.append((key, values))
        if changes:
            connector.update_rows(conn, table, changes)
    try:
        for table in graph.delete_order():
            doomed = [k for (t, k), s in mine.items() if t == table and s.action == "delete"
                      and k in current[t]]
            if doomed:
                connector.delete_rows(conn, table, doomed)
    except sa.exc.IntegrityError:
        raise VerificationError(
            f"replay rolled back on connector '{name}': rows that no recorded erasure covers (kept in the "
            "backup, removed before the erasure ran) still refer to rows it deletes; erase the subject "
            "again with `eraser erase` instead.") from None
    failures = _verify(graph, conn, mine, current, kept)
    if failures:
        raise VerificationError(f"replay verification failed on connector '{name}', everything was rolled "
                                f"back: {'; '.join(failures)}.")
    return len(kept), failures


def _verify(graph: Any, conn: Any, mine: dict[tuple[str, Key], Step], current: dict[str, dict[Key, Row]],
            kept: dict[tuple[str, Key], str]) -> list[str]:
    connector = graph.connector
    failures = []
    for table in sorted(current):
        pk = connector.primary_key(table)
        deleted = [k for (t, k), s in mine.items() if t == table and s.action == "delete" and k in current[t]]
        if deleted and connector.rows_by_keys(conn, table, pk, deleted, select=pk):
            failures.append(f"rows of {table} were not deleted")
        touched = [k for (t, k), s in mine.items() if t == table and k in current[t] and s.action != "delete"]
        now = {tuple(r[c] for c in pk): r for r in connector.rows_by_keys(conn, table, pk, touched)}
        for key in touched:
            step = mine[(table, key)]
            if step.action in ("retain", "minimize") and (key not in now or
                                                          row_digest(now[key], set(step.strategies)) != kept[(table, key)]):
                failures.append(f"a retained row of {table} changed")
            if step.action in ("anonymize", "minimize"):
                for col, text in step.strategies.items():
                    before = current[table][key].get(col)
                    if text.split(":")[0] in ("faker", "hash") and before is not None and now[key].get(col) == before:
                        failures.append(f"a row of {table} still holds an original value in {col}")
    integrity = connector.integrity_problems(conn)
    for edge in graph.edges:
        if not edge.declared:
            continue
        gone = [tuple(current[edge.parent][k][c] for c in edge.parent_cols)
                for (t, k), s in mine.items() if t == edge.parent and s.action == "delete" and k in current[t]]
        if gone and links.children(connector, conn, edge, gone, select=edge.child_cols):
            integrity.append(f"rows of {edge.child} still refer to deleted rows through {edge}")
    if integrity:
        failures.append(f"{len(integrity)} foreign-key violation(s), first: {integrity[0]}")
    return failures


def _payload(config: Config, session: Session, result: ReplayResult, started: datetime,
             operator: str) -> dict[str, Any]:
    databases: dict[str, list[dict[str, Any]]] = {}
    for (name, table), counts in sorted(result.done.items()):
        databases.setdefault(name, []).append({"table": table, "done": dict(sorted(counts.items()))})
    completed = datetime.now(UTC)
    notes = sorted({c.after_erasure_note() for c in session.connectors.values()})
    payload: dict[str, Any] = {
        "certificate": {"type": "replay", "replays": result.sources},
        "issuer": {"organisation": config.organisation, "role": config.role, "software": software()},
        "controller": config.controller_name,
        "ticket": {"reference": f"replay since {result.since.isoformat()}", "kind": "replay",
                   "started_at": iso(started), "completed_at": iso(completed)},
        "legal_ground": "GDPR Art. 17: erasures already carried out and certified, applied again after a restore "
                        "from backup",
        "outcome": "replayed",
        "operator": operator,
        "since": result.since.isoformat(),
        "totals": dict(sorted(result.totals().items())),
        "databases": [{"connector": name, "dialect": session.dialects.get(name, ""), "tables": tables}
                      for name, tables in sorted(databases.items())],
        "verification": result.verification,
        "remaining_copies": {
            "statement": ("This is logical deletion in the databases named above, not sanitization of storage "
                          "media. " + " ".join(notes) + " Rows are addressed by primary key: rows of the "
                          "subjects that the original erasures did not see are not covered. Backups ("
                          + config.backups.description + ") keep copies until they expire."),
            **remaining_parts(session.dialects, config.backups.description, None),
            "backups_expire_on": add_period(completed.date(), config.backups.retention).isoformat()},
    }
    if result.files is not None:
        payload["files"] = result.files
    return payload


def replay_command(config: Config, since: date, state_url: str | None = None, dry_run: bool = False,
                   directory: Path | None = None, operator: str = "operator") -> ReplayResult:
    """Open the state store and the databases, and replay."""
    from eraser.engine.session import open_session

    store = StateStore(state_url or config.state or "")
    try:
        store.migrate()
        with open_session(config) as session:
            return replay(config, session, store, since, dry_run, directory, operator)
    finally:
        store.dispose()


def parse_since(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise EraserError(f"--since {text!r} is not a date (YYYY-MM-DD).") from None
