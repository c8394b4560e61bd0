"""The engine: ordered steps, typed events, cancellation between units, teardown in reverse."""

from __future__ import annotations

import json
import threading
from typing import Any

from installer.backend.config import InstallConfig
from installer.backend.engine import apply
from installer.backend.errors import CommandFailed
from installer.backend.events import Event, Failed, Finished, StepProgress, StepStarted, event_from_dict
from installer.backend.machine import Machine
from installer.backend.plan import Plan
from installer.backend.steps.base import Step, StepContext
from installer.backend.system import RecordingSystem


class Action:
    def __init__(self, name: str, log: list[str], units: int = 3, fail_at: int | None = None,
                 cancel_after: threading.Event | None = None) -> None:
        self.name, self.log, self.units, self.fail_at, self.cancel_after = name, log, units, fail_at, cancel_after

    def run(self, ctx: StepContext) -> None:
        for i in range(self.units):
            ctx.check_cancel()
            self.log.append(f"{self.name}:{i}")
            ctx.push_teardown(f"undo {self.name}:{i}", lambda i=i: self.log.append(f"undo {self.name}:{i}"))
            ctx.system.run(["true", self.name, str(i)])
            if self.fail_at == i:
                raise CommandFailed(["mkfs.ext4", "/dev/x"], 1, "boom")
            ctx.progress((i + 1) / self.units, f"{self.name} unit {i}")
            if self.cancel_after is not None and i == 0:
                self.cancel_after.set()

    def describe(self) -> dict[str, Any]:
        return {}


def _plan(*actions: Action) -> Plan:
    return Plan(steps=[Step(a.name, a.name.title(), 1.0, [], a) for a in actions], summary=[])


def _run(plan: Plan, cancel: threading.Event | None = None) -> tuple[Any, list[Event]]:
    events: list[Event] = []
    res = apply(plan, InstallConfig(), Machine(), RecordingSystem(), events.append, cancel)
    return res, events


def test_success_emits_ordered_events_and_tears_down_in_reverse() -> None:
    log: list[str] = []
    res, events = _run(_plan(Action("a", log, 2), Action("b", log, 2)))
    assert res.ok and res.exit_code == 0
    assert log == ["a:0", "a:1", "b:0", "b:1", "undo b:1", "undo b:0", "undo a:1", "undo a:0"]
    assert isinstance(events[-1], Finished)
    starts = [e.step_id for e in events if isinstance(e, StepStarted)]
    assert starts == ["a", "b"]
    overall = [e.overall for e in events if isinstance(e, StepProgress)]
    assert overall == sorted(overall) and overall[-1] == 1.0


def test_failure_names_the_action_and_still_tears_down() -> None:
    log: list[str] = []
    res, events = _run(_plan(Action("a", log, 2), Action("b", log, 3, fail_at=1)))
    assert not res.ok and res.exit_code == 1 and res.failed_step == "b"
    assert "mkfs.ext4" in (res.error or "")
    assert log[-4:] == ["undo b:1", "undo b:0", "undo a:1", "undo a:0"]
    assert isinstance(events[-1], Failed) and events[-1].step_id == "b"


def test_cancel_between_units() -> None:
    log: list[str] = []
    cancel = threading.Event()
    res, events = _run(_plan(Action("a", log, 3, cancel_after=cancel), Action("b", log)), cancel)
    assert res.cancelled and res.exit_code == 130
    assert log == ["a:0", "undo a:0"]
    assert isinstance(events[-1], Failed) and events[-1].cancelled


def test_events_are_json_lines_and_replayable() -> None:
    log: list[str] = []
    _, events = _run(_plan(Action("a", log, 1)))
    for e in events:
        line = e.to_json()
        back = event_from_dict(json.loads(line))
        assert type(back) is type(e)
        assert back.to_dict() == e.to_dict()


def test_teardown_failure_does_not_stop_other_teardowns() -> None:
    log: list[str] = []

    class Bad(Action):
        def run(self, ctx: StepContext) -> None:
            ctx.push_teardown("first", lambda: log.append("first undone"))
            ctx.push_teardown("broken", lambda: (_ for _ in ()).throw(RuntimeError("umount busy")))

    res, _events = _run(_plan(Bad("x", log)))
    assert log == ["first undone"]
    assert not res.ok and res.failed_step == "teardown" and "umount busy" in (res.error or "")
