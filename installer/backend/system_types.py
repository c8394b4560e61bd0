"""Small value types shared by the System protocol and its two implementations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

LineSink = Callable[[str], None]


@dataclass(frozen=True)
class RunResult:
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
