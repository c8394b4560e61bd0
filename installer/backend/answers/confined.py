"""Files an answer file refers to (package lists, scripts, keys, files and folders to copy),
read relative to the answer file's folder and never from outside it.

A path that leaves the folder, lexically (``..``, an absolute path elsewhere) or through a
symlink, is refused before anything is read; sizes and entry counts are bounded. Errors are
``Unreadable`` with a message that names the path as given and what is wrong with it.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from installer.backend.answers.reader import ReadRefused, read_regular

MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_TREE_BYTES = 64 * 1024 * 1024
MAX_TREE_ENTRIES = 4096


class Unreadable(Exception):
    def __init__(self, message: str, *, missing: bool = False) -> None:
        super().__init__(message)
        self.missing = missing  # the path stays inside the folder but names nothing


def resolve(base_dir: Path, rel: str) -> Path:
    """The real path of ``rel`` (relative to ``base_dir``, or absolute inside it), refused when it
    escapes ``base_dir`` through '..', an absolute path or a symlink."""
    if not rel or "\0" in rel:
        raise Unreadable(f"'{rel}' is not a file name")
    base = base_dir.resolve()
    joined = Path(os.path.normpath(base / rel))
    if not joined.is_relative_to(base):
        how = "is an absolute path outside" if rel.startswith("/") else "goes up ('..') out of"
        raise Unreadable(f"'{rel}' {how} the answer file's folder {base}")
    try:
        real = joined.resolve(strict=True)
    except FileNotFoundError:
        raise Unreadable(f"'{rel}' does not exist (looked for {joined})", missing=True) from None
    except (OSError, RuntimeError) as exc:
        raise Unreadable(f"cannot resolve '{rel}': {getattr(exc, 'strerror', None) or exc}") from None
    if not real.is_relative_to(base):
        raise Unreadable(f"'{rel}' leads through a symlink out of the answer file's folder (to {real})")
    return real


def read_confined(base_dir: Path, rel: str, *, limit: int = MAX_FILE_BYTES) -> bytes:
    p = resolve(base_dir, rel)
    try:  # regular files only (a FIFO would block, /dev/zero never end), opened without blocking
        return read_regular(p, limit)
    except ReadRefused as exc:
        raise Unreadable(f"'{rel}': {exc}") from None


def file_mode(base_dir: Path, rel: str) -> int:
    """The permission bits of a confined file (kept when a file is copied without a mode)."""
    return stat.S_IMODE(resolve(base_dir, rel).stat().st_mode)


@dataclass(frozen=True)
class Entry:
    rel: str  # path below the tree's root, '' for the root itself
    mode: int  # permission bits
    data: bytes | None  # None for a directory


def read_tree(base_dir: Path, rel: str, *, max_entries: int = MAX_TREE_ENTRIES,
              max_bytes: int = MAX_TREE_BYTES) -> list[Entry]:
    """Every directory and regular file below a confined directory, parents first. Symlinks and
    special files inside it are refused (a copy must not depend on what they point to)."""
    root = resolve(base_dir, rel)
    if not root.is_dir():
        raise Unreadable(f"'{rel}' is not a directory")
    out: list[Entry] = [Entry("", stat.S_IMODE(root.stat().st_mode), None)]
    total = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in [*dirnames, *sorted(filenames)]:
            p = Path(dirpath) / name
            sub = str(p.relative_to(root))
            st = p.lstat()
            if len(out) >= max_entries:
                raise Unreadable(f"'{rel}' holds more than {max_entries} entries")
            if stat.S_ISLNK(st.st_mode):
                raise Unreadable(f"'{rel}/{sub}' is a symlink: only files and folders are copied")
            if stat.S_ISDIR(st.st_mode):
                out.append(Entry(sub, stat.S_IMODE(st.st_mode), None))
            elif stat.S_ISREG(st.st_mode):
                total += st.st_size
                if total > max_bytes:
                    raise Unreadable(f"'{rel}' holds more than {max_bytes} bytes")
                out.append(Entry(sub, stat.S_IMODE(st.st_mode), p.read_bytes()))
            else:
                raise Unreadable(f"'{rel}/{sub}' is not a regular file or folder")
    return out
