"""What a step is, and the context the engine hands it.

A :class:`Step` is plain data made by the pure planner: an id, a title, a weight for the overall
progress bar, a human summary, and an ``action`` that knows how to apply it through the System
seam. Actions push their teardown (umount, luksClose, losetup -d, ...) onto the context's stack
as soon as they create something, so the engine can undo in reverse order on every exit path.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

from installer.backend.errors import Cancelled
from installer.backend.events import Emit, LogLine, StepProgress
from installer.backend.secrets import redact

if TYPE_CHECKING:
    from installer.backend.config import InstallConfig
    from installer.backend.machine import Machine
    from installer.backend.system import System


class StepAction(Protocol):
    def run(self, ctx: StepContext) -> None: ...

    def describe(self) -> dict[str, Any]:
        """A JSON-able description of what the action will do (for `plan --json`)."""
        ...


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    weight: float
    summary: list[str]
    action: StepAction

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "weight": self.weight,
            "summary": self.summary,
            "detail": self.action.describe(),
        }


@dataclass
class Teardown:
    name: str
    fn: Callable[[], None]


@dataclass
class StepContext:
    """Everything a step may use. Created by the engine; steps never reach for globals."""

    system: System
    config: InstallConfig
    machine: Machine
    target_root: str
    emit: Emit
    cancel: threading.Event
    state: dict[str, Any] = field(default_factory=dict)
    teardowns: list[Teardown] = field(default_factory=list)
    step_id: str = ""
    _weights: tuple[float, float, float] = (0.0, 1.0, 1.0)  # done-before, this step, total
    _started: float = field(default_factory=time.monotonic)

    def log(self, message: str, level: Literal["debug", "info", "warning", "error"] = "info") -> None:
        self.emit(LogLine(step_id=self.step_id, level=level, message=redact(message)))

    def progress(self, fraction: float, message: str, current: int | None = None, count: int | None = None) -> None:
        fraction = max(0.0, min(1.0, fraction))
        before, this, total = self._weights
        overall = (before + this * fraction) / total if total else 1.0
        elapsed = time.monotonic() - self._started
        eta = elapsed * (1 - overall) / overall if overall > 0.02 else None
        self.emit(
            StepProgress(
                step_id=self.step_id,
                fraction=round(fraction, 4),
                message=redact(message),
                overall=round(overall, 4),
                eta_s=None if eta is None else round(eta, 1),
                current=current,
                count=count,
            )
        )

    def check_cancel(self) -> None:
        """Call between units of work: raises :class:`Cancelled` once the user cancelled."""
        if self.cancel.is_set():
            raise Cancelled("cancelled by the user")

    def push_teardown(self, name: str, fn: Callable[[], None]) -> None:
        self.teardowns.append(Teardown(name, fn))

    def path(self, *parts: str) -> str:
        """A path inside the target root."""
        root = self.target_root.rstrip("/")
        rel = "/".join(p.strip("/") for p in parts)
        return f"{root}/{rel}" if rel else root
