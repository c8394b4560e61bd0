"""probe_machine() -> Machine: read-only discovery of this machine's firmware, memory and disks.

Disks come from ``lsblk -J -b -O`` (one call: sizes, sector sizes, model, serial, transport,
partitions, signatures, mount points, holders); pyparted, when importable, fills in the table
type where lsblk has none (no udev database on some hosts). Swap in use comes from /proc/swaps,
the running root from findmnt, the installer medium from /run/initramfs/live or the ISO label.
It runs only read-only commands, so it calls subprocess directly rather than through a step.
"""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path
from typing import Any

from installer.backend.machine import Disk, Filesystem, Machine, Partition

LIVE_MOUNT = "/run/initramfs/live"
MEDIUM_LABEL_PREFIXES = ("AZL", "AzureLinux", "azurelinux")
SKIP_TYPES = {"loop", "rom", "zram", "ram"}


def _out(argv: list[str]) -> str:
    try:
        p = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return p.stdout if p.returncode == 0 else ""


def _memory() -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _swaps() -> set[str]:
    try:
        lines = Path("/proc/swaps").read_text().splitlines()[1:]
    except OSError:
        return set()
    return {os.path.realpath(line.split()[0]) for line in lines if line.strip()}


def _by_id() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    d = Path("/dev/disk/by-id")
    if d.is_dir():
        for link in sorted(d.iterdir()):
            out.setdefault(os.path.realpath(link), []).append(link.name)
    return out


def _source_disks(mountpoint: str) -> set[str]:
    """Whole-disk names (kernel names) under the device mounted at ``mountpoint``."""
    src = _out(["findmnt", "-n", "-o", "SOURCE", "--target", mountpoint]).strip()
    if not src.startswith("/dev/"):
        return set()
    tree = _out(["lsblk", "-s", "-n", "-r", "-o", "NAME,TYPE", src])
    return {ln.split()[0] for ln in tree.splitlines() if len(ln.split()) == 2 and ln.split()[1] == "disk"}


def _mps(node: dict[str, Any]) -> list[str]:
    return [m for m in (node.get("mountpoints") or [node.get("mountpoint")]) if m]


def _fs(node: dict[str, Any], swaps: set[str]) -> Filesystem:
    path = os.path.realpath(node.get("path") or "")
    return Filesystem(
        type=node.get("fstype"),
        label=node.get("label"),
        uuid=node.get("uuid"),
        mountpoints=[m for m in _mps(node) if m != "[SWAP]"],
        swap_active=path in swaps or "[SWAP]" in _mps(node),
    )


def _holders(node: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Names and mount points of the devices stacked on a node (crypt, lvm, raid...)."""
    names: list[str] = []
    mps: list[str] = []
    for c in node.get("children") or []:
        if c.get("type") == "part":
            continue
        names.append(c.get("name") or c.get("kname") or "?")
        mps += _mps(c)
        sub_names, sub_mps = _holders(c)
        names += sub_names
        mps += sub_mps
    return names, mps


def _table(node: dict[str, Any], path: str) -> str:
    pt = node.get("pttype")
    if pt in ("gpt", "dos"):
        return "gpt" if pt == "gpt" else "msdos"
    try:
        import parted

        disk = parted.newDisk(parted.getDevice(path))
        t = disk.type
        return t if t in ("gpt", "msdos") else "unknown"
    except Exception:
        return "none" if not node.get("children") else "unknown"


def _disk(node: dict[str, Any], swaps: set[str], ids: dict[str, list[str]], root: set[str],
          medium: set[str]) -> Disk:
    path = node["path"]
    lss = int(node.get("log-sec") or 512)
    parts = []
    for c in node.get("children") or []:
        if c.get("type") != "part":
            continue
        hn, hm = _holders(c)
        number = int(c.get("partn") or "".join(ch for ch in c["name"][len(node["name"]):] if ch.isdigit()) or 0)
        parts.append(Partition(
            path=c["path"], number=number, start=int(c.get("start") or 0) * lss, size=int(c.get("size") or 0),
            type_name=c.get("parttypename"), name=c.get("partlabel"), fs=_fs(c, swaps),
            holders=hn, holder_mountpoints=hm,
        ))
    hn, _hm = _holders(node)
    name = node.get("kname") or node["name"]
    is_medium = name in medium or any(
        (p.fs.label or "").startswith(MEDIUM_LABEL_PREFIXES) and p.fs.type == "iso9660" for p in parts
    ) or ((node.get("label") or "").startswith(MEDIUM_LABEL_PREFIXES) and node.get("fstype") == "iso9660")
    return Disk(
        path=path,
        by_id=ids.get(os.path.realpath(path), []),
        size=int(node.get("size") or 0),
        logical_sector_size=lss,
        physical_sector_size=int(node.get("phy-sec") or lss),
        model=(node.get("model") or "").strip() or None,
        serial=(node.get("serial") or "").strip() or None,
        transport=node.get("tran"),
        rotational=bool(node.get("rota")),
        removable=bool(node.get("rm")),
        read_only=bool(node.get("ro")),
        table=_table(node, path),  # type: ignore[arg-type,unused-ignore]
        partitions=parts,
        fs=_fs(node, swaps) if not parts else Filesystem(),
        holders=hn,
        holds_running_root=name in root,
        is_installer_medium=is_medium,
    )


def parse_lsblk(data: dict[str, Any], swaps: set[str] | None = None, ids: dict[str, list[str]] | None = None,
                root: set[str] | None = None, medium: set[str] | None = None) -> list[Disk]:
    """Disks from ``lsblk -J -b -O`` output (pure: the probe's testable half)."""
    out = []
    for node in data.get("blockdevices") or []:
        if node.get("type") != "disk" or (node.get("name") or "").startswith(tuple(SKIP_TYPES)):
            continue
        if not int(node.get("size") or 0):
            continue
        out.append(_disk(node, swaps or set(), ids or {}, root or set(), medium or set()))
    return out


def probe_machine() -> Machine:
    import json

    firmware = "uefi" if os.path.isdir("/sys/firmware/efi") else "bios"
    efivars = firmware == "uefi" and os.access("/sys/firmware/efi/efivars", os.W_OK) and bool(
        _out(["findmnt", "-n", "-o", "OPTIONS", "/sys/firmware/efi/efivars"]).startswith("rw"))
    virt = _out(["systemd-detect-virt"]).strip() or "none"
    raw = _out(["lsblk", "-J", "-b", "-O"])
    data = json.loads(raw) if raw else {}
    medium = _source_disks(LIVE_MOUNT) if os.path.ismount(LIVE_MOUNT) else set()
    disks = parse_lsblk(data, _swaps(), _by_id(), _source_disks("/"), medium)
    arch = platform.machine()
    machine = Machine(
        firmware=firmware,  # type: ignore[arg-type,unused-ignore]
        arch=arch if arch in ("x86_64", "aarch64") else "x86_64",  # type: ignore[arg-type,unused-ignore]
        memory=_memory(),
        virtualization=virt,
        efivars=efivars,
        disks=disks,
    )
    # existing LVM/LUKS/MD/btrfs stacks through blivet where it loads (the medium); else as is
    from installer.backend.storage.blivet_probe import enrich

    return enrich(machine)
