"""Step 'bootloader': Install the bootloader and initramfs."""

from __future__ import annotations

from typing import Any

from installer.backend.steps.base import Step, StepContext
from installer.backend.steps.registry import PlanInfo, Planned


class _Action:
    def run(self, ctx: StepContext) -> None:
        raise NotImplementedError("step 'bootloader' is not implemented yet")

    def describe(self) -> dict[str, Any]:
        return {}


def plan(info: PlanInfo) -> Planned | None:
    return Planned(Step("bootloader", "Install the bootloader and initramfs", 15, [], _Action()))
