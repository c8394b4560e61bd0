"""Shared context of the Image Customizer reader: key paths, positions, strict keys, typed values,
files relative to the config, and the post-script lines that carry files into the target."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from installer.backend.answers.confined import Unreadable, read_confined
from installer.backend.answers.mapping import Builder, Where

Path_ = tuple[Any, ...]


def keypath(path: Path_) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


class Ic:
    def __init__(self, source: str, base_dir: Path, positions: dict[Path_, tuple[int, int]]) -> None:
        self.b = Builder(source)
        self.source = source
        self.base_dir = base_dir
        self.positions = positions
        self.hints: dict[str, str] = {}
        self.post_lines: list[tuple[Path_, str]] = []  # (where, shell line) of the files script
        self.preview: set[str] = set()  # previewFeatures

    # ------------------------------------------------------------- positions and messages
    def w(self, path: Path_, *, key: bool = False) -> Where:
        loc = tuple(path)
        pos = None
        while pos is None:
            pos = self.positions.get(loc) if key else (self.positions.get((*loc, "=")) or self.positions.get(loc))
            if not loc:
                break
            loc = loc[:-1]
        return Where(self.source, pos[0] if pos else None, pos[1] if pos else None, keypath(path))

    def err(self, path: Path_, msg: str, *, key: bool = False) -> None:
        self.b.error(self.w(path, key=key), msg)

    def warn(self, path: Path_, msg: str) -> None:
        self.b.warn(self.w(path), msg)

    def mark(self, loc: Path_, path: Path_) -> None:
        self.b.mark(loc, self.w(path))

    # ------------------------------------------------------------- values
    def obj(self, value: Any, allowed: set[str], path: Path_) -> dict[str, Any] | None:
        """``value`` as a mapping with only ``allowed`` keys (the Image Customizer decodes with
        known fields only); None (with an error) when it is not a mapping."""
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.err(path, "must be a mapping (key: value)")
            return None
        for k in value:
            if k not in allowed:
                guess = difflib.get_close_matches(str(k), sorted(allowed), n=1)
                hint = f"; did you mean '{guess[0]}'?" if guess else f" (known: {', '.join(sorted(allowed))})"
                self.err((*path, k), f"unknown key '{k}'{hint}", key=True)
        return value

    def get(self, obj: dict[str, Any], key: str, kind: type, path: Path_, default: Any = None) -> Any:
        v = obj.get(key)
        if v is None:
            return default
        if (isinstance(v, bool) and kind in (int, str)) or not isinstance(v, kind):
            names = {str: "a string", bool: "true or false", list: "a list", dict: "a mapping", int: "a whole number"}
            self.err((*path, key), f"must be {names.get(kind, kind.__name__)}")
            return default
        return v

    def strings(self, obj: dict[str, Any], key: str, path: Path_) -> list[str]:
        items = self.get(obj, key, list, path, []) or []
        out = []
        for i, x in enumerate(items):
            if not isinstance(x, str) or not x:
                self.err((*path, key, i), "must be a non-empty string")
            else:
                out.append(x)
        return out

    def mode(self, obj: dict[str, Any], key: str, path: Path_) -> int | None:
        """A permissions value: an octal string such as "644" (the Image Customizer's format)."""
        v = obj.get(key)
        if v is None:
            return None
        s = str(v) if isinstance(v, (str, int)) and not isinstance(v, bool) else ""
        if not s or not all(c in "01234567" for c in s) or int(s, 8) > 0o777:
            self.err((*path, key), f"'{v}' is not permissions in octal such as \"644\" (at most 777)")
            return None
        return int(s, 8)

    # ------------------------------------------------------------- files
    def read(self, rel: str, path: Path_, what: str = "file") -> bytes | None:
        try:
            return read_confined(self.base_dir, rel)
        except Unreadable as exc:
            self.err(path, f"{what}: {exc}")
            return None
