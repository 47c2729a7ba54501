"""A foreign-key cycle among the tables a tenant purge covers: refused in one sentence, nothing changed."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from click.testing import CliRunner

from tests.test_purge_scope import GONE, Tiny, rows_by_key, tiny_sqlite  # noqa: F401


def test_a_foreign_key_cycle_in_scope_is_refused_in_one_sentence(tiny_sqlite: Tiny) -> None:  # noqa: F811
    """customers -> teams -> customers, both the tenant's: the purge cannot order them, says so in one sentence
    (the tables named, no traceback), exits non-zero and changes no row of any table."""
    tiny = tiny_sqlite
    with tiny.engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE teams (id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL REFERENCES "
                             "tenants(id), lead_id INTEGER REFERENCES customers(id), name VARCHAR(40))"))
        conn.execute(sa.text("ALTER TABLE customers ADD COLUMN team_id INTEGER REFERENCES teams(id)"))
        conn.execute(sa.text("INSERT INTO teams VALUES (2, 2, 2, 'team two'), (1, 1, 1, 'team one')"))
        conn.execute(sa.text("UPDATE customers SET team_id = tenant_id"))

    def cycle(data: dict[str, Any]) -> None:
        data["connectors"]["shop"]["tables"]["teams"] = {"tenant": "tenant_id", "action": "delete",
                                                         "columns": {"name": "redact"}}
    tiny.rewrite(cycle)
    before = rows_by_key(tiny.engine)
    from eraser.cli import main

    for args in (["--yes"], ["--yes", "--mode", "anonymize"], ["--dry-run"]):
        purge = CliRunner().invoke(main, ["purge", "--config", str(tiny.config_path), "--tenant", GONE, *args])
        assert purge.exit_code != 0, purge.output
        assert "Traceback" not in purge.output and "StopIteration" not in purge.output, purge.output
        assert purge.output.strip().count("\n") == 0, purge.output
        assert "cycle" in purge.output and "customers" in purge.output and "teams" in purge.output, purge.output
        assert rows_by_key(tiny.engine) == before


def test_the_oracle_refuses_a_cycle_it_is_handed(tiny_sqlite: Tiny, monkeypatch: Any) -> None:  # noqa: F811
    """The checks find the tenant's rows again parents first; handed tables in a cycle (even if the scope's own
    check were bypassed), the key gathering and the oracle each refuse with the one sentence naming the tables,
    never a StopIteration, and leave every row as it was."""
    import eraser.purge.scope as scope_module
    from eraser.engine.session import open_session
    from eraser.purge.result import TenantError
    from eraser.purge.scope import Scope, tables_in_scope
    from eraser.purge.verify import oracle
    from tests.test_purge_scope import TODAY

    tiny = tiny_sqlite
    with tiny.engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE teams (id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL REFERENCES "
                             "tenants(id), lead_id INTEGER REFERENCES customers(id), name VARCHAR(40))"))
        conn.execute(sa.text("ALTER TABLE customers ADD COLUMN team_id INTEGER REFERENCES teams(id)"))
    tiny.rewrite(lambda data: data["connectors"]["shop"]["tables"].update(
        {"teams": {"tenant": "tenant_id", "action": "delete"}}))
    before = rows_by_key(tiny.engine)
    monkeypatch.setattr(scope_module, "tables_in_scope", lambda config, graph: (tables_in_scope(config, graph)[0], []))
    with open_session(tiny.config) as session:
        graph = session.graphs["shop"]
        with graph.connector.engine.connect() as conn:
            scope = Scope(tiny.config, "shop", graph, conn, GONE, "delete", TODAY)
            for step in (scope.build, lambda: oracle(scope), lambda: oracle(scope, owned_by_keys=True)):
                try:
                    step()
                except TenantError as refused:
                    assert "cycle" in str(refused) and "customers" in str(refused) and "teams" in str(refused)
                    assert "\n" not in str(refused)
                else:
                    raise AssertionError("a cycle was not refused")
            conn.rollback()
    assert rows_by_key(tiny.engine) == before


def test_pool_values_that_cannot_be_drawn_stop_the_purge_before_any_change(tiny_sqlite: Tiny,  # noqa: F811
                                                                           monkeypatch: Any) -> None:
    """The Faker values are drawn in a thread while the scope is gathered: a provider that fails there stops the
    purge with its error before the first batch, so no row changes and nothing is journaled or certified."""
    import eraser.purge.pools as pools_module
    from tests.test_purge_scope import run_purge

    tiny = tiny_sqlite
    tiny.rewrite(lambda data: data["tenants"].update({"mode": "anonymize"}))
    before = rows_by_key(tiny.engine)

    def broken(self: Any, provider: str) -> Any:
        raise RuntimeError(f"provider {provider} failed")
    monkeypatch.setattr(pools_module.Pools, "_draw", broken)
    store = tiny.store()
    try:
        try:
            run_purge(tiny, store)
        except RuntimeError as failed:
            assert "failed" in str(failed)
        else:
            raise AssertionError("the purge went on without its pool values")
        with store.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM purges")).scalar_one() == 0
            assert conn.execute(sa.text("SELECT count(*) FROM certificates")).scalar_one() == 0
    finally:
        store.dispose()
    assert rows_by_key(tiny.engine) == before
