"""Shared helpers of the Azure Linux image-config mapper: key paths, positions, messages, file reads."""

from __future__ import annotations

import difflib
from importlib import resources
from pathlib import Path
from typing import Any

from installer.backend.answers.confined import Unreadable, read_confined
from installer.backend.answers.mapping import Builder, Where
from installer.backend.answers.positions import node_positions

Path_ = tuple[Any, ...]


def keypath(path: Path_) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


class _Az:
    def __init__(self, text: str, source: str, base_dir: Path,
                 positions: dict[tuple[Any, ...], tuple[int, int]] | None = None) -> None:
        self.b = Builder(source)
        self.source = source
        self.base_dir = base_dir
        self.positions = node_positions(text) if positions is None else positions
        self.hints: dict[str, str] = {}
        self.post_lines: list[tuple[Path_, str]] = []  # (where, shell line) for the image-settings script

    def build_only(self, path: Path_, what: str) -> None:
        """A key that only shapes the image file the toolkit writes: accepted, with a warning."""
        self.warn(path, f"{what}: an image-build setting, not used when installing")

    # ------------------------------------------------------------- positions and messages
    def w(self, path: Path_) -> Where:
        loc = tuple(path)
        pos = None
        while pos is None:
            pos = self.positions.get((*loc, "=")) or self.positions.get(loc)
            if not loc:
                break
            loc = loc[:-1]
        return Where(self.source, pos[0] if pos else None, pos[1] if pos else None, keypath(path))

    def err(self, path: Path_, msg: str) -> None:
        self.b.error(self.w(path), msg)

    def warn(self, path: Path_, msg: str) -> None:
        self.b.warn(self.w(path), msg)

    def mark(self, loc: Path_, path: Path_) -> None:
        self.b.mark(loc, self.w(path))

    def keys(self, obj: Any, allowed: set[str], path: Path_) -> bool:
        if not isinstance(obj, dict):
            self.err(path, "must be an object ({...})")
            return False
        for k in obj:
            if k not in allowed:
                guess = difflib.get_close_matches(k, sorted(allowed), n=1)
                hint = f"; did you mean '{guess[0]}'?" if guess else ""
                self.err((*path, k), f"unknown key '{k}'{hint}")
        return True

    def typed(self, obj: dict[str, Any], key: str, kind: type | tuple[type, ...], path: Path_,
              default: Any = None) -> Any:
        v = obj.get(key)
        if v is None:
            return default
        if isinstance(v, bool) and kind in (int, (int, float)):
            self.err((*path, key), "must be a number")
            return default
        if not isinstance(v, kind):
            names = {str: "a string", bool: "true or false", list: "a list", dict: "an object",
                     int: "a whole number"}
            what = names.get(kind, "a number") if isinstance(kind, type) else "a number"
            self.err((*path, key), f"must be {what}")
            return default
        return v

    # ------------------------------------------------------------- files
    def read(self, rel: str, path: Path_, *, fallback: bool = False) -> bytes | None:
        """A file the config names, relative to its folder and confined to it (confined.py); a
        missing package list falls back to the list of that name the installer ships."""
        try:
            return read_confined(self.base_dir, rel)
        except Unreadable as exc:
            if fallback and exc.missing:
                shipped = resources.files("installer.backend.payload").joinpath("data", Path(rel).name)
                try:
                    return shipped.read_bytes()
                except (OSError, ModuleNotFoundError):
                    pass
                self.err(path, f"package list: {exc}, and the installer ships no list named {Path(rel).name}")
                return None
            self.err(path, f"{'package list' if fallback else 'file'}: {exc}")
            return None
