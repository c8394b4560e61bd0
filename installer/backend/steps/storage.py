"""Step 'storage': Partition, encrypt and format disks."""

from __future__ import annotations

from typing import Any

from installer.backend.steps.base import Step, StepContext
from installer.backend.steps.registry import PlanInfo, Planned


class _Action:
    def run(self, ctx: StepContext) -> None:
        raise NotImplementedError("step 'storage' is not implemented yet")

    def describe(self) -> dict[str, Any]:
        return {}


def plan(info: PlanInfo) -> Planned | None:
    return Planned(Step("storage", "Partition, encrypt and format disks", 10, [], _Action()))
