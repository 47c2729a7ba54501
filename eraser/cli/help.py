"""Command summaries for `eraser --help`: each command's whole first sentence, never cut.

click's default summary stops at the first period and at a width, which cuts "(GDPR Art. 15, 20)" after
"Art."; a sentence here ends at a period, question or exclamation mark followed by a capital or the end.
"""

from __future__ import annotations

import inspect
import re

import click

_SENTENCE_END = re.compile(r"[.?!](?=\s+[A-Z]|\s*$)")


def first_sentence(text: str) -> str:
    """The first sentence of a help text's first paragraph, on one line."""
    paragraph = " ".join(inspect.cleandoc(text).split("\n\n")[0].split())
    end = _SENTENCE_END.search(paragraph)
    return paragraph[:end.end()] if end else paragraph


def whole_summaries(group: click.Group) -> None:
    """Give every command of `group` (and of its subgroups) its first sentence as its summary."""
    for command in group.commands.values():
        if command.short_help is None and command.help:
            command.short_help = first_sentence(command.help)
        if isinstance(command, click.Group):
            whole_summaries(command)
