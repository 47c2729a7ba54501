"""Print a pip constraints file that pins every declared lower bound of pyproject.toml exactly.

`python tools/floor_constraints.py [pyproject.toml] [--extra dev ...] > floors.txt` and then
`pip install -c floors.txt -e '.[dev]'` installs the oldest versions the project claims to support, so
the tests show whether those claims hold. A requirement without a `>=` bound is left unpinned.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from pathlib import Path

_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*([^;]*)(?:;.*)?$")


def floor_of(requirement: str) -> tuple[str, str] | None:
    """`("sqlalchemy", "2.0.30")` for `sqlalchemy>=2.0.30,<3`; None when the requirement has no `>=` bound."""
    match = _REQUIREMENT.match(requirement)
    if match is None:
        raise ValueError(f"cannot read the requirement {requirement!r}")
    name, specifiers = match.groups()
    for spec in specifiers.split(","):
        spec = spec.strip()
        if spec.startswith(">="):
            return re.sub(r"[-_.]+", "-", name).lower(), spec[2:].strip()
    return None


def floor_constraints(pyproject: Path, extras: list[str]) -> list[str]:
    """`name==floor` for the runtime dependencies and the named extras, sorted, one name once."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    requirements = list(project.get("dependencies", []))
    optional = project.get("optional-dependencies", {})
    for extra in extras:
        if extra not in optional:
            raise ValueError(f"pyproject.toml has no extra {extra!r}")
        requirements += optional[extra]
    floors: dict[str, str] = {}
    for requirement in requirements:
        found = floor_of(requirement)
        if found is not None:
            floors[found[0]] = found[1]
    return [f"{name}=={version}" for name, version in sorted(floors.items())]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pyproject", nargs="?", type=Path, default=Path("pyproject.toml"))
    parser.add_argument("--extra", action="append", default=[], help="also pin this extra's floors")
    args = parser.parse_args(argv)
    try:
        lines = floor_constraints(args.pyproject, args.extra)
    except (OSError, ValueError, KeyError, tomllib.TOMLDecodeError) as exc:
        print(f"Error: {exc}.", file=sys.stderr)
        return 2
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
