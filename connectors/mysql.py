"""MySQL/MariaDB specifics (PyMySQL): no expression indexes (lookups by expression scan), binlog copies, free
text searched with REGEXP.

The free-text searches (eraser/engine/textsearch.py) read every row on MariaDB: nothing indexes text inside a value.
A PCRE2 REGEXP tests a row 3 to 5 times faster there than `lower(col) LIKE` or `regexp_replace(col, '[^0-9]+', '')
LIKE` (150,000 messages: 200 ms instead of 730 and 990 ms), so each search term of ASCII characters is a pattern:
- digits (a phone number among a text's digits): the digits with `[^0-9]*` between them, which matches exactly the
  texts whose digits, with everything else removed, contain the term;
- fold (ignoring case): each letter as a class of what Python's case-insensitive matching, which confirms every
  candidate (eraser.engine.terms), takes for it: both cases, and also İ and ı for i, ſ for s and the Kelvin sign for
  k, so every text the confirmation accepts is a candidate (`lower(col) LIKE` under utf8mb4_unicode_ci misses
  "marıe@example.be", which the confirmation takes for marie@example.be);
- exact: the term as it is (case is then ignored where the column's collation ignores it, as LIKE does).
Terms with other characters are searched with LIKE as before.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from connectors.base import DialectSpecifics
from eraser.matching import WHITESPACE

# Unicode whitespace as a PCRE class (MariaDB's REGEXP is PCRE2 in UTF-8 mode on utf8mb4 columns).
SPACE = "[" + "".join(f"\\\\x{{{ord(ch):04X}}}" for ch in WHITESPACE) + "]"


class MySQLSpecifics(DialectSpecifics):
    name = "mysql"
    after_erasure_note = ("InnoDB frees deleted rows when its purge thread runs; the binary log, relay logs "
                          "and replicas hold copies of the changed rows until they are purged.")

    def folded(self, column: Any) -> Any:
        return sa.func.lower(sa.func.regexp_replace(column, sa.literal_column(f"'^{SPACE}+|{SPACE}+$'"),
                                                    sa.literal_column("''")))

    def digits(self, column: Any) -> Any:
        return sa.func.regexp_replace(column, sa.literal_column("'[^0-9]+'"), sa.literal_column("''"))

    def contains(self, text: Any, term: str, mode: str) -> Any | None:
        pattern = containing_pattern(term, mode)
        return None if pattern is None else text.op("REGEXP")(sa.literal(pattern, sa.String))

    def digits_in(self, column: Any, values: list[str]) -> Any | None:
        """A phone lookup: the column's digits, everything else removed, are one of the values. MariaDB can index
        neither form, so both read the table; the REGEXP does not build each row's digits first."""
        if not values or "" in values:  # an empty value is every text without digits: left to the comparison
            return None
        numbers = sorted({v for v in values if v.isdigit() and v.isascii()})  # others are no text's digits
        if not numbers:
            return None
        pattern = "^[^0-9]*(" + "|".join("[^0-9]*".join(n) for n in numbers) + ")[^0-9]*$"
        return column.op("REGEXP")(sa.literal(pattern, sa.String))

    def lookup_index_statement(self, name: str, table: str, expression: str) -> str | None:
        # MariaDB cannot index an expression, nor use a generated column's index for it (before 11.8).
        return None if "regexp_replace" in expression.lower() else f"CREATE INDEX {name} ON {table} ({expression});"

    def uses_index(self, conn: Any, statement: str) -> bool:
        rows = conn.execute(sa.text("EXPLAIN " + statement)).mappings().all()
        return bool(rows) and all((r.get("key") and r.get("type") not in ("ALL", "index")) or _const_miss(r)
                                  for r in rows)


# What Python's re.IGNORECASE matches to an ASCII letter besides its two cases (sre's case equivalences and the
# characters whose simple lower case is that letter): İ (U+0130) and ı (U+0131) for i, ſ (U+017F) for s, K (U+212A) for k.
ALSO_MATCHED = {"i": "\u0130\u0131", "s": "\u017f", "k": "\u212a"}


def containing_pattern(term: str, mode: str) -> str | None:
    """The PCRE2 pattern of a search term (see the module's docstring), or None for a term that is not ASCII."""
    if not term or not term.isascii():
        return None
    if mode == "digits":
        return "[^0-9]*".join(term) if term.isdigit() else None
    out = []
    for ch in term:
        if mode == "fold" and ch.isalpha():
            out.append(f"[{ch.lower()}{ch.upper()}{ALSO_MATCHED.get(ch.lower(), '')}]")
        elif ch.isalnum():
            out.append(ch)
        else:
            out.append("\\" + ch)
    return "".join(out)


def _const_miss(row: Any) -> bool:
    """A unique index that was read while planning and holds no such value (the probe's '0'): MariaDB then shows
    no key, only that the index found no row."""
    extra = str(row.get("Extra") or "")
    return "after reading const tables" in extra or "no matching row in const table" in extra.lower()


SPECIFICS = MySQLSpecifics()
