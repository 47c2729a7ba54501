"""The demo database: a software vendor (modelled on COVER GROUP, seed 000) that stores its customers'
end-customers: persons, addresses, projects, photos, quotes, invoices, invoice lines, payments,
newsletter subscriptions, support messages and usage events with IP addresses."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

tenants = sa.Table(
    "tenants", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(20), nullable=False, unique=True),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("vat_number", sa.String(20)),
    sa.Column("contract_ends_on", sa.Date),
)

addresses = sa.Table(
    "addresses", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("street", sa.String(120)),
    sa.Column("house_number", sa.String(10)),
    sa.Column("postcode", sa.String(10)),
    sa.Column("city", sa.String(80)),
    sa.Column("country", sa.String(2), nullable=False, server_default="BE"),
)

persons = sa.Table(
    "persons", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False, index=True),
    sa.Column("customer_number", sa.String(20), nullable=False, unique=True),
    sa.Column("first_name", sa.String(80), nullable=False),
    sa.Column("last_name", sa.String(80), nullable=False),
    sa.Column("email", sa.String(160)),
    sa.Column("phone", sa.String(30), index=True),
    sa.Column("mobile", sa.String(30), index=True),
    sa.Column("date_of_birth", sa.Date),
    sa.Column("language", sa.String(2), nullable=False),
    sa.Column("address_id", sa.Integer, sa.ForeignKey("addresses.id"), index=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("closed_at", sa.DateTime),
)

projects = sa.Table(
    "projects", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("person_id", sa.Integer, sa.ForeignKey("persons.id"), nullable=False, index=True),
    sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False, index=True),
    sa.Column("title", sa.String(160), nullable=False),
    sa.Column("description", sa.Text),
    sa.Column("site_address_id", sa.Integer, sa.ForeignKey("addresses.id"), index=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

photos = sa.Table(
    "photos", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("project_id", sa.Integer, sa.ForeignKey("projects.id"), nullable=False, index=True),
    sa.Column("path", sa.String(255), nullable=False),
    sa.Column("caption", sa.String(200)),
    sa.Column("taken_at", sa.DateTime),
)

quotes = sa.Table(
    "quotes", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("project_id", sa.Integer, sa.ForeignKey("projects.id"), nullable=False, index=True),
    sa.Column("number", sa.String(20), nullable=False, unique=True),
    sa.Column("amount_cents", sa.BigInteger, nullable=False),
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("notes", sa.Text),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

invoices = sa.Table(
    "invoices", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("person_id", sa.Integer, sa.ForeignKey("persons.id"), nullable=False, index=True),
    sa.Column("quote_id", sa.Integer, sa.ForeignKey("quotes.id"), index=True),
    sa.Column("number", sa.String(20), nullable=False, unique=True),
    sa.Column("invoice_date", sa.Date, nullable=False),
    sa.Column("due_date", sa.Date, nullable=False),
    sa.Column("closed_at", sa.Date),
    sa.Column("billing_name", sa.String(160), nullable=False),
    sa.Column("billing_street", sa.String(160)),
    sa.Column("billing_postcode", sa.String(10)),
    sa.Column("billing_city", sa.String(80)),
    sa.Column("customer_vat_number", sa.String(20)),
    sa.Column("total_excl_cents", sa.BigInteger, nullable=False),
    sa.Column("vat_cents", sa.BigInteger, nullable=False),
    sa.Column("total_incl_cents", sa.BigInteger, nullable=False),
)

invoice_lines = sa.Table(
    "invoice_lines", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("invoice_id", sa.Integer, sa.ForeignKey("invoices.id"), nullable=False, index=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("description", sa.String(200), nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("unit_price_cents", sa.BigInteger, nullable=False),
    sa.Column("vat_rate_pct", sa.Integer, nullable=False),
)

payments = sa.Table(
    "payments", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("invoice_id", sa.Integer, sa.ForeignKey("invoices.id"), nullable=False, index=True),
    sa.Column("paid_at", sa.Date, nullable=False),
    sa.Column("amount_cents", sa.BigInteger, nullable=False),
    sa.Column("method", sa.String(20), nullable=False),
    sa.Column("payer_iban", sa.String(34)),
)

newsletter_subscriptions = sa.Table(
    "newsletter_subscriptions", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("email", sa.String(160), nullable=False),
    sa.Column("language", sa.String(2), nullable=False),
    sa.Column("subscribed_at", sa.DateTime, nullable=False),
    sa.Column("source", sa.String(40), nullable=False),
)

support_messages = sa.Table(
    "support_messages", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("person_id", sa.Integer, sa.ForeignKey("persons.id"), nullable=False, index=True),
    sa.Column("sent_at", sa.DateTime, nullable=False),
    sa.Column("channel", sa.String(12), nullable=False),
    sa.Column("subject", sa.String(200)),
    sa.Column("body", sa.Text),
)

usage_events = sa.Table(
    "usage_events", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("person_id", sa.Integer, sa.ForeignKey("persons.id"), nullable=False, index=True),
    sa.Column("occurred_at", sa.DateTime, nullable=False),
    sa.Column("event", sa.String(40), nullable=False),
    sa.Column("ip_address", sa.String(45)),
    sa.Column("user_agent", sa.String(200)),
)

EMAIL_LOOKUPS = (("persons", "email"), ("newsletter_subscriptions", "email"))
PHONE_LOOKUPS = (("persons", "phone", "phone"), ("persons", "mobile", "phone"))


def create_schema(engine: sa.Engine) -> None:
    """Create the demo tables, with the expression indexes that serve the email and phone lookups on PostgreSQL
    (SQLite and MariaDB cannot index them)."""
    metadata.create_all(engine)
    with engine.begin() as conn:
        for table, column in EMAIL_LOOKUPS:
            if engine.dialect.name in ("mysql", "mariadb"):
                conn.execute(sa.text(f"CREATE INDEX ix_{table}_{column} ON {table} ({column})"))
            elif engine.dialect.name == "sqlite":
                conn.execute(sa.text(f"CREATE INDEX ix_{table}_{column}_norm ON {table} (lower(trim({column})))"))
        if engine.dialect.name == "postgresql":  # the expression indexes `config check` proposes
            from connectors.sql import lookup_index_statement, specifics_for

            specifics = specifics_for("demo", "postgresql")
            for table, column, kind in [*((t, c, "email") for t, c in EMAIL_LOOKUPS), *PHONE_LOOKUPS]:
                conn.execute(sa.text(lookup_index_statement(engine.dialect, specifics, metadata.tables[table],
                                                            column, kind) or ""))
