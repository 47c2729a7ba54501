"""The files connector: files referenced by erased rows are overwritten and unlinked after the commit and listed
by the SHA-256 of their path; paths that escape the root (`..`, absolute paths, symbolic links) are refused and
nothing changes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from connectors.files import FileRefusedError, FileStore, split_path
from eraser.demo import PHOTO_FILES, write_photo_files
from eraser.proof.keys import keyed_reference
from tests.rights_helpers import certificate_of, person_id, run, table_rows, variant


def _subject_photos(engine: sa.Engine) -> dict[int, str]:
    pid = person_id(engine)
    with engine.connect() as conn:
        return {r.id: r.path for r in conn.execute(sa.text(
            "SELECT ph.id, ph.path FROM photos ph JOIN projects p ON p.id = ph.project_id WHERE p.person_id = :p"),
            {"p": pid})}


def _path_ref(path: str) -> str:
    """The keyed reference a certificate lists a file by (never the path, nor its plain SHA-256)."""
    return keyed_reference(os.environ["ERASER_SECRET"].encode(), "file-path", path)


def _files_config(demo_env, tmp_path: Path) -> tuple[Path, Path]:
    """The demo config with `files:` on photos, and a root holding a file for every photo row."""
    config = variant(demo_env.config, tmp_path, ("        category: photographs\n", PHOTO_FILES))
    root = config.parent / "files"
    write_photo_files(demo_env.engine, root)
    return config, root


# -- the store itself (no database) ---------------------------------------------------------------

@pytest.mark.parametrize("path", ["../outside.jpg", "a/../../outside.jpg", "a/b/../../../x", "/etc/passwd",
                                  "\\\\server\\share\\x", "C:\\photos\\x.jpg", "", "./.", "a\x00b"])
def test_paths_that_escape_the_root_are_refused(tmp_path: Path, path: str) -> None:
    """Absolute paths, `..` components, empty paths and NUL bytes are refused before anything is touched."""
    root = tmp_path / "root"
    root.mkdir()
    with pytest.raises(FileRefusedError):
        FileStore(root).check(path)
    with pytest.raises(FileRefusedError):
        split_path(path)


def test_symlinks_are_refused_anywhere_in_the_path(tmp_path: Path) -> None:
    """A symlinked file, a symlinked directory on the way, and a symlink inside a subject's directory are refused;
    their targets outside the root are never touched."""
    root, outside = tmp_path / "root", tmp_path / "outside"
    (root / "photos").mkdir(parents=True)
    outside.mkdir()
    secret = outside / "passwd"
    secret.write_text("root:x:0:0\n")
    (root / "photos" / "a.jpg").symlink_to(secret)
    (root / "linked").symlink_to(outside, target_is_directory=True)
    (root / "customers" / "C1").mkdir(parents=True)
    (root / "customers" / "C1" / "cv.pdf").write_bytes(b"cv")
    (root / "customers" / "C1" / "more").symlink_to(outside, target_is_directory=True)
    store = FileStore(root)
    for path in ("photos/a.jpg", "linked/passwd", "customers/C1"):
        with pytest.raises(FileRefusedError, match="symbolic link"):
            store.check(path)
    assert store.destroy("linked/passwd").status == "refused"
    assert secret.read_text() == "root:x:0:0\n" and (root / "customers" / "C1" / "cv.pdf").exists()


def test_a_file_is_overwritten_before_it_is_unlinked(tmp_path: Path) -> None:
    """Destroying writes zeros over the content (seen through a descriptor opened before) and then unlinks it;
    a file with another hard link is only unlinked, so the other name keeps its content."""
    root = tmp_path / "root"
    (root / "p").mkdir(parents=True)
    photo = root / "p" / "x.jpg"
    photo.write_bytes(b"JPEG" * 1000)
    with open(photo, "rb") as before:
        result = FileStore(root).destroy("p/x.jpg")
        assert result.status == "destroyed" and result.bytes == 4000 and not photo.exists()
        assert before.read() == bytes(4000)
    shared = root / "p" / "y.jpg"
    shared.write_bytes(b"keep")
    os.link(shared, tmp_path / "other-name.jpg")
    assert FileStore(root).destroy("p/y.jpg").status == "destroyed"
    assert (tmp_path / "other-name.jpg").read_bytes() == b"keep"
    assert FileStore(root).destroy("p/gone.jpg").status == "absent"
    assert FileStore(root).destroy("nowhere/gone.jpg").status == "absent"


# -- erasure on every dialect ---------------------------------------------------------------------

def test_dotdot_refuses_the_erasure_then_the_photos_go_and_are_listed_by_path_hash(demo_env, tmp_path: Path) -> None:
    """A photo row of the subject pointing at ../ makes the erasure fail with a clear message (exit 4): no row
    changes, no file is touched, no certificate. With the row fixed, the erasure destroys the subject's photo
    files after the commit, leaves every other photo intact, and the certificate lists the files by the keyed
    reference of their path with the warning about SSDs and copy-on-write file systems."""
    config, root = _files_config(demo_env, tmp_path)
    ours = _subject_photos(demo_env.engine)
    others = {p: (root / p).read_bytes() for i, p in ((r, v["path"]) for r, v in table_rows(
        demo_env.engine, "photos").items()) if i not in ours}
    assert len(ours) == 4 and len(others) > 20
    victim = root.parent / "outside.jpg"
    victim.write_bytes(b"not yours")
    photo_id = min(ours)
    with demo_env.engine.begin() as conn:
        conn.execute(sa.text("UPDATE photos SET path = '../outside.jpg' WHERE id = :i"), {"i": photo_id})
    before = {t: table_rows(demo_env.engine, t) for t in ("persons", "photos", "projects")}
    files_before = sorted(p for p in root.rglob("*") if p.is_file())
    result = run("erase", "--config", str(config), "--subject", "email=jan.peeters@example.be", "--yes")
    assert result.exit_code == 4, result.output
    assert "contains '..'" in result.output and "Nothing was changed" in result.output
    assert "outside.jpg" not in result.output  # the path is named by its hash only
    assert {t: table_rows(demo_env.engine, t) for t in before} == before
    assert sorted(p for p in root.rglob("*") if p.is_file()) == files_before
    assert victim.read_bytes() == b"not yours"
    assert not any(demo_env.certificates.glob("*.cert.json"))

    with demo_env.engine.begin() as conn:
        conn.execute(sa.text("UPDATE photos SET path = :p WHERE id = :i"), {"p": ours[photo_id], "i": photo_id})
    result = run("erase", "--config", str(config), "--subject", "email=jan.peeters@example.be", "--yes")
    assert result.exit_code == 0, result.output
    assert "Files: 4 destroyed" in result.output
    assert not any((root / p).exists() for p in ours.values())
    assert all((root / p).read_bytes() == data for p, data in others.items())
    assert victim.read_bytes() == b"not yours"
    payload = certificate_of(result.output)
    files = payload["files"]
    assert sorted(e["path_ref"] for e in files["entries"]) == sorted(_path_ref(p) for p in ours.values())
    assert {e["status"] for e in files["entries"]} == {"destroyed"}
    assert "SSD" in files["statement"] and "copy-on-write" in files["statement"]
    assert not any(p in repr(payload) for p in ours.values())


# -- SQLite only: more attacks, directories per subject, shared files ------------------------------

@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("attack", ["absolute", "symlinked file", "symlinked directory"])
def test_absolute_paths_and_symlinks_refuse_the_erasure(demo_env, tmp_path: Path, attack: str) -> None:
    """An absolute path, a photo that is a symlink to a file outside the root, and a path through a symlinked
    directory each refuse the erasure (exit 4); the file outside the root keeps its content."""
    config, root = _files_config(demo_env, tmp_path)
    victim = tmp_path / "victim" / "passwd"
    victim.parent.mkdir()
    victim.write_bytes(b"root:x:0:0")
    photo_id = min(_subject_photos(demo_env.engine))
    path = {"absolute": str(victim), "symlinked file": "evil/photo.jpg", "symlinked directory": "evil-dir/passwd"}[attack]
    (root / "evil").mkdir()
    (root / "evil" / "photo.jpg").symlink_to(victim)
    (root / "evil-dir").symlink_to(victim.parent, target_is_directory=True)
    with demo_env.engine.begin() as conn:
        conn.execute(sa.text("UPDATE photos SET path = :p WHERE id = :i"), {"p": path, "i": photo_id})
    before = table_rows(demo_env.engine, "persons")
    result = run("erase", "--config", str(config), "--subject", "email=jan.peeters@example.be", "--yes")
    assert result.exit_code == 4, result.output
    assert ("absolute path" if attack == "absolute" else "symbolic link") in result.output
    assert table_rows(demo_env.engine, "persons") == before
    assert victim.read_bytes() == b"root:x:0:0"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_directory_per_subject_and_shared_files(demo_env, tmp_path: Path) -> None:
    """A directory per customer (`directory: customers/{customer_number}`) goes with the customer (whose row is
    kept anonymized for the invoices); a photo file another customer's row also refers to stays in place."""
    config = variant(demo_env.config, tmp_path, ("        category: photographs\n", PHOTO_FILES),
                     ("        category: identification and contact details\n",
                      "        category: identification and contact details\n"
                      "        files: {root: files, directory: 'customers/{customer_number}'}\n"))
    root = config.parent / "files"
    write_photo_files(demo_env.engine, root)
    with demo_env.engine.connect() as conn:
        numbers = dict(conn.execute(sa.text("SELECT email, customer_number FROM persons")).all())
    ours = root / "customers" / numbers["jan.peeters@example.be"]
    (ours / "scans").mkdir(parents=True)
    (ours / "scans" / "id-card.png").write_bytes(b"png")
    (ours / "contract.pdf").write_bytes(b"pdf")
    theirs = root / "customers" / next(n for e, n in numbers.items() if e != "jan.peeters@example.be")
    theirs.mkdir(parents=True)
    (theirs / "contract.pdf").write_bytes(b"pdf")
    shared_path = _subject_photos(demo_env.engine)[min(_subject_photos(demo_env.engine))]
    with demo_env.engine.begin() as conn:  # another customer's photo row points at the same file
        other = conn.execute(sa.text("SELECT id FROM photos WHERE path != :p ORDER BY id DESC"), {"p": shared_path})
        conn.execute(sa.text("UPDATE photos SET path = :p WHERE id = :i"), {"p": shared_path, "i": other.first()[0]})
    result = run("erase", "--config", str(config), "--subject", "email=jan.peeters@example.be", "--yes")
    assert result.exit_code == 0, result.output
    assert not ours.exists() and (theirs / "contract.pdf").exists()
    assert (root / shared_path).exists()
    entries = certificate_of(result.output)["files"]["entries"]
    assert {e["table"]: e["files"] for e in entries if e["table"] == "persons"} == {"persons": 2}
    assert [e["status"] for e in entries if e["path_ref"] == _path_ref(shared_path)] == ["shared"]


def test_demo_creates_photo_files_and_erases_them(tmp_path: Path) -> None:
    """`eraser demo` writes a small file for every photo under files/ and destroys the subject's with the rows."""
    directory = tmp_path / "demo"
    result = run("demo", "--dir", str(directory), "--persons", "20")
    assert result.exit_code == 0, result.output
    assert "Files: 4 destroyed" in result.output
    engine = sa.create_engine(f"sqlite:///{directory / 'cover.db'}")
    try:
        paths = [p for p in table_rows(engine, "photos").values()]
    finally:
        engine.dispose()
    on_disk = {p.relative_to(directory / "files").as_posix() for p in (directory / "files").rglob("*.jpg")}
    assert on_disk == {p["path"] for p in paths} and on_disk
    assert all((directory / "files" / p).read_bytes()[:2] == b"\xff\xd8" for p in on_disk)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_config_check_names_a_wrong_files_column(demo_env, tmp_path: Path) -> None:
    """`eraser config check` reports a `files:` column (or template field) that the table lacks, with its line."""
    config = variant(demo_env.config, tmp_path, ("        category: photographs\n",
                                                 "        category: photographs\n        files: {root: files, column: pth}\n"))
    (config.parent / "files").mkdir()
    result = run("config", "check", str(config))
    assert result.exit_code == 2 and "column 'pth' does not exist in table 'photos' (closest: path)" in result.output
