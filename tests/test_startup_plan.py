"""`eraser erase --yes` makes no plan before the erasure's own: nobody reads it before it runs, and the two locates
inside the transaction (the locked plan, and the verification's re-locate) are what the certificate rests on.

Judged with SQL of the tests (tests/oracle.py), never with Eraser's own locate or plan: the same database erased
with a plan first (as without --yes) and without (as under --yes) ends with the same rows, and the two
certificates say the same.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

import eraser.engine.execute
import eraser.engine.verify
import eraser.erasure
from eraser.cli import main
from eraser.config import load_config
from eraser.demo import DEMO_EMAIL, populate
from eraser.proof.certificates import verify
from eraser.subjects import parse_subject
from eraser.tickets import new_ticket
from tests import oracle
from tests.conftest import _server_engine, cover_environment, fresh_database

CONFIG = Path(__file__).resolve().parents[1] / "configs" / "cover_group.yaml"
RECEIVED = datetime(2026, 11, 22)  # the request date of every erasure here


class Twins:
    """Two identical demo databases (`a`, `b`) with a COVER GROUP config each, certificates apart."""

    def __init__(self, urls: tuple[str, str], directory: Path) -> None:
        self.urls = urls
        self.configs = []
        for side, url in zip("ab", urls, strict=True):
            config = directory / f"cover_group.{side}.yaml"
            config.write_text(CONFIG.read_text().replace("${COVER_DB_URL}", url)
                              .replace("${ERASER_CERTIFICATES}", str(directory / f"certificates-{side}")))
            self.configs.append(config)
        self.engines = [sa.create_engine(u) for u in urls]


@pytest.fixture(params=["sqlite", "postgresql"])
def twins(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Twins]:
    cover_environment("unused", tmp_path, monkeypatch)
    for url in fresh_database(request.param, tmp_path):
        engine = sa.create_engine(url)
        populate(engine, persons=40, seed=11)
        engine.dispose()
        if request.param == "sqlite":
            copy = tmp_path / "copy.db"
            shutil.copyfile(url.removeprefix("sqlite:///"), copy)
            twins = Twins((url, f"sqlite:///{copy}"), tmp_path)
            yield twins
            for e in twins.engines:
                e.dispose()
            return
        admin = _server_engine("postgresql")
        name = f"eraser_test_{uuid.uuid4().hex[:10]}"
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{sa.engine.make_url(url).database}"'))
        twins = Twins((url, sa.engine.make_url(url).set(database=name).render_as_string(hide_password=False)),
                      tmp_path)
        try:
            yield twins
        finally:
            for e in twins.engines:
                e.dispose()
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def cli_erase(config: Path) -> str:
    result = CliRunner().invoke(main, ["erase", "--config", str(config), "--subject", f"email={DEMO_EMAIL}",
                                       "--yes", "--request-date", "2026-11-22", "--operator", "test"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Any]]:
    """Calls of the plan before the erasure, of the erasure's locate and of the verification's re-locate."""
    calls: dict[str, list[Any]] = {"plan first": [], "locate": [], "re-locate": []}

    def spy(name: str, real: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            calls[name].append(kwargs.get("for_update"))
            return real(*args, **kwargs)
        return call

    monkeypatch.setattr(eraser.erasure, "make_plan", spy("plan first", eraser.erasure.make_plan))
    monkeypatch.setattr(eraser.engine.execute, "locate", spy("locate", eraser.engine.execute.locate))
    monkeypatch.setattr(eraser.engine.verify, "locate", spy("re-locate", eraser.engine.verify.locate))
    return calls


def same_erasure(before: oracle.Snapshot, a: oracle.Snapshot, b: oracle.Snapshot) -> list[str]:
    """Where the two erasures differ: rows one kept and the other did not, or a value one changed and the other
    kept. A value both changed may differ (Faker's replacements are random)."""
    problems = []
    for table, rows in before.rows.items():
        if a.keys(table) != b.keys(table):
            problems.append(f"{table}: rows {sorted(a.keys(table) ^ b.keys(table))} are in one only")
        for key in a.keys(table) & b.keys(table):
            row_a, row_b, old = a.rows[table][key][1], b.rows[table][key][1], rows.get(key, (None, {}))[1]
            for column, value in row_a.items():
                if value != row_b[column] and (value == old.get(column) or row_b[column] == old.get(column)):
                    problems.append(f"{table} {key} {column}: changed by one erasure only")
    return problems


def comparable(payload: dict[str, Any]) -> dict[str, Any]:
    """A certificate's payload without what differs between any two erasures: the certificate's id, time and chain
    link, and the ticket's reference and times. Everything else (databases, counts, verification, subject, ...)
    must be equal."""
    return {k: v for k, v in payload.items() if k not in ("certificate", "ticket")}


def test_erase_yes_runs_no_plan_before_the_erasure_and_keeps_both_locates(twins: Twins,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Under --yes: no plan before the transaction; inside it, the locked locate and the re-locate, once each. The
    plan printed is the erasure's. Without --yes (erase_subject's default) the plan is made and shown first."""
    calls = counted(monkeypatch)
    out = cli_erase(twins.configs[0])
    assert calls == {"plan first": [], "locate": [True], "re-locate": [None]}, calls
    assert out.index("Plan for subject") < out.index("Verification: PASS") < out.index("Certificate: ")

    for c in calls.values():
        c.clear()
    config = load_config(twins.configs[1])
    shown = []
    done = eraser.erasure.erase_subject(config, parse_subject([f"email={DEMO_EMAIL}"], config),
                                        new_ticket(None, RECEIVED, "test"), on_plan=lambda plan, *_: shown.append(plan))
    assert done.planned_first and shown == [done.plan]
    assert calls == {"plan first": [None], "locate": [False, True], "re-locate": [None]}, calls


def test_erase_yes_erases_and_certifies_as_with_a_plan_first(twins: Twins) -> None:
    """The same database erased with a plan first (database a) and under --yes without one (database b): the same
    rows deleted, the same values changed, every other row byte-identical, and certificates that say the same."""
    before = oracle.snapshot(twins.engines[0])
    assert oracle.unchanged(before, oracle.snapshot(twins.engines[1])) == []  # twins indeed

    config = load_config(twins.configs[0])
    done = eraser.erasure.erase_subject(config, parse_subject([f"email={DEMO_EMAIL}"], config),
                                        new_ticket(None, RECEIVED, "test"), on_plan=lambda *_: None)
    assert done.planned_first and done.issued is not None
    out = cli_erase(twins.configs[1])

    a, b = (oracle.snapshot(e) for e in twins.engines)
    assert oracle.unchanged(before, a) != [], "the erasure changed nothing"
    assert same_erasure(before, a, b) == []
    certified = [verify(done.issued.path, [config.signing.public_key]).payload,  # type: ignore[list-item]
                 verify(Path(out.rsplit("Certificate: ", 1)[1].strip()), [config.signing.public_key]).payload]
    assert certified[0]["verification"]["result"] == "PASS"
    assert {"databases", "totals", "verification", "subject"} <= set(comparable(certified[0]))
    assert comparable(certified[0]) == comparable(certified[1])


def test_a_subject_erased_before_is_still_planned_first_under_yes(twins: Twins, monkeypatch: pytest.MonkeyPatch
                                                                  ) -> None:
    """A second `erase --yes` of a subject of whom nothing remains is planned first (the plan says nothing
    remains), recorded against the first certificate, and issues none."""
    first = cli_erase(twins.configs[0])
    calls = counted(monkeypatch)
    again = cli_erase(twins.configs[0])
    assert calls["plan first"] == [None] and calls["locate"] == [False], calls
    assert "Nothing remains" in again and "no new certificate" in again
    certificates = Path(first.rsplit("Certificate: ", 1)[1].strip()).parent
    assert len(list(certificates.glob("*.cert.json"))) == 1
