"""Alembic environment: migrations run on the connection the state store hands over."""

from alembic import context

import eraser.store.rights  # noqa: F401  (registers the tables of migration 0002 in the metadata)
from eraser.store.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
