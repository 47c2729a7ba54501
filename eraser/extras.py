"""The optional parts of Eraser and the extra that installs each: `pip install 'eraser[NAME]'` (`all` for
everything). A command that needs a part that is not installed says so in one sentence, before it changes
anything."""

from __future__ import annotations

from importlib.util import find_spec

from eraser.errors import EraserError

EXTRAS = {
    "postgresql": ("psycopg",),
    "mysql": ("pymysql",),
    "pdf": ("reportlab", "pyhanko", "pyhanko_certvalidator", "babel"),
    "daemon": ("fastapi", "fastapi_offline", "uvicorn", "prometheus_client", "httpx"),
}
DRIVERS = {"psycopg": "postgresql", "psycopg2": "postgresql", "pymysql": "mysql", "MySQLdb": "mysql"}


def missing(extra: str) -> list[str]:
    """The modules of an extra that cannot be imported here."""
    return [m for m in EXTRAS[extra] if find_spec(m) is None]


def need(extra: str, what: str) -> None:
    """Raise unless every module of `extra` is installed; `what` names what needs it ("eraser serve")."""
    absent = missing(extra)
    if absent:
        raise EraserError(f"{what} needs the {extra} extra ({', '.join(absent)} not installed); install it with "
                          f"pip install 'eraser[{extra}]'.")


def driver_hint(module: str | None) -> str:
    """The install hint for a missing database driver module."""
    extra = DRIVERS.get((module or "").split(".")[0])
    return f"; install it with pip install 'eraser[{extra}]'" if extra else ""
