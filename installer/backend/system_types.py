"""Small value types shared by the System protocol and its two implementations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

LineSink = Callable[[str], None]


@dataclass(frozen=True)
class RunResult:
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


@dataclass(frozen=True)
class LiveUse:
    """One way the device is in use now."""

    kind: Literal["mount", "swap", "holder", "open", "loop", "busy"]
    """``mount``, ``swap``, ``holder``, ``open`` (a process), ``loop`` (a loop device backed by a
    file on it, or by the same image file) or ``busy`` (only the exclusive open said so)."""
    device: str
    what: str
    mountpoint: str | None = None
    holder: str | None = None

    def describe(self) -> str:
        return f"{self.device}: {self.what}"


@dataclass(frozen=True)
class LiveDevice:
    """A block device as the kernel sees it now. ``size`` is None when unknown (a dry run)."""

    path: str
    exists: bool = True
    block: bool = True
    size: int | None = None
    partitions: tuple[str, ...] = ()
    uses: tuple[LiveUse, ...] = field(default_factory=tuple)
    by_id: tuple[str, ...] | None = None
    """Names under /dev/disk/by-id that point at it now; None when unknown (no such directory)."""
