"""`eraser discover`: write a commented config proposal for a live database to stdout."""

from __future__ import annotations

import click

from eraser.jurisdictions import JURISDICTIONS


@click.command("discover")
@click.option("--url", required=True, metavar="DSN",
              help="SQLAlchemy URL of the database, e.g. postgresql+psycopg://user@host/db.")
@click.option("--schema", default=None, help="Schema to reflect (PostgreSQL).")
@click.option("--sample", default=1000, show_default=True, help="Rows sampled per table to recognise personal data.")
@click.option("--locale", default="nl_BE", show_default=True,
              help="Faker locale of the replacements; its country is the phone numbers' default region.")
@click.option("--jurisdiction", default="BE", show_default=True, metavar="|".join(JURISDICTIONS),
              help="Retention presets for invoicing tables.")
@click.option("--name", "connector_name", default=None, help="Connector name (default: from the database name).")
def discover_command(url: str, schema: str | None, sample: int, locale: str, jurisdiction: str,
                     connector_name: str | None) -> None:
    """Propose a config from a live schema: tables, keys, personal columns and what to do with them, with the
    evidence as comments. Nothing is written to the database; no sampled value is printed."""
    from eraser.discover import discover, render

    click.echo(render(discover(url, schema, sample, locale, jurisdiction.upper(), connector_name)), nl=False)


def register(main: click.Group) -> None:
    main.add_command(discover_command)
