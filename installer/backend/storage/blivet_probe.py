"""Discovery through blivet: enrich the probe's Machine with the device stacks on its disks.

lsblk sees what is active; blivet's device tree also understands what is not (a locked LUKS
volume, an inactive volume group, an MD member, a btrfs volume) and which disks each stack
spans. :func:`enrich` adds to every Disk ``stacks`` (for the safety rules: a stack spanning a
disk that was not selected is a refusal) and ``notes`` (for the disk screen and the erase
summary: "holds LVM volume group vg0 with 3 logical volumes").

Read-only: blivet only scans (``Blivet.reset()``), restricted to the probed disks (never the
installer medium); anything the scan activated that was not active before is torn down again.
Where blivet does not import (the development host, Debian 12), the Machine is returned as is.
Set ``AZL_BLIVET_PROBE=0`` to skip it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from typing import Any

from installer.backend.machine import Disk, Machine, Stack


def _disks_of(dev: Any) -> list[str]:
    return sorted({d.path for d in dev.disks})


def _names(devs: Iterable[Any]) -> str:
    return ", ".join(sorted(d.name for d in devs))


def stacks_from_tree(devices: Iterable[Any]) -> list[Stack]:
    """Stacks from blivet devices (duck-typed: type, name, disks, lvs, parents, format, status)."""
    out: list[Stack] = []
    for dev in devices:
        t = getattr(dev, "type", "")
        try:
            disks = _disks_of(dev)
        except Exception:
            continue
        if not disks:
            continue
        active = bool(getattr(dev, "status", False))
        if t == "lvmvg":
            n = len(dev.lvs)
            desc = f"LVM volume group {dev.name} with {n} logical volume{'s' if n != 1 else ''}"
            out.append(Stack(kind="lvm", name=dev.name, disks=disks, description=desc, active=active))
        elif t == "mdarray":
            level = getattr(dev, "level", None)
            desc = f"MD RAID array {dev.name} ({level}) over {_names(dev.parents)}"
            out.append(Stack(kind="md", name=dev.name, disks=disks, description=desc, active=active))
        elif t == "btrfs volume":
            subs = len(getattr(dev, "subvolumes", []) or [])
            desc = f"btrfs volume {dev.name} with {subs} subvolume{'s' if subs != 1 else ''}"
            out.append(Stack(kind="btrfs", name=dev.name, disks=disks, description=desc, active=active))
        elif getattr(getattr(dev, "format", None), "type", None) == "luks":
            fmt = dev.format
            version = str(getattr(fmt, "luks_version", "") or "luks").upper()
            opened = bool(getattr(fmt, "status", False))
            inner = ""
            kids = [k for k in getattr(dev, "children", [])]
            for k in kids:
                if getattr(k.format, "type", None):
                    inner = f" holding {k.format.type}"
            state = "an open" if opened else "a locked"
            desc = f"{state} {version} volume on {dev.name}{inner}"
            out.append(Stack(kind="luks", name=dev.name, disks=disks, description=desc, active=opened))
    return out


def enrich_with(machine: Machine, stacks: list[Stack]) -> Machine:
    disks: list[Disk] = []
    for d in machine.disks:
        mine = [s for s in stacks if d.path in s.disks]
        notes = list(d.notes)
        for s in mine:
            others = [x for x in s.disks if x != d.path]
            line = f"holds {s.description}" + (f" (also on {', '.join(others)})" if others else "")
            if line not in notes:
                notes.append(line)
        disks.append(d.model_copy(update={"stacks": mine, "notes": notes}))
    return machine.model_copy(update={"disks": disks})


def enrich(machine: Machine) -> Machine:
    if os.environ.get("AZL_BLIVET_PROBE") == "0":
        return machine
    from installer.backend.storage.blivet_engine import available

    ok, _why = available()
    if not ok:
        return machine
    names = [d.name for d in machine.disks if not d.is_installer_medium and not d.read_only]
    if not names:
        return machine
    import blivet

    b = blivet.Blivet()
    b.exclusive_disks = names
    before = {d.name for d in b.devicetree.devices}  # empty: nothing scanned yet
    active_before = _active_dm()
    try:
        b.reset()
        stacks = stacks_from_tree(b.devicetree.devices)
    finally:
        _restore(b, active_before | before)
    return enrich_with(machine, stacks)


def _active_dm() -> set[str]:
    try:
        return set(os.listdir("/sys/class/block")) and {
            open(f"/sys/class/block/{n}/dm/name").read().strip()
            for n in os.listdir("/sys/class/block") if os.path.exists(f"/sys/class/block/{n}/dm/name")}
    except OSError:
        return set()


def _restore(b: Any, active_before: set[str]) -> None:
    """Tear down what blivet's scan set up (LVs, VGs it activated), leaving what was active."""
    now = _active_dm() - active_before
    if not now:
        return
    for dev in sorted(b.devicetree.devices, key=lambda x: -len(getattr(x, "ancestors", []))):
        dm = getattr(dev, "map_name", None) or getattr(dev, "name", "")
        if dm in now or dev.name in now:
            with contextlib.suppress(Exception):
                dev.teardown()
