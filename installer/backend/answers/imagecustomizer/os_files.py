"""Image Customizer ``os.additionalFiles`` and ``os.additionalDirs``: files (from a source next to
the config, or inline content) and folder trees copied into the installed system, carried as
lines of the importer's post script (target_files.py). A source keeps its own mode unless
``permissions`` is given (Image Customizer: newDirPermissions 755 and childFilePermissions 755 by
default for folders)."""

from __future__ import annotations

import posixpath
from typing import Any

from installer.backend.answers.confined import Unreadable, file_mode, read_tree
from installer.backend.answers.imagecustomizer.common import Ic, Path_
from installer.backend.answers.target_files import bad_destination, dir_lines, file_lines

FILE_KEYS = {"destination", "source", "content", "permissions"}
DIR_KEYS = {"source", "destination", "newDirPermissions", "mergedDirPermissions", "childFilePermissions"}
DEFAULT_DIR_MODE = 0o755
DEFAULT_CHILD_MODE = 0o755


def _dest(ic: Ic, obj: dict[str, Any], path: Path_) -> str | None:
    dest = obj.get("destination")
    if not isinstance(dest, str) or not dest:
        ic.err(path, "needs a destination (an absolute path in the installed system)")
        return None
    why = bad_destination(dest)
    if why:
        ic.err((*path, "destination"), why)
        return None
    return dest


def map_files(ic: Ic, os_in: dict[str, Any]) -> None:
    op: Path_ = ("os",)
    files = os_in.get("additionalFiles")
    if isinstance(files, dict):
        ic.err((*op, "additionalFiles"), "a list of {source or content, destination, permissions}: the older "
                                         "'source: [destinations]' mapping is not read")
        files = None
    for i, f_raw in enumerate(ic.get(os_in, "additionalFiles", list, op, []) or [] if files is not None else []):
        fp: Path_ = (*op, "additionalFiles", i)
        f = ic.obj(f_raw, FILE_KEYS, fp)
        if f is None:
            continue
        dest = _dest(ic, f, fp)
        mode = ic.mode(f, "permissions", fp)
        src, content = f.get("source"), f.get("content")
        if (src is None) == (content is None):
            ic.err(fp, "give either source or content")
            continue
        if content is not None:
            if not isinstance(content, str):
                ic.err((*fp, "content"), "must be a string")
                continue
            data: bytes | None = content.encode()
        elif not isinstance(src, str) or not src:
            ic.err((*fp, "source"), "must be a file path")
            continue
        else:
            data = ic.read(src, (*fp, "source"), "source file")
            if data is not None and mode is None:
                mode = file_mode(ic.base_dir, src)  # read_confined succeeded: the path is confined
        if dest is None or data is None:
            continue
        for line in file_lines(dest, data, mode):
            ic.post_lines.append((fp, line))
    for i, d_raw in enumerate(ic.get(os_in, "additionalDirs", list, op, []) or []):
        dp: Path_ = (*op, "additionalDirs", i)
        d = ic.obj(d_raw, DIR_KEYS, dp)
        if d is None:
            continue
        dest = _dest(ic, d, dp)
        src = d.get("source")
        new_mode = ic.mode(d, "newDirPermissions", dp)
        merged = ic.mode(d, "mergedDirPermissions", dp)
        child = ic.mode(d, "childFilePermissions", dp)
        if not isinstance(src, str) or not src:
            ic.err(dp, "needs a source folder")
            continue
        try:
            entries = read_tree(ic.base_dir, src)
        except Unreadable as exc:
            ic.err((*dp, "source"), f"source folder: {exc}")
            continue
        if dest is None:
            continue
        for e in entries:
            target = posixpath.join(dest, e.rel) if e.rel else dest
            if e.data is None:
                lines = dir_lines(target, new_mode if new_mode is not None else DEFAULT_DIR_MODE, merged)
            else:
                lines = file_lines(target, e.data, child if child is not None else DEFAULT_CHILD_MODE)
            ic.post_lines += [(dp, line) for line in lines]
