"""Step 'preflight': resolve the whole package transaction before any disk is touched.

Planned ahead of storage. Missing packages, conflicts, unreachable repositories, bad keys and
unsigned or tampered packages stop the install here; the installed size goes to
``ctx.state["payload_installed_size"]`` for the storage step.
"""

from __future__ import annotations

from typing import Any

from installer.backend.payload.preflight import run_preflight
from installer.backend.payload.spec import PayloadSpec, shared_spec
from installer.backend.steps.base import Step, StepContext
from installer.backend.steps.registry import PlanInfo, Planned


class Preflight:
    def __init__(self, spec: PayloadSpec) -> None:
        self.spec = spec

    def run(self, ctx: StepContext) -> None:
        run_preflight(ctx, self.spec)

    def describe(self) -> dict[str, Any]:
        return {"repositories": [r.describe() for r in self.spec.repos], "packages": len(self.spec.selection.names)}


def plan(info: PlanInfo) -> Planned | None:
    spec, first = shared_spec(info.shared, info.config, info.machine, directory=info.directory)
    if first:
        info.warnings.extend(spec.warnings())
    return Planned(
        Step("preflight", "Check the package transaction", 2,
             ["resolve every package, check signatures and sizes before touching any disk"], Preflight(spec))
    )
