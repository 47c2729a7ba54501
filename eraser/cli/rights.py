"""The other rights on the command line: access export, restriction, the suppression list, replay after a restore."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from eraser import logging as eraser_logging
from eraser.cli.options import by_option, config_option, store_options, subject_option
from eraser.errors import EraserError


def _rights(config_path: Path, state_url: str | None) -> tuple[Any, Any]:
    from eraser.config import load_config
    from eraser.store.rights import RightsStore
    from eraser.store.state import StateStore

    config = load_config(config_path)
    store = StateStore(state_url or config.state or "")
    store.migrate()
    return config, RightsStore(store, config.secret_bytes())


def _counts(counts: dict[str, dict[str, int]]) -> str:
    return ", ".join(f"{table} {c['flag'] + c['list']}" + (" (flagged)" if c["flag"] else "")
                     for table, c in sorted(counts.items()) if c["flag"] + c["list"]) or "no rows"


@click.command()
@config_option
@subject_option
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="A new (or empty) directory for the export; it holds personal data (mode 0700).")
def export(config_path: Path, subjects: tuple[str, ...], out: Path) -> None:
    """Export everything found for a subject (GDPR Art. 15, 20): JSON, CSV per table, files, manifest."""
    from eraser.config import load_config
    from eraser.engine.session import open_session
    from eraser.rights.export import export_subject
    from eraser.subjects import parse_subject

    config = load_config(config_path)
    subject = parse_subject(list(subjects), config)
    with eraser_logging.redacting(subject.terms()), open_session(config) as session:
        result = export_subject(config, session, subject, out)
    click.echo(f"Exported {result.rows} row(s) from {result.tables} table(s) and {result.files} file(s) to "
               f"{out}\nManifest: {out / 'manifest.json'} (sha256 {result.manifest_sha256})")

@click.group()
def restrict() -> None:
    """Restriction of processing (GDPR Art. 18): mark a subject's rows, list them, lift the mark."""

@restrict.command("add")
@store_options
@subject_option
@click.option("--reason", default="restriction of processing requested by the data subject (GDPR Art. 18)",
              show_default=True)
@by_option
def restrict_add(config_path: Path, state_url: str | None, subjects: tuple[str, ...], reason: str,
                 by: str) -> None:
    """Restrict every row found for a subject: the table's restrict_flag column, and the list in the state store."""
    from eraser.engine.session import open_session
    from eraser.rights.restrict import restrict as run
    from eraser.subjects import parse_subject

    config, rights = _rights(config_path, state_url)
    subject = parse_subject(list(subjects), config)
    with eraser_logging.redacting(subject.terms()), open_session(config) as session:
        found = run(config, session, rights, subject, reason, by)
    click.echo(f"Restriction {found['id']}: {_counts(found['counts'])}.")

@restrict.command("list")
@store_options
def restrict_list(config_path: Path, state_url: str | None) -> None:
    """Active restrictions, with their restricted rows per table."""
    _, rights = _rights(config_path, state_url)
    lines = []
    for r in rights.restrictions():
        counts: dict[str, dict[str, int]] = {}
        for row in rights.restricted_rows(r["id"]):
            table = counts.setdefault(f"{row['connector']}.{row['table_name']}", {"flag": 0, "list": 0})
            table[row["method"]] += 1
        lines.append(f"{r['id']}  since {r['created_at']:%Y-%m-%d} by {r['created_by']}: {r['reason']} "
                     f"({_counts(counts)})")
    click.echo("\n".join(lines) or "No active restrictions.")

@restrict.command("show")
@store_options
@click.argument("restriction_id")
def restrict_show(config_path: Path, state_url: str | None, restriction_id: str) -> None:
    """The rows of one restriction: connector, table, primary key and how each is marked."""
    _, rights = _rights(config_path, state_url)
    found = rights.restriction(restriction_id)
    if found is None:
        raise EraserError(f"there is no restriction {restriction_id}.")
    state = f"lifted {found['lifted_at']:%Y-%m-%d} by {found['lifted_by']}" if found["lifted_at"] else "active"
    click.echo(f"Restriction {restriction_id} ({state}): {found['reason']}")
    for row in rights.restricted_rows(restriction_id, active_only=False):
        key = "(sealed: the key is personal data)" if row["primary_key"].startswith("sealed:") else \
            row["primary_key"]
        ended = f", ended {row['ended_at']:%Y-%m-%d} ({row['ended_reason']})" if row["ended_at"] else ""
        how = "flag column" if row["method"] == "flag" else "list only"
        click.echo(f"  {row['connector']}.{row['table_name']} {key}  {how}{ended}")

@restrict.command("lift")
@store_options
@click.argument("restriction_id")
@by_option
def restrict_lift(config_path: Path, state_url: str | None, restriction_id: str, by: str) -> None:
    """Lift a restriction: flag columns go back to their earlier value (unless another restriction holds)."""
    from eraser.engine.session import open_session
    from eraser.rights.restrict import lift

    config, rights = _rights(config_path, state_url)
    flagged = any(r["method"] == "flag" for r in rights.restricted_rows(restriction_id))
    if flagged:
        with open_session(config) as session:
            rows = lift(config, session, rights, restriction_id, by)
    else:
        rows = lift(config, None, rights, restriction_id, by)
    click.echo(f"Restriction {restriction_id} lifted ({rows} row(s)).")

@click.command()
@store_options
@click.option("--email", "emails", multiple=True, help="An email address (compared lower-cased and trimmed).")
@click.option("--phone", "phones", multiple=True, help="A phone number, in any usual spelling.")
@click.option("--subject", "-s", "subjects", multiple=True, metavar="TYPE=VALUE",
              help="Any identifier type of the config.")
def suppressed(config_path: Path, state_url: str | None, emails: tuple[str, ...], phones: tuple[str, ...],
               subjects: tuple[str, ...]) -> None:
    """Was this address (or number) erased before? Exit 0 "suppressed", exit 1 "not on the suppression list"."""
    from eraser.rights.suppression import identifier_type, lookup

    config, rights = _rights(config_path, state_url)
    pairs = [*subjects]
    pairs += [f"{identifier_type(config, 'email')}={e}" for e in emails]
    pairs += [f"{identifier_type(config, 'phone')}={p}" for p in phones]
    if not pairs:
        raise EraserError("give --email, --phone or --subject TYPE=VALUE to look up.")
    with eraser_logging.redacting([p.partition("=")[2] for p in pairs]):
        entry = lookup(config, rights, pairs)
    if entry is None:
        click.echo("not on the suppression list")
        sys.exit(1)
    click.echo(f"suppressed: erased on {entry['first_erased_at']:%Y-%m-%d}"
               + (f" (last on {entry['last_erased_at']:%Y-%m-%d})"
                  if entry["last_erased_at"].date() != entry["first_erased_at"].date() else "")
               + f", certificate {entry['certificate_id']}")

@click.command()
@store_options
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), required=True,
              help="The date of the backup that was restored: every erasure recorded since then is replayed.")
@click.option("--dry-run", is_flag=True, help="Count what would be replayed; change nothing.")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Directory of the certificate chain (default: `certificates:` of the config).")
@click.option("--operator", default="operator", help="Who runs the replay.")
def replay(config_path: Path, state_url: str | None, since: datetime, dry_run: bool, out: Path | None,
           operator: str) -> None:
    """After restoring a backup: apply again every erasure recorded since its date, verify, certify."""
    from eraser.config import load_config
    from eraser.rights.replay import replay_command

    config = load_config(config_path)
    result = replay_command(config, since.date(), state_url, dry_run, out, operator)
    if not result.sources:
        click.echo(f"No erasure recorded since {since:%Y-%m-%d}; nothing to replay.")
        return
    totals = result.totals()
    counts = ", ".join(f"{label} {totals.get(action, 0)}" for action, label in (
        ("delete", "delete"), ("anonymize", "anonymize"), ("minimize", "minimize"),
        ("retain", "retained rows checked"), ("absent", "not in the restored database")))
    verb = "Would replay" if dry_run else "Replayed"
    click.echo(f"{verb} {len(result.sources)} erasure(s) recorded since {since:%Y-%m-%d}: {counts}.")
    if result.files is not None:
        c = result.files["counts"]
        click.echo(f"Files: {result.files['files_destroyed']} destroyed, {c['absent']} absent.")
    if result.issued is not None:
        click.echo(f"Verification: {result.verification['result']}\nCertificate: {result.issued.path}")


COMMANDS = [export, restrict, suppressed, replay]
