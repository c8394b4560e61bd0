"""The partitions a disk will hold after the install, for the disk bar. Pure Python, no Qt.

The storage planner publishes its StoragePlan in ``PlanInfo.shared["storage_plan"]`` (and the
TargetLayout in ``["layout"]``); the bar draws its partitions. When the planner refuses the
choices (or is absent), the bar falls back to drawing the guided layout from the config, or the
manual partitions' sizes resolved against the disk."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from installer.backend.config import InstallConfig
from installer.backend.errors import InstallerError
from installer.backend.flow import FlowState, to_config
from installer.backend.machine import Disk, Machine
from installer.backend.sizes import MiB, SizeError, SizeSpec, format_size, parse_size
from installer.backend.storage.guided import swap_bytes

Kind = str  # "esp" | "boot" | "root" | "home" | "swap" | "data" | "bios" | "free" | "lvm"


@dataclass(frozen=True)
class Segment:
    label: str
    size: int
    kind: Kind
    encrypted: bool = False
    device: str | None = None
    fs: str = ""

    def describe(self) -> str:
        bits = [self.label, format_size(self.size)]
        if self.fs:
            bits.append(self.fs)
        if self.encrypted:
            bits.append("encrypted")
        if self.device:
            bits.append(f"on {self.device}")
        return " ".join(bits)


def current_segments(disk: Disk) -> list[Segment]:
    """What is on the disk now, with the unpartitioned space as 'free'."""
    out: list[Segment] = []
    pos = 0
    for p in sorted(disk.partitions, key=lambda p: p.start):
        if p.start - pos > 16 * MiB:
            out.append(Segment("free", p.start - pos, "free"))
        label = p.fs.label or (p.fs.mountpoints[0] if p.fs.mountpoints else p.path.rsplit("/", 1)[-1])
        out.append(Segment(label, p.size, "data", p.fs.type == "crypto_LUKS", p.path, p.fs.type or ""))
        pos = p.start + p.size
    if disk.size - pos > 16 * MiB:
        out.append(Segment("free" if disk.partitions else "empty", disk.size - pos, "free"))
    return out


def planned_segments(state: FlowState, machine: Machine) -> list[Segment]:
    """The planned partitions of the selected disk; [] when the choices are not valid yet."""
    disk = machine.disk(state.disk or "")
    if disk is None:
        return []
    try:
        cfg = to_config(state)
    except InstallerError:
        return []
    from_plan = _from_storage_plan(cfg, machine, disk)
    if from_plan:
        return from_plan
    return _guided(cfg, disk, machine) if cfg.storage.layout == "guided" else _manual(cfg, disk)


def _from_storage_plan(cfg: InstallConfig, machine: Machine, disk: Disk) -> list[Segment]:
    """Segments from the storage planner's StoragePlan (``PlanInfo.shared["storage_plan"]``)."""
    try:
        from installer.backend.plan import TARGET_ROOT
        from installer.backend.steps import storage
        from installer.backend.steps.registry import PlanInfo

        info = PlanInfo(config=cfg, machine=machine, target_root=TARGET_ROOT, directory=False, warnings=[])
        storage.plan(info)
        sp: Any = info.shared.get("storage_plan")
        parts = list(sp.partitions(disk.path))
        actions = list(sp.actions)
    except Exception:  # the planner refused or is absent: the bar falls back to the config
        return []
    mkfs = {getattr(a, "device", ""): a for a in actions if type(a).__name__ == "Mkfs"}
    luks = {getattr(a, "device", ""): getattr(a, "name", "") for a in actions if type(a).__name__ == "LuksFormat"}
    vgs = {pv: getattr(a, "name", "") for a in actions if type(a).__name__ == "VgCreate" for pv in a.pvs}
    lvs = [a for a in actions if type(a).__name__ == "LvCreate"]
    segs: list[Segment] = []
    for p in parts:
        top = f"/dev/mapper/{luks[p.path]}" if p.path in luks else p.path
        fs_action = mkfs.get(top)
        role = "bios" if str(p.role) == "bios_grub" else str(p.role)  # the planner's role name
        kind = role if role in ("esp", "boot", "root", "home", "swap", "bios") else "data"
        if top in vgs:
            vg = vgs[top]
            inner = [("swap" if lv.role == "swap" else (getattr(mkfs.get(lv.path), "mountpoint", None) or lv.name))
                     for lv in lvs if lv.vg == vg]
            label, kind, fs = "LVM: " + " · ".join(inner), "lvm", f"LVM {vg}"
        elif fs_action is not None:
            label = fs_action.mountpoint or ("swap" if fs_action.fstype == "swap" else role)
            fs = fs_action.fstype
        else:
            label = "BIOS boot" if role == "bios" else role
            fs = str(p.fs_hint)
        segs.append(Segment(label, int(p.size), kind, p.path in luks, p.path, fs))
    used = sum(s.size for s in segs)
    if segs and disk.size - used > 64 * MiB:
        segs.append(Segment("free", disk.size - used, "free"))
    return segs


def _firmware(cfg: InstallConfig, machine: Machine) -> str:
    return machine.firmware if cfg.storage.firmware == "auto" else cfg.storage.firmware


def _guided(cfg: InstallConfig, disk: Disk, machine: Machine) -> list[Segment]:
    g = cfg.storage.guided
    assert g is not None
    enc = cfg.storage.encryption.enabled
    segs: list[Segment] = []
    if _firmware(cfg, machine) == "uefi":
        segs.append(Segment("/boot/efi", parse_size(g.esp_size, "MiB"), "esp", fs="vfat"))
    elif cfg.storage.table == "gpt":
        segs.append(Segment("BIOS boot", MiB, "bios"))
    if enc or g.lvm:
        segs.append(Segment("/boot", parse_size(g.boot_size, "MiB"), "boot", fs="ext4"))
    free = disk.size - 2 * MiB - sum(s.size for s in segs)
    swap = swap_bytes(g.swap, machine.memory, free)
    lvm = " (LVM)" if g.lvm else ""
    if swap:
        segs.append(Segment("swap", swap, "swap", enc, fs="swap" + lvm))
        free -= swap
    if g.separate_home:
        home = free // 2
        if g.home_size:
            home = _resolve(g.home_size, disk.size, free) or home
        segs.append(Segment("/", free - home, "root", enc, fs=g.root_fs + lvm))
        segs.append(Segment("/home", home, "home", enc, fs=g.root_fs + lvm))
    else:
        segs.append(Segment("/", max(free, 0), "root", enc, fs=g.root_fs + lvm))
    return segs


def _resolve(text: str, disk_size: int, free: int) -> int | None:
    try:
        spec = SizeSpec.parse(text)
    except SizeError:
        return None
    if spec.kind == "bytes":
        return spec.value
    if spec.kind == "percent":
        return disk_size * spec.value // 10000
    return None


def _manual(cfg: InstallConfig, disk: Disk) -> list[Segment]:
    parts = [p for p in cfg.storage.partitions or [] if p.disk == 0]
    usable = disk.size - 2 * MiB
    sized = [_resolve(p.size, disk.size, usable) for p in parts]
    fixed = sum(s for s in sized if s is not None)
    rests = sum(1 for s in sized if s is None)
    rest_each = max(usable - fixed, 0) // rests if rests else 0
    segs: list[Segment] = []
    for p, size in zip(parts, sized, strict=True):
        kind = {"/boot/efi": "esp", "/boot": "boot", "/": "root", "/home": "home"}.get(p.mount or "", "data")
        if p.fs == "swap":
            kind = "swap"
        elif p.fs == "biosboot":
            kind = "bios"
        elif p.vg:
            kind = "lvm"
        label = p.mount or (f"LVM PV ({p.vg})" if p.vg else p.fs)
        segs.append(Segment(label, size if size is not None else rest_each, kind, p.encrypt, fs=p.fs))
    left = usable - sum(s.size for s in segs)
    if left > 16 * MiB:
        segs.append(Segment("free", left, "free"))
    return segs
