"""Refuse to erase a disk that is in use (exit 3), unless the answer file says wipe_in_use."""

from __future__ import annotations

from installer.backend.errors import RefusedForSafety
from installer.backend.machine import Disk
from installer.backend.storage.actions import Deactivate


def in_use_reasons(d: Disk) -> list[str]:
    reasons = []
    if d.is_installer_medium:
        reasons.append("it is the installer medium")
    mps = d.all_mountpoints()
    if mps:
        reasons.append(f"it has mounted filesystems ({', '.join(mps)})")
    if d.active_swap():
        reasons.append("it holds active swap")
    holders = d.active_holders()
    if holders:
        reasons.append(f"it holds active LVM/LUKS devices ({', '.join(holders)})")
    return reasons


def check_stacks(selected: list[Disk]) -> None:
    """Refuse (exit 3) to erase a disk that holds part of a stack (LVM, MD, btrfs) spanning a
    disk that was not selected: erasing one half would destroy the whole. Names both disks."""
    chosen = {d.path for d in selected}
    for d in selected:
        for s in d.stacks:
            others = [x for x in s.disks if x not in chosen]
            if others:
                raise RefusedForSafety(
                    f"refusing to erase {d.path}: it holds part of {s.description}, which also spans "
                    f"{', '.join(others)} (not selected). Select {', '.join(others)} as well to erase the "
                    "whole stack, or choose other disks."
                )


def check_disk(d: Disk, wipe_in_use: bool) -> Deactivate | None:
    """Raise RefusedForSafety for a disk we must not erase; return what to release first when
    the user allowed wiping an in-use disk."""
    if d.holds_running_root:
        raise RefusedForSafety(f"refusing to erase {d.path}: it holds the running system's root filesystem")
    reasons = in_use_reasons(d)
    if not reasons:
        return None
    if not wipe_in_use:
        raise RefusedForSafety(
            f"refusing to erase {d.path} ({d.describe()}): {'; '.join(reasons)}. "
            "Set storage.wipe_in_use: true to erase it anyway."
        )
    swaps = [p.path for p in d.partitions if p.fs.swap_active] + ([d.path] if d.fs.swap_active else [])
    mps = sorted(d.all_mountpoints(), key=lambda m: m.count("/"), reverse=True)
    if not (mps or swaps or d.active_holders()):
        return None
    # the probe lists stacked devices bottom-up (luks-x before the LVs on it): close top-down
    return Deactivate(d.path, mps, swaps, list(reversed(d.active_holders())))
