"""How well `eraser discover` finds personal columns and proposes table actions, on labelled schemas.

Builds the labelled schemas of bench/labelled_schemas.py (the demo schema, a survey SaaS, an agency CRM/ERP in
Dutch and French) in SQLite files under a temporary directory, runs discovery on each, and prints column-level
precision and recall of personal-data detection and table-level accuracy of the proposed action (delete,
anonymize, retain, or left out), with every miss and false alarm by name.

The three schemas were the development set of the detector; bench/heldout_schemas.py holds six held-out
schemas (used once, then the detector was corrected on them), bench/heldout2_schemas.py a fresh held-out
batch of four, bench/heldout3_schemas.py a blind batch of five (labels committed before discovery first ran on
them) and bench/heldout4_schemas.py a second blind batch of five, written after the first had been tuned on, and
bench/heldout5_schemas.py a third blind batch of five, written after the second had been tuned on, and
bench/heldout6_schemas.py a fourth blind batch of five (Dolibarr, Invoice Ninja, GNU Health, Snipe-IT, Mautic), each
printed as its own row with its harmful proposals (`delete` where the label says otherwise).
`--fides` adds a held-out check: the Fides sample database (../shared/fides_example, loaded into a fresh
PostgreSQL database) against the Fides project's own
field annotations, where a non-key field with a `user.*` data category counts as personal. Those labels follow
other conventions (login timestamps are `user.sensor`, one email column is `system.operations`) and the sample
holds two or three rows per table, so its numbers show what names alone achieve.

    .venv/bin/python bench/discover_quality.py
    .venv/bin/python bench/discover_quality.py --sample 200 --seed 3
    .venv/bin/python bench/discover_quality.py --sample 0          # by names only
    .venv/bin/python bench/discover_quality.py --fides              # plus the held-out Fides sample
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from heldout2_schemas import FRESH  # noqa: E402
from heldout3_schemas import BLIND  # noqa: E402
from heldout4_schemas import BLIND2  # noqa: E402
from heldout5_schemas import BLIND3  # noqa: E402
from heldout6_schemas import BLIND4  # noqa: E402
from heldout_schemas import HELD_OUT  # noqa: E402
from labelled_schemas import SCHEMAS  # noqa: E402

from eraser.discover import discover  # noqa: E402


def measure(sample: int, seed: int, directory: Path, schemas: dict | None = None) -> list[dict[str, object]]:
    results = []
    for schema in (SCHEMAS if schemas is None else schemas).values():
        path = directory / f"{schema.name}.db"
        engine = sa.create_engine(f"sqlite:///{path}")
        schema.build(engine, seed)
        engine.dispose()
        started = time.perf_counter()
        found = discover(f"sqlite:///{path}", sample=sample)
        seconds = time.perf_counter() - started
        predicted = found.personal_columns()
        columns = {(t, c) for t, cols in found.columns.items() for c in cols}
        unknown = schema.personal - columns
        if unknown:
            raise SystemExit(f"{schema.name}: labelled columns missing from the schema: {sorted(unknown)}")
        actions = {t: p.action for t, p in found.tables.items()}
        wrong = {t: (actions.get(t), want) for t, want in schema.actions.items() if actions.get(t) != want}
        results.append({"schema": schema, "tp": len(predicted & schema.personal),
                        "fp": sorted(predicted - schema.personal), "fn": sorted(schema.personal - predicted),
                        "columns": len(columns), "tables": len(schema.actions), "wrong": wrong, "seconds": seconds})
    return results


FIDES = Path(__file__).resolve().parents[2] / "shared" / "fides_example"


def fides(server: str, sample: int) -> str:
    """Column-level precision and recall on the Fides PostgreSQL sample, against its dataset annotations."""
    annotations = yaml.safe_load((FIDES / "dataset" / "postgres_example_test_dataset.yml").read_text())
    labelled: dict[tuple[str, str], bool] = {}
    for collection in annotations["dataset"][0]["collections"]:
        for f in collection["fields"]:
            meta = f.get("fides_meta") or {}
            if meta.get("primary_key") or meta.get("references"):
                continue  # keys and references: Eraser follows them, it does not anonymize them
            labelled[(collection["name"], f["name"])] = any(c.startswith("user")
                                                            for c in f.get("data_categories") or [])
    name = f"eraser_fides_quality_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        engine = sa.create_engine(url)
        statements = [s.strip() for s in "\n".join(
            line for line in (FIDES / "sql" / "postgres_sample.sql").read_text().splitlines()
            if not line.lstrip().startswith("--")).split(";") if s.strip()]
        with engine.begin() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement.replace("%", "%%"))
        engine.dispose()
        found = discover(url, schema="public", sample=sample)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    predicted = {k for k in labelled if k in found.personal_columns()}
    truth = {k for k, v in labelled.items() if v}
    tp, fp, fn = len(predicted & truth), sorted(predicted - truth), sorted(truth - predicted)
    lines = [f"held-out: Fides PostgreSQL sample, {len(labelled)} annotated non-key fields, {len(truth)} personal: "
             f"TP {tp}, FP {len(fp)}, FN {len(fn)}, precision {ratio(tp, tp + len(fp)):.3f}, "
             f"recall {ratio(tp, tp + len(fn)):.3f}"]
    lines += [f"  missed (FN)        fides.{t}.{c}" for t, c in fn]
    lines += [f"  false alarm (FP)   fides.{t}.{c}" for t, c in fp]
    return "\n".join(lines)


def ratio(a: int, b: int) -> float:
    return a / b if b else 1.0


def report(results: list[dict[str, object]], title: str = "") -> str:
    lines = ([title] if title else []) + [f"{'schema':<8} {'tables':>6} {'columns':>7} {'personal':>8} {'TP':>4} {'FP':>3} {'FN':>3} "
             f"{'precision':>9} {'recall':>6} {'table actions':>13}"]
    totals = {"tp": 0, "fp": 0, "fn": 0, "columns": 0, "tables": 0, "right": 0}
    for r in results:
        schema = r["schema"]
        tp, fp, fn = int(r["tp"]), len(r["fp"]), len(r["fn"])  # type: ignore[arg-type]
        tables, wrong = int(r["tables"]), len(r["wrong"])  # type: ignore[arg-type, call-overload]
        totals["tp"] += tp
        totals["fp"] += fp
        totals["fn"] += fn
        totals["columns"] += int(r["columns"])  # type: ignore[call-overload]
        totals["tables"] += tables
        totals["right"] += tables - wrong
        lines.append(f"{schema.name:<8} {tables:>6} {r['columns']:>7} {len(schema.personal):>8} {tp:>4} "  # type: ignore[attr-defined]
                     f"{fp:>3} {fn:>3} {ratio(tp, tp + fp):>9.3f} {ratio(tp, tp + fn):>6.3f} "
                     f"{tables - wrong:>6}/{tables} = {ratio(tables - wrong, tables):.3f}")
    tp, fp, fn = totals["tp"], totals["fp"], totals["fn"]
    lines.append(f"{'all':<8} {totals['tables']:>6} {totals['columns']:>7} {tp + fn:>8} {tp:>4} {fp:>3} {fn:>3} "
                 f"{ratio(tp, tp + fp):>9.3f} {ratio(tp, tp + fn):>6.3f} "
                 f"{totals['right']:>6}/{totals['tables']} = {ratio(totals['right'], totals['tables']):.3f}")
    harmful = [f"{r['schema'].name}.{t}" for r in results  # type: ignore[attr-defined]
               for t, (got, want) in sorted(r["wrong"].items()) if got == "delete"]  # type: ignore[attr-defined]
    lines.append(f"  harmful proposals (delete where the label says otherwise): {len(harmful)}"
                 + (f": {', '.join(harmful)}" if harmful else ""))
    for r in results:
        name = r["schema"].name  # type: ignore[attr-defined]
        for t, c in r["fn"]:  # type: ignore[attr-defined]
            lines.append(f"  missed (FN)        {name}.{t}.{c}")
        for t, c in r["fp"]:  # type: ignore[attr-defined]
            lines.append(f"  false alarm (FP)   {name}.{t}.{c}")
        for t, (got, want) in sorted(r["wrong"].items()):  # type: ignore[attr-defined]
            lines.append(f"  table action       {name}.{t}: proposed {got or 'left out'}, labelled {want or 'left out'}")
        lines.append(f"  discover on {name}: {r['seconds']:.2f} s")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=1000, help="rows sampled per table (as `eraser discover`)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the generated data")
    parser.add_argument("--fides", action="store_true", help="also the held-out Fides sample (needs PostgreSQL)")
    parser.add_argument("--server", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                        help="PostgreSQL server for --fides (a database is created and dropped)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        print(report(measure(args.sample, args.seed, Path(tmp), SCHEMAS),
                     "tuned on (the detector was developed on these):"))
        print(report(measure(args.sample, args.seed, Path(tmp), HELD_OUT),
                     "held out (labelled before discovery first ran on them; corrected after its first run):"))
        print(report(measure(args.sample, args.seed, Path(tmp), FRESH),
                     "fresh held out (bench/heldout2_schemas.py; labelled before discovery ran on them):"))
        print(report(measure(args.sample, args.seed, Path(tmp), BLIND),
                     "blind held out (bench/heldout3_schemas.py; labels committed before discovery ran on them; "
                     "tuned on since its first run):"))
        print(report(measure(args.sample, args.seed, Path(tmp), BLIND2),
                     "second blind batch (bench/heldout4_schemas.py; labels on main before discovery ran on them; "
                     "tuned on since its first run):"))
        print(report(measure(args.sample, args.seed, Path(tmp), BLIND3),
                     "third blind batch (bench/heldout5_schemas.py; labels on main before discovery ran on them):"))
        print(report(measure(args.sample, args.seed, Path(tmp), BLIND4),
                     "fourth blind batch (bench/heldout6_schemas.py; labels on main before discovery ran on them):"))
    if args.fides:
        print(fides(args.server, args.sample))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
