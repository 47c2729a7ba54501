"""`config check` knows collations that ignore case: an indexed email column under a MariaDB `_ci` collation or a
PostgreSQL nondeterministic ICU collation needs no expression index (no warning), and the lookup then goes
through the column's own index and still finds every stored form; a binary or C-collated column does need the
expression index. Skipped with the reason when a server is not running."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from eraser.cli import main
from tests.identity_helpers import create, erase_subject, ids, write_config
from tests.test_identity import EMAIL_DECOYS, EMAIL_FORMS

ZERO_WIDTH = ("\u200bzw.space@example.be\t", "zw.space@example.be")  # a character some collations ignore, then a tab


def _tables(url: str, folding: str, keeping: str, prelude: list[str]) -> sa.Engine:
    stored = [f for f, _ in EMAIL_FORMS] + [ZERO_WIDTH[0]] + EMAIL_DECOYS
    rows = [{"id": i, "email": e} for i, e in enumerate(stored, start=1)]
    # other customers: on a table of a few rows MariaDB reads the whole index rather than several ranges of it
    rows += [{"id": 1000 + i, "email": f"customer{i}@example.com"} for i in range(500)]
    return create(url, [*prelude,
                        f"CREATE TABLE folding (id INTEGER PRIMARY KEY, email VARCHAR(200) {folding})",
                        "CREATE INDEX ix_folding_email ON folding (email)",
                        f"CREATE TABLE keeping (id INTEGER PRIMARY KEY, email VARCHAR(200) {keeping})",
                        "CREATE INDEX ix_keeping_email ON keeping (email)"],
                  {"folding": rows, "keeping": rows})


def _config(tmp_path: Path, url: str) -> Path:
    tables = {t: {"identify": {"email": "email"}, "action": "delete"} for t in ("folding", "keeping")}
    return write_config(tmp_path, url, {"email": {"kind": "email"}}, tables)


def _check(config: Path) -> list[str]:
    result = CliRunner().invoke(main, ["config", "check", str(config)], catch_exceptions=False)
    assert "Traceback" not in result.output
    return [line.strip() for line in result.stdout.splitlines() if "identifier column" in line or "fix: " in line]


def _erases_every_form(engine: sa.Engine, config: Path) -> None:
    before = ids(engine, "folding")
    for _, given in [*EMAIL_FORMS, ZERO_WIDTH]:
        erase_subject(config, f"email={given}")
    assert ids(engine, "folding") == before - set(range(1, len(EMAIL_FORMS) + 2))  # the decoys stay
    assert ids(engine, "keeping") == ids(engine, "folding")


@pytest.mark.parametrize("db_url", ["mariadb"], indirect=True)
@pytest.mark.parametrize("collation", ["utf8mb4_general_ci", "utf8mb4_unicode_ci"])
def test_mariadb_ci_column_with_an_index_needs_no_expression_index(db_url: str, tmp_path: Path,
                                                                   collation: str) -> None:
    engine = _tables(db_url, f"CHARACTER SET utf8mb4 COLLATE {collation}",
                     "CHARACTER SET utf8mb4 COLLATE utf8mb4_bin", [])
    config = _config(tmp_path, db_url)
    said = _check(config)
    assert not any("'folding.email'" in line for line in said), said
    assert any("'keeping.email' is compared by its folded form" in line and "cannot index" in line
               for line in said), said
    _erases_every_form(engine, config)
    engine.dispose()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_postgresql_nondeterministic_case_insensitive_column_needs_no_expression_index(db_url: str,
                                                                                       tmp_path: Path) -> None:
    engine = _tables(db_url, "COLLATE ci_level2", 'COLLATE "C"',
                     ["CREATE COLLATION ci_level2 (provider = icu, locale = 'und-u-ks-level2', deterministic = false)"])
    config = _config(tmp_path, db_url)
    said = _check(config)
    assert not any("'folding.email'" in line for line in said), said
    assert "identifier column 'keeping.email' has no index on its folded form" in " ".join(said), said
    fix = next(line.removeprefix("fix: ") for line in said if line.startswith("fix: ") and "ix_keeping" in line)
    assert "lower(btrim(email" in fix
    with engine.begin() as conn:
        conn.execute(sa.text(fix))
    assert not any("'keeping.email'" in line for line in _check(config))
    _erases_every_form(engine, config)
    engine.dispose()
