"""The order of steps. Each planner is pure: it reads config and machine, returns a Planned."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from installer.backend.config import InstallConfig
from installer.backend.machine import Machine
from installer.backend.steps.base import Step, StepAction


@dataclass
class PlanInfo:
    config: InstallConfig
    machine: Machine
    target_root: str
    directory: bool
    warnings: list[str]
    shared: dict[str, object] = field(default_factory=dict)  # e.g. storage layout for bootloader


@dataclass
class Planned:
    step: Step
    summary: list[str] = field(default_factory=list)  # lines for the plan's top summary
    erase: list[str] = field(default_factory=list)
    allowed_devices: list[str] = field(default_factory=list)
    modify: list[str] = field(default_factory=list)  # disks whose table stays but whose partitions change
    checks: list[StepAction] = field(default_factory=list)
    """Run by the engine before the first step (live re-checks: nothing has run yet)."""


Planner = Callable[[PlanInfo], Planned | None]


def _planners() -> list[Planner]:
    from installer.backend.steps import (
        bootloader,
        finish,
        fstab,
        payload,
        postscripts,
        preflight,
        prescripts,
        records,
        storage,
        sysconfig,
        users,
    )

    return [
        prescripts.plan,
        preflight.plan,
        storage.plan,
        payload.plan,
        fstab.plan,
        sysconfig.plan,
        users.plan,
        bootloader.plan,
        postscripts.plan,
        records.plan,
        finish.plan,
    ]


class _Lazy(list[Planner]):
    def __iter__(self):  # type: ignore[no-untyped-def]
        if not len(self):
            self.extend(_planners())
        return super().__iter__()


PLANNERS: list[Planner] = _Lazy()
