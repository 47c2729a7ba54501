"""`eraser serve` and its operator twins on the host: tickets, holds, the retention sweep."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from eraser import logging as eraser_logging
from eraser.cli.options import by_option, store_options
from eraser.errors import EraserError

if TYPE_CHECKING:
    from eraser.store.tickets import TicketRow


def _store(config_path: Path, state_url: str | None) -> tuple[Any, Any]:
    from eraser.config import load_config
    from eraser.store.state import StateStore

    config = load_config(config_path)
    store = StateStore(state_url or config.state or "")
    store.migrate()
    return config, store


def ticket_id_of(store: Any, given: str) -> str:
    """The full id of the one ticket whose id is, or starts with, `given` (as `git` takes a commit prefix)."""
    import sqlalchemy as sa

    from eraser.store.tables import tickets

    prefix = given.strip().lower()
    if not re.fullmatch(r"[0-9a-f-]{1,36}", prefix):
        raise EraserError(f"there is no ticket {given}.")  # not hexadecimal: no id starts so
    with store.engine.connect() as conn:
        found = list(conn.execute(sa.select(tickets.c.id).where(tickets.c.id.like(prefix + "%"))
                                  .order_by(tickets.c.id).limit(3)).scalars())
    if not found:
        raise EraserError(f"there is no ticket {given}.")
    if len(found) > 1:
        shown = ", ".join(found[:2]) + (", ..." if len(found) > 2 else "")
        raise EraserError(f"more than one ticket starts with {given} ({shown}); give more of the id.")
    return str(found[0])


def configure_daemon_logging() -> None:
    """The global --log-format and --log-level, with INFO as a daemon's default level."""
    root = click.get_current_context().find_root()
    level = root.params.get("log_level", "INFO")
    if root.get_parameter_source("log_level") in (None, click.core.ParameterSource.DEFAULT):
        level = "INFO"  # a daemon's start, stops, reloads and tickets are worth a line each
    log_format = root.params.get("log_format", "auto")
    eraser_logging.configure(json=None if log_format == "auto" else log_format == "json", level=level)


def serve_demo(config_path: Path, host: str, port: int) -> None:
    """`eraser demo --serve`: tokens for the demo config, shown once, then the daemon in the foreground."""
    from eraser.daemon.serve import serve as run
    from eraser.demo import DEMO_TOKENS, add_daemon_access

    tokens = add_daemon_access(config_path)
    url = f"http://{host}:{port}"
    click.echo(f"\nStarting the daemon on {url}. Its two API tokens are shown this once (the config keeps only "
               "their SHA-256); in another terminal:\n")
    click.echo(f"  export ERASER_URL={url}")
    for name, _, what in DEMO_TOKENS:
        click.echo(f"  export {name.upper()}_TOKEN={tokens[name]}   # {what}")
    click.echo("\nthen the curl lines of the README's daemon quick start. Ctrl-C stops the daemon.\n")
    configure_daemon_logging()
    run(str(config_path), None, host, port)


def _show(ticket: TicketRow) -> str:
    from eraser.daemon.intake import public_ticket

    t = public_ticket(ticket)
    due = t["due_at"][:10]
    late = " OVERDUE" if t["overdue"] else ""
    extra = f" certificate {t['certificate_id']}" if t.get("certificate_id") else ""
    error = f" last error: {t['last_error']}" if t.get("last_error") and t["status"] == "failed" else ""
    return f"{t['id']}  {t['kind']:<6} {t['status']:<20} received {t['received_at'][:10]}  due {due}{late}{extra}{error}"


@click.command()
@store_options
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
def serve(config_path: Path, state_url: str | None, host: str, port: int) -> None:
    """Run the daemon: HTTP intake, a worker, and the scheduler (retention sweep, deadlines, contracts).

    SIGTERM or SIGINT stops it cleanly (a second one stops without waiting for the running ticket); SIGHUP
    reloads the config, which is validated first: a config that does not validate is logged and the
    running one stays."""
    from eraser.daemon.serve import serve as run

    configure_daemon_logging()
    run(str(config_path), state_url, host, port)

@click.group()
def ticket() -> None:
    """Tickets in the state store (the same ones the HTTP API serves)."""

@ticket.command("submit")
@store_options
@click.option("--subject", "-s", "subjects", multiple=True, required=True, metavar="TYPE=VALUE")
@click.option("--external-ref", default=None, help="The helpdesk reference; submitting it twice is harmless.")
@click.option("--received-at", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]), default=None)
@click.option("--requested-by", required=True, help="Who files the request (not the data subject).")
def ticket_submit(config_path: Path, state_url: str | None, subjects: tuple[str, ...], external_ref: str | None,
                  received_at: datetime | None, requested_by: str) -> None:
    """Queue an erasure ticket for the daemon."""
    from eraser.daemon.intake import submit_ticket

    config, store = _store(config_path, state_url)
    pairs: dict[str, list[str]] = {}
    for pair in subjects:
        name, sep, value = pair.partition("=")
        if not sep:
            raise EraserError("a subject is given as TYPE=VALUE, e.g. --subject email=jan@example.be.")
        pairs.setdefault(name.strip(), []).append(value)
    with eraser_logging.redacting([v for vs in pairs.values() for v in vs]):
        found, created = submit_ticket(store, config, kind="erase", subject=pairs, external_ref=external_ref,
                                       received_at=received_at, requested_by=requested_by)
    click.echo(("Queued: " if created else "Already known: ") + _show(found))

@ticket.command("list")
@store_options
@click.option("--status", default=None)
@click.option("--due-before", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--json", "as_json", is_flag=True)
def ticket_list(config_path: Path, state_url: str | None, status: str | None, due_before: datetime | None,
                as_json: bool) -> None:
    """List tickets, oldest first."""
    from eraser.daemon.intake import public_ticket

    _, store = _store(config_path, state_url)
    found = store.tickets(status, due_before)
    if as_json:
        click.echo(json.dumps([public_ticket(t) for t in found], indent=2))
    else:
        click.echo("\n".join(_show(t) for t in found) or "No tickets.")

@ticket.command("show")
@store_options
@click.argument("ticket_id", metavar="ID")
def ticket_show(config_path: Path, state_url: str | None, ticket_id: str) -> None:
    """A ticket with its plan and journal."""
    from eraser.daemon.intake import public_ticket

    _, store = _store(config_path, state_url)
    ticket_id = ticket_id_of(store, ticket_id)
    found = store.ticket(ticket_id)
    if found is None:
        raise EraserError(f"there is no ticket {ticket_id}.")
    body = public_ticket(found)
    body["journal"] = [f"{j['at']:%Y-%m-%d %H:%M:%S} {j['node']} {j['step']}" + (f": {j['detail']}" if j["detail"]
                                                                               else "")
                       for j in store.journal_of(ticket_id)]
    click.echo(json.dumps(body, indent=2, default=str))

@ticket.command("approve")
@store_options
@click.argument("ticket_id", metavar="ID")
@click.option("--by", "approver", required=True, help="Who approves (must differ from who requested).")
def ticket_approve(config_path: Path, state_url: str | None, ticket_id: str, approver: str) -> None:
    """Approve a planned ticket (four eyes)."""
    _, store = _store(config_path, state_url)
    click.echo("Approved: " + _show(store.approve(ticket_id_of(store, ticket_id), approver)))

@ticket.command("extend")
@store_options
@click.argument("ticket_id", metavar="ID")
@click.option("--reason", required=True)
@click.option("--months", default=2, show_default=True, type=click.IntRange(1, 2))
@by_option
def ticket_extend(config_path: Path, state_url: str | None, ticket_id: str, reason: str, months: int,
                  by: str) -> None:
    """Extend a ticket's deadline once, by up to two months, with a reason (GDPR Art. 12(3))."""
    _, store = _store(config_path, state_url)
    click.echo("Extended: " + _show(store.extend(ticket_id_of(store, ticket_id), reason, months, by)))

@ticket.command("reject")
@store_options
@click.argument("ticket_id", metavar="ID")
@click.option("--reason", required=True)
@by_option
def ticket_reject(config_path: Path, state_url: str | None, ticket_id: str, reason: str, by: str) -> None:
    """Refuse a ticket, with the reason the data subject will be given."""
    _, store = _store(config_path, state_url)
    click.echo("Rejected: " + _show(store.reject(ticket_id_of(store, ticket_id), reason, by)))

@click.group()
def hold() -> None:
    """Legal holds on subjects: while one is active, nothing of theirs is erased."""

@hold.command("add")
@store_options
@click.option("--subject", "-s", "subjects", multiple=True, metavar="TYPE=VALUE")
@click.option("--tenant", default=None, help="Hold a tenant instead: `eraser purge` refuses to purge it.")
@click.option("--reason", required=True)
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Review or end date.")
@by_option
def hold_add(config_path: Path, state_url: str | None, subjects: tuple[str, ...], tenant: str | None,
             reason: str, until: datetime | None, by: str) -> None:
    """Place a legal hold on a subject (stored as keyed hashes of the identifiers, never the identifiers) or a
    tenant; plan, erase, the daemon, the purge and the retention sweep all honour it."""
    from eraser.engine.holds import tenant_reference
    from eraser.subjects import identifier_references, parse_subject

    if bool(subjects) == bool(tenant):
        raise EraserError("a hold is on a subject (--subject TYPE=VALUE) or on a tenant (--tenant KEY), "
                          "give one of the two.")
    config, store = _store(config_path, state_url)
    refs = [tenant_reference(tenant)] if tenant else identifier_references(parse_subject(list(subjects), config),
                                                                          config.secret_bytes())
    found = store.add_hold(refs, reason, until.date() if until else None, by)
    click.echo(f"Hold {found['id']} added: {reason}" + (f" (until {until:%Y-%m-%d})" if until else ""))

@hold.command("list")
@store_options
def hold_list(config_path: Path, state_url: str | None) -> None:
    """Active holds."""
    _, store = _store(config_path, state_url)
    found = store.holds()
    click.echo("\n".join(f"{h['id']}  since {h['created_at']:%Y-%m-%d} by {h['created_by']}"
                         f"{' until ' + h['until'].isoformat() if h['until'] else ''}: {h['reason']}"
                         for h in found) or "No active holds.")

@hold.command("lift")
@store_options
@click.argument("hold_id")
@by_option
def hold_lift(config_path: Path, state_url: str | None, hold_id: str, by: str) -> None:
    """Lift a hold; tickets it held go back to the queue."""
    _, store = _store(config_path, state_url)
    store.lift_hold(hold_id, by)
    click.echo(f"Hold {hold_id} lifted.")

@click.command("register")
@store_options
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Received on or after.")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Received on or before.")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
def register_command(config_path: Path, state_url: str | None, start: datetime | None, end: datetime | None,
                     fmt: str) -> None:
    """The register of requests: every ticket with its dates, outcome, certificates and log entries; a ticket
    without a certificate, or a certificate without a ticket, is flagged."""
    from eraser.rights.register import register, render

    config, store = _store(config_path, state_url)
    rows = register(store, config.certificates, start.date() if start else None, end.date() if end else None)
    click.echo(render(rows, fmt), nl=False)
    flagged = sum(1 for r in rows if r["flags"])
    if flagged:
        raise EraserError(f"{flagged} row(s) of the register are flagged; see their flags.")

@click.command()
@store_options
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Run as if on this date; a date other than today only shows what would be released, "
                   "unless --yes is given.")
@click.option("--yes", is_flag=True, help="With --today, release as of that date instead of only showing it.")
def sweep(config_path: Path, state_url: str | None, today: datetime | None, yes: bool) -> None:
    """Run the retention sweep now: destroy retained rows whose release date has passed, certify it."""
    from eraser.daemon.jobs import release_retained_rows
    from eraser.store.tables import now
    from eraser.sweep import report_text

    config, store = _store(config_path, state_url)
    day = today.date() if today else now().date()
    dry_run = day != now().date() and not yes
    try:
        report = release_retained_rows(config, store, day, dry_run=dry_run)
    finally:
        store.dispose()
    click.echo(report_text(report))
    if report.errors:
        raise EraserError(" ".join(report.errors))


COMMANDS = [serve, ticket, hold, register_command, sweep]
