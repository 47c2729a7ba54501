"""Release dates: the jurisdiction's time zone decides a timestamp's date, `count_from: next_year` counts from the
end of the financial year, and years added to 29 February end on 1 March (the conservative side)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from eraser.engine.retention import add_period, release_date
from eraser.table_rules import RetainRule
from tests.identity_helpers import create, dialect, plan_subject, write_config


def test_years_added_to_29_february_end_on_1_march() -> None:
    """29 Feb 2024 + 10y is 1 Mar 2034 (28 Feb would release a day early); other days are unchanged."""
    assert add_period(date(2024, 2, 29), "10y") == date(2034, 3, 1)
    assert add_period(date(2024, 2, 29), "4y") == date(2028, 2, 29)
    assert add_period(date(2024, 2, 28), "10y") == date(2034, 2, 28)
    assert add_period(date(2024, 1, 1), "7y") == date(2031, 1, 1)


@pytest.mark.parametrize(("issued", "expected"), [(date(2023, 3, 15), date(2033, 7, 1)),
                                                  (date(2023, 6, 30), date(2033, 7, 1)),
                                                  (date(2023, 7, 1), date(2034, 7, 1))])
def test_next_year_counts_from_the_end_of_the_financial_year(issued: date, expected: date) -> None:
    """With `financial_year_end: 06-30`, 10 years count from 1 July after the financial year of the document."""
    rule = RetainRule.model_validate({"basis": "accounting law, ten years", "period": "10y", "from": "issued",
                                      "count_from": "next_year", "financial_year_end": "06-30"})
    assert release_date(rule, {"issued": issued}, date(2026, 1, 1)) == expected


def test_invoice_issued_just_after_midnight_in_brussels_is_under_the_2023_rule(db_url: str, tmp_path: Path) -> None:
    """An invoice issued 1 Jan 2023 at 00:30 Brussels time (23:30 UTC the day before, as the database stores or
    returns it) is kept 10 years from 1 Jan 2024 under the BE preset, not 7 from 2023."""
    kind = {"postgresql": "TIMESTAMP WITH TIME ZONE", "mariadb": "DATETIME"}.get(dialect(db_url), "TIMESTAMP")
    engine = create(db_url, ["CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR(100))",
                             f"CREATE TABLE invoices (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES "
                             f"customers(id), issued_at {kind})"],
                    {"customers": [{"id": 1, "email": "an@example.be"}], "invoices": []})
    with engine.begin() as conn:
        if dialect(db_url) == "postgresql":
            conn.execute(sa.text("SET TIME ZONE 'UTC'"))
            conn.execute(sa.text("INSERT INTO invoices VALUES (1, 1, '2023-01-01 00:30:00+01:00')"))
        else:  # a UTC timestamp without its zone, as applications commonly store it
            conn.execute(sa.text("INSERT INTO invoices VALUES (1, 1, '2022-12-31 23:30:00')"))
    config = write_config(tmp_path, db_url + ("?options=-c%20timezone%3DUTC" if dialect(db_url) == "postgresql"
                                              else ""),
                          {"email": {"kind": "email"}},
                          {"customers": {"identify": {"email": "email"}, "action": "delete",
                                         "columns": {"email": "faker:email"}},
                           "invoices": {"action": "retain", "retain": {"preset": "invoices", "from": "issued_at"}}},
                          extra={"jurisdiction": "BE"})
    plan = plan_subject(config, "email=an@example.be")
    assert plan.table("db", "invoices").decisions[(1,)].release == date(2034, 1, 1)
    engine.dispose()
