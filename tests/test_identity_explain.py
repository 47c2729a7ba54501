"""The phone and email lookups stay indexed: with the lookup indexes removed and then created as `config check`
proposes them, `EXPLAIN` of every identifier lookup Eraser issues while planning and erasing (captured from the
driver, with its parameters) shows an index scan, never a scan of the table. On PostgreSQL every lookup; on
MariaDB the email lookups (a `_ci` column's own index), while `config check` says the phone lookups cannot be
indexed there (MariaDB indexes no expression)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa

from eraser.config import load_config
from eraser.demo import DEMO_EMAIL
from eraser.engine.execute import erase, make_plan
from eraser.engine.session import open_session
from eraser.subjects import parse_subject
from tests.test_config_check import check, fixes, problems

LOOKUP = re.compile(r"\b(persons|newsletter_subscriptions)\.(email|phone|mobile|customer_number)\b")
FILLER = 600  # other people: on a table of a few dozen rows a database reads the whole table or index anyway


def _fill(engine: sa.Engine) -> None:
    now = datetime(2026, 1, 5, 9, 0)
    persons = [{"id": 10_000 + i, "tenant_id": 1, "customer_number": f"F{i:07d}", "first_name": "Filler",
                "last_name": f"Person {i}", "email": f"filler{i}@example.com", "phone": f"+32 2 {i:03d} 00 00",
                "mobile": f"0470 99 {i % 100:02d} {i // 100:02d}", "language": "nl", "created_at": now}
               for i in range(FILLER)]
    letters = [{"id": 10_000 + i, "email": f"reader{i}@example.com", "language": "nl", "subscribed_at": now,
                "source": "web"} for i in range(FILLER)]
    meta = sa.MetaData()
    meta.reflect(engine, only=["persons", "newsletter_subscriptions"])
    with engine.begin() as conn:
        conn.execute(meta.tables["persons"].insert(), persons)
        conn.execute(meta.tables["newsletter_subscriptions"].insert(), letters)
        conn.execute(sa.text("ANALYZE persons" if engine.dialect.name == "postgresql" else "ANALYZE TABLE persons"))
        conn.execute(sa.text("ANALYZE newsletter_subscriptions" if engine.dialect.name == "postgresql"
                             else "ANALYZE TABLE newsletter_subscriptions"))


def _drop_lookup_indexes(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = conn.execute(sa.text("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'ix\\_%\\_folded' "
                                         "OR indexname LIKE 'ix\\_%\\_digits'")).scalars().all()
            for name in names:
                conn.execute(sa.text(f'DROP INDEX "{name}"'))
        else:
            conn.execute(sa.text("DROP INDEX ix_persons_email ON persons"))
            conn.execute(sa.text("DROP INDEX ix_newsletter_subscriptions_email ON newsletter_subscriptions"))


def _where(statement: str) -> str:
    parts = re.split(r"\sWHERE\s", statement, maxsplit=1)
    return parts[1] if len(parts) == 2 else ""


def _lookups(config: Any, *subjects: str) -> list[tuple[str, Any]]:
    """The identifier lookups Eraser sends while planning and erasing, as the driver received them."""
    seen: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, params: Any, context: Any, executemany: bool) -> None:
        where = _where(statement)
        if statement.lstrip().startswith("SELECT") and LOOKUP.search(where) and " AS t_0" not in statement:
            seen.append((statement, params))  # (the residual scan's reads label their columns t_0 ...)

    cfg = load_config(config)
    sa.event.listen(sa.engine.Engine, "before_cursor_execute", capture)
    try:
        with open_session(cfg) as session:
            for pair in subjects:
                subject = parse_subject([pair], cfg)
                make_plan(session, subject)
                erase(session, subject)
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", capture)
    return seen


def _postgresql_plan(conn: Any, statement: str, params: Any) -> str:
    conn.exec_driver_sql("SET LOCAL enable_seqscan = off")  # as `config check` asks: can an index serve it
    return "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + statement, params))


@pytest.mark.parametrize("db_url", ["postgresql", "mariadb"], indirect=True)
def test_every_identifier_lookup_is_an_index_scan_with_the_proposed_indexes(demo_env) -> None:
    engine = demo_env.engine
    pg = engine.dialect.name == "postgresql"
    _fill(engine)
    _drop_lookup_indexes(engine)
    proposed = [f for f in fixes(check(demo_env.config)) if "_folded" in f or "_digits" in f or "_email" in f]
    expected = {"ix_persons_email", "ix_newsletter_subscriptions_email"} | \
        ({"ix_persons_phone_digits", "ix_persons_mobile_digits"} if pg else set())
    assert {re.search(r"CREATE INDEX (\w+)", f).group(1).removesuffix("_folded") for f in proposed} == expected  # type: ignore[union-attr]
    with engine.begin() as conn:
        for statement in proposed:
            conn.execute(sa.text(statement))
    warnings = [w for w in problems(check(demo_env.config), "warning") if "identifier column" in w]
    if pg:
        assert warnings == []
    else:  # the phone lookups are said to be unindexable, the email lookups are not mentioned
        assert sorted(re.findall(r"'(persons\.\w+)'", " ".join(warnings))) == ["persons.mobile", "persons.phone"], warnings
        assert all("cannot index" in w for w in warnings)

    lookups = _lookups(demo_env.config, f"email={DEMO_EMAIL}", "phone=+32 470 99 01 02", "email=reader7@example.com")
    covered = {m.groups() for s, _ in lookups for m in LOOKUP.finditer(_where(s))}
    assert {("persons", "email"), ("persons", "phone"), ("persons", "mobile"),
            ("newsletter_subscriptions", "email")} <= covered
    checked = 0
    with engine.connect() as conn:
        for statement, params in lookups:
            if pg:
                with conn.begin():
                    plan = _postgresql_plan(conn, statement, params)
                assert "Seq Scan" not in plan and "Index Cond" in plan, (statement, plan)
                checked += 1
            elif not re.search(r"regexp_replace\(| REGEXP ", statement):  # phone lookups: no MariaDB index serves either
                rows = conn.exec_driver_sql("EXPLAIN " + statement, params).mappings().all()
                assert rows and all(r["key"] and r["type"] not in ("ALL", "index") for r in rows), (statement, rows)
                checked += 1
    assert checked >= 4
