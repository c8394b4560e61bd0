"""The real plan for a config, with each step's action replaced by one that reports progress
the way the real step does (packages one by one, commands in the log) but touches nothing.
Used to record the replayed event stream and to drive the progress screen's worker in tests
while storage and payload steps are still landing."""

from __future__ import annotations

import dataclasses
import threading
from typing import Any

from installer.backend.plan import Plan
from installer.backend.steps.base import StepContext

PACKAGES = ("filesystem", "glibc", "bash", "systemd", "openssh-clients", "cryptsetup", "lvm2", "grub2-efi",
            "dracut", "kernel", "azurelinux-release", "tdnf")


@dataclasses.dataclass
class FakeAction:
    step_id: str
    units: int = 3
    fail: bool = False
    secret: str | None = None  # a secret the step (wrongly) tries to log: must come out redacted
    gate: threading.Event | None = None  # if set, the step waits for it after its first unit

    def describe(self) -> dict[str, Any]:
        return {"fake": True}

    def run(self, ctx: StepContext) -> None:
        from installer.backend.errors import InstallerError

        names = PACKAGES if self.step_id == "payload" else tuple(f"{self.step_id} part {i + 1}"
                                                                   for i in range(self.units))
        for i, name in enumerate(names):
            ctx.check_cancel()
            ctx.system.run(["true", self.step_id, str(i)])
            msg = f"installing {name}" if self.step_id == "payload" else name
            ctx.progress((i + 1) / len(names), msg, current=i + 1, count=len(names))
            if i == 0:
                ctx.log(f"{self.step_id}: started")
            if self.gate is not None and i == 0:
                while not self.gate.wait(0.05):
                    ctx.check_cancel()
            if self.secret and i == 0:
                ctx.log(f"luksFormat with passphrase {self.secret}")
        if self.fail:
            raise InstallerError(f"{self.step_id}: the fake step failed as asked")


def fake_plan(plan: Plan, fail_at: str | None = None, secret: str | None = None,
              gate: threading.Event | None = None) -> Plan:
    steps = [dataclasses.replace(s, action=FakeAction(s.id, fail=s.id == fail_at,
                                                      secret=secret if s.id == "storage" else None,
                                                      gate=gate if s.id == "storage" else None))
             for s in plan.steps]
    return dataclasses.replace(plan, steps=steps)
