"""Files on disk that rows refer to (photographs, videos, attachments), under one configured root.

A path comes from a row (a column holding a path relative to the root, or a directory template filled from the
row), so it is untrusted: absolute paths, `..` components and symbolic links anywhere below the root are
refused, and every file is opened component by component relative to the root's descriptor with O_NOFOLLOW, so
a path cannot be swapped for a symlink between the check and the deletion.

Destroying a file overwrites its content once with zeros, flushes it to disk, then unlinks it. That is no
guarantee of erasure on SSDs (wear levelling keeps old blocks), on copy-on-write or journaling file systems
(btrfs, ZFS, APFS, snapshots) or in backups; the certificate says so.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from eraser.errors import ConfigError, EraserError

CHUNK = 1 << 20
METHOD = "overwritten once with zeros and flushed to disk, then unlinked, after the database commit"
STATEMENT = ("Overwriting a file before unlinking it is no guarantee that its content is gone: SSDs and flash "
             "storage remap blocks (wear levelling), copy-on-write and journaling file systems (btrfs, ZFS, APFS) "
             "and snapshots keep earlier versions, and backups of the file store keep copies until they expire.")


class FileRefusedError(EraserError):
    """A row refers to a path that escapes the file store's root; nothing was changed."""

    exit_code = 4


@dataclass(frozen=True)
class FileResult:
    path_sha256: str
    status: str  # destroyed | absent | failed | refused
    files: int = 0
    bytes: int = 0
    detail: str | None = None


def path_digest(relative: str) -> str:
    """SHA-256 of a root-relative path as a row holds it: the certificate lists files by this, never by name."""
    return hashlib.sha256(relative.encode("utf-8")).hexdigest()


def split_path(relative: str) -> list[str]:
    """The components of a root-relative path, or FileRefusedError if it is absolute or climbs out of the root."""
    if not isinstance(relative, str) or not relative.strip():
        raise FileRefusedError("a file reference is empty.")
    if "\x00" in relative:
        raise FileRefusedError("a file reference contains a NUL byte.")
    if relative.startswith(("/", "\\")) or re.match(r"[A-Za-z]:[\\/]", relative):
        raise FileRefusedError(f"file reference {path_digest(relative)[:16]} (SHA-256 of the path) is an absolute "
                               "path; only paths relative to the configured root are accepted.")
    parts = [p for p in relative.replace("\\", "/").split("/") if p not in ("", ".")]
    if ".." in parts:
        raise FileRefusedError(f"file reference {path_digest(relative)[:16]} (SHA-256 of the path) contains '..'; "
                               "a path may not climb out of the configured root.")
    if not parts:
        raise FileRefusedError("a file reference names the root itself.")
    return parts


class FileStore:
    """One root directory and the files below it."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        if not self.root.is_dir():
            raise ConfigError(f"files root {self.root} does not exist or is not a directory.")

    # -- walking without following links ----------------------------------------------------------

    @contextmanager
    def _parent(self, parts: list[str], relative: str) -> Iterator[int]:
        """A descriptor of the directory holding the last component, opened one component at a time."""
        fds = [os.open(self.root, os.O_RDONLY | os.O_DIRECTORY)]
        try:
            for part in parts[:-1]:
                try:
                    fds.append(os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fds[-1]))
                except OSError as exc:
                    if exc.errno in (errno.ELOOP, errno.ENOTDIR) and self._is_link(fds[-1], part):
                        raise self._symlink(relative) from None
                    raise
            yield fds[-1]
        finally:
            for fd in reversed(fds):
                os.close(fd)

    @staticmethod
    def _is_link(dir_fd: int, name: str) -> bool:
        try:
            return stat.S_ISLNK(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode)
        except OSError:
            return False

    @staticmethod
    def _symlink(relative: str) -> FileRefusedError:
        return FileRefusedError(f"file reference {path_digest(relative)[:16]} (SHA-256 of the path) goes through a "
                                "symbolic link; links are never followed out of (or within) the configured root.")

    def _lstat(self, relative: str) -> tuple[list[str], os.stat_result | None]:
        parts = split_path(relative)
        try:
            with self._parent(parts, relative) as parent:
                try:
                    return parts, os.stat(parts[-1], dir_fd=parent, follow_symlinks=False)
                except FileNotFoundError:
                    return parts, None
        except (FileNotFoundError, NotADirectoryError):
            return parts, None

    def check(self, relative: str) -> str:
        """'file', 'directory' or 'absent'; FileRefusedError for a path that escapes the root or a symlink."""
        parts, st = self._lstat(relative)
        if st is None:
            return "absent"
        if stat.S_ISLNK(st.st_mode):
            raise self._symlink(relative)
        if stat.S_ISDIR(st.st_mode):
            with self._parent(parts, relative) as parent:
                fd = os.open(parts[-1], os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=parent)
                try:
                    for _, dirs, files, dfd in os.fwalk(".", dir_fd=fd, follow_symlinks=False):
                        if any(self._is_link(dfd, n) for n in (*dirs, *files)):
                            raise FileRefusedError(f"directory {path_digest(relative)[:16]} (SHA-256 of the path) "
                                                   "holds a symbolic link; links are never followed.")
                finally:
                    os.close(fd)
            return "directory"
        if not stat.S_ISREG(st.st_mode):
            raise FileRefusedError(f"file reference {path_digest(relative)[:16]} (SHA-256 of the path) is not a "
                                   "regular file or directory.")
        return "file"

    # -- reading (access export) ------------------------------------------------------------------

    def files_under(self, relative: str) -> list[tuple[str, bytes]]:
        """(path relative to the root, content) of the file, or of every file in the directory."""
        kind = self.check(relative)
        if kind == "absent":
            return []
        parts = split_path(relative)
        out: list[tuple[str, bytes]] = []
        with self._parent(parts, relative) as parent:
            if kind == "file":
                return [("/".join(parts), self._read(parent, parts[-1]))]
            fd = os.open(parts[-1], os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=parent)
            try:
                for here, _, files, dfd in os.fwalk(".", dir_fd=fd, follow_symlinks=False):
                    for name in sorted(files):
                        sub = [p for p in here.split("/") if p not in ("", ".")]
                        out.append(("/".join([*parts, *sub, name]), self._read(dfd, name)))
            finally:
                os.close(fd)
        return sorted(out)

    @staticmethod
    def _read(dir_fd: int, name: str) -> bytes:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=dir_fd)
        with os.fdopen(fd, "rb") as fh:
            return fh.read()

    # -- destroying -------------------------------------------------------------------------------

    def destroy(self, relative: str) -> FileResult:
        """Overwrite and unlink the file (or every file of the directory, then the directories)."""
        digest = path_digest(relative)
        try:
            kind = self.check(relative)
            if kind == "absent":
                return FileResult(digest, "absent")
            parts = split_path(relative)
            with self._parent(parts, relative) as parent:
                if kind == "file":
                    size = self._shred(parent, parts[-1])
                    return FileResult(digest, "destroyed", 1, size)
                count = size = 0
                fd = os.open(parts[-1], os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=parent)
                try:
                    for _, dirs, files, dfd in os.fwalk(".", dir_fd=fd, topdown=False, follow_symlinks=False):
                        for name in files:
                            size += self._shred(dfd, name)
                            count += 1
                        for name in dirs:
                            if self._is_link(dfd, name):
                                os.unlink(name, dir_fd=dfd)  # a link that appeared since the check: not followed
                            else:
                                os.rmdir(name, dir_fd=dfd)
                finally:
                    os.close(fd)
                os.rmdir(parts[-1], dir_fd=parent)
                return FileResult(digest, "destroyed", count, size)
        except FileRefusedError as exc:  # became a link after the check: left alone, and said so
            return FileResult(digest, "refused", detail=str(exc))
        except OSError as exc:
            return FileResult(digest, "failed", detail=exc.strerror or type(exc).__name__)

    @staticmethod
    def _shred(dir_fd: int, name: str) -> int:
        """Overwrite a regular file with zeros, flush it, unlink it; a symlink is only unlinked, never followed.
        A file with other hard links is unlinked without overwriting (the other names still hold its content)."""
        try:
            fd = os.open(name, os.O_WRONLY | os.O_NOFOLLOW, dir_fd=dir_fd)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                os.unlink(name, dir_fd=dir_fd)
                return 0
            raise
        try:
            st = os.fstat(fd)
            if stat.S_ISREG(st.st_mode) and st.st_nlink == 1:
                zeros = bytes(min(CHUNK, st.st_size))
                left = st.st_size
                while left > 0:
                    left -= os.write(fd, zeros[:min(left, CHUNK)])
                os.fsync(fd)
        finally:
            os.close(fd)
        os.unlink(name, dir_fd=dir_fd)
        return st.st_size
