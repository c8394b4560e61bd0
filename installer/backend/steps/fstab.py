"""Step 'fstab': write /etc/fstab and /etc/crypttab (mode 0600) into the target, after the
payload so that packages owning those files do not overwrite them."""

from __future__ import annotations

from typing import Any

from installer.backend.steps.base import Step, StepContext
from installer.backend.steps.registry import PlanInfo, Planned
from installer.backend.storage.layout_info import TargetLayout


class FstabAction:
    def run(self, ctx: StepContext) -> None:
        layout = ctx.state.get("layout")
        if not isinstance(layout, TargetLayout):
            ctx.log("no storage layout: fstab left as the payload made it", "warning")
            return
        ctx.system.write_file(ctx.path("etc/fstab"), layout.fstab, mode=0o644)
        if layout.crypttab:
            ctx.system.write_file(ctx.path("etc/crypttab"), layout.crypttab, mode=0o600)

    def describe(self) -> dict[str, Any]:
        return {"files": ["/etc/fstab", "/etc/crypttab (when encrypted)"]}


def plan(info: PlanInfo) -> Planned | None:
    if info.directory or "layout" not in info.shared:
        return None
    return Planned(Step("fstab", "Write fstab and crypttab", 1, ["/etc/fstab by UUID"], FstabAction()))
