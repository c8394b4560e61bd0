"""Step 'finish': unmounting happens in teardown; this records the requested finish action.
The CLI carries out reboot/poweroff after teardown, so nothing is left mounted."""

from __future__ import annotations

from typing import Any

from installer.backend.steps.base import Step, StepContext
from installer.backend.steps.registry import PlanInfo, Planned


class Finish:
    def __init__(self, action: str) -> None:
        self.action = action

    def run(self, ctx: StepContext) -> None:
        ctx.state["finish"] = self.action
        ctx.log(f"finish action after teardown: {self.action}")

    def describe(self) -> dict[str, Any]:
        return {"action": self.action}


def plan(info: PlanInfo) -> Planned | None:
    a = info.config.finish
    text = {"reboot": "reboot", "poweroff": "power off", "none": "stay running"}[a]
    return Planned(Step("finish", "Finish", 0.1, [f"then {text}"], Finish(a)))
