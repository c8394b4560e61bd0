"""Step 'post-scripts': %post-style scripts, in a chroot of the target unless chroot: false
(then on the installer system, with the target mounted at the target root, as Anaconda does)."""

from __future__ import annotations

from typing import Any

from installer.backend.config import Script
from installer.backend.steps.base import Step, StepContext
from installer.backend.steps.registry import PlanInfo, Planned
from installer.backend.steps.scripts import run_script


class PostScripts:
    def __init__(self, scripts: list[Script]) -> None:
        self.scripts = scripts

    def run(self, ctx: StepContext) -> None:
        for i, s in enumerate(self.scripts):
            ctx.check_cancel()
            ctx.progress(i / len(self.scripts), f"post script {i + 1} of {len(self.scripts)}")
            run_script(ctx, s, f"post-{i + 1}", in_target=s.chroot)

    def describe(self) -> dict[str, Any]:
        return {
            "scripts": [
                {"interpreter": s.interpreter, "chroot": s.chroot, "error_on_fail": s.error_on_fail}
                for s in self.scripts
            ]
        }


def plan(info: PlanInfo) -> Planned | None:
    post = info.config.scripts.post
    if not post:
        return None
    where = sum(1 for s in post if s.chroot)
    return Planned(
        Step(
            "post-scripts",
            "Run post-install scripts",
            2,
            [f"{len(post)} script(s): {where} in the installed system, {len(post) - where} on the installer"],
            PostScripts(post),
        )
    )
