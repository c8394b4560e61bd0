"""Refuse to erase a disk that is in use (exit 3), unless the answer file says wipe_in_use."""

from __future__ import annotations

from collections.abc import Callable

from installer.backend.errors import RefusedForSafety
from installer.backend.machine import Disk, Machine
from installer.backend.sizes import format_size
from installer.backend.storage.actions import Deactivate, StoragePlan
from installer.backend.system_types import LiveDevice, LiveUse

PROTECTED_MOUNTS = ("/run/initramfs/live", "/boot", "/boot/efi", "/usr")
"""Mounts of the running system: a disk with one of these is never erased, wipe_in_use or not."""


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


def _covered(u: LiveUse, release: Deactivate) -> bool:
    """Whether the plan's release of an in-use disk (wipe_in_use) undoes this live use."""
    if u.kind == "mount":
        return u.mountpoint in release.mountpoints
    if u.kind == "swap":
        return u.device in release.swaps
    if u.kind == "holder":
        return u.holder in release.holders
    return u.kind == "busy"  # the exclusive open fails while the released mounts are still there


def live_refusal(path: str, recorded: Disk | None, live: LiveDevice, release: Deactivate | None) -> str | None:
    """Why ``path`` must not be erased, judged from the kernel's state now (``live``) rather than
    from the probe or recorded machine the plan was made from (``recorded``); None when it may.

    In use in any way (mounted, swap, stacked devices, opened by a process) is refused, unless the
    answer file allowed wiping an in-use disk *and* the plan's release step covers exactly that
    use; the running system's root and the installer medium are refused always."""
    if not live.exists:
        return f"refusing to erase {path}: it does not exist on this machine (was the plan made for another one?)"
    if not live.block:
        return f"refusing to erase {path}: it is not a block device"
    if recorded is not None and live.size is not None and live.size // 512 != recorded.size // 512:
        return (f"refusing to erase {path}: the plan was made for a {format_size(recorded.size)} disk, but "
                f"{path} is {format_size(live.size)} now (a recorded machine that does not match this one?)")
    if recorded is not None and recorded.by_id and live.by_id is not None and not set(recorded.by_id) & set(live.by_id):
        return (f"refusing to erase {path}: it is not the disk the plan was made for (that one was "
                f"{recorded.by_id[0]}; {path} is {', '.join(live.by_id[:2]) or 'a disk without an ID'} now)")
    for u in live.uses:
        if u.mountpoint in ("/", *PROTECTED_MOUNTS):
            return f"refusing to erase {path}: {u.describe()}: it holds the running system"
    left = [u for u in live.uses if release is None or not _covered(u, release)]
    if not left:
        return None
    shown = "; ".join(u.describe() for u in left[:6]) + (f"; and {len(left) - 6} more" if len(left) > 6 else "")
    if release is None:
        since = (", although the machine the plan was made from showed it free (a recorded machine, or it "
                 "changed since the probe)") if recorded is not None else ""
        return f"refusing to erase {path}: it is in use now ({shown}){since}. Nothing was written to it."
    return (f"refusing to erase {path}: it is in use in ways the plan does not release ({shown}). "
            "Nothing was written to it.")


def check_live(sp: StoragePlan, machine: Machine, inspect: Callable[[str], LiveDevice]) -> None:
    """Re-check every disk the plan erases against the live kernel; raise RefusedForSafety."""
    releases = {a.disk: a for a in sp.actions if isinstance(a, Deactivate)}
    for path in sp.disks:
        why = live_refusal(path, machine.disk(path), inspect(path), releases.get(path))
        if why:
            raise RefusedForSafety(why)
