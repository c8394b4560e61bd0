"""Step 'payload': install the package set in one transaction (tdnf when present, else dnf)."""

from __future__ import annotations

from typing import Any

from installer.backend.payload.preflight import PreflightResult, run_preflight
from installer.backend.payload.spec import PayloadSpec, shared_spec
from installer.backend.payload.transaction import install
from installer.backend.steps.base import Step, StepContext
from installer.backend.steps.registry import PlanInfo, Planned


class Payload:
    def __init__(self, spec: PayloadSpec) -> None:
        self.spec = spec

    def run(self, ctx: StepContext) -> None:
        pre = ctx.state.get("preflight")
        if not isinstance(pre, PreflightResult):
            pre = run_preflight(ctx, self.spec)
        installed = install(ctx, self.spec, pre)
        ctx.state["installed_packages"] = installed
        ctx.state["target_ready"] = True  # later steps (scripts) may write into the target
        ctx.log(f"installed {len(installed)} packages into {ctx.target_root}")

    def describe(self) -> dict[str, Any]:
        return self.spec.describe()


def plan(info: PlanInfo) -> Planned | None:
    spec, first = shared_spec(info.shared, info.config, info.machine, directory=info.directory)
    if first:
        info.warnings.extend(spec.warnings())
    return Planned(Step("payload", "Install packages", 60, spec.summary(), Payload(spec)), summary=[spec.summary()[0]])
