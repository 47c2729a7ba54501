"""What the config says of one table: its rule (identify, links, action, columns, retention, files, row rules) and
the pieces a rule is made of (strategies, periods, retention; links in eraser.link_rules). Validated by pydantic as the config loads
(eraser.config); checked against the live schema by eraser.engine.schema."""

from __future__ import annotations

import difflib
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from eraser.link_rules import Link, WhereValue, _Model


def suggest(name: str, options: list[str]) -> str:
    """' (did you mean 'x'?)' for a near miss, else the allowed names."""
    close = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else f" (allowed: {', '.join(options)})"



PERIOD = re.compile(r"^(\d+)\s*([ymwd])$")
STRATEGY_KINDS = ("faker", "null", "redact", "hash", "generalize", "keep")


class Strategy(_Model):
    """How one column of a kept row is made anonymous."""

    kind: Literal["faker", "null", "redact", "hash", "generalize", "keep"]
    arg: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_yaml(cls, value: Any) -> Any:
        """'faker:first_name', 'null' (or YAML null) and {faker: first_name} become kind and arg."""
        if isinstance(value, Strategy) or (isinstance(value, dict) and "kind" in value):
            return value
        if value is None:  # YAML's bare `null`
            kind, arg = "null", None
        elif isinstance(value, dict) and len(value) == 1:
            ((kind, arg),) = value.items()
            arg = None if arg is None else str(arg)
        elif isinstance(value, str):
            kind, _, text = value.partition(":")
            kind, arg = kind.strip(), text.strip() or None
        else:
            raise ValueError(f"a strategy is a string such as 'faker:first_name' or 'null', not {value!r}")
        if kind not in STRATEGY_KINDS:
            raise ValueError(f"unknown strategy '{kind}'{suggest(str(kind), list(STRATEGY_KINDS))}")
        return {"kind": kind, "arg": arg}

    @classmethod
    def parse(cls, value: Any) -> Strategy:
        """A Strategy from its YAML form; ValueError (a pydantic ValidationError) if it is not one."""
        return value if isinstance(value, Strategy) else cls.model_validate(value)

    @model_validator(mode="after")
    def _needs_arg(self) -> Strategy:
        if self.kind in ("faker", "generalize") and not self.arg:
            raise ValueError(f"strategy '{self.kind}' needs an argument, e.g. '{self.kind}:" +
                             ("first_name'" if self.kind == "faker" else "year'"))
        return self

    def __str__(self) -> str:
        return f"{self.kind}:{self.arg}" if self.arg else self.kind


def parse_period(text: str) -> tuple[int, str]:
    """'7y' -> (7, 'y'). Units: y(ears), m(onths), w(eeks), d(ays)."""
    match = PERIOD.match(text.strip())
    if not match:
        raise ValueError(f"period {text!r} is not a number followed by y, m, w or d (e.g. 7y, 30d)")
    return int(match.group(1)), match.group(2)


def _valid_period(value: str) -> str:
    parse_period(value)
    return value


Period = Annotated[str, AfterValidator(_valid_period)]


def _valid_month_day(text: str) -> str:
    try:
        date.fromisoformat(f"2000-{text}")
    except ValueError:
        raise ValueError(f"'{text}' is not a month and day such as 12-31") from None
    return text


def _valid_zone(name: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"'{name}' is not a time zone such as Europe/Brussels") from None
    return name


MonthDay = Annotated[str, AfterValidator(_valid_month_day)]
TimeZone = Annotated[str, AfterValidator(_valid_zone)]


class EarlierPeriod(_Model):
    """Documents dated before `date` keep `period` (a law lengthened the period for newer documents only)."""

    before_date: date = Field(alias="date")
    period: Period


class RetainRule(_Model):
    """Why rows are kept, for how long, and counted from when; `preset:` fills the rest from the jurisdiction."""

    basis: str = Field(min_length=10)
    period: Period
    from_: str = Field(alias="from")
    count_from: Literal["date", "next_year"] = "date"
    then: Literal["delete", "anonymize"] = "delete"
    before: EarlierPeriod | None = None
    preset: str | None = None
    time_zone: TimeZone | None = None  # where a timestamp's date is read (the jurisdiction's, from a preset)
    financial_year_end: MonthDay = "12-31"  # for count_from: next_year, the year counted from ends on this day
    keeps: list[str] = []  # tables whose rows a retained row refers to: retained with it (its basis and release)

    @model_validator(mode="before")
    @classmethod
    def _from_preset(cls, value: Any, info: ValidationInfo) -> Any:
        """`{preset: invoices, from: invoice_date}`: the preset's fields, overridden by those given here."""
        if isinstance(value, dict) and value.get("preset") is not None:
            from eraser.jurisdictions import preset

            context = info.context or {}
            return {**preset(str(value["preset"]), context.get("jurisdiction"), context.get("retention_presets")),
                    **value}
        return value


class RetainPreset(_Model):
    """A config's own retain preset, or its override of a jurisdiction's preset (`retention_presets:`)."""

    basis: str | None = Field(default=None, min_length=10)
    period: Period | None = None
    from_: str | None = Field(default=None, alias="from")
    count_from: Literal["date", "next_year"] | None = None
    then: Literal["delete", "anonymize"] | None = None
    before: EarlierPeriod | None = None
    time_zone: TimeZone | None = None
    financial_year_end: MonthDay | None = None


class ResidualScan(_Model):
    """The scan of text columns for the subject's identifiers that ends every erasure's verification."""

    mode: Literal["fail", "redact", "report"] = "fail"
    per_table: dict[str, Literal["fail", "redact", "report"]] = {}  # a table's own mode, over `mode`
    tables: Literal["all"] | list[str] = "all"
    max_rows_per_table: int | None = Field(default=None, ge=1)
    refresh_materialized_views: bool = False  # refresh them inside the erasure's transaction, before the scan


class FilesRule(_Model):
    """Files on disk that a table's rows refer to: a column holding a path relative to `root`, or a directory per
    row (`directory: "customers/{customer_number}"`, filled from the row's columns)."""

    root: Path
    column: str | None = None
    directory: str | None = None

    @model_validator(mode="after")
    def _one_reference(self) -> FilesRule:
        if (self.column is None) == (self.directory is None):
            raise ValueError("files: give either 'column' (a column holding a path under root) or 'directory' "
                             "(a path template such as 'customers/{customer_number}')")
        return self


class Webhook(_Model):
    """Called after a ticket is done, with the ticket reference and certificate id only (no personal data)."""

    url: str = Field(pattern=r"^https?://")
    token: str | None = None


class Recipient(_Model):
    """A recipient (sub-processor) named under a table's `recipients:`, told of erasures and restrictions."""

    webhook: Webhook | None = None


def _listed_identify(cls: Any, value: Any) -> Any:
    """`identify: {email: col}` is `{email: [col]}`."""
    if isinstance(value, dict):
        return {k: [v] if isinstance(v, str) else v for k, v in value.items()}
    return value


class RowRule(_Model):
    """One kind of row of a table (`when:` on its own columns; none: every row the rules before it left), with its
    own action, identify (added to the table's), strategies and retention."""

    when: dict[str, WhereValue | list[WhereValue]] = {}
    name: str | None = Field(default=None, min_length=1, max_length=80)
    action: Literal["delete", "anonymize", "retain", "review"]
    identify: dict[str, list[str]] = {}
    columns: dict[str, Strategy] | None = None
    retain: RetainRule | None = None
    minimize: dict[str, Strategy] | None = None

    _listify = field_validator("identify", mode="before")(classmethod(_listed_identify))

    @field_validator("when")
    @classmethod
    def _values(cls, value: dict[str, Any]) -> dict[str, Any]:
        if any(isinstance(v, list) and not v for v in value.values()):
            raise ValueError("a when: condition needs at least one value")
        return value

    def matches(self, row: dict[str, Any]) -> bool:
        """Every `when:` column holds one of its values (as stored, or as the same text: '3' for 3)."""
        for col, wanted in self.when.items():
            values = wanted if isinstance(wanted, list) else [wanted]
            value = row.get(col)
            if not any(value == v if value is None or v is None or isinstance(v, bool)
                       else value == v or str(value) == str(v) for v in values):
                return False
        return True

    def label(self, index: int) -> str:
        """How the plan and certificate name the rule (never a row's value: only the config's)."""
        if self.name:
            return self.name
        if not self.when:
            return f"rules[{index}] (every other row)"
        parts = []
        for col, wanted in self.when.items():
            values = wanted if isinstance(wanted, list) else [wanted]
            shown = ", ".join("null" if v is None else str(v) for v in values)
            parts.append(f"{col} = {shown}" if len(values) == 1 else f"{col} in ({shown})")
        return f"rules[{index}] when {' and '.join(parts)}"


class TableRule(_Model):
    """What happens to a subject's rows in one table (`review`: undecided; plan shows the rows, erase and purge
    refuse until the table gets another action). With `rules:`, each row takes the first rule whose `when:` it
    matches; the table's own action is then left out."""

    action: Literal["delete", "anonymize", "retain", "review"] | None = None
    rules: list[RowRule] = []
    identify: dict[str, list[str]] = {}
    columns: dict[str, Strategy] = {}
    retain: RetainRule | None = None
    minimize: dict[str, Strategy] = {}
    owns: list[str] = []
    links: list[Link] = []
    not_followed: list[str] = []
    recipients: list[str] = []
    category: str | None = None
    purpose: str | None = None
    restrict_flag: str | None = None
    files: FilesRule | None = None
    free_text: list[str] = []
    tenant: str | None = None  # the column naming the tenant (customer) a row belongs to, for `eraser purge`
    key: list[str] = []  # the columns that identify a row, for a table without a primary key
    _row_rules: dict[int, TableRule] = PrivateAttr(default_factory=dict)

    _listify = field_validator("identify", mode="before")(classmethod(_listed_identify))

    @model_validator(mode="after")
    def _consistent(self) -> TableRule:
        if self.rules:
            if self.action is not None or self.retain is not None or self.minimize:
                raise ValueError("a table with rules: gives action, retain and minimize in each rule, not beside them")
            labels = [rule.label(i) for i, rule in enumerate(self.rules)]
            if len(set(labels)) != len(labels):
                raise ValueError("two rules have the same name; the plan tells rules apart by name")
            for i, rule in enumerate(self.rules):
                if not rule.when and i != len(self.rules) - 1:
                    raise ValueError(f"rules[{i}] has no when:, so the rules after it would never apply; make it "
                                     "the last rule")
                try:
                    self.row_rule(i)
                except ValueError as exc:
                    raise ValueError(f"rules[{i}]: {exc}") from None
            return self
        if self.action is None:
            raise ValueError("give the table an action (delete, anonymize, retain or review), or rules:")
        if why := self._inconsistency():
            raise ValueError(why)
        return self

    def _inconsistency(self) -> str | None:
        if self.action == "retain" and self.retain is None:
            return "action 'retain' needs a 'retain:' block with basis, period and from"
        if self.action != "retain" and self.retain is not None:
            return f"a 'retain:' block only goes with action 'retain', not '{self.action}'"
        if self.action == "anonymize" and not self.columns:
            return "action 'anonymize' needs 'columns:' saying how each personal column is replaced"
        if self.minimize and self.action != "retain":
            return "'minimize:' only applies to retained rows (action 'retain')"
        return None


    def row_rule(self, index: int) -> TableRule:
        """The table's rule as row rule `index` makes it: its action, retention and strategies, and its identify
        added to the table's."""
        if index not in self._row_rules:
            rule = self.rules[index]
            identify = {t: list(dict.fromkeys([*self.identify.get(t, []), *rule.identify.get(t, [])]))
                        for t in dict.fromkeys([*self.identify, *rule.identify])}
            merged = self.model_copy(update={
                "rules": [], "action": rule.action, "identify": identify, "retain": rule.retain,
                "columns": self.columns if rule.columns is None else rule.columns, "minimize": rule.minimize or {}})
            if why := merged._inconsistency():
                raise ValueError(why)
            self._row_rules[index] = merged
        return self._row_rules[index]

    def for_row(self, row: dict[str, Any]) -> tuple[int, TableRule] | None:
        """The first row rule the row matches, as (index, the table's rule it makes); the table's own rule when
        it has no rules:; None when it has rules and the row matches none."""
        if not self.rules:
            return -1, self
        for i, rule in enumerate(self.rules):
            if rule.matches(row):
                return i, self.row_rule(i)
        return None

    def variants(self) -> list[tuple[tuple[Any, ...], TableRule]]:
        """(where in the YAML, rule) for the table itself and each row rule: what `config check` checks."""
        if not self.rules:
            return [((), self)]
        return [(("rules", i), self.row_rule(i)) for i in range(len(self.rules))]
