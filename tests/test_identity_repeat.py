"""A second request for a subject erased before says so, and when nothing of theirs remains it is recorded against
the earlier certificate instead of a new `nothing_found` one; the suppression list keeps pointing at the erasure
that erased something."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from eraser.demo import DEMO_EMAIL
from tests.rights_helpers import run


def _certificates(directory: Path) -> set[Path]:
    return set(directory.rglob("*.json")) if directory.exists() else set()


def _state(config: Path, sql: str) -> list[tuple]:
    engine = sa.create_engine(f"sqlite:///{config.parent / 'eraser-state.db'}")
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(sql))]
    finally:
        engine.dispose()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_second_request_for_an_erased_subject_is_recorded_against_the_first_certificate(demo_env) -> None:
    """The second `eraser erase` of the same person prints "already erased on DATE (certificate ID)", issues no
    certificate, closes its ticket on the first certificate, and the suppression list still names that one."""
    args = ["erase", "--config", str(demo_env.config), "--subject", f"email={DEMO_EMAIL}", "--yes"]
    first = run(*args)
    assert first.exit_code == 0, first.output
    issued = _certificates(demo_env.certificates)
    (certificate_id,) = {r[0] for r in _state(demo_env.config, "SELECT certificate_id FROM suppression")}
    second = run(*args, "--ticket-ref", "REQ-2")
    assert second.exit_code == 0, second.output
    assert "already erased on " in second.output and f"(certificate {certificate_id})" in second.output
    assert "Certificate: " not in second.output
    assert _certificates(demo_env.certificates) == issued
    assert _state(demo_env.config, "SELECT certificate_id FROM tickets WHERE external_ref = 'REQ-2'") == \
        [(certificate_id,)]
    assert {r[0] for r in _state(demo_env.config, "SELECT certificate_id FROM suppression")} == {certificate_id}


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_erasure_that_erases_nothing_adds_nothing_to_the_suppression_list(demo_env) -> None:
    """An address nobody has is certified as nothing found and is not put on the suppression list."""
    result = run("erase", "--config", str(demo_env.config), "--subject", "email=nobody.here@example.be", "--yes")
    assert result.exit_code == 0, result.output
    assert _state(demo_env.config, "SELECT count(*) FROM suppression") == [(0,)]
