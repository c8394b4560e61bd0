"""Place a Layout on the target disks and emit the ordered, engine-neutral actions.

Every partition starts and ends on a 1 MiB boundary, partitions never overlap, and they fit
inside the table's usable area. A request that cannot fit is an InvalidInput naming the field
and the shortfall.
"""

from __future__ import annotations

from dataclasses import dataclass

from installer.backend.errors import InvalidInput, Issue
from installer.backend.machine import Disk
from installer.backend.sizes import MiB, format_size
from installer.backend.storage.actions import (
    Action,
    CreatePartition,
    CreateTable,
    Deactivate,
    LuksFormat,
    LuksOpen,
    LuksSettings,
    LvCreate,
    Mkfs,
    Mount,
    PvCreate,
    StoragePlan,
    VgCreate,
    Volume,
    Wipe,
)
from installer.backend.storage.layout_info import ESP_MOUNTS, LuksVolume, TargetLayout
from installer.backend.storage.naming import align_down, align_up, partition_path, usable_range
from installer.backend.storage.requests import Layout, LvReq, PartReq

EXTENT = 4 * MiB
PV_METADATA = MiB  # LVM's default metadata area at the start of a PV
ESP_OPTIONS = "umask=0077,shortname=winnt"

_TYPE_HINT = {"vfat": "vfat", "swap": "swap", "biosboot": "biosboot", "xfs": "xfs", "btrfs": "btrfs"}


@dataclass
class Placed:
    req: PartReq
    number: int
    path: str
    start: int
    size: int


def _mount_options(fs: str, mount: str | None, given: str | None) -> str:
    if given:
        return given
    if fs == "vfat" and mount in ESP_MOUNTS:
        return ESP_OPTIONS
    return "defaults"


def place_disk(disk: Disk, index: int, reqs: list[PartReq], table: str) -> list[Placed]:
    """Sizes and offsets for the partitions of one disk, in request order."""
    issues: list[Issue] = []
    start, end = usable_range(disk.size, "gpt" if table == "gpt" else "msdos", disk.logical_sector_size)
    usable = max(0, end - start)
    sizes: list[int | None] = []
    fixed = 0
    rest: list[int] = []
    for i, r in enumerate(reqs):
        if r.size.kind == "bytes":
            if r.size.value % MiB:
                issues.append(Issue(f"{r.where}.size", f"{r.size} is not a multiple of 1 MiB "
                                    "(partitions are aligned to 1 MiB)"))
            n = align_up(r.size.value)
        elif r.size.kind == "percent":
            n = align_down(usable * r.size.value // 10000)
        else:
            rest.append(i)
            sizes.append(None)
            continue
        if n <= 0:
            issues.append(Issue(f"{r.where}.size", "the size must be at least 1 MiB"))
        sizes.append(n)
        fixed += n
    if len(rest) > 1:
        issues.append(Issue(f"{reqs[rest[1]].where}.size", f"only one partition per disk can take the rest of "
                            f"{disk.path} ({reqs[rest[0]].where} already does)"))
    if issues:
        raise InvalidInput(issues)
    rest_min = sum(max(reqs[i].min_bytes, MiB) for i in rest)
    need = fixed + rest_min
    if need > usable:
        parts = ", ".join(f"{_label(r)} {format_size(s if s is not None else max(r.min_bytes, MiB))}"
                          for r, s in zip(reqs, sizes, strict=True))
        raise InvalidInput([Issue(
            f"storage.disks.{index}",
            f"{disk.path} ({format_size(disk.size)}) is too small for this layout: it needs "
            f"{format_size(need + (disk.size - usable))} ({parts} plus the partition table); "
            f"{format_size(need - usable)} short",
        )])
    for i in rest:
        free = usable - fixed
        cap = reqs[i].max_bytes
        sizes[i] = align_down(min(free, cap) if cap is not None else free)
    out: list[Placed] = []
    pos = start
    for n, (r, s) in enumerate(zip(reqs, sizes, strict=True), 1):
        assert s is not None
        if s < r.min_bytes:
            raise InvalidInput([Issue(f"{r.where}.size", f"{_label(r)} gets {format_size(s)} but needs at least "
                                      f"{format_size(r.min_bytes)}; {format_size(r.min_bytes - s)} short")])
        out.append(Placed(r, n, partition_path(disk.path, n), pos, s))
        pos += s
    return out


def _label(r: PartReq | LvReq) -> str:
    if r.mount:
        return r.mount
    return {"esp": "ESP", "bios_grub": "BIOS boot", "pv": "LVM PV", "swap": "swap"}.get(r.role, r.role)


def _luks_name(r: PartReq, used: set[str]) -> str:
    base = "luks-" + ({"pv": r.vg or "pv", "root": "root", "swap": "swap", "home": "home"}.get(r.role)
                      or (r.label or (r.mount or "data").strip("/").replace("/", "-") or "root"))
    name, k = base, 2
    while name in used:
        name, k = f"{base}{k}", k + 1
    used.add(name)
    return name


def _flags(r: PartReq, table: str) -> list[str]:
    if r.role == "esp":
        return ["esp", "boot"] if table == "gpt" else ["esp"]
    if r.role == "bios_grub":
        return ["bios_grub"]
    if r.vg and not r.encrypt:
        return ["lvm"]
    if r.fs == "swap" and not r.encrypt:
        return ["swap"] if table == "gpt" else []
    return []


def _hint(r: PartReq) -> str:
    if r.encrypt:
        return "luks"
    if r.vg:
        return "lvm"
    return _TYPE_HINT.get(r.fs, "ext4")


def build_plan(
    layout: Layout,
    disks: list[Disk],
    firmware: str,
    table: str,
    luks: LuksSettings | None,
    deactivate: list[Deactivate] | None = None,
) -> StoragePlan:
    ptable = "gpt" if table == "gpt" else "msdos"
    actions: list[Action] = list(deactivate or [])
    placed: list[Placed] = []
    for i, d in enumerate(disks):
        reqs = [r for r in layout.parts if r.disk == i]
        if ptable == "msdos" and len(reqs) > 4:
            raise InvalidInput([Issue("storage.table", f"an MBR table holds at most 4 partitions; {d.path} would "
                                      f"need {len(reqs)} (use table: gpt, or LVM)")])
        mine = place_disk(d, i, reqs, table)
        actions.append(Wipe(d.path, [p.path for p in d.partitions]))
        actions.append(CreateTable(d.path, ptable))  # type: ignore[arg-type]
        boot_flag = ptable == "msdos" and firmware == "bios"
        flag_role = next((p.req.role for p in mine if p.req.role == "boot"), "root")
        for p in mine:
            flags = _flags(p.req, table)
            if boot_flag and p.req.role == flag_role:
                flags = [*flags, "boot"]
            actions.append(CreatePartition(d.path, p.number, p.path, p.start, p.size, p.req.role,
                                           _hint(p.req), flags, p.req.name if ptable == "gpt" else None))
        placed += mine

    used_names: set[str] = set()
    luks_vols: list[LuksVolume] = []
    dev_of: dict[int, str] = {}
    luks_of: dict[str, str] = {}  # final device -> dm name
    for p in placed:
        dev = p.path
        if p.req.encrypt:
            if luks is None:
                raise InvalidInput([Issue(f"{p.req.where}.encrypt", "encryption needs storage.encryption.passphrase")])
            name = _luks_name(p.req, used_names)
            fmt = LuksFormat(p.path, name, luks)
            actions += [fmt, LuksOpen(p.path, name)]
            dev = f"/dev/mapper/{name}"
            luks_vols.append(LuksVolume(name, p.path, None, luks.version))
            luks_of[dev] = name
        dev_of[id(p)] = dev

    # LVM
    vg_size: dict[str, int] = {}
    vg_pvs: dict[str, list[str]] = {}
    vg_luks: dict[str, str | None] = {}
    for p in placed:
        if p.req.vg:
            dev = dev_of[id(p)]
            actions.append(PvCreate(dev))
            header = luks.header_bytes() if (p.req.encrypt and luks) else 0
            vg_size[p.req.vg] = vg_size.get(p.req.vg, 0) + align_down(p.size - header - PV_METADATA, EXTENT)
            vg_pvs.setdefault(p.req.vg, []).append(dev)
            vg_luks.setdefault(p.req.vg, luks_of.get(dev))
    for vg in layout.vgs:
        if vg not in vg_pvs:
            raise InvalidInput([Issue("storage.volume_groups", f"volume group '{vg}' has no physical volume "
                                      "(give a partition vg: " + vg + ")")])
        actions.append(VgCreate(vg, vg_pvs[vg]))
    lv_actions, _lv_sizes = _place_lvs(layout.lvs, vg_size)
    actions += lv_actions

    # filesystems
    volumes: list[Volume] = []
    mkfs: list[Action] = []
    for p in placed:
        r = p.req
        if r.vg or r.fs in ("biosboot", "none"):
            continue
        dev = dev_of[id(p)]
        mkfs.append(Mkfs(dev, r.fs, r.label, r.mount))
        volumes.append(Volume(dev, r.fs, r.mount, _mount_options(r.fs, r.mount, r.options), luks_of.get(dev)))
    for lv in layout.lvs:
        dev = f"/dev/{lv.vg}/{lv.name}"
        mkfs.append(Mkfs(dev, lv.fs, lv.label, lv.mount))
        volumes.append(Volume(dev, lv.fs, lv.mount, "defaults", vg_luks.get(lv.vg)))
    actions += mkfs
    mounted = sorted((v for v in volumes if v.mountpoint), key=lambda v: (v.mountpoint or "").rstrip("/").count("/")
                     if v.mountpoint != "/" else -1)
    actions += [Mount(v.device, v.mountpoint or "/", v.fstype, v.options) for v in mounted]

    layout_info = _target_layout(firmware, table, disks, placed, volumes, luks_vols, layout.lvs)
    return StoragePlan(firmware, table, [d.path for d in disks], actions, volumes, layout_info)  # type: ignore[arg-type]


def _place_lvs(lvs: list[LvReq], vg_size: dict[str, int]) -> tuple[list[Action], dict[str, int]]:
    issues: list[Issue] = []
    out: list[Action] = []
    sizes: dict[str, int] = {}
    for vg, total in vg_size.items():
        mine = [lv for lv in lvs if lv.vg == vg]
        fixed = 0
        rests = []
        for lv in mine:
            if lv.size.kind == "bytes":
                n = align_up(lv.size.value, EXTENT)
            elif lv.size.kind == "percent":
                n = align_down(total * lv.size.value // 10000, EXTENT)
            else:
                rests.append(lv)
                continue
            sizes[f"{vg}/{lv.name}"] = n
            fixed += n
        if len(rests) > 1:
            issues.append(Issue(f"{rests[1].where}.size", f"only one logical volume of '{vg}' can take the rest"))
            continue
        rest_min = sum(max(lv.min_bytes, EXTENT) for lv in rests)
        if fixed + rest_min > total:
            issues.append(Issue(f"{(rests or mine)[-1].where}.size",
                                f"volume group '{vg}' ({format_size(total)}) is too small for its logical volumes: "
                                f"they need {format_size(fixed + rest_min)}; "
                                f"{format_size(fixed + rest_min - total)} short"))
            continue
        capped: set[str] = set()
        for lv in rests:
            free = total - fixed
            if lv.max_bytes is not None and lv.max_bytes < free:  # max_size: a fixed size, not the rest
                free = lv.max_bytes
                capped.add(lv.name)
            sizes[f"{vg}/{lv.name}"] = free
        for lv in mine:
            got = sizes[f"{vg}/{lv.name}"]
            if got < lv.min_bytes:
                issues.append(Issue(f"{lv.where}.size", f"{_label(lv)} gets {format_size(got)} but needs at least "
                                    f"{format_size(lv.min_bytes)}; {format_size(lv.min_bytes - got)} short"))
        for lv in [*[x for x in mine if x not in rests], *rests]:
            fills = lv in rests and lv.name not in capped
            out.append(LvCreate(vg, lv.name, None if fills else sizes[f"{vg}/{lv.name}"], lv.role))
    if issues:
        raise InvalidInput(issues)
    return out, sizes


def _target_layout(
    firmware: str,
    table: str,
    disks: list[Disk],
    placed: list[Placed],
    volumes: list[Volume],
    luks_vols: list[LuksVolume],
    lvs: list[LvReq],
) -> TargetLayout:
    by_mount = {v.mountpoint: v for v in volumes if v.mountpoint}
    root = by_mount["/"]
    esp_part = next((p for p in placed if p.req.role == "esp" or p.req.mount in ESP_MOUNTS), None)
    esp = esp_part.path if esp_part else None
    bios = next((p.path for p in placed if p.req.role == "bios_grub" or p.req.fs == "biosboot"), None)
    boot = by_mount.get("/boot")
    root_lv = next((f"{lv.vg}/{lv.name}" for lv in lvs if lv.mount == "/"), None)
    lv_names = ([root_lv] if root_lv else []) + [f"{lv.vg}/{lv.name}" for lv in lvs if lv.fs == "swap"]
    return TargetLayout(
        firmware=firmware,  # type: ignore[arg-type]
        table=table,  # type: ignore[arg-type]
        disks=[d.path for d in disks],
        root_device=root.device,
        root_fs=root.fstype,
        boot_device=boot.device if boot else None,
        esp_device=esp,
        esp_mount=esp_part.req.mount or "/boot/efi" if esp_part else "/boot/efi",
        bios_grub_device=bios,
        luks=luks_vols,
        lvm_lvs=lv_names,
        swap_devices=[v.device for v in volumes if v.fstype == "swap"],
    )
