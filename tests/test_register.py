"""The register of requests, matched one to one against the certificate store."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner

from eraser.cli import main
from eraser.demo import DEMO_EMAIL
from eraser.proof.certificates import issue, load_private_key
from tests.test_daemon import Daemon


def register_rows(daemon: Daemon, *extra: str, exit_code: int = 0) -> list[dict]:
    result = CliRunner().invoke(main, ["register", "--config", str(daemon.config_path), "--format", "json", *extra],
                                catch_exceptions=False)
    assert result.exit_code == exit_code, result.output
    return list(json.loads(result.stdout))


def test_register_lists_tickets_certificates_follow_ups_and_flags(tmp_path: Path) -> None:
    """Daemon and CLI erasures both appear with dates, outcome, certificates and log indexes; the retention
    sweep's follow-up hangs under its ticket; a missing certificate, a certificate without a ticket and a
    finished ticket without a certificate are flagged."""
    daemon = Daemon(tmp_path / "d")
    try:
        ticket = daemon.submit(ref="HD-77")
        daemon.drain()
        engine = sa.create_engine(f"sqlite:///{daemon.root / 'cover.db'}")
        with engine.connect() as conn:
            other = conn.execute(sa.text("SELECT email FROM persons WHERE email != :e AND email IS NOT NULL "
                                         "ORDER BY id LIMIT 1"), {"e": DEMO_EMAIL}).scalar()
        engine.dispose()
        cli = CliRunner().invoke(main, ["erase", "--config", str(daemon.config_path), "--subject", f"email={other}",
                                        "--yes", "--ticket-ref", "MAIL-2026-5"], catch_exceptions=False)
        assert cli.exit_code == 0, cli.output
        with daemon.store.engine.connect() as conn:
            release = conn.execute(sa.text("SELECT min(release_on) FROM retained_rows")).scalar()
        assert CliRunner().invoke(main, ["sweep", "--yes", "--config", str(daemon.config_path), "--today",
                                         str(release)]).exit_code == 0
        rows = register_rows(daemon)
        by_ref = {r["reference"]: r for r in rows}
        assert by_ref["HD-77"]["ticket"] == ticket["id"] and by_ref["HD-77"]["status"] == "done_with_retention"
        assert any("(retention_release)" in c for r in rows for c in r["certificates"])
        assert by_ref["MAIL-2026-5"]["certificates"] and by_ref["MAIL-2026-5"]["log_indexes"]
        assert all(not r["flags"] for r in rows), rows
        assert other not in json.dumps(rows) and DEMO_EMAIL not in json.dumps(rows)

        stray = issue({"certificate": {"type": "erasure"}, "ticket": {"reference": "nobody"}},
                      load_private_key(daemon.root / "keys" / "eraser-signing.pem"), daemon.root / "certificates")
        cert_of_ticket = daemon.store.ticket(ticket["id"])["certificate_id"]
        path = next(p for p in (daemon.root / "certificates").glob(f"*{cert_of_ticket}*.cert.json"))
        path.unlink()
        with daemon.store.engine.begin() as conn:
            conn.execute(sa.text("UPDATE tickets SET certificate_id = NULL WHERE external_ref = 'MAIL-2026-5'"))
        flagged: dict[str, list[str]] = {}
        for r in register_rows(daemon, exit_code=1):  # any finding is a non-zero exit
            flagged.setdefault(r["reference"], []).extend(r["flags"])
        assert any("missing from the store" in f for f in flagged["HD-77"])
        # The ticket lost its link: the ticket and its certificate are each flagged.
        assert sorted(flagged["MAIL-2026-5"]) == ["certificate without a ticket", "final ticket without a certificate"]
        assert flagged["nobody"] == ["certificate without a ticket"]
        assert stray.path.exists()
        csv_out = CliRunner().invoke(main, ["register", "--config", str(daemon.config_path)]).output
        assert csv_out.splitlines()[0].startswith("ticket,reference,kind,status,received_at,due_at")
    finally:
        daemon.close()
