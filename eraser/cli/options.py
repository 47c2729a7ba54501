"""The options several commands share, defined once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

config_option = click.option("--config", "-c", "config_path", required=True, type=click.Path(path_type=Path),
                             help="The controller's YAML config (configs/*.yaml).")
state_option = click.option("--state", "state_url", default=None, metavar="URL",
                            help="State store URL (default: `state:` of the config, else eraser-state.db beside it).")
subject_option = click.option("--subject", "-s", "subjects", multiple=True, required=True, metavar="TYPE=VALUE",
                              help="An identifier of the data subject, e.g. email=jan@example.be; repeatable.")
request_date_option = click.option("--request-date", type=click.DateTime(["%Y-%m-%d"]), default=None,
                                   help="When the request was received (default: today).")
hold_option = click.option("--hold", "hold_reason", default=None, metavar="REASON",
                           help="Place the subject under a legal hold: nothing is changed, the plan says why.")
by_option = click.option("--by", default="operator")

F = TypeVar("F", bound=Callable[..., Any])


def store_options(command: F) -> F:
    """--config and --state: the commands that read or change the state store take both."""
    return config_option(state_option(command))
