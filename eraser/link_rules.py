"""A declared link's config: the relation the schema does not declare (`column` refers to `references`), with its
condition (`where:`) and the form the key takes in the child (`cast:`, `prefix:`, `key_value:`). Part of a table's
rule (eraser.table_rules); followed by eraser.engine.links."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


WhereValue = str | int | bool | None


class KeyValue(_Model):
    """A meta-style table's row that holds the key: `meta_key = '_customer_id'`, the key in `meta_value`."""

    key_column: str
    key: str | int
    value_column: str


class Link(_Model):
    """A relation the schema does not declare: this table's column refers to another table's column, optionally
    only in rows where `where:` holds, with the key stored as text (`cast: text`) or as an integer
    (`cast: integer`), or behind a `prefix:`; `key_value:` is the meta-table shorthand for a `where:` on the
    key column and `cast: text` on the value column."""

    column: str
    references: str
    where: dict[str, WhereValue | list[WhereValue]] = {}
    cast: Literal["text", "integer"] | None = None
    prefix: str | None = Field(default=None, min_length=1)
    key_value: KeyValue | None = None

    @model_validator(mode="before")
    @classmethod
    def _key_value(cls, value: Any) -> Any:
        """`key_value:` gives the column (its value column) and text as the stored form of the key."""
        if isinstance(value, dict) and isinstance(value.get("key_value"), dict):
            kv = value["key_value"]
            if value.get("column") not in (None, kv.get("value_column")):
                raise ValueError("a link with key_value: takes its column from value_column; leave out column:")
            value = {**value, "column": kv.get("value_column")}
            if value.get("cast") is None and not value.get("prefix"):
                value["cast"] = "text"
        return value

    @model_validator(mode="after")
    def _transform(self) -> Link:
        if self.prefix and self.cast == "integer":
            raise ValueError("a link with prefix: stores the key as text; it cannot also have cast: integer")
        if any(isinstance(v, list) and not v for v in self.where.values()):
            raise ValueError("a where: condition needs at least one value")
        return self

    def conditions(self) -> dict[str, tuple[WhereValue, ...]]:
        """`where:` and the key_value key, each as the tuple of values allowed."""
        out = {c: tuple(v) if isinstance(v, list) else (v,) for c, v in self.where.items()}
        if self.key_value is not None:
            out[self.key_value.key_column] = (self.key_value.key,)
        return out

    @property
    def conditional(self) -> bool:
        return bool(self.where or self.cast or self.prefix or self.key_value)

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
