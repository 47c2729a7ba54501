"""Fewer statements and set-ups per erasure, the same decisions: the rows that refer to the subject's addresses are
read once per plan, the catalog once per transaction, the state store opened once per session, one Faker per
process for unseeded replacements. Judged by SQL of the tests over the tables and the catalog, never by Eraser's own
locate or plan."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa

import eraser.engine.anonymize
import eraser.store.state
from eraser.config import load_config
from eraser.demo import DEMO_EMAIL
from eraser.engine.anonymize import Anonymizer
from eraser.engine.execute import erase, make_plan
from eraser.engine.holds import subject_references
from eraser.engine.introspect import trigram_indexes
from eraser.engine.search_index import larger_than, searchable_tables, text_columns
from eraser.engine.session import open_session
from eraser.subjects import parse_subject

RECEIVED = datetime(2026, 11, 22).date()


def _statements(connector, before: int) -> list[str]:
    ran = connector.statements - before
    return list(connector.iter_statements())[-ran:] if ran else []


def _two_addresses(engine: sa.Engine) -> tuple[int, int, int]:
    """The subject lives at address A, used by nobody else; a project of theirs is at address B, where another
    person (Q) lives. Returns (A, B, Q), set up and read back with our own SQL."""
    with engine.begin() as conn:
        pid, a = conn.execute(sa.text("SELECT id, address_id FROM persons WHERE lower(email) = :e"),
                              {"e": DEMO_EMAIL}).one()
        other = conn.execute(sa.text("SELECT min(id) FROM addresses WHERE id <> :a"), {"a": a}).scalar_one()
        conn.execute(sa.text("UPDATE persons SET address_id = :o WHERE address_id = :a AND id <> :p"),
                     {"o": other, "a": a, "p": pid})
        conn.execute(sa.text("UPDATE projects SET site_address_id = :o WHERE site_address_id = :a AND person_id <> :p"),
                     {"o": other, "a": a, "p": pid})
        b = conn.execute(sa.text("SELECT max(id) FROM addresses")).scalar_one() + 1
        conn.execute(sa.text("INSERT INTO addresses (id, street, postcode, city, country) "
                             "VALUES (:b, 'Werfstraat 9', '9000', 'Gent', 'BE')"), {"b": b})
        q = conn.execute(sa.text("SELECT min(id) FROM persons WHERE id <> :p"), {"p": pid}).scalar_one()
        conn.execute(sa.text("UPDATE persons SET address_id = :b WHERE id = :q"), {"b": b, "q": q})
        project = conn.execute(sa.text("SELECT min(id) FROM projects WHERE person_id = :p"), {"p": pid}).scalar_one()
        assert project is not None, "the demo subject has a project"
        conn.execute(sa.text("UPDATE projects SET site_address_id = :b WHERE id = :r"), {"b": b, "r": project})
        # the oracle: who refers to A and B from outside the subject's rows
        outside = ("SELECT count(*) FROM persons WHERE address_id = :x AND id <> :p",
                   "SELECT count(*) FROM projects WHERE site_address_id = :x AND person_id <> :p")
        assert sum(conn.execute(sa.text(s), {"x": a, "p": pid}).scalar_one() for s in outside) == 0
        assert sum(conn.execute(sa.text(s), {"x": b, "p": pid}).scalar_one() for s in outside) == 1
    return a, b, q


def test_the_rows_referring_to_the_subjects_addresses_are_read_once_per_plan(demo_env) -> None:
    """Address A (nobody else's) is to be deleted, B (another person's home too) is shared: the plan says so, as our
    SQL does, having read the persons that refer to them once (twice before: once for the shared check, once more
    for the rows to delete); the erasure then verifies and deletes no row that anyone still refers to."""
    a, b, q = _two_addresses(demo_env.engine)
    config = load_config(demo_env.config)
    subject = parse_subject([f"email={DEMO_EMAIL}"], config)
    with open_session(config) as session:
        connector = session.connectors["cover"]
        before = connector.statements
        plan = make_plan(session, subject, RECEIVED)
        ran = _statements(connector, before)
        addresses = plan.table("cover", "addresses").decisions
        assert addresses[(b,)].action == "review" and addresses[(b,)].code == "shared"
        assert addresses[(a,)].code != "shared" and addresses[(a,)].action in ("delete", "anonymize")
        reads = [s for s in ran if "FROM persons" in s and "persons.address_id IN" in s]
        assert len(reads) == 1, reads
        outcome = erase(session, subject, RECEIVED, expected_fingerprint=plan.fingerprint())
        assert outcome.verification["result"] in ("PASS", "IDENTIFIERS REMAIN IN ROWS KEPT FOR OTHERS")
    with demo_env.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT address_id FROM persons WHERE id = :q"), {"q": q}).scalar_one() == b
        assert conn.execute(sa.text("SELECT count(*) FROM addresses WHERE id = :b"), {"b": b}).scalar_one() == 1
        dangling = conn.execute(sa.text(
            "SELECT count(*) FROM persons p WHERE p.address_id IS NOT NULL AND NOT EXISTS "
            "(SELECT 1 FROM addresses x WHERE x.id = p.address_id)")).scalar_one()
        assert dangling == 0


def test_search_indexes_trigram_indexes_and_estimates_are_one_catalog_statement(demo_env) -> None:
    """The three catalog questions of a residual scan, asked in one transaction, are one statement (three before),
    and each answer is what our own catalog queries say."""
    if demo_env.engine.dialect.name != "postgresql":
        pytest.skip("the catalog questions are PostgreSQL's")
    with demo_env.engine.begin() as conn:
        conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        conn.execute(sa.text("CREATE INDEX ix_notes_trgm ON support_messages USING gin (body gin_trgm_ops)"))
        conn.execute(sa.text("CREATE INDEX ix_part_trgm ON projects USING gin (title gin_trgm_ops) WHERE id > 0"))
        conn.execute(sa.text("ANALYZE"))
    config = load_config(demo_env.config)
    with open_session(config) as session, session.connectors["cover"].begin() as tx:
        connector = session.connectors["cover"]
        columns_of = {t: cols for t in connector.table_names() if (cols := text_columns(connector, t))}
        before = connector.statements
        searchable = searchable_tables(connector, tx, columns_of)
        trigram = trigram_indexes(connector, tx)
        large = larger_than(connector, tx, sorted(columns_of), 30)
        assert connector.statements - before == 1
    with demo_env.engine.connect() as conn:
        defs = conn.execute(sa.text("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'")
                            ).all()
        counts = {t: conn.execute(sa.text(f"SELECT reltuples FROM pg_class WHERE relname = '{t}'")).scalar_one()
                  for t in columns_of}
    assert searchable == {t for t, name, _ in defs if name.startswith(f"ix_{t}_search_")} == set()
    assert trigram == {"support_messages": {"body"}}  # the partial index does not count
    assert any(d.startswith("CREATE INDEX ix_part_trgm") for _, _, d in defs)
    assert large == {t for t, n in counts.items() if n > 30}


def test_the_state_store_is_opened_once_for_a_plan_and_its_erasure(demo_env, monkeypatch) -> None:
    """Plan, then erase, in one session: the holds of the state store are read by both, the store opened once (twice
    before); a hold placed between the two by another process is read by the erasure."""
    opened = []
    real = eraser.store.state.StateStore.__init__

    def counting(self, *args, **kwargs) -> None:
        opened.append(1)
        real(self, *args, **kwargs)

    config = load_config(demo_env.config)
    store = eraser.store.state.StateStore(config.state or "")
    store.migrate()  # the store exists, as it does after any command that wrote to it
    store.dispose()
    monkeypatch.setattr(eraser.store.state.StateStore, "__init__", counting)
    subject = parse_subject([f"email={DEMO_EMAIL}"], config)
    with demo_env.engine.connect() as conn:
        other = conn.execute(sa.text("SELECT email FROM persons WHERE lower(email) <> :e AND email IS NOT NULL "
                                     "ORDER BY id LIMIT 1"), {"e": DEMO_EMAIL}).scalar_one()
    refs = sorted(subject_references(parse_subject([f"email={other}"], config), config.secret_bytes()))
    with open_session(config) as session:
        plan = make_plan(session, subject, RECEIVED)
        assert plan.kept is not None and not set(refs) & plan.kept.held
        holds = eraser.store.state.StateStore(config.state or "")  # another process places a hold meanwhile
        holds.add_hold(refs, "litigation", None, "test")
        holds.dispose()
        with pytest.raises(_RolledBack) as stopped:  # verified, then rolled back
            erase(session, subject, RECEIVED, before_commit=_rollback)
    assert len(opened) == 2  # the session's, and the one that placed the hold
    kept = stopped.value.args[0].plan.kept
    assert set(refs) <= kept.held


class _RolledBack(Exception):
    pass


def _rollback(outcome) -> None:
    raise _RolledBack(outcome)


def test_unseeded_anonymizers_share_one_faker_and_seeded_ones_do_not(monkeypatch) -> None:
    """Building a Faker is the Anonymizer's largest set-up: erasures without a seed use the process's one for their
    locales (a new one for every erasure before); a seeded one (the tests) still gets its own, reproducible."""
    built = []
    real = eraser.engine.anonymize.make_faker

    def counting(locales, seed=None):
        built.append(seed)
        return real(locales, seed)

    monkeypatch.setattr(eraser.engine.anonymize, "make_faker", counting)
    eraser.engine.anonymize._checking_faker.cache_clear()
    for _ in range(3):
        Anonymizer(["nl_BE", "fr_BE"], b"secret").fake.first_name()
    assert built == [None]
    one = Anonymizer(["nl_BE"], b"secret", seed=3).fake.first_name()
    two = Anonymizer(["nl_BE"], b"secret", seed=3).fake.first_name()
    assert one == two and built == [None, 3, 3]
