"""The suppression list: after an erasure, keyed hashes of the subject's normalized identifiers are kept, so a
returning address is recognized (exit 0 "suppressed") without the state store ever holding it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config as AlembicConfig

import eraser.store.state
from eraser.demo import DEMO_EMAIL, DEMO_MOBILE
from eraser.store.rights import RightsStore
from eraser.store.state import StateStore
from tests.rights_helpers import grep_bytes, run


def _suppressed(config: Path, *args: str) -> tuple[int, str]:
    result = run("suppressed", "--config", str(config), *args)
    return result.exit_code, result.output.strip()


def test_erased_identifiers_are_suppressed_in_any_spelling(demo_env) -> None:
    """Before the erasure the address is not on the list (exit 1); after it, the address in another case and
    spacing, and the phone number in another spelling, are (exit 0); another address is not; the state store
    holds neither the address nor the number."""
    config = demo_env.config
    assert _suppressed(config, "--email", DEMO_EMAIL) == (1, "not on the suppression list")
    erased = run("erase", "--config", str(config), "--subject", f"email={DEMO_EMAIL}", "--subject",
                 f"phone={DEMO_MOBILE}", "--yes")
    assert erased.exit_code == 0, erased.output
    code, out = _suppressed(config, "--email", "  Jan.PEETERS@example.BE ")
    assert code == 0 and out.startswith("suppressed: erased on ") and "certificate " in out
    assert _suppressed(config, "--phone", "0470/12.34.56")[0] == 0
    assert _suppressed(config, "--subject", "phone=+32470123456")[0] == 0
    assert _suppressed(config, "--email", "marie.dubois@example.be") == (1, "not on the suppression list")
    assert _suppressed(config, "--email", "not an address", "--email", DEMO_EMAIL)[0] == 0
    state = [config.parent / "eraser-state.db", *config.parent.glob("eraser-state.db-*")]
    assert state[0].exists()
    assert grep_bytes(state, DEMO_EMAIL) == [] and grep_bytes(state, "470 12 34 56") == []
    assert grep_bytes(state, "+32470123456") == []


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_held_erasure_suppresses_nothing_and_bad_input_is_refused(demo_env) -> None:
    """An erasure blocked by a legal hold erases nothing, so it adds nothing to the list; a lookup without an
    identifier, or with an identifier type the config lacks, is an error (exit 2 for the latter)."""
    held = run("erase", "--config", str(demo_env.config), "--subject", f"email={DEMO_EMAIL}", "--yes", "--hold",
               "litigation 2026/9")
    assert held.exit_code == 0, held.output
    assert _suppressed(demo_env.config, "--email", DEMO_EMAIL)[0] == 1
    assert "give --email" in _suppressed(demo_env.config)[1]
    code, out = _suppressed(demo_env.config, "--subject", "iban=BE71096123456769")
    assert code == 2 and "identifier type 'iban'" in out and "BE71096123456769" not in out


def test_state_store_migration_on_every_dialect(db_url: str) -> None:
    """Migration 0002 applies on SQLite, PostgreSQL and MariaDB state stores, the rights tables work there, and it
    downgrades to 0001 and upgrades again."""
    store = StateStore(db_url)
    try:
        store.migrate()
        rights = RightsStore(store, b"k" * 32)
        ref = "hmac-sha256:" + "ab" * 32
        assert rights.suppressed([ref]) is None
        assert rights.suppress([("email", ref)], "cert-1") == 1 and rights.suppress([("email", ref)], "cert-2") == 0
        assert rights.suppressed([ref])["certificate_id"] == "cert-2"
        assert rights.record_erasure(certificate_id="cert-2", kind="erasure", ticket_id=None, ticket_reference="R",
                                     subject_ref=None, completed_at=datetime(2026, 1, 5, tzinfo=UTC),
                                     certificate_sha256="0" * 64,
                                     rows=[{"connector": "c", "table": "t", "key": rights.keys.encode((7,), False),
                                            "action": "delete"},
                                           {"connector": "c", "table": "t", "key": rights.keys.encode(("a@b.c",), True),
                                            "action": "anonymize", "strategies": {"email": "faker:email"}}])
        assert [e["certificate_id"] for e in rights.erasures_since(datetime(2026, 1, 1, tzinfo=UTC))] == ["cert-2"]
        assert [r["key"] for r in rights.journal_rows("cert-2")] == [(7,), ("a@b.c",)]
        with store.engine.connect() as conn:
            stored = [r[0] for r in conn.execute(sa.text("SELECT primary_key FROM erasure_rows ORDER BY id"))]
        assert stored[0] == "[7]" and "a@b.c" not in stored[1]
        cfg = AlembicConfig()
        cfg.set_main_option("script_location", str(Path(eraser.store.state.__file__).parent / "migrations"))
        with store.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0001")
        assert "suppression" not in sa.inspect(store.engine).get_table_names()
        store.migrate()
        assert {"suppression", "erasures", "erasure_rows", "restrictions", "restricted_rows", "webhook_deliveries"} \
            <= set(sa.inspect(store.engine).get_table_names())
    finally:
        store.dispose()
