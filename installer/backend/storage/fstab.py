"""/etc/fstab and /etc/crypttab for the installed system, by UUID."""

from __future__ import annotations

from installer.backend.storage.actions import Volume
from installer.backend.storage.layout_info import LuksVolume

FSTAB_HEADER = "# /etc/fstab: created by azl-installer. Devices are named by filesystem UUID.\n"
CRYPTTAB_HEADER = "# /etc/crypttab: created by azl-installer.\n"


def _pass(v: Volume) -> int:
    if v.fstype in ("swap", "xfs", "btrfs"):
        return 0
    return 1 if v.mountpoint == "/" else 2


def _depth(v: Volume) -> tuple[int, int, str]:
    if v.mountpoint is None:
        return (1, 0, v.device)
    return (0, -1 if v.mountpoint == "/" else v.mountpoint.count("/"), v.mountpoint)


def render_fstab(volumes: list[Volume], uuids: dict[str, str]) -> str:
    """``uuids`` maps each volume's device to its filesystem (or swap) UUID."""
    rows = []
    for v in sorted(volumes, key=_depth):
        src = f"UUID={uuids[v.device]}" if uuids.get(v.device) else v.device
        mp = v.mountpoint or "none"
        rows.append((src, mp, v.fstype, v.options, "0", str(_pass(v))))
    widths = [max(len(r[i]) for r in rows) for i in range(4)] if rows else [0] * 4
    out = FSTAB_HEADER
    for r in rows:
        out += "  ".join(c.ljust(widths[i]) if i < 4 else c for i, c in enumerate(r)).rstrip() + "\n"
    return out


def render_crypttab(luks: list[LuksVolume], swap_names: set[str] | None = None) -> str:
    if not luks:
        return ""
    out = CRYPTTAB_HEADER
    for v in luks:
        src = f"UUID={v.uuid}" if v.uuid else v.device
        opts = "luks,discard"
        if swap_names and v.name in swap_names:
            opts += ",swap" if False else ""
        out += f"{v.name} {src} none {opts}\n"
    return out
