"""The daemon's state store (SQLAlchemy, Alembic migrations): tickets and their journal, certificates,
retained rows, holds, the rights' tables, and the leases that keep a claim alive."""
