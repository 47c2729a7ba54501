"""The reflected schema kept between runs (connectors/schema_cache.py): used while the catalog is unchanged, read
again after any change of a table, column, default, key, index or comment, and never from a file others can
write. The oracle is the database's own catalog, read with a fresh SQLAlchemy reflection."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from connectors.sql import SQLConnector, open_connector

CHANGES = {
    "a column added": "ALTER TABLE notes ADD COLUMN remark VARCHAR(80)",
    "a column dropped": "ALTER TABLE notes DROP COLUMN body",
    "a table added": "CREATE TABLE tags (id INTEGER PRIMARY KEY, note_id INTEGER REFERENCES notes(id))",
    "an index added": "CREATE INDEX ix_notes_body ON notes (body)",
    "a unique index added": "CREATE UNIQUE INDEX ux_notes_body ON notes (body)",
    "a table dropped": "DROP TABLE notes",
}


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "schemas"
    monkeypatch.setenv("ERASER_SCHEMA_CACHE", str(where))
    return where


def _create(url: str) -> sa.Engine:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE people (id INTEGER PRIMARY KEY, email VARCHAR(120))"))
        conn.execute(sa.text("CREATE TABLE notes (id INTEGER PRIMARY KEY, person_id INTEGER REFERENCES people(id), "
                             "body VARCHAR(200))"))
    return engine


def _open(url: str) -> SQLConnector:
    connector = open_connector("db", url)
    connector.dispose()
    return connector


def _shape(metadata: sa.MetaData) -> dict[str, object]:
    """What the erasure uses of a schema: tables, columns and types, keys, foreign keys, indexes."""
    return {t.name: ([(c.name, str(c.type), c.nullable) for c in t.c], [c.name for c in t.primary_key.columns],
                     sorted((fk.column_keys[0], fk.referred_table.name) for fk in t.foreign_key_constraints),
                     sorted((i.name, i.unique, tuple(c.name for c in i.columns)) for i in t.indexes))
            for t in metadata.tables.values()}


def _oracle(engine: sa.Engine) -> dict[str, object]:
    metadata = sa.MetaData()
    metadata.reflect(engine)
    return _shape(metadata)


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_the_cache_serves_an_unchanged_schema_and_is_read_again_after_a_change(db_url: str, cache: Path,
                                                                              change: str) -> None:
    engine = _create(db_url)
    first = _open(db_url)
    assert not first.schema_from_cache and list(cache.glob("*.pickle"))
    second = _open(db_url)
    assert second.schema_from_cache and _shape(second.metadata) == _shape(first.metadata) == _oracle(engine)

    with engine.begin() as conn:
        conn.execute(sa.text(CHANGES[change]))
    after = _open(db_url)
    assert not after.schema_from_cache, change
    assert _shape(after.metadata) == _oracle(engine) != _shape(first.metadata)
    assert _open(db_url).schema_from_cache
    engine.dispose()


def test_a_comment_or_default_changed_on_postgresql_reads_the_schema_again(db_url: str, cache: Path) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("the catalog rows of comments and defaults: PostgreSQL")
    engine = _create(db_url)
    _open(db_url)
    for statement in ("COMMENT ON COLUMN notes.body IS 'free text'",
                      "ALTER TABLE notes ALTER COLUMN body SET DEFAULT 'none'",
                      "ALTER TABLE notes ALTER COLUMN body SET NOT NULL"):
        with engine.begin() as conn:
            conn.execute(sa.text(statement))
        assert not _open(db_url).schema_from_cache, statement
    final = _open(db_url)
    assert final.schema_from_cache
    body = final.table("notes").c["body"]
    assert (body.comment, body.server_default is not None, body.nullable) == ("free text", True, False)
    engine.dispose()


MARIADB_CHANGES = [
    "ALTER TABLE notes MODIFY body VARCHAR(200) COMMENT 'free text'",
    "ALTER TABLE notes ALTER COLUMN body SET DEFAULT 'none'",
    "ALTER TABLE notes MODIFY body VARCHAR(200) NOT NULL DEFAULT 'none' COMMENT 'free text'",
    "ALTER TABLE notes MODIFY body VARCHAR(300) NOT NULL DEFAULT 'none' COMMENT 'free text'",
    "ALTER TABLE notes ADD CONSTRAINT fk_notes_person FOREIGN KEY (person_id) REFERENCES people (id)",
    "ALTER TABLE notes DROP FOREIGN KEY fk_notes_person",
    "ALTER TABLE notes ADD CONSTRAINT fk_notes_person FOREIGN KEY (person_id) REFERENCES people (id) ON DELETE CASCADE",
    "ALTER TABLE notes RENAME COLUMN body TO text_body",
    "ALTER TABLE notes ADD CONSTRAINT ck_notes_body CHECK (char_length(text_body) > 0)",
    "ALTER TABLE people COMMENT 'the customers'",
    "CREATE VIEW people_emails AS SELECT email FROM people",
    "CREATE OR REPLACE VIEW people_emails AS SELECT id, email FROM people",
]


def test_any_ddl_on_mariadb_reads_the_schema_again(cache: Path, tmp_path: Path) -> None:
    """MariaDB's fingerprint (information_schema: tables, columns, indexes, constraints, views): every change in
    turn gives another one, and the schema read afterwards is the database's own."""
    from tests.conftest import fresh_database

    for url in fresh_database("mariadb", tmp_path):
        engine = _create(url)
        first = _open(url)
        assert not first.schema_from_cache and _open(url).schema_from_cache
        for statement in MARIADB_CHANGES:
            with engine.begin() as conn:
                conn.execute(sa.text(statement))
            after = _open(url)
            assert not after.schema_from_cache, statement
            assert _shape(after.metadata) == _oracle(engine), statement
            assert _open(url).schema_from_cache, statement
        notes = _open(url).table("notes")
        assert (notes.c["text_body"].comment, str(notes.c["text_body"].type), notes.c["text_body"].nullable) == \
            ("free text", "VARCHAR(300)", False)
        assert "CASCADE" in [fk.ondelete for fk in notes.foreign_key_constraints]
        engine.dispose()


def test_a_cache_file_others_can_write_is_not_read(tmp_path: Path, cache: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    _create(url).dispose()
    _open(url)
    (entry,) = cache.glob("*.pickle")
    os.chmod(entry, 0o666)
    assert not _open(url).schema_from_cache
    os.chmod(entry, 0o600)
    assert _open(url).schema_from_cache


def test_the_cache_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ERASER_SCHEMA_CACHE", "off")
    url = f"sqlite:///{tmp_path / 'c.db'}"
    _create(url).dispose()
    assert not _open(url).schema_from_cache and not _open(url).schema_from_cache
