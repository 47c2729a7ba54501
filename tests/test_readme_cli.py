"""The CLI as its reference describes it: summaries never cut, the README's reference generated from click,
the wheel holding only the project's packages, and the dependency floors read from pyproject.toml."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import click
from click.testing import CliRunner
from setuptools import find_namespace_packages

from eraser.cli import main
from eraser.proof.html_page import _scan_html

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from floor_constraints import floor_constraints, floor_of  # noqa: E402


def listed_summaries(path: list[str]) -> dict[str, str]:
    """The command summaries `eraser PATH --help` prints, each joined back from its wrapped lines."""
    result = CliRunner().invoke(main, [*path, "--help"], terminal_width=80)
    assert result.exit_code == 0, result.output
    listing = result.output.split("Commands:\n", 1)[1]
    summaries: dict[str, str] = {}
    name = ""
    for line in listing.splitlines():
        match = re.match(r"  (\S+)\s+(.*)", line)
        if match and not line.startswith("   "):
            name = match.group(1)
            summaries[name] = match.group(2)
        elif name and line.strip():
            summaries[name] += " " + line.strip()
    return summaries


def test_help_summaries_are_whole_sentences() -> None:
    """No summary in `eraser --help` (or a group's) stops at "(GDPR Art." or with "...": each is the help text's
    whole first sentence."""
    for path in ([], *([n] for n, c in main.commands.items() if isinstance(c, click.Group))):
        for name, summary in listed_summaries(path).items():
            assert not summary.endswith(("...", "Art.")) and summary.count("(") == summary.count(")"), (path, name)
    top = listed_summaries([])
    assert top["export"].startswith("Export everything found for a subject (GDPR Art. 15, 20)")
    assert top["restrict"].startswith("Restriction of processing (GDPR Art. 18)")


def test_readme_cli_reference_is_what_cog_generates() -> None:
    """`cog --check` passes: the README's CLI reference is exactly what the commands' help generates."""
    check = subprocess.run([sys.executable, "-m", "cogapp", "-I", "tools", "--check", "README.md"], cwd=ROOT,
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    readme = (ROOT / "README.md").read_text()
    assert "#### `eraser ticket approve`" in readme and "- `--by TEXT`: Who approves" in readme


def test_wheel_packages_leave_out_the_demo_directory(tmp_path: Path) -> None:
    """The package patterns of pyproject.toml find eraser and connectors, not eraser-demo/ beside them."""
    for name in ("eraser", "connectors", "eraser-demo/keys", "eraser-demo/certificates"):
        (tmp_path / name).mkdir(parents=True)
        (tmp_path / name / "__init__.py").write_text("")
    find = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    assert sorted(find_namespace_packages(str(tmp_path), include=find["include"])) == ["connectors", "eraser"]


def test_floor_constraints_pin_each_lower_bound_exactly(tmp_path: Path) -> None:
    """Each `>=` bound becomes `==`, extras and markers dropped; a requirement without one is not pinned."""
    assert floor_of("psycopg[binary]>=3.1.18") == ("psycopg", "3.1.18")
    assert floor_of("apscheduler>=3.10,<4") == ("apscheduler", "3.10")
    assert floor_of("types_PyYAML >= 6.0.12 ; python_version >= '3.11'") == ("types-pyyaml", "6.0.12")
    assert floor_of("anything") is None
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\ndependencies = ["a>=1.2", "b"]\n[project.optional-dependencies]\n'
                         'dev = ["C_d>=0.5,<1"]\n')
    assert floor_constraints(pyproject, ["dev"]) == ["a==1.2", "c-d==0.5"]
    assert all(line.count("==") == 1 for line in floor_constraints(ROOT / "pyproject.toml", ["dev"]))


def test_certificate_page_names_the_residual_scan_mode_as_a_mode() -> None:
    """"Residual scan (fail)" read as a failed scan: the page says "mode: fail on any match"."""
    page = _scan_html({"by_connector": [{"mode": "fail", "hits": []}], "columns_scanned": 3, "tables_scanned": 2,
                       "hits": 0})
    assert "(mode: fail on any match)" in page and "(fail)" not in page
