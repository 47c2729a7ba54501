"""Replacement strategies and retention dates, without a database."""

from __future__ import annotations

from datetime import date, datetime

import phonenumbers
import pytest
import sqlalchemy as sa

from eraser.engine.anonymize import REDACTED, Anonymizer, generalize, make_faker, strategy_problems
from eraser.engine.retention import add_period, release_date
from eraser.table_rules import RetainRule, Strategy

S = Strategy.parse


def test_same_original_gets_same_replacement_within_a_ticket() -> None:
    """Joins on an anonymized value still hold: one original, one replacement, across tables."""
    anon = Anonymizer(["nl_BE"], b"k", seed=1)
    first = anon.replace(S("faker:email"), "Jan@Example.be")
    assert anon.replace(S("faker:email"), " jan@example.be ") == first
    assert anon.replace(S("faker:email"), "other@example.be") != first


def test_replacements_are_random_not_derived() -> None:
    """Two tickets replace the same original differently: the result is anonymous, not pseudonymous."""
    a = Anonymizer(["nl_BE"], b"k").replace(S("faker:last_name"), "Peeters")
    b = Anonymizer(["nl_BE"], b"k").replace(S("faker:last_name"), "Peeters")
    c = Anonymizer(["nl_BE"], b"k").replace(S("faker:last_name"), "Peeters")
    assert len({a, b, c}) > 1


def test_unique_columns_get_values_not_yet_taken() -> None:
    """A unique column never receives a value that already exists in the table."""
    anon = Anonymizer(["nl_BE"], b"k", seed=3)
    taken_in_db = set()
    probe = Anonymizer(["nl_BE"], b"k", seed=3).replace(S("faker:uuid4"), "x")
    taken_in_db.add(probe)
    value = anon.replace(S("faker:uuid4"), "x", None, ("persons", "customer_number"),
                         lambda candidates: {c for c in candidates if c in taken_in_db})
    assert value not in taken_in_db


def test_belgian_locales_give_belgian_phones_and_ibans() -> None:
    """nl_BE and fr_BE replacements look Belgian: +32 phone numbers and BE IBANs, French names for fr_BE."""
    fake = make_faker(["fr_BE"], seed=5)
    for _ in range(20):
        number = phonenumbers.parse(fake.phone_number(), "BE")
        assert number.country_code == 32
        assert fake.iban().startswith("BE")
    nl = make_faker(["nl_BE"], seed=5)
    assert phonenumbers.parse(nl.phone_number(), "BE").country_code == 32


@pytest.mark.parametrize(("value", "arg", "expected"), [
    (date(1981, 7, 23), "year", date(1981, 1, 1)),
    (datetime(1981, 7, 23, 10, 5), "year", datetime(1981, 1, 1)),
    ("1050", "2", "1000"),
    ("B-1050", "3", "B-1000"), ("AB-12", "1", "A**00"),
    (None, "year", None),
])
def test_generalize(value: object, arg: str, expected: object) -> None:
    """Dates keep their year; postcodes keep their first digits."""
    assert generalize(value, arg) == expected


def test_fixed_strategies_fit_the_column() -> None:
    """redact, hash and null replace the value; long markers are cut to the column length."""
    anon = Anonymizer(["nl_BE"], b"secret")
    short = sa.Column("c", sa.String(5))
    assert anon.replace(S("redact"), "Jan Peeters", short) == REDACTED[:5]
    assert anon.replace(S("null"), "x") is None
    hashed = anon.replace(S("hash"), "Jan")
    assert len(hashed) == 64 and hashed == Anonymizer(["nl_BE"], b"secret").replace(S("hash"), "jan")
    assert anon.replace(S("keep"), "same") == "same"


def test_strategy_problems_are_named() -> None:
    """A strategy that cannot apply to its column is a config error with the reason."""
    not_null = sa.Column("n", sa.String(10), nullable=False)
    number = sa.Column("i", sa.Integer)
    assert "NOT NULL" in (strategy_problems(S("null"), not_null, ["nl_BE"], []) or "")
    assert "not a text column" in (strategy_problems(S("redact"), number, ["nl_BE"], []) or "")
    assert "does not exist" in (strategy_problems(S("faker:no_such_thing"), number, ["nl_BE"], []) or "")
    assert "key column" in (strategy_problems(S("faker:name"), not_null, ["nl_BE"], ["n"]) or "")
    assert strategy_problems(S("faker:first_name"), not_null, ["nl_BE", "fr_BE"], []) is None


def test_release_dates() -> None:
    """Periods are calendar periods, anchored to a date column, the request, the next 1 January or a parent."""
    rule = RetainRule.model_validate({"basis": "Belgian VAT Code art. 60", "period": "10y", "from": "invoice_date",
                                      "count_from": "next_year"})
    assert release_date(rule, {"invoice_date": date(2024, 5, 2)}, date(2026, 11, 22)) == date(2035, 1, 1)
    request = RetainRule.model_validate({"basis": "claims evidence kept", "period": "30d", "from": "request"})
    assert release_date(request, {}, date(2026, 1, 31)) == date(2026, 3, 2)
    parent = RetainRule.model_validate({"basis": "part of the invoice", "period": "10y", "from": "parent"})
    assert release_date(parent, {}, date(2026, 1, 1), date(2036, 1, 1)) == date(2036, 1, 1)
    assert add_period(date(2024, 1, 31), "1m") == date(2024, 2, 29)
    with pytest.raises(ValueError):
        RetainRule.model_validate({"basis": "a basis text", "period": "seven years", "from": "request"})


def test_faker_never_returns_the_original() -> None:
    """A frequent first name is never 'replaced' by itself."""
    anon = Anonymizer(["nl_BE"], b"k", seed=2)
    common = anon.fake.first_name()
    for _ in range(200):
        assert Anonymizer(["nl_BE"], b"k").replace(S("faker:first_name"), common) != common
