"""`eraser purge`: return and destroy a tenant's data at the end of its contract."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click


@click.command()
@click.option("--config", "-c", "config_path", required=True, type=click.Path(path_type=Path),
              help="The controller's YAML config (with a `tenants:` block).")
@click.option("--tenant", required=True, help="The tenant's key, e.g. its code in the tenants table.")
@click.option("--export", "export_dir", type=click.Path(path_type=Path), default=None,
              help="First write the return package (JSON Lines, CSV, manifest, README) to this new directory.")
@click.option("--dry-run", is_flag=True, help="Print rows per table and action and the estimated time; change nothing.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--mode", type=click.Choice(["delete", "anonymize"]), default=None,
              help="delete (default: `tenants.mode`) or anonymize the tenant's rows that have `columns:`.")
@click.option("--batch-size", type=click.IntRange(min=1), default=None, help="Rows per batch (transaction).")
@click.option("--state", "state_url", default=None, metavar="URL", help="State store URL (default: the config's).")
def purge(config_path: Path, tenant: str, export_dir: Path | None, dry_run: bool, yes: bool, mode: str | None,
          batch_size: int | None, state_url: str | None) -> None:
    """Purge one tenant: export (optional), delete or anonymize in journaled batches, verify, certify."""
    from eraser.config import load_config
    from eraser.engine.session import open_session
    from eraser.errors import EraserError
    from eraser.proof.certificates import ready_to_certify
    from eraser.purge import dry_run_text, purge_tenant, seconds_text
    from eraser.store.state import StateStore

    config = load_config(config_path)
    with open_session(config) as session:
        if dry_run:
            result = purge_tenant(session, None, tenant, mode=mode, dry_run=True, batch_size=batch_size)
            click.echo(dry_run_text(result), nl=False)
            return
        if not yes:
            if not sys.stdin.isatty():
                raise EraserError("not on a terminal, so nothing was purged; add --yes to purge without a prompt.")
            click.confirm(f"Destroy the data of tenant {tenant}?", abort=True)
        ready_to_certify(config)
        store = StateStore(state_url or config.state or "")
        store.migrate()
        bar: Any = None

        def progress(p: Any) -> None:
            nonlocal bar
            if not sys.stderr.isatty():
                return
            if bar is None:
                bar = click.progressbar(length=p.total, label=f"Purging {tenant}", show_eta=True,
                                        show_pos=True, file=sys.stderr)
                bar.__enter__()
            bar.label = f"Purging {tenant} ({p.rate:,.0f} rows/s)"
            bar.update(p.done - bar.pos)

        try:
            result = purge_tenant(session, store, tenant, mode=mode, export_dir=export_dir,
                                  batch_size=batch_size, on_progress=progress)
        finally:
            if bar is not None:
                bar.__exit__(None, None, None)
            store.dispose()
    t = result.totals()
    click.echo(f"Purged tenant {tenant}: {t['delete']:,} row(s) deleted, {t['anonymize']:,} anonymized, "
               f"{t['retain']:,} retained, {t['review']:,} left for review, in {seconds_text(result.seconds)}"
               f"{' (resumed)' if result.resumed else ''}; verification {result.verification['result']}.")
    if result.export:
        click.echo(f"Return package: {result.export['directory']} (manifest sha256 "
                   f"{result.export['manifest_sha256']})")
    click.echo(f"Certificate: {result.certificate.path}")


COMMANDS = [purge]
