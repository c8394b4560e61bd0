"""Progress is data: frozen dataclass events, rendered by the CLI, both UIs and --events."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from installer.backend.secrets import redact


def _now() -> float:
    return time.time()


@dataclass(frozen=True)
class Event:
    ts: float = field(default_factory=_now, kw_only=True)

    @property
    def kind(self) -> str:
        return _KINDS[type(self)]

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d = {k: (redact(v) if isinstance(v, str) else v) for k, v in d.items()}
        return {"event": self.kind, **d}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=False)


@dataclass(frozen=True)
class PlanReady(Event):
    steps: list[dict[str, Any]]
    summary: list[str]


@dataclass(frozen=True)
class StepStarted(Event):
    step_id: str
    title: str
    index: int
    total: int
    weight: float


@dataclass(frozen=True)
class StepProgress(Event):
    """Within-step progress: ``fraction`` of the step (0..1) and what is happening now.
    ``overall`` is the weighted fraction of the whole install; ``eta_s`` its estimate."""

    step_id: str
    fraction: float
    message: str
    overall: float
    eta_s: float | None = None
    current: int | None = None
    count: int | None = None


@dataclass(frozen=True)
class LogLine(Event):
    step_id: str
    level: Literal["debug", "info", "warning", "error"]
    message: str


@dataclass(frozen=True)
class StepFinished(Event):
    step_id: str
    ok: bool
    duration_s: float


@dataclass(frozen=True)
class Finished(Event):
    ok: Literal[True]
    duration_s: float
    finish: str
    storage_engine: str | None = None


@dataclass(frozen=True)
class Failed(Event):
    step_id: str
    error: str
    cancelled: bool = False
    log_path: str | None = None
    storage_engine: str | None = None


_KINDS: dict[type, str] = {
    PlanReady: "plan",
    StepStarted: "step_started",
    StepProgress: "progress",
    LogLine: "log",
    StepFinished: "step_finished",
    Finished: "finished",
    Failed: "failed",
}
_BY_KIND = {v: k for k, v in _KINDS.items()}

Emit = Callable[[Event], None]


def event_from_dict(d: dict[str, Any]) -> Event:
    """Rebuild an event from its JSON form (replaying recorded streams in UIs and tests)."""
    d = dict(d)
    cls = _BY_KIND[d.pop("event")]
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: v for k, v in d.items() if k in names})


def read_events(path: str) -> list[Event]:
    with open(path) as f:
        return [event_from_dict(json.loads(line)) for line in f if line.strip()]
