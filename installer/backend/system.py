"""The ONE seam through which the installer touches the machine.

Steps receive a :class:`System` and never call ``subprocess`` or open devices themselves.
:class:`HostSystem` (system_host.py) runs argv lists (never shell strings), with ``check=True``
by default, passes secrets on stdin only, and refuses any block device outside the plan's
allow-list. :class:`RecordingSystem` (system_recording.py) is dry-run: it records each command and
file write, and its record is what golden tests compare. There are no ``if dry_run`` branches in
steps. Both implementations are re-exported here, so ``installer.backend.system`` stays the one
import path.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from installer.backend.system_host import HostSystem
from installer.backend.system_recording import (
    Record,
    RecordingSystem,
    Responder,
    default_responder,
    fake_uuid,
)
from installer.backend.system_types import LineSink, LiveDevice, LiveUse, RunResult

__all__ = [
    "HostSystem",
    "LineSink",
    "LiveDevice",
    "LiveUse",
    "Record",
    "RecordingSystem",
    "Responder",
    "RunResult",
    "System",
    "default_responder",
    "fake_uuid",
]


class System(Protocol):
    """What steps may do to the machine."""

    logger: LineSink | None

    def run(
        self,
        argv: Sequence[str],
        *,
        input: str | None = None,
        check: bool = True,
        env: dict[str, str] | None = None,
        cwd: str | None = None,
        timeout: float | None = None,
        on_line: LineSink | None = None,
    ) -> RunResult: ...

    def write_file(
        self, path: str, content: str | bytes, mode: int = 0o644, owner: tuple[int, int] | None = None
    ) -> None: ...

    def read_file(self, path: str) -> str: ...

    def exists(self, path: str) -> bool: ...

    def makedirs(self, path: str, mode: int = 0o755) -> None: ...

    def chmod(self, path: str, mode: int) -> None: ...

    def chown(self, path: str, uid: int, gid: int) -> None: ...

    def symlink(self, target: str, link: str) -> None: ...

    def remove(self, path: str) -> None: ...

    def copy(self, src: str, dst: str, mode: int | None = None) -> None: ...

    def wait_for_path(self, path: str, timeout: float = 10.0) -> None: ...

    def allow_devices(self, paths: Iterable[str]) -> None: ...

    def inspect_device(self, path: str) -> LiveDevice:
        """The kernel's picture of a block device now: size, partitions, what uses it (read-only)."""
        ...
