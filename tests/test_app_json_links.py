"""Links through a JSON path (`json: $.customer_id`) on the shop schema (tests/app_schemas.py): the job table's
`args` names the customer as a number or as a string; judged by the independent oracle on SQLite, PostgreSQL and
MariaDB. A stored value that is not JSON refuses the erasure in one sentence and changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from sqlalchemy.dialects import postgresql

from eraser.cli import main
from tests import app_schemas, oracle
from tests.app_schemas import NOW, SUBJECT
from tests.conftest import DIALECTS, fresh_database
from tests.test_app_schemas import judged, keys, rows_of, run, table_entry

__all__ = ["keys"]  # the module's fixture


@pytest.mark.parametrize("kind", DIALECTS)
def test_job_rows_found_through_json_path(kind: str, keys: Path, tmp_path: Path) -> None:
    """Customer 5's two jobs (args customer_id 5 and "5") are deleted; the job of order 5, the job of customer
    5.5 and customer 25's job (its id as a string) stay byte-identical."""
    app = app_schemas.shop()
    with app_schemas.installed(app, kind, tmp_path) as (engine, url):
        config = app_schemas.write_config(app, url, keys, tmp_path)
        payload, before, after = judged(app, engine, config, {0}, [SUBJECT], f"email={SUBJECT}",
                                        rewritten={"mail_log": {app.key("mail_log", id_mail=1)}})
        assert table_entry(payload, "job")["counts"]["delete"] == 2
        gone = set(rows_of(before, "job")) - set(rows_of(after, "job"))
        assert gone == {app.key("job", id_job=50), app.key("job", id_job=51)}


@pytest.mark.parametrize("kind", DIALECTS)
def test_job_args_in_a_json_column(kind: str, keys: Path, tmp_path: Path) -> None:
    """The same jobs with args in a JSON column (JSON on SQLite and MariaDB, jsonb on PostgreSQL): the same two
    rows go, every other stays."""
    app = app_schemas.shop()
    app.metadata.tables["job"].c.args.type = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
    app.rows["job"] = [({**row, "args": json.loads(row["args"])}, owner) for row, owner in app.rows["job"]]
    with app_schemas.installed(app, kind, tmp_path) as (engine, url):
        config = app_schemas.write_config(app, url, keys, tmp_path)
        check = CliRunner().invoke(main, ["config", "check", str(config)])
        assert check.exit_code == 0, check.output
        payload, before, after = judged(app, engine, config, {0}, [SUBJECT], f"email={SUBJECT}",
                                        rewritten={"mail_log": {app.key("mail_log", id_mail=1)}})
        assert table_entry(payload, "job")["counts"]["delete"] == 2
        gone = set(rows_of(before, "job")) - set(rows_of(after, "job"))
        assert gone == {app.key("job", id_job=50), app.key("job", id_job=51)}


def test_json_path_link_erases_customer_given_as_string(keys: Path, tmp_path: Path) -> None:
    """Customer 25 (person 2), whose job names them as the string "25": found and deleted."""
    url = next(fresh_database("sqlite", tmp_path))
    app = app_schemas.shop()
    engine = app_schemas.create(app, url)
    config = app_schemas.write_config(app, url, keys, tmp_path)
    email = next(r["email"] for r, owner in app.rows["customer"] if owner == 2)
    payload, before, after = judged(app, engine, config, {2}, [email], f"email={email}")
    assert set(rows_of(before, "job")) - set(rows_of(after, "job")) == {app.key("job", id_job=250)}


@pytest.mark.parametrize("kind", DIALECTS)
def test_value_not_json_refuses_the_erasure(kind: str, keys: Path, tmp_path: Path) -> None:
    """A job whose args are not JSON could name the subject: erase refuses in one sentence naming the table and
    the path (no value), and nothing changes; narrowed by where: to the rows that hold JSON, it passes."""
    app = app_schemas.shop()
    app.add("job", None, id_job=3, kind="legacy", date_add=NOW, args="customer_id=5;template=x")
    with app_schemas.installed(app, kind, tmp_path) as (engine, url):
        config = app_schemas.write_config(app, url, keys, tmp_path)
        before = oracle.snapshot(engine)
        result, payload = run(config, f"email={SUBJECT}")
        assert result.exit_code != 0 and payload is None, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in result.output, result.output
        assert "rows of job hold a value in args that is not valid JSON" in lines[0]
        assert "json: $.customer_id" in lines[0] and "nothing was changed" in lines[0]
        assert "customer_id=5" not in result.output
        assert oracle.unchanged(before, oracle.snapshot(engine)) == []
        rules = json.loads(json.dumps(app.rules))
        rules["job"]["links"][0]["where"] = {"kind": ["mail", "invoice", "export"]}
        narrowed = app_schemas.write_config(app, url, keys, tmp_path, rules=rules)
        payload, _, _ = judged(app, engine, narrowed, {0}, [SUBJECT], f"email={SUBJECT}",
                               rewritten={"mail_log": {app.key("mail_log", id_mail=1)}})
        assert table_entry(payload, "job")["counts"]["delete"] == 2


@pytest.mark.parametrize(("link", "expected"), [
    ({"json": "customer_id"}, "is not a JSON path such as '$.customer_id'"),
    ({"json": "$.customer_id", "cast": "text"}, "a link with json: compares the value at its path as text"),
    ({"json": "$.customer_id", "column": "date_add"}, "has a json: path, but job.date_add holds neither text nor JSON"),
])
def test_config_check_refuses_bad_json_links(link: dict[str, str], expected: str, keys: Path, tmp_path: Path) -> None:
    """A path that is not one, a cast beside a path, and a path on a column that holds no text: one sentence each
    from config check."""
    url = next(fresh_database("sqlite", tmp_path))
    app = app_schemas.shop()
    app_schemas.create(app, url)
    rules = json.loads(json.dumps(app.rules))
    rules["job"]["links"][0].update(link)
    config = app_schemas.write_config(app, url, keys, tmp_path, rules=rules)
    result = CliRunner().invoke(main, ["config", "check", str(config)])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert expected in result.output, result.output


DOCS = ['{"customer_id": 42}', '{"customer_id": "42"}', '{"customer_id": true}', '{"customer_id": null}',
        '{"customer_id": 42.5}', '{"customer_id": {"id": 42}}', '{"customer": {"id": 42}}',
        '{"items": [{"id": 7}, {"id": "8"}]}', '[1, 2]', '42', '"42"', '{"customer_id": "\\u0034\\u0032"}',
        '{"customer_id": 12345678901234}', '{"customer_id": "t_abc"}', '{}', '{"customer_id": 1e3}',
        '{"customer_id": -5}', '{"customer_id": 42.0}']
PATHS = ["$.customer_id", "$.customer.id", "$.items[0].id", "$.items[1].id", "$.items[2].id"]


@pytest.mark.parametrize("kind", DIALECTS)
def test_database_and_python_read_a_path_alike(kind: str, tmp_path: Path) -> None:
    """What the database finds at a path (json_links.text_at) and what Eraser reads from a row in hand
    (json_links.value_at) agree for numbers, strings, escapes, booleans, nulls, decimals, objects and arrays:
    the plan matches children to parents in Python, so a disagreement would lose or misattribute a row."""
    from eraser.engine.json_links import text_at, value_at

    databases = fresh_database(kind, tmp_path)
    url = next(databases)
    engine = sa.create_engine(url)
    try:
        meta = sa.MetaData()
        docs = sa.Table("docs", meta, sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
                        sa.Column("body", sa.Text))
        meta.create_all(engine)
        with engine.begin() as conn:
            conn.execute(docs.insert(), [{"id": i, "body": body} for i, body in enumerate(DOCS)])
            for path in PATHS:
                read = dict(conn.execute(sa.select(docs.c.id, text_at(engine.dialect.name, docs.c.body, path))).all())
                assert read == {i: value_at(body, path) for i, body in enumerate(DOCS)}, path
    finally:
        engine.dispose()
        next(databases, None)


def test_access_export_holds_the_jobs_found_through_json(keys: Path, tmp_path: Path) -> None:
    """The subject's access export (`eraser export`) holds their two jobs, as the erasure would find them, and
    no one else's; with a value that is not JSON it refuses in one sentence and writes nothing."""
    url = next(fresh_database("sqlite", tmp_path))
    app = app_schemas.shop()
    engine = app_schemas.create(app, url)
    config = app_schemas.write_config(app, url, keys, tmp_path)
    out = tmp_path / "export"
    result = CliRunner().invoke(main, ["export", "--config", str(config), "--subject", f"email={SUBJECT}",
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    doc = json.loads((out / "subject.json").read_text())
    jobs = next(t for db in doc["databases"] for t in db["tables"] if t["table"] == "job")
    assert sorted(r["id_job"] for r in jobs["rows"]) == [50, 51]
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO job (id_job, kind, args) VALUES (3, 'legacy', 'customer_id=5')"))
    again = CliRunner().invoke(main, ["export", "--config", str(config), "--subject", f"email={SUBJECT}",
                                      "--out", str(tmp_path / "export2")])
    assert again.exit_code != 0 and "Traceback" not in again.output
    assert "not valid JSON" in again.stderr and len(again.stderr.strip().splitlines()) == 1, again.output
    assert not (tmp_path / "export2").exists()
    engine.dispose()
