"""The one orchestration of an erasure (eraser.erasure.carry_out) on a tiny inline schema, with a journal that records
which of its steps ran and in which order: the CLI and the daemon only supply such a journal. The rows are judged
with plain SQL (tests/identity_helpers.py), never with Eraser's own plan."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from eraser.config import Config, load_config
from eraser.engine.execute import Outcome
from eraser.engine.plan import Plan
from eraser.engine.session import open_session
from eraser.erasure import carry_out
from eraser.errors import PlanChangedError
from eraser.store.state import StateStore
from tests.identity_helpers import create, ids, write_config

EMAIL = "an@example.be"


class Recording:
    """A journal that writes nothing but the names of the steps it was asked to take."""

    plan_first = True

    def __init__(self, config: Config, store: StateStore, *, go: bool = True, resumed: Any = None,
                 expected: str | None = None) -> None:
        self.config, self.store, self.go, self.resumed, self.wanted = config, store, go, resumed, expected
        self.steps: list[str] = []

    def hold(self) -> None:
        self.steps.append("hold")

    def resume(self, fresh: Callable[[], Plan]) -> Any:
        self.steps.append("resume")
        return self.resumed

    def on_plan(self, plan: Plan, dialects: dict[str, str], repeat: Any) -> None:
        self.steps.append(f"plan:{plan.totals()['delete']}")

    def close_on_earlier(self, repeat: Any) -> None:
        self.steps.append("closed on earlier")

    def go_ahead(self, plan: Plan | None) -> bool:
        self.steps.append("go ahead" if self.go else "wait")
        return self.go

    def expected(self, plan: Plan | None) -> str | None:
        return self.wanted or (plan.fingerprint() if plan is not None else None)

    def before_commit(self, outcome: Outcome) -> None:
        self.steps.append("before commit")

    def after_commit(self, connector: str) -> None:
        self.steps.append(f"committed:{connector}")

    def plan_changed(self, error: PlanChangedError, fresh: Callable[[], Plan]) -> None:
        self.steps.append(f"plan changed:{fresh().totals()['delete']}")

    def committed(self, outcome: Outcome) -> Outcome:
        self.steps.append("recorded")
        return outcome

    def certify(self, record: Any) -> Any:
        self.steps.append("certify")
        return "issued"


@pytest.fixture
def tiny(tmp_path: Path) -> Iterator[tuple[Config, StateStore, sa.Engine]]:
    url = f"sqlite:///{tmp_path / 'tiny.db'}"
    engine = create(url, ["CREATE TABLE people (id INTEGER PRIMARY KEY, email TEXT)"],
                    {"people": [{"id": 1, "email": EMAIL}, {"id": 2, "email": "bo@example.be"}]})
    config = load_config(write_config(tmp_path, url, {"email": {"kind": "email"}},
                                      {"people": {"action": "delete", "identify": {"email": "email"}}},
                                      extra={"state": f"sqlite:///{tmp_path / 'state.db'}"}))
    store = StateStore(config.state or "")
    store.migrate()
    yield config, store, engine
    store.dispose()
    engine.dispose()


def run(config: Config, journal: Recording) -> Any:
    from eraser.subjects import parse_subject

    subject = parse_subject([f"email={EMAIL}"], config)
    with open_session(config) as session:
        return carry_out(journal, session, subject, date(2026, 12, 1))


def test_the_steps_run_in_one_order(tiny: tuple[Config, StateStore, sa.Engine]) -> None:
    config, store, engine = tiny
    journal = Recording(config, store)
    done = run(config, journal)
    assert journal.steps == ["hold", "resume", "plan:1", "go ahead", "before commit", "committed:db", "recorded",
                             "certify"]
    assert done.issued == "issued" and done.outcome is not None
    assert ids(engine, "people") == {2}


def test_a_journal_that_waits_erases_nothing(tiny: tuple[Config, StateStore, sa.Engine]) -> None:
    config, store, engine = tiny
    journal = Recording(config, store, go=False)
    done = run(config, journal)
    assert journal.steps == ["hold", "resume", "plan:1", "wait"]
    assert done.issued is None and ids(engine, "people") == {1, 2}


def test_a_resumed_record_is_certified_without_erasing(tiny: tuple[Config, StateStore, sa.Engine]) -> None:
    config, store, engine = tiny
    journal = Recording(config, store, resumed={"certificate_id": "earlier"})
    run(config, journal)
    assert journal.steps == ["hold", "resume", "certify"]
    assert ids(engine, "people") == {1, 2}


def test_a_plan_that_no_longer_matches_goes_back_to_the_journal(tiny: tuple[Config, StateStore, sa.Engine]
                                                                ) -> None:
    config, store, engine = tiny
    journal = Recording(config, store, expected="0" * 64)
    done = run(config, journal)
    assert journal.steps == ["hold", "resume", "plan:1", "go ahead", "plan changed:1"]
    assert done.issued is None and ids(engine, "people") == {1, 2}
