"""Redaction inside serialized values keeps them readable by the application: PHP `serialize()` strings keep
correct byte lengths, JSON keeps its escaping and layout, and a value that cannot be rewritten exactly is
reported, never corrupted."""

from __future__ import annotations

import json

import phpserialize
import pytest

from eraser.engine.serialized import UnparseableValue, kind_of, rewrite


def erase(text: str) -> str:
    return text.replace("jürgen.öz@example.be", "[erased]").replace("Jürgen", "[erased]")


def test_php_serialized_lengths_are_recomputed() -> None:
    """A session row with a nested array and a UTF-8 name: the result still unserializes, with the identifier
    gone and every other value unchanged."""
    value = phpserialize.dumps({"user": {"email": "jürgen.öz@example.be", "name": "Jürgen", "id": 42},
                                "cart": [1, 2], "ok": True, "none": None}).decode()
    out = rewrite(value, erase)
    back = phpserialize.loads(out.encode(), decode_strings=True)
    assert back["user"]["email"] == "[erased]" and back["user"]["name"] == "[erased]"
    assert back["user"]["id"] == 42 and back["ok"] is True and back["none"] is None
    assert 's:8:"[erased]"' in out and "example.be" not in out


def test_php_object_keeps_its_class() -> None:
    """`O:8:"stdClass":...` stays an object of the same class."""
    email = "jürgen.öz@example.be"
    value = f'O:8:"stdClass":1:{{s:5:"email";s:{len(email.encode())}:"{email}";}}'
    out = rewrite(value, erase)
    assert out == 'O:8:"stdClass":1:{s:5:"email";s:8:"[erased]";}'


def test_php_value_with_wrong_length_is_reported_not_changed() -> None:
    """A value whose declared length is already wrong cannot be rewritten exactly: an error, nothing written."""
    with pytest.raises(UnparseableValue):
        rewrite('a:1:{s:5:"email";s:3:"jürgen.öz@example.be";}', erase)


@pytest.mark.parametrize("dump", [
    lambda v: json.dumps(v), lambda v: json.dumps(v, ensure_ascii=False),
    lambda v: json.dumps(v, separators=(",", ":")), lambda v: json.dumps(v, indent=2)])
def test_json_keeps_layout_and_escaping(dump) -> None:
    """JSON in each common layout is rewritten in the same layout; escaped unicode stays valid."""
    doc = {"args": {"to": "jürgen.öz@example.be", "note": 'say "hi" to Jürgen'}, "n": 1}
    value = dump(doc)
    out = rewrite(value, erase)
    assert json.loads(out) == {"args": {"to": "[erased]", "note": 'say "hi" to [erased]'}, "n": 1}
    assert out == dump(json.loads(out))


def test_json_in_an_unusual_layout_is_reported() -> None:
    """Hand-written JSON whose spacing cannot be reproduced is reported, not rewritten."""
    with pytest.raises(UnparseableValue):
        rewrite('{ "to" :  "jürgen.öz@example.be" }', erase)


def test_plain_text_is_replaced_as_text() -> None:
    """A message is text: the replacement applies to it whole; text that only starts with a bracket too."""
    assert rewrite("Mail jürgen.öz@example.be", erase) == "Mail [erased]"
    assert rewrite("[urgent] call Jürgen", erase) == "[urgent] call [erased]"
    assert kind_of("s:3:\"abc\";") == "php" and kind_of("{}") == "json" and kind_of("hello") == "text"
