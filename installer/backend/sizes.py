"""Sizes as people write them: 512MiB, 8G, 1.5 GiB, 10%, rest. All results are bytes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from installer.backend.grammar import show

KiB = 1024
MiB = 1024**2
GiB = 1024**3
TiB = 1024**4

_UNITS = {
    "": 1,
    "b": 1,
    "k": KiB,
    "kib": KiB,
    "kb": 1000,
    "m": MiB,
    "mib": MiB,
    "mb": 1000**2,
    "g": GiB,
    "gib": GiB,
    "gb": 1000**3,
    "t": TiB,
    "tib": TiB,
    "tb": 1000**4,
}
_SIZE_RE = re.compile(r"\s*([0-9]{1,20}(?:\.[0-9]{1,20})?)\s*([a-zA-Z]*)\s*", re.ASCII)
MAX_BYTES = 2**64  # far above any disk; bounds what a size can be


class SizeError(ValueError):
    pass


def parse_size(value: str | int, default_unit: str = "") -> int:
    """Parse an absolute size into bytes. Bare integers are bytes unless ``default_unit``."""
    if isinstance(value, bool):
        raise SizeError("a size must be a number with a unit such as 512MiB or 8GiB")
    if isinstance(value, int):
        if value < 0:
            raise SizeError("a size cannot be negative")
        n = value * _UNITS[default_unit.lower()]
        if n > MAX_BYTES:
            raise SizeError(f"{value} is larger than any disk (at most 16 EiB)")
        return n
    m = _SIZE_RE.fullmatch(str(value)[:100])
    if not m:
        raise SizeError(f"{show(str(value))} is not a size (examples: 512MiB, 8GiB, 1.5G)")
    number, unit = m.groups()
    unit_l = unit.lower() or default_unit.lower()
    if unit_l not in _UNITS:
        raise SizeError(f"{show(unit)} is not a size unit (use B, KiB, MiB, GiB or TiB)")
    n = int(float(number) * _UNITS[unit_l])
    if n > MAX_BYTES:
        raise SizeError(f"{show(str(value))} is larger than any disk (at most 16 EiB)")
    return n


def format_size(n: int) -> str:
    """Human size with binary units, e.g. 8.0 GiB."""
    for unit, div in (("TiB", TiB), ("GiB", GiB), ("MiB", MiB), ("KiB", KiB)):
        if n >= div:
            return f"{n / div:.1f} {unit}"
    return f"{n} B"


@dataclass(frozen=True)
class SizeSpec:
    """A partition or volume size request: an absolute size, a percentage of the disk, or the
    rest of the free space (optionally capped by ``max_bytes``)."""

    kind: Literal["bytes", "percent", "rest"]
    value: int = 0
    max_bytes: int | None = None

    @classmethod
    def parse(cls, text: str | int) -> SizeSpec:
        if isinstance(text, int) and not isinstance(text, bool):
            return cls("bytes", parse_size(text, "MiB"))
        s = str(text).strip()
        if s.lower() == "rest":
            return cls("rest")
        if s.endswith("%"):
            try:
                pct = float(s[:-1])
            except ValueError as exc:
                raise SizeError(f"'{s}' is not a percentage") from exc
            if not 0 < pct <= 100:
                raise SizeError(f"'{s}': a percentage must be above 0 and at most 100")
            return cls("percent", round(pct * 100))  # hundredths of a percent
        return cls("bytes", parse_size(s, "MiB"))

    def __str__(self) -> str:
        if self.kind == "rest":
            return "rest"
        if self.kind == "percent":
            return f"{self.value / 100:g}%"
        for unit, div in (("GiB", GiB), ("MiB", MiB)):
            if self.value % div == 0:
                return f"{self.value // div}{unit}"
        return f"{self.value}B"
