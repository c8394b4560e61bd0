"""Step 'storage': partition, encrypt and format the target disks, and mount the target tree.

The planner (pure) builds the engine-neutral StoragePlan, refuses in-use disks, and hands the
planned TargetLayout to later planners via ``info.shared["layout"]``. The action applies the
plan through an engine, reads the UUIDs back with blkid, and leaves the realised TargetLayout
(with fstab and crypttab text) in ``ctx.state["layout"]`` for the fstab and bootloader steps.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from installer.backend.errors import CommandFailed, StepFailed
from installer.backend.steps.base import Step, StepContext
from installer.backend.steps.registry import PlanInfo, Planned
from installer.backend.storage import safety
from installer.backend.storage.actions import Mkfs, StoragePlan
from installer.backend.storage.build import plan_storage
from installer.backend.storage.engine import get_engine, select_engine
from installer.backend.storage.fstab import render_crypttab, render_fstab
from installer.backend.storage.layout_info import TargetLayout


def read_uuid(ctx: StepContext, device: str) -> str:
    try:
        out = ctx.system.run(["blkid", "-c", "/dev/null", "-s", "UUID", "-o", "value", device]).stdout.strip()
    except CommandFailed as exc:
        raise StepFailed("storage", f"read the UUID of {device}", str(exc)) from exc
    if not out:
        raise StepFailed("storage", f"read the UUID of {device}", "blkid found no UUID")
    return out


def realise(plan: StoragePlan, ctx: StepContext) -> TargetLayout:
    """The planned layout with UUIDs read back from the devices, and fstab/crypttab text."""
    devices = [a.device for a in plan.actions if isinstance(a, Mkfs)]
    created = {dev for a in plan.actions for dev in a.creates}
    devices += [v.device for v in plan.volumes if v.device not in devices and v.device not in created
                and v.device.count("/") == 2]  # existing partitions used as they are
    uuids = {d: read_uuid(ctx, d) for d in devices}
    lay = plan.layout
    luks = [dataclasses.replace(v, uuid=read_uuid(ctx, v.device)) for v in lay.luks]
    return dataclasses.replace(
        lay,
        root_uuid=uuids.get(lay.root_device),
        boot_uuid=uuids.get(lay.boot_device) if lay.boot_device else None,
        luks=luks,
        fstab=render_fstab(plan.volumes, uuids),
        crypttab=render_crypttab(luks),
    )


class LiveDiskCheck:
    """Before anything runs, and again right before the first write: the disks to erase are
    still what the plan was made for and nothing uses them now (safety.check_live)."""

    def __init__(self, plan: StoragePlan) -> None:
        self.plan = plan

    def run(self, ctx: StepContext) -> None:
        safety.check_live(self.plan, ctx.machine, ctx.system.inspect_device)
        ctx.log("live check: " + ", ".join(self.plan.disks) + " not in use")

    def describe(self) -> dict[str, Any]:
        return {"disks": list(self.plan.disks)}


class StorageAction:
    def __init__(self, plan: StoragePlan, engine: str = "auto") -> None:
        self.plan = plan
        self.engine = engine

    def run(self, ctx: StepContext) -> None:
        from installer.backend.system import RecordingSystem

        # --storage-engine reaches the step through the Plan (engine.apply keeps it in ctx.state)
        requested = getattr(ctx.state.get("plan"), "storage_engine", None) or self.engine
        name, why = select_engine(requested, isinstance(ctx.system, RecordingSystem))
        ctx.state["storage_engine"] = name
        ctx.log(f"storage engine: {name} ({why})")
        LiveDiskCheck(self.plan).run(ctx)  # pre-scripts ran since the engine's first check
        get_engine(name).apply(self.plan, ctx)
        ctx.progress(0.97, "reading back UUIDs")
        ctx.state["layout"] = realise(self.plan, ctx)
        ctx.state["target_ready"] = True

    def describe(self) -> dict[str, Any]:
        return {"engine": self.engine, **self.plan.to_dict()}


def plan(info: PlanInfo) -> Planned | None:
    if info.directory:
        return None
    sp = plan_storage(info.config, info.machine, _estimate(info))
    info.shared["layout"] = sp.layout
    info.shared["storage_plan"] = sp
    step = Step("storage", "Partition, encrypt and format disks", 10,
                [a.describe() for a in sp.actions], StorageAction(sp))
    return Planned(step, summary=sp.summary, erase=[d for d in sp.disks if d not in sp.kept_tables],
                   allowed_devices=list(sp.disks), modify=list(sp.kept_tables), checks=[LiveDiskCheck(sp)])


def _estimate(info: PlanInfo) -> int | None:
    v = info.shared.get("payload_estimate")
    return v if isinstance(v, int) else None
