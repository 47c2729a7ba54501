"""Files that a subject's rows refer to (`files:` per table): found from the plan, checked before the database
commits (a path escaping its root refuses the whole erasure), destroyed after it, and listed in the certificate
by the keyed reference (HMAC) of their path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import structlog

from connectors.base import Key, Row
from connectors.files import METHOD, STATEMENT, FileRefusedError, FileStore, split_path
from eraser.config import Config
from eraser.engine.plan import Plan, TablePlan
from eraser.engine.schema import FIELD
from eraser.proof.keys import keyed_reference
from eraser.table_rules import FilesRule

log = structlog.get_logger("eraser.engine.files")
ERASED = ("delete", "anonymize")


def root_of(config: Config, rule: FilesRule) -> Path:
    """A relative root is relative to the config file, like every other path of the config."""
    if rule.root.is_absolute() or config.path is None:
        return rule.root
    return config.path.resolve().parent / rule.root


def reference(rule: FilesRule, row: Row) -> str | None:
    """The root-relative path a row refers to, or None (a NULL column or template field)."""
    if rule.column is not None:
        value = row.get(rule.column)
        return None if value is None or value == "" else str(value)
    assert rule.directory is not None
    values = {name: row.get(name) for name in FIELD.findall(rule.directory)}
    if any(v is None or str(v) == "" for v in values.values()):
        return None
    return FIELD.sub(lambda m: str(values[m.group(1)]), rule.directory)


def has_files(config: Config) -> bool:
    return any(rule.files is not None for conn in config.connectors.values() for rule in conn.tables.values())


def _file_tables(config: Config, plan: Plan) -> Iterator[tuple[TablePlan, FilesRule, Path, FileStore]]:
    """The plan's tables that refer to files, each with its `files:` rule, its root and the store of that root
    (one store a root)."""
    stores: dict[Path, FileStore] = {}
    for tp in plan.tables:
        rule = tp.rule.files
        if rule is None:
            continue
        root = root_of(config, rule)
        yield tp, rule, root, stores.get(root) or stores.setdefault(root, FileStore(root))


def targets(config: Config, plan: Plan, actions: tuple[str, ...] = ERASED,
            personal_keys: set[tuple[str, str]] | None = None) -> list[dict[str, Any]]:
    """The files of rows whose decision is in `actions`, each checked: FileRefusedError (nothing is changed) for a
    path that is absolute, climbs out of the root with `..`, or goes through a symbolic link."""
    out: list[dict[str, Any]] = []
    for tp, rule, root, store in _file_tables(config, plan):
        for key, decision in sorted(tp.decisions.items(), key=lambda kv: repr(kv[0])):
            if decision.action not in actions:
                continue
            path = reference(rule, tp.rows[key])
            if path is None:
                continue
            try:
                store.check(path)
            except FileRefusedError as exc:
                row = "a row" if personal_keys and (tp.connector, tp.table) in personal_keys else \
                    f"row {list(key)}"
                raise FileRefusedError(f"table {tp.table} ({tp.connector}), {row}: {exc} Nothing was changed; fix "
                                       f"the row or the files root ({root}) and try again.") from None
            out.append({"connector": tp.connector, "table": tp.table, "key": list(key), "path": path})
    return out


def destroy(config: Config, session: Any, found: list[dict[str, Any]]) -> dict[str, Any]:
    """Destroy the files (after the database commit); a file another row outside the subject's data still refers
    to is left in place. Returns the certificate's `files` section (paths only as keyed references)."""
    shared = _shared(config, session, found)
    entries = []
    stores: dict[Path, FileStore] = {}
    for target in found:
        rule = config.connectors[target["connector"]].tables[target["table"]].files
        assert rule is not None
        root = root_of(config, rule)
        store = stores.get(root) or stores.setdefault(root, FileStore(root))
        path_ref = keyed_reference(config.secret_bytes(), "file-path", target["path"])  # a path is guessable
        if (target["connector"], target["table"], target["path"]) in shared:
            entries.append({"connector": target["connector"], "table": target["table"],
                            "path_ref": path_ref, "status": "shared", "files": 0,
                            "detail": "another row outside the subject's data refers to it; left in place"})
            continue
        result = store.destroy(target["path"])
        entry: dict[str, Any] = {"connector": target["connector"], "table": target["table"],
                                 "path_ref": path_ref, "status": result.status, "files": result.files}
        if result.detail:
            entry["detail"] = result.detail
        entries.append(entry)
    unique = {(e["connector"], e["table"], e["path_ref"]): e for e in entries}
    entries = [unique[k] for k in sorted(unique)]
    counts = {s: sum(1 for e in entries if e["status"] == s) for s in ("destroyed", "absent", "shared", "failed",
                                                                        "refused")}
    if counts["failed"] or counts["refused"]:
        log.warning("files not destroyed", failed=counts["failed"], refused=counts["refused"])
    return {"method": METHOD, "statement": STATEMENT, "counts": counts,
            "files_destroyed": sum(e["files"] for e in entries if e["status"] == "destroyed"), "entries": entries}


def _shared(config: Config, session: Any, found: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
    """(connector, table, path) of files that rows outside the subject's data refer to, read after the commit."""
    by_table: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for target in found:
        by_table.setdefault((target["connector"], target["table"]), []).append(target)
    shared = set()
    for (name, table), items in by_table.items():
        rule = config.connectors[name].tables[table].files
        if rule is None or rule.column is None or name not in session.connectors:
            continue
        connector = session.connectors[name]
        pk = connector.primary_key(table)
        ours: set[Key] = {tuple(t["key"]) for t in items}
        with connector.read() as conn:
            rows = connector.rows_by_keys(conn, table, (rule.column,), [(t["path"],) for t in items],
                                          select=list(dict.fromkeys((*pk, rule.column))))
        for row in rows:
            if tuple(row[c] for c in pk) not in ours:
                shared.add((name, table, str(row[rule.column])))
    return shared


def export_files(config: Config, plan: Plan, out: Path) -> list[dict[str, Any]]:
    """Copy the files of every located row into out/files/CONNECTOR/TABLE/PATH (an access export)."""
    written: list[dict[str, Any]] = []
    seen: set[Path] = set()
    for tp, rule, _, store in _file_tables(config, plan):
        for key in sorted(tp.rows, key=repr):
            path = reference(rule, tp.rows[key])
            if path is None:
                continue
            try:
                contents = store.files_under(path)
            except FileRefusedError as exc:
                raise FileRefusedError(f"table {tp.table} ({tp.connector}): {exc} The export was not completed.") \
                    from None
            for relative, data in contents:
                target = out.joinpath("files", tp.connector, tp.table, *split_path(relative))
                if target in seen:
                    continue
                seen.add(target)
                target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                target.write_bytes(data)
                target.chmod(0o600)
                written.append({"connector": tp.connector, "table": tp.table, "key": list(key), "path": relative,
                                "export_path": target.relative_to(out).as_posix()})
    return written
