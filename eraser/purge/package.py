"""The return package: the tenant's rows as JSON Lines and CSV with a manifest of SHA-256 digests, written before
anything is destroyed.

Every step can be repeated after a kill: the files are written in `.NAME.tmp` beside the target, a 0700
directory removed on any failure and, after a kill, by the next attempt; the finished directory is renamed into
place in one step, and a package already in place that names this purge and matches its manifest is taken as
written (its digest recorded if the kill came before that).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import structlog

from eraser._time import now_iso
from eraser.errors import EraserError
from eraser.purge import journal
from eraser.purge.result import PurgeResult
from eraser.purge.scope import Scope

log = structlog.get_logger("eraser.purge")

README = """Return package: the data of tenant {tenant}
=================================================

Written by {organisation} on {generated_at} before the end-of-contract destruction of this tenant's data.

Per table, `CONNECTOR/TABLE.jsonl` holds one JSON object per row (column -> value; dates and times in ISO 8601,
decimals as strings) and `CONNECTOR/TABLE.csv` the same rows as CSV with a header line (UTF-8). `manifest.json`
lists every file with its row count, size and SHA-256; `manifest.json.sha256` holds the manifest's own SHA-256
(check with `sha256sum -c manifest.json.sha256`, then each file against the manifest). The manifest's SHA-256
is also written in the signed destruction certificate.
"""


def temporary(target: Path) -> Path:
    return target.parent / f".{target.name}.tmp"


def remove_temporary(target: Path) -> None:
    """What an earlier attempt left while writing (also under the older per-process names)."""
    if target.parent.exists():
        for stale in target.parent.glob(f".{target.name}.tmp*"):
            shutil.rmtree(stale, ignore_errors=True)


def write_package(store: Any, result: PurgeResult, scopes: dict[str, Scope], target: Path,
                  earlier: dict[str, Any] | None) -> dict[str, Any]:
    """The package at `target`, written now or found as an earlier attempt of this purge left it."""
    recorded = earlier["export_sha256"] if earlier else None
    remove_temporary(target)
    if target.exists():
        digest = _written_by(target, result.purge_id)
        if digest is None:
            raise EraserError(f"{target} already exists; give a new directory for the return package.")
        if recorded and digest != recorded:
            raise EraserError(f"the return package {target} changed since it was written; refusing to go on.")
    elif recorded:
        raise EraserError(f"the return package {target} of this purge is missing; put it back (manifest SHA-256 "
                          f"{recorded}) to go on.")
    else:
        digest = _write(result, scopes, target)
    if digest != recorded:
        journal.set_purge(store, result.purge_id, export_dir=str(target), export_sha256=digest)
        log.info("return package written", tenant=result.tenant, manifest_sha256=digest)
    return package_summary(target, digest)


def _written_by(target: Path, purge_id: str) -> str | None:
    """The manifest digest of a package this purge wrote, or None for any other directory."""
    try:
        manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("purge_id") != purge_id:
        return None
    return verify_package(target)


def _write(result: PurgeResult, scopes: dict[str, Scope], target: Path) -> str:
    from eraser.rights.export import jsonable

    config = next(iter(scopes.values())).config
    tmp = temporary(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp.mkdir(mode=0o700)
    os.chmod(tmp, 0o700)  # whatever the umask: it holds every person of the tenant
    try:
        files = []
        for p in result.parts:
            scope = scopes[p.connector]
            t = scope.t(p.table)
            cols = [c.name for c in t.c]
            (tmp / p.connector).mkdir(exist_ok=True)
            stmt = sa.select(t).where(scope.mine(p.table, t)).order_by(*scope.pk_cols(p.table, t))
            paths = {ext: tmp / p.connector / f"{p.table}.{ext}" for ext in ("jsonl", "csv")}
            rows = 0
            with paths["jsonl"].open("w", encoding="utf-8") as jf, \
                    paths["csv"].open("w", encoding="utf-8", newline="") as cf:
                writer = csv.writer(cf)
                writer.writerow(cols)
                for row in scope.run(stmt.execution_options(stream_results=True, yield_per=5000)):
                    data = {c: jsonable(v) for c, v in zip(cols, row, strict=True)}
                    jf.write(json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n")
                    writer.writerow(["" if v is None else v if isinstance(v, str) else json.dumps(v)
                                     for v in data.values()])
                    rows += 1
            for path in paths.values():
                files.append({"path": str(path.relative_to(tmp)), "rows": rows, "bytes": path.stat().st_size,
                              "sha256": _sha256(path)})
        generated_at = now_iso()
        (tmp / "README.txt").write_text(README.format(tenant=result.tenant, organisation=config.organisation,
                                                      generated_at=generated_at), encoding="utf-8")
        files.append({"path": "README.txt", "bytes": (tmp / "README.txt").stat().st_size,
                      "sha256": _sha256(tmp / "README.txt")})
        manifest = json.dumps({"tenant": result.tenant, "generated_at": generated_at, "purge_id": result.purge_id,
                               "files": files}, indent=2, sort_keys=True).encode() + b"\n"
        (tmp / "manifest.json").write_bytes(manifest)
        digest = hashlib.sha256(manifest).hexdigest()
        (tmp / "manifest.json.sha256").write_text(f"{digest}  manifest.json\n")
        for path in sorted(tmp.rglob("*")):
            if path.is_file():
                with path.open("rb") as fh:
                    os.fsync(fh.fileno())
        os.rename(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if verify_package(target) != digest:  # read back from where the receiver will read it
        raise EraserError(f"the return package {target} does not read back as written; nothing was destroyed.")
    return digest


def package_summary(target: Path, digest: str) -> dict[str, Any]:
    manifest = json.loads((target / "manifest.json").read_text())
    return {"directory": str(target), "manifest_sha256": digest, "files": len(manifest["files"]),
            "rows": sum(f.get("rows", 0) for f in manifest["files"] if f["path"].endswith(".jsonl"))}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_package(target: Path) -> str:
    """Re-read every file of a return package against its manifest; the manifest's SHA-256, or EraserError."""
    manifest = (target / "manifest.json").read_bytes()
    digest = hashlib.sha256(manifest).hexdigest()
    recorded = (target / "manifest.json.sha256").read_text().split()[0]
    if recorded != digest:
        raise EraserError(f"{target}/manifest.json does not match manifest.json.sha256.")
    for f in json.loads(manifest)["files"]:
        if _sha256(target / f["path"]) != f["sha256"]:
            raise EraserError(f"{target}/{f['path']} does not match its SHA-256 in the manifest.")
    return digest
