"""Materialized views hold copies an erasure does not change: the residual scan lists each one that still holds
the subject's identifiers as a derived copy with its refresh command, and refreshes it when the config says so
(PostgreSQL); judged by plain SQL on the view."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from eraser.errors import VerificationError
from tests.identity_helpers import create, erase_subject, write_config


def _mailing(db_url: str, tmp_path: Path, scan: dict) -> tuple[sa.Engine, Path]:
    engine = create(db_url, ["CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR(100))",
                             "INSERT INTO customers VALUES (1, 'an@example.be'), (2, 'bo@example.be')",
                             "CREATE MATERIALIZED VIEW mailing AS SELECT id, email FROM customers"], {})
    config = write_config(tmp_path, db_url, {"email": {"kind": "email"}},
                          {"customers": {"identify": {"email": "email"}, "action": "delete"}}, scan=scan)
    return engine, config


def _in_view(engine: sa.Engine, email: str) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT count(*) FROM mailing WHERE email = :e"), {"e": email}).scalar_one()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_materialized_view_is_listed_as_a_derived_copy_and_fails_the_scan(db_url: str, tmp_path: Path) -> None:
    """In report mode the certificate lists the view with its row count and REFRESH command; in fail mode the
    erasure rolls back, naming the view and the command."""
    engine, config = _mailing(db_url, tmp_path, {"mode": "report"})
    outcome = erase_subject(config, "email=an@example.be")
    (copy,) = outcome.verification["residual_scan"]["by_connector"][0]["derived_copies"]
    assert copy == {"view": "mailing", "rows_with_hits": 1, "refresh": "REFRESH MATERIALIZED VIEW mailing;",
                    "refreshed": False}
    assert _in_view(engine, "an@example.be") == 1
    config.write_text(config.read_text().replace('"mode": "report"', '"mode": "fail"'))
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO customers VALUES (3, 'cy@example.be')"))
        conn.execute(sa.text("REFRESH MATERIALIZED VIEW mailing"))
    with pytest.raises(VerificationError, match="materialized view mailing"):
        erase_subject(config, "email=cy@example.be")
    engine.dispose()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_materialized_view_is_refreshed_when_configured(db_url: str, tmp_path: Path) -> None:
    """With refresh_materialized_views the view is refreshed inside the erasure and no longer holds the address."""
    engine, config = _mailing(db_url, tmp_path, {"mode": "fail", "refresh_materialized_views": True})
    outcome = erase_subject(config, "email=an@example.be")
    assert outcome.verification["result"] == "PASS"
    assert _in_view(engine, "an@example.be") == 0 and _in_view(engine, "bo@example.be") == 1
    engine.dispose()
