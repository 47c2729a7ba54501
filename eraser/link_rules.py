"""A declared link's config: the relation the schema does not declare (`column` refers to `references`), with its
condition (`where:`) and the form the key takes in the child (`cast:`, `prefix:`, `key_value:`, `json:`). Part of a table's
rule (eraser.table_rules); followed by eraser.engine.links."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


WhereValue = str | int | bool | None
JSON_STEP = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[([0-9]+)\]")


def json_steps(path: str) -> tuple[str | int, ...]:
    """'$.customer.id' -> ('customer', 'id'), '$.items[0].id' -> ('items', 0, 'id'); ValueError if the path is
    not `$` followed by `.name` and `[index]` steps."""
    steps: list[str | int] = []
    at = 1
    while path.startswith("$") and at < len(path) and (match := JSON_STEP.match(path, at)):
        steps.append(match.group(1) if match.group(1) is not None else int(match.group(2)))
        at = match.end()
    if not steps or at != len(path):
        raise ValueError(f"json: {path!r} is not a JSON path such as '$.customer_id' or '$.customer.id' "
                         "(a $ followed by .name and [index] steps)")
    return tuple(steps)


class KeyValue(_Model):
    """A meta-style table's row that holds the key: `meta_key = '_customer_id'`, the key in `meta_value`."""

    key_column: str
    key: str | int
    value_column: str


class Link(_Model):
    """A relation the schema does not declare: this table's column refers to another table's column, optionally
    only in rows where `where:` holds, with the key stored as text (`cast: text`) or as an integer
    (`cast: integer`), or behind a `prefix:`, or inside a JSON value at a path (`json: $.customer_id`, compared as
    text); `key_value:` is the meta-table shorthand for a `where:` on the key column and `cast: text` on the
    value column."""

    column: str
    references: str
    where: dict[str, WhereValue | list[WhereValue]] = {}
    cast: Literal["text", "integer"] | None = None
    prefix: str | None = Field(default=None, min_length=1)
    key_value: KeyValue | None = None
    json_path: str | None = Field(default=None, alias="json")

    @model_validator(mode="before")
    @classmethod
    def _key_value(cls, value: Any) -> Any:
        """`key_value:` gives the column (its value column) and text as the stored form of the key."""
        if isinstance(value, dict) and isinstance(value.get("key_value"), dict):
            kv = value["key_value"]
            if value.get("column") not in (None, kv.get("value_column")):
                raise ValueError("a link with key_value: takes its column from value_column; leave out column:")
            value = {**value, "column": kv.get("value_column")}
            if value.get("cast") is None and not value.get("prefix") and value.get("json") is None:
                value["cast"] = "text"
        return value

    @model_validator(mode="after")
    def _transform(self) -> Link:
        if self.prefix and self.cast == "integer":
            raise ValueError("a link with prefix: stores the key as text; it cannot also have cast: integer")
        if any(isinstance(v, list) and not v for v in self.where.values()):
            raise ValueError("a where: condition needs at least one value")
        if self.json_path is not None:
            json_steps(self.json_path)
            if self.cast:
                raise ValueError("a link with json: compares the value at its path as text; leave out cast:")
        return self

    def conditions(self) -> dict[str, tuple[WhereValue, ...]]:
        """`where:` and the key_value key, each as the tuple of values allowed."""
        out = {c: tuple(v) if isinstance(v, list) else (v,) for c, v in self.where.items()}
        if self.key_value is not None:
            out[self.key_value.key_column] = (self.key_value.key,)
        return out

    @property
    def conditional(self) -> bool:
        return bool(self.where or self.cast or self.prefix or self.key_value or self.json_path)

    @field_validator("references")
    @classmethod
    def _dotted(cls, value: str) -> str:
        if value.count(".") != 1:
            raise ValueError(f"references {value!r} must be 'table.column'")
        return value

    @property
    def table(self) -> str:
        return self.references.split(".")[0]

    @property
    def target_column(self) -> str:
        return self.references.split(".")[1]
