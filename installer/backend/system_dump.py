"""`install --dry-run --dump-files DIR`: the files a dry run would have written, as a tree.

A :class:`~installer.backend.system_recording.RecordingSystem` keeps every file the steps wrote
(content, mode, owner), every symlink and directory. :func:`dump_files` lays them out so a user
can read the exact locale.conf, adjtime or networkd files an install would leave:

``DIR/target/...``   everything under the plan's target root, with its mode (symlinks as symlinks)
``DIR/host/...``     files written on the installer system (package manager work files, scripts)
``DIR/commands.txt`` the command transcript, in order
``DIR/MANIFEST``     one line per entry: ``mode uid:gid path`` (``-> target`` for symlinks)

Contents pass through the secret registry, so a secret the process knows can never land in DIR;
passwords only ever exist as hashes in the config anyway. Owners are listed in the MANIFEST, not
applied (the dump belongs to whoever ran the dry run).
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass
from pathlib import Path

from installer.backend.secrets import redact
from installer.backend.system_recording import RecordingSystem

TRANSCRIPT = "commands.txt"
MANIFEST = "MANIFEST"


class DumpError(ValueError):
    """DIR cannot take the dump (it holds other files, or a path would escape it)."""


@dataclass(frozen=True)
class DumpSummary:
    files: int
    links: int
    dirs: int
    directory: Path


def _place(out: Path, path: str, target_root: str) -> tuple[Path, str]:
    """Where an absolute path of the install goes inside DIR, and its name for the manifest."""
    norm = posixpath.normpath(path)
    if not norm.startswith("/") or ".." in norm.split("/"):
        raise DumpError(f"refusing to dump a path that is not absolute and clean: {path!r}")
    root = posixpath.normpath(target_root)
    if norm == root or norm.startswith(root.rstrip("/") + "/"):
        rel = posixpath.relpath(norm, root)
        shown = "/" if rel == "." else "/" + rel
        return out / "target" / rel, f"target:{shown}"
    return out / "host" / norm.lstrip("/"), f"host:{norm}"


def _check_inside(out: Path, p: Path) -> None:
    """p (a directory about to be used) must stay inside out, even through symlinks in the dump."""
    base = out.resolve()
    real = p.resolve()
    if real != base and base not in real.parents:
        raise DumpError(f"refusing to write outside {out}: {p}")


def dump_files(rec: RecordingSystem, target_root: str, out: Path) -> DumpSummary:
    """Write the recorded tree under ``out`` (which must be missing or empty)."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise DumpError(f"{out} exists and is not an empty directory")
    out.mkdir(parents=True, exist_ok=True)
    manifest: list[tuple[str, str]] = []
    for path, mode in sorted(rec.dirs.items()):
        dest, shown = _place(out, path, target_root)
        _check_inside(out, dest)
        dest.mkdir(parents=True, exist_ok=True)
        os.chmod(dest, mode | 0o700)  # stay able to write below it
        uid, gid = rec.owners.get(path, (0, 0))
        shown = shown.rstrip("/") + "/"
        manifest.append((shown, f"{mode:04o} {uid}:{gid} {shown}"))
    for path, data in sorted(rec.files.items()):
        dest, shown = _place(out, path, target_root)
        _check_inside(out, dest.parent)
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            text = redact(data.decode())
            dest.write_text(text)
        except UnicodeDecodeError:
            dest.write_bytes(data)
        mode = rec.modes.get(path, 0o644)
        os.chmod(dest, mode)
        uid, gid = rec.owners.get(path, (0, 0))
        manifest.append((shown, f"{mode:04o} {uid}:{gid} {shown}"))
    for path, link_target in sorted(rec.links.items()):
        dest, shown = _place(out, path, target_root)
        _check_inside(out, dest.parent)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.is_dir() and not dest.is_symlink():
            raise DumpError(f"{path} was recorded both as a symlink and as a directory with files in it")
        if dest.is_symlink() or dest.exists():
            dest.unlink()
        os.symlink(link_target, dest)
        manifest.append((shown, f"link 0:0 {shown} -> {link_target}"))
    (out / TRANSCRIPT).write_text(rec.transcript())
    (out / MANIFEST).write_text("".join(line + "\n" for _, line in sorted(manifest)))
    return DumpSummary(len(rec.files), len(rec.links), len(rec.dirs), out)
