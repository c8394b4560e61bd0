"""Kickstart storage commands -> InstallConfig.storage: clearpart, zerombr, ignoredisk, autopart,
part/partition, reqpart, volgroup, logvol. Sizes in kickstart are MiB."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pykickstart import constants as K

from installer.backend import validate
from installer.backend.answers.mapping import Where, disk_ref

if TYPE_CHECKING:
    from installer.backend.answers.kickstart_parse import Ks

ESP_SIZE = "600MiB"  # what Anaconda's reqpart and Azure Linux 4.0's ISO use
AUTOPART_SWAP = "1GiB"  # answer files are machine-independent: no RAM-based sizing
PART_FS = {"": None, "ext4": "ext4", "xfs": "xfs", "btrfs": "btrfs", "vfat": "vfat", "efi": "vfat",
           "swap": "swap", "biosboot": "biosboot"}
LV_FS = {"": None, "ext4": "ext4", "xfs": "xfs", "btrfs": "btrfs", "swap": "swap"}


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
        ctype = h.clearpart.type
        # Not downgradable by --ignore-unsupported: ignoring them would erase what the author kept.
        if ctype == K.CLEARPART_TYPE_NONE:
            b.error(clear, "clearpart --none is not supported: azl-installer installs to whole disks, which "
                           "it erases; use clearpart --all --drives=DISK")
        elif ctype == K.CLEARPART_TYPE_LIST:
            b.error(clear, "clearpart --list is not supported: azl-installer erases whole disks, not single "
                           "partitions; use clearpart --all --drives=DISK")
        elif ctype == K.CLEARPART_TYPE_LINUX:
            b.warn(clear, "clearpart --linux: azl-installer erases the whole target disk, "
                          "including partitions that are not Linux ones")
        label = h.clearpart.disklabel
        if label:
            table = {"gpt": "gpt", "msdos": "mbr", "mbr": "mbr", "dos": "mbr"}.get(label)
            if table is None:
                b.error(clear, f"--disklabel={label}: use gpt or msdos")
            else:
                st["table"] = table
                b.mark(("storage", "table"), clear)
    only = [_norm(d) for d in h.ignoredisk.onlyuse]
    if clear is not None and h.clearpart.drives:
        names = [_norm(d) for d in h.clearpart.drives]
        fixed = True
        stray = [d for d in names if only and d not in only]
        if stray:
            b.error(clear, f"--drives names {', '.join(stray)}, which ignoredisk --only-use leaves out")
    elif only:
        names = only
        fixed = True
    for p in h.partition.partitions:
        if not p.disk:
            continue
        d = _norm(p.disk)
        if d not in names:
            if fixed:
                b.error(ks.at(p.lineno, "part"), f"--ondisk={p.disk} is not among the disks to erase "
                                                 f"({', '.join(names)}): add it to clearpart --drives")
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
    elif clear is not None and h.clearpart.type == K.CLEARPART_TYPE_ALL:
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
    if p.grow:
        spec["size"] = "rest"
        if p.maxSizeMB:
            spec["max_size"] = _mib(p.maxSizeMB)
    elif p.size:
        spec["size"] = _mib(p.size)
    elif spec.get("fs") == "biosboot":
        spec["size"] = "1MiB"
    else:
        b.error(where, "give --size=MiB or --grow")
        return None
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
    manual = bool(h.partition.partitions or h.logvol.lvList or h.volgroup.vgList)
    if not (auto or manual or reqpart or ks.first("clearpart", "ignoredisk", "zerombr")):
        return
    st = b.section("storage")
    names = _disks(ks, st)
    enc: dict[str, Any] = {}
    firsts: list[Where] = []
    layout_where = auto or reqpart or ks.first("part", "logvol", "volgroup")
    if layout_where is not None and ks.first("clearpart") is None:
        b.warn(layout_where, "no clearpart: azl-installer erases the whole target disk "
                             "(Anaconda would only use free space)")
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
        for p in h.partition.partitions:
            w = ks.at(p.lineno, "part")
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
        first_at: dict[str, Where] = {}
        placed = [(b.where[("storage", "partitions", i)], p.get("mount")) for i, p in enumerate(parts)]
        placed += [(b.where[("storage", "logical_volumes", i)], lv.get("mount")) for i, lv in enumerate(lvs)]
        for w, m in placed:
            if m is None:
                continue
            if m in first_at:
                b.error(w, f"{m} is mounted twice (also at {first_at[m].label(b.source)})")
            first_at.setdefault(m, w)
        mounts = [p.get("mount") for p in parts] + [lv.get("mount") for lv in lvs]
        if "/" not in mounts and layout_where is not None:
            b.error(layout_where, "the layout has no root: add 'part /' or 'logvol /'")
        st["partitions"] = parts
        st["volume_groups"] = vgs
        st["logical_volumes"] = lvs
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
        spec["size"] = "rest"
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
