"""Restriction of processing (Art. 18): rows are marked through a configured flag column or listed in the state
store, listed back, lifted later; erasure still works on restricted rows."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from eraser.demo import DEMO_EMAIL
from tests.rights_helpers import LocalDaemon, person_id, run, variant


def _flagged_config(demo_env, tmp_path: Path) -> Path:
    """persons and projects get a `restricted` boolean column, named as their restrict_flag."""
    with demo_env.engine.begin() as conn:
        for table in ("persons", "projects"):
            conn.execute(sa.text(f"ALTER TABLE {table} ADD COLUMN restricted BOOLEAN NOT NULL DEFAULT FALSE"))
    return variant(demo_env.config, tmp_path,
                   ("        category: identification and contact details\n",
                    "        category: identification and contact details\n        restrict_flag: restricted\n"),
                   ("        category: project data supplied by the customer\n",
                    "        category: project data supplied by the customer\n        restrict_flag: restricted\n"))


def _flags(engine: sa.Engine, table: str) -> dict[int, bool]:
    with engine.connect() as conn:
        return {r.id: bool(r.restricted) for r in conn.execute(sa.text(f"SELECT id, restricted FROM {table}"))}


def test_restrict_list_erase_and_lift(demo_env, tmp_path: Path) -> None:
    """`restrict add` flags the subject's persons and projects rows and lists every located row; `restrict list`
    and `show` list them; erasure still works (rows it deletes leave the list); `lift` clears the flags."""
    config = _flagged_config(demo_env, tmp_path)
    pid = person_id(demo_env.engine)
    result = run("restrict", "add", "--config", str(config), "--subject", f"email={DEMO_EMAIL}")
    assert result.exit_code == 0, result.output
    restriction = result.output.split()[1].rstrip(":")
    assert "cover.persons 1 (flagged)" in result.output and "cover.usage_events 3" in result.output
    persons, projects = _flags(demo_env.engine, "persons"), _flags(demo_env.engine, "projects")
    with demo_env.engine.connect() as conn:
        ours = {r[0] for r in conn.execute(sa.text("SELECT id FROM projects WHERE person_id = :p"), {"p": pid})}
    assert {i for i, f in persons.items() if f} == {pid}
    assert {i for i, f in projects.items() if f} == ours and len(ours) == 2
    listed = run("restrict", "list", "--config", str(config))
    assert restriction in listed.output and "cover.invoices 3" in listed.output, listed.output
    shown = run("restrict", "show", "--config", str(config), restriction).output
    assert shown.count("flag column") == 3 and "list only" in shown and DEMO_EMAIL not in shown

    erased = run("erase", "--config", str(config), "--subject", f"email={DEMO_EMAIL}", "--yes")
    assert erased.exit_code == 0 and "Verification: PASS" in erased.output, erased.output
    shown = run("restrict", "show", "--config", str(config), restriction).output
    assert "(erased)" in shown and shown.count("(erased)") >= 10
    assert _flags(demo_env.engine, "persons")[pid] is True  # the anonymized person stays restricted

    lifted = run("restrict", "lift", "--config", str(config), restriction)
    assert lifted.exit_code == 0, lifted.output
    assert not any(_flags(demo_env.engine, "persons").values())
    assert not any(_flags(demo_env.engine, "projects").values())
    assert "No active restrictions" in run("restrict", "list", "--config", str(config)).output


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_overlapping_restrictions_keep_the_flag_until_the_last_is_lifted(demo_env, tmp_path: Path) -> None:
    """Two restrictions of the same rows: lifting one keeps the flag, lifting the other clears it; a restriction
    is lifted once, and an unknown one is an error."""
    config = _flagged_config(demo_env, tmp_path)
    pid = person_id(demo_env.engine)
    first = run("restrict", "add", "--config", str(config), "--subject", f"email={DEMO_EMAIL}").output.split()[1]
    second = run("restrict", "add", "--config", str(config), "--subject", "phone=0470 12 34 56").output.split()[1]
    assert run("restrict", "lift", "--config", str(config), first.rstrip(":")).exit_code == 0
    assert _flags(demo_env.engine, "persons")[pid] is True
    assert run("restrict", "lift", "--config", str(config), second.rstrip(":")).exit_code == 0
    assert _flags(demo_env.engine, "persons")[pid] is False
    again = run("restrict", "lift", "--config", str(config), first.rstrip(":"))
    assert again.exit_code == 1 and "already lifted" in again.output
    assert "there is no restriction" in run("restrict", "lift", "--config", str(config), "nope").output


def test_restrict_ticket_over_http_then_erasure(tmp_path: Path) -> None:
    """POST /tickets {kind: restrict}: the worker lists the subject's rows in the state store and the ticket is
    done; a later erasure ticket for the same subject still completes and its deleted rows leave the list."""
    daemon = LocalDaemon(tmp_path / "d")
    try:
        ticket = daemon.submit("restrict", ref="HD-R-1")
        daemon.drain()
        done = daemon.ticket(ticket["id"])
        assert done["status"] == "done", done
        restriction = done["plan"]["restriction_id"]
        assert done["plan"]["tables"]["cover.persons"]["list"] == 1
        listed = run("restrict", "list", "--config", str(daemon.config_path)).output
        assert restriction in listed and "helpdesk agent 7" in listed
        erase = daemon.submit("erase", ref="HD-E-1")
        daemon.drain()
        assert daemon.ticket(erase["id"])["status"] == "done_with_retention"
        shown = run("restrict", "show", "--config", str(daemon.config_path), restriction).output
        assert "(erased)" in shown and "cover.invoices" in shown
    finally:
        daemon.close()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_wrong_flag_column_is_a_config_error(demo_env, tmp_path: Path) -> None:
    """A restrict_flag naming a missing column is reported by `config check` and refused by `restrict add`
    (exit 2) before anything is marked."""
    config = variant(demo_env.config, tmp_path, ("        category: identification and contact details\n",
                                                 "        category: identification and contact details\n"
                                                 "        restrict_flag: restricted\n"))
    check = run("config", "check", str(config))
    assert check.exit_code == 2 and "column 'restricted' does not exist in table 'persons'" in check.output
    added = run("restrict", "add", "--config", str(config), "--subject", f"email={DEMO_EMAIL}")
    assert added.exit_code == 2 and "restricted" in added.output
    assert "No active restrictions" in run("restrict", "list", "--config", str(config)).output
