"""Legal holds from one place: the config's `holds:` and the holds placed with `eraser hold add` or `POST /holds`
(kept in the state store). Plan, erase, the daemon, the purge and the retention sweep all ask here.

A hold names a subject by keyed references (`eraser subject-ref`), or a tenant as `tenant:KEY`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from eraser.config import Config
from eraser.engine.retention import ActiveHold
from eraser.errors import EraserError
from eraser.subjects import Subject, identifier_references, subject_reference


class HeldError(EraserError):
    """A legal hold forbids the change that was asked for."""


def tenant_reference(tenant: str) -> str:
    """How a hold names a tenant (a customer's key, not a data subject's identifier)."""
    return f"tenant:{tenant}"


def subject_references(subject: Subject, secret: bytes) -> set[str]:
    return {subject_reference(subject, secret), *identifier_references(subject, secret)}


def config_hold(config: Config, refs: Iterable[str], today: date) -> ActiveHold | None:
    """The first `holds:` entry of the config that names one of `refs` and has not ended."""
    wanted = set(refs)
    for number, hold in enumerate(config.holds, 1):
        if hold.subject in wanted and (hold.until is None or hold.until >= today):
            return ActiveHold(f"{hold.reason} (holds: entry {number} of the config)", hold.until, "config")
    return None


def stored_hold(store: Any, refs: Iterable[str], today: date) -> ActiveHold | None:
    """An active hold of the state store on one of `refs`."""
    found = store.active_hold(sorted(set(refs)), today)
    if found is None:
        return None
    return ActiveHold(f"{found['reason']} (hold {found['id']})", found["until"], "store")


def hold_on(config: Config, store: Any, refs: Iterable[str], today: date) -> ActiveHold | None:
    """The hold, config or stored, that covers any of `refs` today (None: nothing is held)."""
    refs = set(refs)
    return config_hold(config, refs, today) or (stored_hold(store, refs, today) if store is not None else None)


def held_references(config: Config, store: Any, today: date) -> frozenset[str]:
    """Every reference (subject, identifier or tenant) under a hold, config or stored, that has not ended: the
    rows of other subjects it covers are kept by every erasure (never redacted)."""
    refs = {hold.subject for hold in config.holds if hold.until is None or hold.until >= today}
    for hold in store.holds(active_only=True) if store is not None else []:
        if hold["until"] is None or hold["until"] >= today:
            refs |= set(hold["identifier_refs"])
    return frozenset(refs)


def subject_hold(config: Config, store: Any, subject: Subject, requested: str | None = None,
                 today: date | None = None) -> ActiveHold | None:
    """The hold on a subject: one asked for now (`--hold REASON`), else one of the config or the state store."""
    if requested:
        return ActiveHold(requested, None, "request")
    return hold_on(config, store, subject_references(subject, config.secret_bytes()),
                   today or datetime.now(UTC).date())


def refuse_held_tenant(config: Config, store: Any, tenant: str, today: date) -> None:
    """Raise HeldError when a hold covers the tenant: nothing of it is purged."""
    if store is None:
        with holds_store(config) as opened:
            hold = hold_on(config, opened, [tenant_reference(tenant)], today)
    else:
        hold = hold_on(config, store, [tenant_reference(tenant)], today)
    if hold is not None:
        until = f" until {hold.until.isoformat()}" if hold.until else ""
        raise HeldError(f"tenant {tenant} is under a legal hold{until}: {hold.reason}; nothing was purged.")


@contextmanager
def holds_store(config: Config, session: Any = None) -> Iterator[Any]:
    """The state store whose holds apply, or None when none was ever created (a SQLite file that does not exist).
    With a session (eraser.engine.session.Session) the store is opened once and kept open for the session's later
    plans and erasures, which read its holds again each time; a store that does not exist yet is looked for again."""
    url = config.state or ""
    if session is not None and url in session.stores:
        yield session.stores[url][0]
        return
    from eraser.store.state import StateStore

    if url.startswith("sqlite"):
        database = sa.engine.make_url(url).database
        if not database or database == ":memory:" or not Path(database).exists():
            yield None
            return
    store = StateStore(url)
    if session is not None:
        try:
            store.migrate()
        except BaseException:
            store.dispose()
            raise
        session.stores[url] = (store, True)
        yield store
        return
    try:
        store.migrate()
        yield store
    finally:
        store.dispose()


def share_store(session: Any, config: Config, store: Any) -> None:
    """Let the session's plans and erasures read holds from a state store already open (and migrated) for the
    erasure (its owner closes it)."""
    session.stores.setdefault(config.state or "", (store, False))
