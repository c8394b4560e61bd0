"""Place a Layout on the target disks and emit the ordered, engine-neutral actions.

Every partition starts and ends on a 1 MiB boundary, partitions never overlap, and they fit
inside the table's usable area. A request that cannot fit is an InvalidInput naming the field
and the shortfall.
"""

from __future__ import annotations

import shlex

from installer.backend.errors import InvalidInput, Issue
from installer.backend.machine import Disk
from installer.backend.sizes import MiB
from installer.backend.storage.actions import (
    Action,
    CreatePartition,
    CreateTable,
    Deactivate,
    EditTable,
    LuksFormat,
    LuksOpen,
    LuksSettings,
    Mkfs,
    Mount,
    PvCreate,
    StoragePlan,
    VgCreate,
    Volume,
    Wipe,
)
from installer.backend.storage.keep import DiskState
from installer.backend.storage.layout_info import ESP_MOUNTS, LuksVolume, TargetLayout
from installer.backend.storage.lvm import place_lvs
from installer.backend.storage.naming import align_down, usable_range
from installer.backend.storage.place import Placed, place_disk
from installer.backend.storage.requests import Layout, LvReq, PartReq

EXTENT = 4 * MiB
PV_METADATA = MiB  # LVM's default metadata area at the start of a PV
ESP_OPTIONS = "umask=0077,shortname=winnt"

_TYPE_HINT = {"vfat": "vfat", "swap": "swap", "biosboot": "biosboot", "xfs": "xfs", "btrfs": "btrfs"}


def _mount_options(fs: str, mount: str | None, given: str | None) -> str:
    if given:
        return given
    if fs == "vfat" and mount in ESP_MOUNTS:
        return ESP_OPTIONS
    return "defaults"


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


def _table_actions(st: DiskState, mine: list[Placed], firmware: str, table: str) -> list[Action]:
    d = st.disk
    ptable = st.table
    out: list[Action] = []
    if st.fresh:
        out.append(Wipe(d.path, [p.path for p in d.partitions]))
        out.append(CreateTable(d.path, ptable))  # type: ignore[arg-type]
    else:
        out.append(EditTable(d.path, ptable, [p.number for p in st.removed],  # type: ignore[arg-type]
                             [p.path for p in st.removed], [p.path for p in st.kept]))
    boot_flag = ptable == "msdos" and firmware == "bios" and st.fresh
    flag_role = next((p.req.role for p in mine if p.req.role == "boot"), "root")
    for p in mine:
        flags = _flags(p.req, table if st.fresh else ("gpt" if ptable == "gpt" else "mbr"))
        if boot_flag and p.req.role == flag_role:
            flags = [*flags, "boot"]
        out.append(CreatePartition(d.path, p.number, p.path, p.start, p.size, p.req.role,
                                   _hint(p.req), flags, p.req.name if ptable == "gpt" else None))
    return out


def build_plan(
    layout: Layout,
    disks: list[Disk],
    firmware: str,
    table: str,
    luks: LuksSettings | None,
    deactivate: list[Deactivate] | None = None,
    states: list[DiskState] | None = None,
) -> StoragePlan:
    states = states or [DiskState(d, i, True, "gpt" if table == "gpt" else "msdos", removed=list(d.partitions),
                                  regions=[usable_range(d.size, "gpt" if table == "gpt" else "msdos",
                                                        d.logical_sector_size)],
                                  free_numbers=list(range(1, 129 if table == "gpt" else 5)))
                        for i, d in enumerate(disks)]
    actions: list[Action] = list(deactivate or [])
    placed: list[Placed] = []
    for st in states:
        reqs = [r for r in layout.parts if r.disk == st.index and r.existing is None]
        mine = place_disk(st, reqs)
        actions += _table_actions(st, mine, firmware, table)
        placed += mine
    # existing partitions the layout uses, as they are
    placed += [Placed(r, r.existing.number, r.existing.path, r.existing.start, r.existing.size)
               for r in layout.parts if r.existing is not None]

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
    lv_actions, _lv_sizes = place_lvs(layout.lvs, vg_size, {vg: EXTENT for vg in vg_size})
    actions += lv_actions

    # filesystems
    volumes: list[Volume] = []
    mkfs: list[Action] = []
    for p in placed:
        r = p.req
        if r.vg or r.fs in ("biosboot", "none"):
            continue
        dev = dev_of[id(p)]
        if not r.keep:
            mkfs.append(Mkfs(dev, r.fs, r.label, r.mount, shlex.split(r.mkfs_options or "")))
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
