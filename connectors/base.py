"""The interface every connector offers the engine."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Edge:
    """`child.child_cols` refers to `parent.parent_cols`: a reflected foreign key or a declared link."""

    child: str
    child_cols: tuple[str, ...]
    parent: str
    parent_cols: tuple[str, ...]
    declared: bool = False
    condition: Any = None  # a declared link's condition or transform (eraser.links.Condition)

    def __str__(self) -> str:
        kind = "link" if self.declared else "foreign key"
        extra = self.condition.describe() if self.condition is not None else ""
        return f"{kind} {self.child}({', '.join(self.child_cols)}) -> {self.parent}({', '.join(self.parent_cols)}){extra}"


Row = dict[str, Any]
Key = tuple[Any, ...]


class Connector(Protocol):
    name: str
    dialect: str

    def table_names(self) -> list[str]: ...
    def columns(self, table: str) -> list[str]: ...
    def primary_key(self, table: str) -> tuple[str, ...]: ...
    def edges(self) -> list[Edge]: ...
    def unique_columns(self, table: str) -> set[str]: ...
    def begin(self) -> AbstractContextManager[Any]: ...
    def rows_where(self, conn: Any, table: str, clauses: Sequence[Any]) -> list[Row]: ...
    def rows_by_keys(self, conn: Any, table: str, cols: Sequence[str], keys: Sequence[Key]) -> list[Row]: ...
    def keys_referencing(self, conn: Any, edge: Edge, keys: Sequence[Key]) -> list[tuple[Key, Key]]: ...
    def update_rows(self, conn: Any, table: str, changes: list[tuple[Key, Row]]) -> int: ...
    def delete_rows(self, conn: Any, table: str, keys: Sequence[Key]) -> int: ...
    def integrity_problems(self, conn: Any) -> list[str]: ...
    def iter_statements(self) -> Iterator[str]: ...


def quoted(text: str) -> str:
    """A SQL string literal (for the constant parts of an expression an index must match word for word)."""
    return "'" + text.replace("'", "''") + "'"


class DialectSpecifics:
    """What differs between SQL dialects; the defaults suit a server database that enforces foreign keys."""

    name = "sql"
    after_erasure_note = "Deleted rows may persist in the database's free space until it is reused."

    def engine_options(self) -> dict[str, Any]:
        """A server's connections are checked before use, and a server that does not answer fails in 5 seconds."""
        return {"pool_pre_ping": True, "connect_args": {"connect_timeout": 5}}

    def on_engine(self, engine: Any) -> None:
        """Hook to configure each new connection."""

    def folded(self, column: Any) -> Any:
        """The expression an email column is compared by: trimmed of Unicode whitespace, in Unicode lower case."""
        import sqlalchemy as sa

        from eraser.matching import WHITESPACE

        return sa.func.lower(sa.func.btrim(column, sa.literal_column(quoted(WHITESPACE))))

    def lowered(self, column: Any) -> Any:
        """Text in Unicode lower case, for LIKE on free text."""
        import sqlalchemy as sa

        return sa.func.lower(column)

    def digits(self, column: Any) -> Any:
        """The expression a phone column is compared by: its digits alone."""
        import sqlalchemy as sa

        return sa.func.regexp_replace(column, sa.literal_column("'[^0-9]+'"), sa.literal_column("''"),
                                      sa.literal_column("'g'"))

    def contains(self, text: Any, term: str, mode: str) -> Any | None:
        """A condition that holds for every text the free-text search's LIKE on `term` finds (`mode` as in
        eraser.engine.terms: fold, exact, digits) and that the database evaluates faster; None: LIKE it is."""
        return None

    def digits_in(self, column: Any, values: list[str]) -> Any | None:
        """A condition equivalent to `digits(column) IN values` that the database evaluates faster where no index
        serves either; None: that comparison it is."""
        return None

    def lookup_index_statement(self, name: str, table: str, expression: str) -> str | None:
        """The index that serves a lookup by `expression`, or None where the database cannot have one."""
        return f"CREATE INDEX {name} ON {table} (({expression}));"

    def uses_index(self, conn: Any, statement: str) -> bool:
        """Whether the database answers a SELECT through an index (read from its query plan)."""
        return False

    def integrity_problems(self, conn: Any) -> list[str]:
        """Foreign-key violations the database itself would not have refused."""
        return []
