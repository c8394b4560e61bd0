"""Kickstart commands that keep existing storage -> InstallConfig.storage (disks[].clear, remove,
existing): ``clearpart --none/--list/--linux/--all`` per disk, ``part --onpart/--usepart
[--noformat]`` and ``mount DEVICE MOUNTPOINT [--reformat[=FS]] [--mkfsoptions] [--mountoptions]``.

Anaconda's semantics: without ``clearpart`` nothing is removed (new partitions go into free
space); ``clearpart --drives=X`` clears only X, every other disk of the install keeps its
partitions; ``--onpart`` reformats the partition unless ``--noformat`` keeps it as it is.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from pykickstart import constants as K

from installer.backend.answers.mapping import Where

if TYPE_CHECKING:
    from installer.backend.answers.kickstart_parse import Ks

CLEAR = {K.CLEARPART_TYPE_ALL: "all", K.CLEARPART_TYPE_LINUX: "linux", K.CLEARPART_TYPE_NONE: "none",
         K.CLEARPART_TYPE_LIST: "none"}
FS = {"": None, "ext2": "ext2", "ext3": "ext3", "ext4": "ext4", "xfs": "xfs", "btrfs": "btrfs", "vfat": "vfat",
      "efi": "vfat", "swap": "swap", "biosboot": "biosboot"}
_SPEC = re.compile(r"^(LABEL|UUID|PARTLABEL|PARTUUID)=[A-Za-z0-9._:-]{1,64}$")
_NAME = re.compile(r"^(?:/dev/)?([a-z][a-z0-9]{1,31}|disk/by-(?:id|path|uuid|label|partuuid)/[A-Za-z0-9._:-]{1,128})$")
_OPTS = re.compile(r"^[A-Za-z0-9=,._:+/ -]{0,400}$")


def disk_of(device: str) -> str | None:
    """vda1 -> vda, /dev/nvme0n1p2 -> nvme0n1, sdb3 -> sdb; None for LABEL=... and the like."""
    name = device.removeprefix("/dev/")
    m = re.fullmatch(r"((?:nvme\d+n\d+)|(?:mmcblk\d+)|(?:loop\d+))p\d+", name) or re.fullmatch(r"([a-z]+)\d+", name)
    return m.group(1) if m else None


def device_spec(ks: Ks, where: Where, device: str, opt: str) -> str | None:
    """A partition as kickstart names it, checked at the boundary: a kernel name, /dev/NAME, a
    /dev/disk/by-* link, or LABEL=/UUID=/PARTLABEL=/PARTUUID=."""
    if _SPEC.match(device):
        return device
    if _NAME.match(device):
        return device if device.startswith("/dev/") else f"/dev/{device}"
    ks.b.error(where, f"{opt}={device}: not a partition name (vda2, /dev/vda2, LABEL=name, UUID=uuid)")
    return None


def options(ks: Ks, where: Where, value: str, opt: str) -> str | None:
    if not _OPTS.match(value) or "/dev/" in value:
        ks.b.error(where, f"{opt}: only letters, digits, spaces and , . _ : + / = - are allowed (no device paths)")
        return None
    return value


def clear_type(ks: Ks) -> str:
    """What the disks clearpart names lose; Anaconda's default with no clearpart: nothing."""
    if ks.first("clearpart") is None:
        return "none"
    return CLEAR.get(ks.handler.clearpart.type, "none")


def apply_clear(ks: Ks, st: dict[str, Any], names: list[str]) -> None:
    """Give each disk entry its clear policy; clearpart --list becomes storage.remove."""
    h, b = ks.handler, ks.b
    kind = clear_type(ks)
    clear = ks.first("clearpart")
    drives = [d.removeprefix("/dev/") for d in (h.clearpart.drives if clear is not None else [])]
    if clear is not None and h.clearpart.type == K.CLEARPART_TYPE_LIST:
        remove = []
        for dev in h.clearpart.devices:
            spec = device_spec(ks, clear, dev, "clearpart --list")
            if spec is not None:
                remove.append(spec)
        st["remove"] = remove
        b.mark(("storage", "remove"), clear)
    for i, ref in enumerate(st.get("disks", [])):
        name = names[i] if i < len(names) else ""
        ref["clear"] = kind if (not drives or name in drives) else "none"
        b.mark(("storage", "disks", i, "clear"), clear or ks.at(None, "clearpart"))
    if not st.get("disks") and kind != "all":
        st.setdefault("disks", [{"match": {"rule": "largest"}}])
        st["disks"][0]["clear"] = kind


def existing_part(ks: Ks, p: Any, where: Where, vg_of: dict[str, str]) -> dict[str, Any] | None:
    """part --onpart/--usepart DEV [--noformat] -> one storage.existing entry."""
    dev = device_spec(ks, where, p.onPart, "--onpart")
    if dev is None:
        return None
    mount: str = p.mountpoint
    fstype = (p.fstype or "").lower()
    e: dict[str, Any] = {"device": dev, "format": bool(p.format)}
    if fstype not in FS and fstype not in ("lvmpv", "mdmember"):
        ks.unsupported(where, f"part --fstype={p.fstype}")
        return None
    if mount.startswith("pv."):
        if mount not in vg_of:
            ks.b.error(where, f"{mount} is not used by any volgroup")
            return None
        e["vg"] = vg_of[mount]
    elif mount == "swap" or fstype == "swap":
        if p.format:
            e["fs"] = "swap"
    elif mount.startswith("/"):
        e["mount"] = mount
        if p.format and FS.get(fstype):
            e["fs"] = FS[fstype]
        elif p.format and mount == "/boot/efi":
            e["fs"] = "vfat"
    else:
        ks.unsupported(where, f"part {mount} --onpart (RAID and btrfs members on existing partitions)")
        return None
    if not p.format and (p.fstype or p.label or p.encrypted or p.mkfsopts):
        ks.b.error(where, "--noformat keeps the partition as it is: --fstype, --label, --encrypted and "
                          "--mkfsoptions need a new format (drop --noformat)")
        return None
    if p.label:
        e["label"] = p.label
    if p.fsopts:
        opts = options(ks, where, p.fsopts, "--fsoptions")
        if opts:
            e["mount_options"] = opts
    if p.mkfsopts:
        opts = options(ks, where, p.mkfsopts, "--mkfsoptions")
        if opts:
            e["mkfs_options"] = opts
    if p.encrypted:
        e["encrypt"] = True
    return e


def map_mount(ks: Ks) -> tuple[list[dict[str, Any]], list[Where], list[str]]:
    """mount commands -> storage.existing entries (with where), and the disks they are on."""
    out: list[dict[str, Any]] = []
    wheres: list[Where] = []
    disks: list[str] = []
    for m in ks.handler.mount.dataList():
        w = ks.at(m.lineno, "mount")
        dev = device_spec(ks, w, m.device, "mount")
        if dev is None:
            continue
        e: dict[str, Any] = {"device": dev, "format": bool(m.reformat)}
        mp = m.mount_point
        fmt = (m.format or "").lower() if isinstance(m.format, str) else ""
        if fmt and fmt not in FS:
            ks.unsupported(w, f"mount --reformat={m.format}")
            continue
        if mp == "swap":
            e["fs"] = "swap"
            e["format"] = True
        elif mp.startswith("/"):
            e["mount"] = mp
            if fmt:
                e["fs"] = FS[fmt]
        elif mp != "none":
            ks.b.error(w, f"mount point {mp}: give an absolute path, swap or none")
            continue
        if m.mkfs_opts:
            if not m.reformat:
                ks.b.error(w, "--mkfsoptions needs --reformat")
                continue
            opts = options(ks, w, m.mkfs_opts, "--mkfsoptions")
            if opts:
                e["mkfs_options"] = opts
        if m.mount_opts:
            opts = options(ks, w, m.mount_opts, "--mountoptions")
            if opts:
                e["mount_options"] = opts
        name = disk_of(dev)
        if name and name not in disks:
            disks.append(name)
        out.append(e)
        wheres.append(w)
    return out, wheres, disks
