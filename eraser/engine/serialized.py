"""Structure-aware rewriting of serialized values: PHP `serialize()` strings and JSON documents.

Replacing an identifier inside `s:19:"jan.peeters@example.be";` as plain text breaks the byte length PHP
checks, and inside JSON it can break escaping: the application can no longer read its own row. Here the value
is parsed, the replacement is applied to every string inside it (keys and values), and it is written back in
exactly the form it came in. A value is rewritten only when its untouched round trip reproduces it byte for
byte; otherwise it is reported as unparseable and left alone, never corrupted.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import phpserialize
import sqlalchemy as sa

from eraser.engine.terms import Terms, redact_text
from eraser.errors import EraserError

Replace = Callable[[str], str]


class UnparseableValue(EraserError):
    """A value that looks serialized but cannot be rewritten exactly: report it, do not change it."""


def kind_of(value: str) -> str:
    """`php`, `json` or `text`: how a stored value is written, judged by its first characters."""
    head = value.lstrip()[:2]
    if len(head) == 2 and head[0] in "aOsibdNC" and head[1] in ":;" and value.rstrip()[-1:] in (";", "}"):
        return "php"
    if head[:1] in "{[" or head[:1] == '"' and value.rstrip().endswith('"'):
        return "json"
    return "text"


def rewrite(value: str, replace: Replace) -> str:
    """`value` with `replace` applied inside its structure (or to the whole text when it is plain text)."""
    kind = kind_of(value)
    if kind == "php":
        return _php(value, replace)
    if kind == "json":
        try:
            parsed = json.loads(value)
        except ValueError:
            return replace(value)  # text that starts with a bracket: no structure to keep
        return _json(value, parsed, replace)
    return replace(value)


def _walk(node: Any, replace: Callable[[Any], Any]) -> Any:
    if isinstance(node, dict):
        return {_walk(k, replace): _walk(v, replace) for k, v in node.items()}
    if isinstance(node, list):
        return [_walk(v, replace) for v in node]
    if isinstance(node, phpserialize.phpobject):
        return phpserialize.phpobject(node.__name__, _walk(node.__php_vars__, replace))
    return replace(node)


def _php(value: str, replace: Replace) -> str:
    raw = value.encode("utf-8")
    try:
        parsed = phpserialize.loads(raw, decode_strings=False, object_hook=phpserialize.phpobject)
        exact = phpserialize.dumps(parsed, object_hook=phpserialize.phpobject) == raw
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise UnparseableValue(f"a PHP-serialized value that does not parse ({type(exc).__name__})") from exc
    if not exact:
        raise UnparseableValue("a PHP-serialized value that does not round-trip exactly")

    def on_bytes(node: Any) -> Any:
        if isinstance(node, bytes):
            try:
                text = node.decode("utf-8")
            except UnicodeDecodeError:
                return node  # binary inside the value: not text an identifier can be in
            return replace(text).encode("utf-8")
        return node

    return phpserialize.dumps(_walk(parsed, on_bytes), object_hook=phpserialize.phpobject).decode("utf-8")


_STYLES: list[dict[str, Any]] = [{"ensure_ascii": a, "separators": s, "indent": i} for a in (False, True)
                                 for s, i in (((",", ":"), None), ((", ", ": "), None), ((",", ": "), 2),
                                              ((",", ": "), 4))]


def _json(value: str, parsed: Any, replace: Replace) -> str:
    for style in _STYLES:
        if json.dumps(parsed, **style) == value:
            return json.dumps(_walk(parsed, lambda n: replace(n) if isinstance(n, str) else n), **style)
    raise UnparseableValue("a JSON value written in a layout that cannot be reproduced exactly")


def _redact_json(value: Any, terms: Terms) -> Any:
    if isinstance(value, str):
        return redact_text(value, terms)
    if isinstance(value, list):
        return [_redact_json(v, terms) for v in value]
    if isinstance(value, dict):
        return {redact_text(k, terms) if isinstance(k, str) else k: _redact_json(v, terms) for k, v in value.items()}
    return value


def redacted_value(column: sa.Column[Any], text: str, terms: Terms) -> Any:
    """The value to store once the identifiers are out of a column's text: a JSON column keeps its structure; a
    PHP-serialized or JSON text is rewritten inside its structure (a serialized value inside it too), with its
    lengths and escaping recomputed; plain text in place. UnparseableValue when the text looks serialized but
    cannot be rewritten exactly, or would no longer fit the column."""
    if isinstance(column.type, sa.JSON):
        try:
            return _redact_json(json.loads(text), terms)
        except ValueError:
            pass
    length = getattr(column.type, "length", None)
    if kind_of(text) == "text":
        return redact_text(text, terms, length)

    def structured(value: str) -> str:
        if kind_of(value) == "text":
            return redact_text(value, terms)
        return rewrite(value, lambda part: structured(part) if part != value else redact_text(part, terms))

    new = structured(text)
    if length is not None and len(new) > length:
        raise UnparseableValue(f"a serialized value that would no longer fit its column ({length} characters)")
    return new
