"""Replacement values: Faker providers in the controller's locales, null, redact, hash, generalize, keep.

Replacements are random, not derived from the original (anonymous, not pseudonymous), except `hash`,
which is a keyed hash by design. Within one ticket the same original gets the same replacement.
"""

from __future__ import annotations

import functools
import importlib.util
import pkgutil
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from eraser.subjects import keyed_hash
from eraser.table_rules import Strategy

if TYPE_CHECKING:
    from faker import Faker

REDACTED = "[erased]"


_LISTING = threading.Lock()


@contextmanager
def _faker_packages_listed_once() -> Iterator[None]:
    """Faker finds its providers and locales by listing its package directories with pkgutil.iter_modules: 20
    directories, listed 58 times by its import and a first Faker in two locales (each listing reads every locale
    directory of a provider, ~60 of them). Meanwhile each directory of Faker's is listed once and its listing reused:
    the same entries in the same order, as the directories do not change meanwhile. Other directories are listed as
    usual, and pkgutil is itself again afterwards."""
    spec = importlib.util.find_spec("faker")
    roots = tuple(spec.submodule_search_locations or ()) if spec is not None else ()
    original = pkgutil.iter_modules
    listed: dict[str, tuple[pkgutil.ModuleInfo, ...]] = {}

    def iter_modules(path: Iterable[str] | None = None, prefix: str = "") -> Iterator[pkgutil.ModuleInfo]:
        paths = None if path is None else list(path)
        if not roots or prefix or paths is None or len(paths) != 1 or not str(paths[0]).startswith(roots):
            return original(paths, prefix)
        where = str(paths[0])
        if where not in listed:
            listed[where] = tuple(original([where]))
        return iter(listed[where])

    with _LISTING:
        pkgutil.iter_modules = iter_modules  # type: ignore[assignment]
        try:
            yield
        finally:
            pkgutil.iter_modules = original


def make_faker(locales: list[str], seed: int | None = None) -> Faker:
    """A Faker in these locales. Faker is imported here, when a `faker:` strategy is checked or used: its import
    and the locales' providers take about 80 ms, which an erasure without such a strategy does not pay."""
    with _faker_packages_listed_once():
        from faker import Faker

        fake = Faker(locales)
    for locale in locales:
        if locale == "fr_BE":  # Faker's fr_BE has names only; Belgian addresses, phones, IBANs are nl_BE formats
            from faker.providers.address.nl_BE import Provider as BelgianAddress
            from faker.providers.bank.nl_BE import Provider as BelgianBank
            from faker.providers.phone_number.nl_BE import Provider as BelgianPhone

            for provider in (BelgianAddress, BelgianBank, BelgianPhone):
                fake[locale].add_provider(provider)
    if seed is not None:
        fake.seed_instance(seed)
    return fake


def provider_exists(locales: list[str], name: str) -> bool:
    return _provider_exists(tuple(locales), name)


@functools.cache
def _provider_exists(locales: tuple[str, ...], name: str) -> bool:
    return callable(getattr(_checking_faker(locales), name, None)) and not name.startswith("_")


@functools.cache
def _checking_faker(locales: tuple[str, ...]) -> Faker:
    """One Faker per set of locales in a process, for the checks and every unseeded Anonymizer (building one takes
    about 70 ms the first time, 3 ms after). Sharing it changes no replacement: an unseeded Faker draws from the
    random generator all Fakers share, and an Anonymizer keeps its own record of values used."""
    return make_faker(list(locales))


def _max_length(column: sa.Column[Any] | None) -> int | None:
    return getattr(column.type, "length", None) if column is not None else None


def _fit(value: Any, column: sa.Column[Any] | None) -> Any:
    """Make a replacement fit the column's type and length."""
    if value is None or column is None:
        return value
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        python_type = object
    if python_type is str and not isinstance(value, str):
        value = value.isoformat() if isinstance(value, date) else str(value)
    if python_type is date and isinstance(value, datetime):
        value = value.date()
    if python_type is datetime and isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    length = _max_length(column)
    if isinstance(value, str) and length:
        value = value[:length]
    return value


def generalize(value: Any, arg: str) -> Any:
    """`year`: a date becomes 1 January of its year; `N`: keep the first N characters, mask the rest."""
    if value is None:
        return None
    if arg == "year":
        if isinstance(value, datetime):
            return datetime(value.year, 1, 1)
        if isinstance(value, date):
            return date(value.year, 1, 1)
        text = str(value)
        return text[:4]
    keep = int(arg)
    text = str(value)
    masked = text[:keep] + "".join("0" if ch.isdigit() else "*" for ch in text[keep:])
    return type(value)(masked) if isinstance(value, int) else masked


class Anonymizer:
    """Replacement values for one ticket, consistent across tables and unique where columns must be."""

    def __init__(self, locales: list[str], secret: bytes, seed: int | None = None) -> None:
        self.locales = locales
        self.seed = seed
        self.secret = secret
        self._same: dict[tuple[str, str], Any] = {}
        self._used: dict[tuple[str, str], set[Any]] = {}

    @functools.cached_property
    def fake(self) -> Faker:
        """Built on the first `faker:` replacement: an erasure that deletes, redacts or hashes needs none. Seeded (the
        tests), a Faker of its own; unseeded, the process's one for these locales."""
        return make_faker(self.locales, self.seed) if self.seed is not None else _checking_faker(tuple(self.locales))

    def replace(self, strategy: Strategy, original: Any, column: sa.Column[Any] | None = None,
                unique_in: tuple[str, str] | None = None,
                taken: Callable[[list[Any]], set[Any]] | None = None) -> Any:
        """The replacement of `original`; `unique_in` (table, column) with `taken` keeps unique columns unique."""
        if strategy.kind == "keep" or original is None:
            return original
        memo = (str(strategy), _normal(original))
        if memo in self._same and unique_in is None:
            return self._same[memo]
        value = self._fresh(strategy, original, column)
        if unique_in is not None:
            value = self._unique(strategy, original, column, unique_in, value, taken)
        self._same[memo] = value
        return value

    def _fresh(self, strategy: Strategy, original: Any, column: sa.Column[Any] | None) -> Any:
        if strategy.kind == "null":
            return None
        if strategy.kind == "redact":
            return _fit(REDACTED, column)
        if strategy.kind == "hash":
            return _fit(keyed_hash(self.secret, _normal(original)), column)
        if strategy.kind == "generalize":
            return _fit(generalize(original, strategy.arg or "year"), column)
        assert strategy.kind == "faker" and strategy.arg
        for _ in range(20):  # a common name can come up again: the replacement must differ from the original
            value = _fit(getattr(self.fake, strategy.arg)(), column)
            if _normal(value) != _normal(original):
                return value
        raise RuntimeError(f"Faker provider {strategy.arg} keeps returning the original value")

    def _unique(self, strategy: Strategy, original: Any, column: sa.Column[Any] | None,
                where: tuple[str, str], value: Any, taken: Callable[[list[Any]], set[Any]] | None) -> Any:
        memo = (str(strategy), _normal(original))
        if memo in self._same:
            return self._same[memo]
        used = self._used.setdefault(where, set())
        for attempt in range(50):
            candidates = [value] if attempt == 0 else [self._fresh(strategy, original, column) for _ in range(5)]
            if strategy.kind == "faker" and attempt > 10:
                candidates = [_fit(f"{c}{self.fake.random_int(10, 99999)}", column) for c in candidates]
            free = [c for c in candidates if c not in used]
            clash = taken(free) if taken and free else set()
            free = [c for c in free if c not in clash]
            if free:
                used.add(free[0])
                return free[0]
        raise RuntimeError(f"could not find a unique replacement for column {where[1]} of table {where[0]}")


def _normal(value: Any) -> str:
    return value.strip().lower() if isinstance(value, str) else repr(value)


def strategy_problems(strategy: Strategy, column: sa.Column[Any], locales: list[str],
                      key_columns: Iterable[str]) -> str | None:
    """Why a strategy cannot apply to a column, or None."""
    if column.name in set(key_columns):
        return "is a key column (primary or foreign key); anonymizing it would break references"
    if strategy.kind == "null" and not column.nullable:
        return "is NOT NULL, so strategy 'null' cannot apply"
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        python_type = object
    if strategy.kind == "redact" and python_type is not str:
        return f"is not a text column, so strategy 'redact' cannot apply (it holds {python_type.__name__})"
    if strategy.kind == "hash" and python_type is not str:
        return "is not a text column, so strategy 'hash' cannot apply"
    if strategy.kind == "faker" and not provider_exists(locales, strategy.arg or ""):
        return f"uses Faker provider '{strategy.arg}', which does not exist"
    if strategy.kind == "generalize" and strategy.arg != "year" and not (strategy.arg or "").isdigit():
        return f"uses 'generalize:{strategy.arg}'; use 'generalize:year' or 'generalize:N' (keep N characters)"
    return None
