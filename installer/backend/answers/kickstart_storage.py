"""Kickstart storage commands -> InstallConfig.storage: clearpart, zerombr, ignoredisk, autopart,
part/partition, reqpart, volgroup, logvol. Sizes in kickstart are MiB."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pykickstart import constants as K

from installer.backend import validate
from installer.backend.answers import kickstart_keep
from installer.backend.answers.mapping import Where, disk_ref

if TYPE_CHECKING:
    from installer.backend.answers.kickstart_parse import Ks

DEFAULT_PART_MIB = 500  # blivet's default partition size, when part gives no --size
ESP_SIZE = "600MiB"  # what Anaconda's reqpart and Azure Linux 4.0's ISO use
AUTOPART_SWAP = "1GiB"  # answer files are machine-independent: no RAM-based sizing
PART_FS = {"": None, "ext2": "ext2", "ext3": "ext3", "ext4": "ext4", "xfs": "xfs", "btrfs": "btrfs", "vfat": "vfat",
           "efi": "vfat", "swap": "swap", "biosboot": "biosboot", "lvmpv": None}
LV_FS = {"": None, "ext2": "ext2", "ext3": "ext3", "ext4": "ext4", "xfs": "xfs", "btrfs": "btrfs", "swap": "swap"}


def _norm(name: str) -> str:
    return name[len("/dev/"):] if name.startswith("/dev/") else name


def _mib(n: int) -> str:
    return f"{n}MiB"


def _disks(ks: Ks, st: dict[str, Any]) -> list[str]:
    h, b = ks.handler, ks.b
    clear = ks.first("clearpart")
    ign = ks.first("ignoredisk")
    names: list[str] = []
    fixed = False
    if clear is not None:
        label = h.clearpart.disklabel
        if label:
            table = {"gpt": "gpt", "msdos": "mbr", "mbr": "mbr", "dos": "mbr"}.get(label)
            if table is None:
                b.error(clear, f"--disklabel={label}: use gpt or msdos")
            else:
                st["table"] = table
                b.mark(("storage", "table"), clear)
    only = [_norm(d) for d in h.ignoredisk.onlyuse]
    if only:  # the disks the install may use (Anaconda: every other disk is ignored)
        names = list(only)
        fixed = True
    if clear is not None and h.clearpart.drives:  # the disks clearpart clears (others keep their partitions)
        drives = [_norm(d) for d in h.clearpart.drives]
        stray = [d for d in drives if only and d not in only]
        if stray:
            b.error(clear, f"--drives names {', '.join(stray)}, which ignoredisk --only-use leaves out")
        names += [d for d in drives if d not in names]
    keep_disks = [kickstart_keep.disk_of(p.onPart) for p in h.partition.partitions if p.onPart]
    keep_disks += kickstart_keep.map_mount(ks)[2] if ks.first("mount") else []
    for d in [x for x in keep_disks if x]:
        if d not in names and not fixed:
            names.append(d)
    for p in h.partition.partitions:
        if not p.disk:
            continue
        d = _norm(p.disk)
        if d not in names:
            if fixed:
                b.error(ks.at(p.lineno, "part"), f"--ondisk={p.disk} is not among the disks the install may "
                                                 f"use ({', '.join(names)}): add it to ignoredisk --only-use")
            else:
                names.append(d)
    ignored = [_norm(d) for d in h.ignoredisk.ignoredisk]
    if ignored and ign is not None:
        clash = [d for d in ignored if d in names]
        if clash:
            b.error(ign, f"--drives={','.join(clash)} ignores a disk the layout uses")
        elif not names:
            b.error(ign, "ignoredisk --drives: azl-installer picks the largest disk unless told which; "
                         "name the target with ignoredisk --only-use or clearpart --drives")
    if names:
        st["disks"] = [disk_ref(n) for n in names]
        b.mark(("storage", "disks"), clear or ign or ks.at(None, "part"))
    kickstart_keep.apply_clear(ks, st, names)
    if not names and clear is not None and h.clearpart.type == K.CLEARPART_TYPE_ALL:
        b.warn(clear, "clearpart --all without --drives: azl-installer erases only the disk it installs to "
                      "(the largest, unless named with --drives or ignoredisk --only-use)")
    return names


def _encryption(ks: Ks, src: Any, where: Where, enc: dict[str, Any], firsts: list[Where]) -> None:
    b = ks.b
    enc["enabled"] = True
    firsts.append(where)
    if src.passphrase:
        if "passphrase" in enc and enc["passphrase"] != src.passphrase:
            b.error(where, "every encrypted device shares one passphrase in azl-installer; "
                           "this --passphrase differs from an earlier one")
        enc["passphrase"] = src.passphrase
    fields = (("luks_version", src.luks_version, "luks_version"), ("pbkdf", src.pbkdf, "pbkdf"),
              ("pbkdf_memory_kib", src.pbkdf_memory, "pbkdf-memory"), ("pbkdf_time_ms", src.pbkdf_time, "pbkdf-time"),
              ("pbkdf_iterations", src.pbkdf_iterations, "pbkdf-iterations"), ("cipher", src.cipher, "cipher"))
    for key, value, opt in fields:
        if not value:
            continue
        if key in enc and enc[key] != value:
            b.error(where, f"--{opt.replace('_', '-')}={value} differs from an earlier encrypted device "
                           f"({enc[key]}): azl-installer uses one setting for all")
        enc[key] = value
        b.mark(("storage", "encryption", key), where)


def _check_passphrase(ks: Ks, enc: dict[str, Any], firsts: list[Where]) -> None:
    if not enc.get("enabled") or not firsts:
        return
    w = firsts[0]
    p = enc.get("passphrase")
    if not p:
        ks.b.error(w, "--encrypted needs --passphrase: an unattended install cannot ask for one")
        return
    r = validate.passphrase(p)
    if not r.ok:
        ks.b.error(w, f"--passphrase: {r.message}")


def _autopart(ks: Ks, st: dict[str, Any], where: Where, enc: dict[str, Any], firsts: list[Where]) -> None:
    a = ks.handler.autopart
    g: dict[str, Any] = {}
    if a.type in (None, K.AUTOPART_TYPE_LVM):
        g["lvm"] = bool(a.lvm) if a.type is None else True
    elif a.type == K.AUTOPART_TYPE_PLAIN:
        g["lvm"] = False
    else:
        name = next((k for k, v in a.typeMap.items() if v == a.type), str(a.type))
        ks.unsupported(where, f"autopart --type={name}")
    if a.fstype:
        if a.fstype in ("ext4", "xfs"):
            g["root_fs"] = a.fstype
        else:
            ks.unsupported(where, f"autopart --fstype={a.fstype} (ext4 or xfs)")
    g["swap"] = "0" if a.noswap else AUTOPART_SWAP
    g["separate_home"] = False  # --nohome is accepted; the guided layout keeps /home on root
    st["guided"] = g
    ks.b.mark(("storage", "guided"), where)
    if a.encrypted:
        _encryption(ks, a, where, enc, firsts)


def _part(ks: Ks, p: Any, where: Where, names: list[str], vg_of: dict[str, str],
          enc: dict[str, Any], firsts: list[Where]) -> dict[str, Any] | None:
    b = ks.b
    mount: str = p.mountpoint
    fstype = (p.fstype or "").lower()
    if fstype not in PART_FS:
        ks.unsupported(where, f"part --fstype={p.fstype}")
        return None
    spec: dict[str, Any] = {}
    if mount == "swap" or fstype == "swap":
        spec["fs"] = "swap"
    elif mount == "biosboot" or fstype == "biosboot":
        spec["fs"] = "biosboot"
    elif mount.startswith("pv."):
        if mount not in vg_of:
            b.error(where, f"{mount} is not used by any volgroup")
            return None
        spec["fs"] = "none"
        spec["vg"] = vg_of[mount]
    elif mount.startswith(("raid.", "btrfs.")) or mount == "none" or not mount.startswith("/"):
        ks.unsupported(where, f"part {mount} (RAID, btrfs volumes and unmounted partitions)")
        return None
    else:
        spec["mount"] = mount
        fs = PART_FS[fstype] or ("vfat" if mount == "/boot/efi" else None)
        if fs:
            spec["fs"] = fs
    if p.recommended or p.hibernation:
        ks.unsupported(where, "part --recommended/--hibernation (give --size)")
        return None
    if not p.format:
        b.error(where, "--noformat keeps an existing partition as it is: name it with --onpart=DEVICE")
        return None
    if p.size is not None and p.size <= 0:
        b.error(where, f"--size={p.size}: give a size of at least 1 MiB")
        return None
    if spec.get("fs") == "biosboot" and not p.size:
        spec["size"] = "1MiB"
    else:  # Anaconda: --size is the base (500 MiB when not given); --grow grows from it
        spec["size"] = _mib(p.size if p.size is not None else DEFAULT_PART_MIB)
    if p.grow:
        spec["grow"] = True
        if p.maxSizeMB:
            spec["max_size"] = _mib(p.maxSizeMB)
    if p.disk:
        spec["disk"] = names.index(_norm(p.disk)) if _norm(p.disk) in names else 0
    if p.label:
        spec["label"] = p.label
    if p.fsopts:
        spec["mount_options"] = p.fsopts
    if p.encrypted:
        spec["encrypt"] = True
        _encryption(ks, p, where, enc, firsts)
    return spec


def _reqpart(ks: Ks, st: dict[str, Any], parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if not any(p.get("mount") == "/boot/efi" for p in parts):
        out.append({"mount": "/boot/efi", "size": ESP_SIZE, "fs": "vfat"})
    if st.get("table", "gpt") == "gpt" and not any(p.get("fs") == "biosboot" for p in parts):
        out.append({"size": "1MiB", "fs": "biosboot"})
    if ks.handler.reqpart.addBoot and not any(p.get("mount") == "/boot" for p in parts):
        out.append({"mount": "/boot", "size": "1GiB", "fs": "ext4"})
    return out


# The commands that choose a partitioning (Anaconda's partitioning methods): without one of
# them Anaconda's cmdline mode stops at the storage spoke, and so does azl-installer.
PARTITIONING = ("autopart", "mount", "reqpart", "part", "logvol", "volgroup", "raid", "btrfs")
STORAGE_MISSING = ("no storage layout: the kickstart has none of autopart, part, logvol, volgroup, raid, btrfs, "
                   "reqpart or mount, so nothing says which disk to use or what to erase (Anaconda stops here "
                   "too); add 'autopart' (with 'clearpart --all --drives=DISK') or a manual layout")


def map_storage(ks: Ks) -> None:
    h, b = ks.handler, ks.b
    if not any(ks.first(c) for c in PARTITIONING):
        ks.hints["storage"] = "missing"
        b.warn(None, STORAGE_MISSING)
    auto = ks.first("autopart")
    reqpart = ks.first("reqpart")
    mounts = ks.first("mount") is not None
    manual = bool(h.partition.partitions or h.logvol.lvList or h.volgroup.vgList) or mounts
    if not (auto or manual or reqpart or ks.first("clearpart", "ignoredisk", "zerombr")):
        return
    st = b.section("storage")
    names = _disks(ks, st)
    enc: dict[str, Any] = {}
    firsts: list[Where] = []
    layout_where = auto or reqpart or ks.first("part", "logvol", "volgroup", "mount")
    if auto is not None:
        _autopart(ks, st, auto, enc, firsts)
    elif manual or reqpart:
        vg_of: dict[str, str] = {}
        vgs: list[dict[str, Any]] = []
        for v in h.volgroup.vgList:
            w = ks.at(v.lineno, "volgroup")
            if v.pesize or v.reserved_space or v.reserved_percent:
                ks.unsupported(w, "volgroup --pesize/--reserved-*")
            if not v.physvols:
                b.error(w, f"volume group {v.vgname} lists no physical volumes (pv.NN)")
            for pv in v.physvols:
                if pv in vg_of:
                    b.error(w, f"{pv} is already in volume group {vg_of[pv]}")
                vg_of[pv] = v.vgname
            b.mark(("storage", "volume_groups", len(vgs)), w)
            vgs.append({"name": v.vgname})
        defined_pvs = {p.mountpoint for p in h.partition.partitions}
        for v in h.volgroup.vgList:
            for pv in v.physvols:
                if pv not in defined_pvs:
                    b.error(ks.at(v.lineno, "volgroup"), f"{pv} is not defined by a 'part {pv}' line")
        parts: list[dict[str, Any]] = []
        part_where: list[Where] = []
        existing, existing_where, _ = kickstart_keep.map_mount(ks) if mounts else ([], [], [])
        for p in h.partition.partitions:
            w = ks.at(p.lineno, "part")
            if p.onPart:
                e = kickstart_keep.existing_part(ks, p, w, vg_of)
                if e is not None:
                    if e.get("encrypt"):
                        _encryption(ks, p, w, enc, firsts)
                    existing.append(e)
                    existing_where.append(w)
                continue
            spec = _part(ks, p, w, names, vg_of, enc, firsts)
            if spec is not None:
                parts.append(spec)
                part_where.append(w)
        if reqpart is not None:
            extra = _reqpart(ks, st, parts)
            parts = extra + parts
            part_where = [reqpart] * len(extra) + part_where
        lvs: list[dict[str, Any]] = []
        vg_names = {v["name"] for v in vgs}
        for lv in h.logvol.lvList:
            w = ks.at(lv.lineno, "logvol")
            spec = _logvol(ks, lv, w, vg_names)
            if spec is not None:
                b.mark(("storage", "logical_volumes", len(lvs)), w)
                lvs.append(spec)
        for i, w in enumerate(part_where):
            b.mark(("storage", "partitions", i), w)
        for i, w in enumerate(existing_where):
            b.mark(("storage", "existing", i), w)
        first_at: dict[str, Where] = {}
        placed = [(b.where[("storage", "partitions", i)], p.get("mount")) for i, p in enumerate(parts)]
        placed += [(b.where[("storage", "logical_volumes", i)], lv.get("mount")) for i, lv in enumerate(lvs)]
        placed += [(w, e.get("mount")) for w, e in zip(existing_where, existing, strict=True)]
        for w, m in placed:
            if m is None:
                continue
            if m in first_at:
                b.error(w, f"{m} is mounted twice (also at {first_at[m].label(b.source)})")
            first_at.setdefault(m, w)
        mounted = [p.get("mount") for p in parts] + [lv.get("mount") for lv in lvs] + [e.get("mount") for e in existing]
        if "/" not in mounted and layout_where is not None:
            b.error(layout_where, "the layout has no root: add 'part /' or 'logvol /'")
        st["partitions"] = parts
        st["volume_groups"] = vgs
        st["logical_volumes"] = lvs
        if existing:
            st["existing"] = existing
    if enc:
        st["encryption"] = enc
        b.mark(("storage", "encryption"), firsts[0])
        _check_passphrase(ks, enc, firsts)
    b.mark(("storage",), layout_where or ks.at(None))


def _logvol(ks: Ks, lv: Any, where: Where, vg_names: set[str]) -> dict[str, Any] | None:
    b = ks.b
    if lv.vgname not in vg_names:
        b.error(where, f"--vgname={lv.vgname}: no such volgroup")
        return None
    if lv.encrypted:
        ks.unsupported(where, "logvol --encrypted (encrypt the physical volume: part pv.NN --encrypted)")
        return None
    if lv.recommended or lv.hibernation:
        ks.unsupported(where, "logvol --recommended/--hibernation (give --size)")
        return None
    fstype = (lv.fstype or "").lower()
    if fstype not in LV_FS:
        ks.unsupported(where, f"logvol --fstype={lv.fstype}")
        return None
    spec: dict[str, Any] = {"name": lv.name, "vg": lv.vgname}
    if lv.mountpoint == "swap" or fstype == "swap":
        spec["fs"] = "swap"
    elif lv.mountpoint.startswith("/"):
        spec["mount"] = lv.mountpoint
        if LV_FS[fstype]:
            spec["fs"] = LV_FS[fstype]
    else:
        ks.unsupported(where, f"logvol {lv.mountpoint} (unmounted logical volumes)")
        return None
    if lv.percent:
        spec["size"] = f"{lv.percent}%"
    elif lv.grow:
        spec["size"] = _mib(lv.size) if lv.size else "rest"
        spec["grow"] = bool(lv.size)
        if lv.maxSizeMB:
            spec["max_size"] = _mib(lv.maxSizeMB)
    elif lv.size:
        spec["size"] = _mib(lv.size)
    else:
        b.error(where, "give --size=MiB, --percent or --grow")
        return None
    if lv.label:
        spec["label"] = lv.label
    return spec
