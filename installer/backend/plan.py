"""make_plan(config, machine) -> Plan: pure, no I/O, fully testable.

The plan is what both UIs and unattended mode show before anything destructive happens: an
ordered list of steps with a human summary that names exactly which devices are erased.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from installer.backend.config import InstallConfig
from installer.backend.machine import Machine
from installer.backend.steps.base import Step, StepAction

TARGET_ROOT = "/mnt/sysimage"  # where Anaconda mounts the target; %post --nochroot expects it


@dataclass(frozen=True)
class Plan:
    steps: list[Step]
    summary: list[str]
    erase: list[str] = field(default_factory=list)  # whole disks that will be erased
    allowed_devices: list[str] = field(default_factory=list)
    target_root: str = TARGET_ROOT
    mode: Literal["disk", "directory"] = "disk"
    warnings: list[str] = field(default_factory=list)
    storage_engine: str | None = None  # --storage-engine auto|blivet|parted (None: the step's default, auto)
    modify: list[str] = field(default_factory=list)  # disks kept but changed (partitions removed/added/reformatted)
    checks: list[StepAction] = field(default_factory=list)
    """Live checks the engine runs before the first step (the disks to erase are not in use now)."""

    @property
    def destructive(self) -> bool:
        return bool(self.erase or self.modify)

    def to_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "target_root": self.target_root,
            "erase": self.erase,
            "modify": self.modify,
            "summary": self.summary,
            "warnings": self.warnings,
            "steps": [s.to_dict() for s in self.steps],
        }

    def render(self) -> str:
        """The human plan: what will be erased first, then the steps."""
        lines = list(self.summary)
        if self.warnings:
            lines.append("")
            lines += [f"warning: {w}" for w in self.warnings]
        lines.append("")
        lines.append("Steps:")
        for i, s in enumerate(self.steps, 1):
            lines.append(f"  {i}. {s.title}")
            lines += [f"       {x}" for x in s.summary]
        return "\n".join(lines)


def make_plan(
    config: InstallConfig,
    machine: Machine,
    *,
    target_root: str | None = None,
    directory: bool = False,
) -> Plan:
    """Turn a validated config into a plan for this machine. Raises InvalidInput for choices
    that cannot work on this machine (no such disk, too small), RefusedForSafety for disks that
    must not be touched."""
    from installer.backend.steps import registry

    root = target_root or TARGET_ROOT
    steps: list[Step] = []
    summary: list[str] = []
    erase: list[str] = []
    modify: list[str] = []
    allowed: list[str] = []
    checks: list[StepAction] = []
    warnings: list[str] = list(config.plaintext_warnings())
    info = registry.PlanInfo(
        config=config, machine=machine, target_root=root, directory=directory, warnings=warnings
    )
    for planner in registry.PLANNERS:
        out = planner(info)
        if out is None:
            continue
        steps.append(out.step)
        summary += out.summary
        erase += out.erase
        modify += out.modify
        allowed += out.allowed_devices
        checks += out.checks
    if not erase and not modify:
        summary.insert(0, "No disk will be erased." if not directory else
                       f"Directory install into {root}: no disk will be touched.")
    return Plan(
        steps=steps,
        summary=summary,
        erase=erase,
        modify=modify,
        allowed_devices=allowed,
        target_root=root,
        mode="directory" if directory else "disk",
        warnings=warnings,
        checks=checks,
    )
