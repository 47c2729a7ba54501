"""The README's CLI reference, generated from the click commands themselves (run by cog).

`cog -I tools -r README.md` rewrites the section between its markers; `cog -I tools --check README.md`
(in CI) fails when a command, an option or a help text changed and the README was not regenerated.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import click


def _paragraphs(text: str) -> str:
    """A docstring as Markdown: click's no-rewrap marker dropped, paragraphs kept."""
    lines = [line for line in inspect.cleandoc(text).splitlines() if line.strip() != "\b"]
    return "\n".join(lines).strip()


def _commands(group: click.Group, ctx: click.Context, path: list[str]) -> Iterator[tuple[list[str], Any, Any]]:
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None or command.hidden:
            continue
        sub_ctx = click.Context(command, info_name=name, parent=ctx)
        yield [*path, name], command, sub_ctx
        if isinstance(command, click.Group):
            yield from _commands(command, sub_ctx, [*path, name])


def _options(command: click.Command, ctx: click.Context) -> list[str]:
    lines = []
    for param in command.get_params(ctx):
        record = param.get_help_record(ctx) if isinstance(param, click.Option) else None  # arguments: in usage
        if record is None or "--help" in record[0]:
            continue
        names, help_text = record
        lines.append(f"- `{names}`" + (f": {' '.join(help_text.split())}" if help_text else ""))
    return lines


def reference(main: click.Group) -> str:
    """One section per command and subcommand: usage, the whole help text, every option with its default."""
    root = click.Context(main, info_name="eraser")
    out = [f"`eraser {' '.join(main.collect_usage_pieces(root))}`", "", _paragraphs(main.help or ""), "",
           *_options(main, root)]
    for path, command, ctx in _commands(main, root, []):
        out += ["", f"#### `eraser {' '.join(path)}`", "",
                f"`eraser {' '.join(path)} {' '.join(command.collect_usage_pieces(ctx))}`"]
        if command.help:
            out += ["", _paragraphs(command.help)]
        if isinstance(command, click.Group):
            out += ["", "Subcommands: " + ", ".join(f"`{name}`" for name in command.list_commands(ctx)) + "."]
        options = _options(command, ctx)
        if options:
            out += ["", *options]
    return "\n".join(out)


def generate(cog: Any) -> None:
    from eraser.cli import main

    cog.outl(reference(main))
