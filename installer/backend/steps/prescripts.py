"""Step 'pre-scripts': %pre-style scripts, run on the installer system before storage."""

from __future__ import annotations

from typing import Any

from installer.backend.config import Script
from installer.backend.steps.base import Step, StepContext
from installer.backend.steps.registry import PlanInfo, Planned
from installer.backend.steps.scripts import run_script


class PreScripts:
    def __init__(self, scripts: list[Script]) -> None:
        self.scripts = scripts

    def run(self, ctx: StepContext) -> None:
        for i, s in enumerate(self.scripts):
            ctx.check_cancel()
            ctx.progress(i / len(self.scripts), f"pre script {i + 1} of {len(self.scripts)}")
            run_script(ctx, s, f"pre-{i + 1}", in_target=False)

    def describe(self) -> dict[str, Any]:
        return {"scripts": [{"interpreter": s.interpreter, "lines": len(s.body.splitlines())} for s in self.scripts]}


def plan(info: PlanInfo) -> Planned | None:
    pre = info.config.scripts.pre
    if not pre:
        return None
    return Planned(
        Step(
            "pre-scripts",
            "Run pre-install scripts",
            1,
            [f"{len(pre)} script(s) on the installer system"],
            PreScripts(pre),
        )
    )
