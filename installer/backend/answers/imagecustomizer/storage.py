"""Image Customizer ``storage`` -> InstallConfig storage: bootType, one GPT disk whose partitions
follow each other from 1 MiB (id, label, start, end, size, type), filesystems (deviceId, type,
mountPoint with path/options/idType), resetPartitionsUuidsType; verity is refused until supported.

Without ``disks`` the Image Customizer keeps the base image's partitions; an installer has no
base image, so the target disk gets the guided layout (with a warning that says so).
"""

from __future__ import annotations

import re
from typing import Any

from installer.backend.answers.imagecustomizer.common import Ic, Path_
from installer.backend.config import Guided
from installer.backend.sizes import MiB, parse_size

STORAGE_KEYS = {"bootType", "disks", "filesystems", "verity", "resetPartitionsUuidsType", "reinitializeVerity"}
DISK_KEYS = {"partitionTableType", "maxSize", "partitions"}
PART_KEYS = {"id", "label", "start", "end", "size", "type"}
FS_KEYS = {"deviceId", "type", "mountPoint", "btrfs"}
MOUNT_KEYS = {"path", "options", "idType"}
FS_TYPES = {"ext4": "ext4", "xfs": "xfs", "btrfs": "btrfs", "fat32": "vfat", "vfat": "vfat"}
PART_TYPES = {"esp", "bios-grub", "home", "linux-generic", "root", "root-verity", "srv", "swap", "tmp", "usr",
              "usr-verity", "var", "xbootldr"}
ESP_MIN = str(Guided.model_fields["esp_size"].default)  # the planner's minimum for an ESP
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_SIZE = re.compile(r"^(\d+)([KMGT])$")
_UNITS = {"K": 1024, "M": MiB, "G": 1024 * MiB, "T": 1024 * 1024 * MiB}


def disk_size(ic: Ic, value: Any, path: Path_) -> int | None:
    """<NUM>(K|M|G|T), a whole number of MiB, as the Image Customizer's DiskSize."""
    m = _SIZE.match(str(value)) if isinstance(value, (str, int)) and not isinstance(value, bool) else None
    if not m:
        ic.err(path, f"'{value}' is not a size such as 512M or 8G (a number and K, M, G or T)")
        return None
    n = int(m.group(1)) * _UNITS[m.group(2)]
    if n % MiB:
        ic.err(path, f"'{value}' is not a whole number of MiB")
        return None
    return n


def _partition(ic: Ic, p: dict[str, Any], pp: Path_, cursor: int, last: bool) -> tuple[dict[str, Any], int] | None:
    pid = p.get("id")
    start = disk_size(ic, p["start"], (*pp, "start")) if p.get("start") is not None else cursor
    if start is None:
        return None
    if start != cursor:
        ic.err((*pp, "start"), f"azl-installer places partitions one after another from 1 MiB: this one would "
                               f"start at {cursor // MiB}M, not {start // MiB}M")
        return None
    spec: dict[str, Any] = {"disk": 0}
    size_v, end_v = p.get("size"), p.get("end")
    if size_v is not None and end_v is not None:
        ic.err((*pp, "end"), f"partition {pid}: give end or size, not both")
        return None
    if end_v is not None:
        end = disk_size(ic, end_v, (*pp, "end"))
        if end is None:
            return None
        if end <= start:
            ic.err((*pp, "end"), f"partition {pid}: end {end_v} is not after its start ({start // MiB}M)")
            return None
        spec["size"], nxt = f"{(end - start) // MiB}MiB", end
    elif size_v == "grow" or size_v is None:
        if not last:
            ic.err((*pp, "size"), f"partition {pid} is not the last one: only the last may grow (or have no size)")
            return None
        spec["size"], nxt = "rest", cursor
    else:
        n = disk_size(ic, size_v, (*pp, "size"))
        if n is None:
            return None
        if n == 0:
            ic.err((*pp, "size"), f"partition {pid}: size 0")
            return None
        spec["size"], nxt = f"{n // MiB}MiB", start + n
    label = p.get("label")
    if label is not None:
        if not isinstance(label, str) or len(label) > 35 or not label.isascii():
            ic.err((*pp, "label"), "a GPT partition label is at most 35 ASCII characters")
        elif label:
            spec["label"] = label
    ptype = p.get("type")
    if ptype is not None and str(ptype) not in PART_TYPES and not _UUID.match(str(ptype)):
        ic.err((*pp, "type"), f"'{ptype}' is not a partition type ({', '.join(sorted(PART_TYPES))} or a UUID)")
    if ptype == "bios-grub" and start != MiB:
        ic.err((*pp, "start"), "a BIOS boot partition must start at 1M")
    return spec, nxt


def _mount(ic: Ic, fs: dict[str, Any], fp: Path_) -> tuple[str, str | None] | None:
    mp = fs.get("mountPoint")
    mpath: Path_ = (*fp, "mountPoint")
    if mp is None:
        return None
    if isinstance(mp, str):
        mp = {"path": mp}
    m = ic.obj(mp, MOUNT_KEYS, mpath)
    if m is None:
        return None
    path = m.get("path")
    if not isinstance(path, str) or not path.startswith("/"):
        ic.err((*mpath, "path"), f"'{path}' is not an absolute mount path")
        return None
    opts = m.get("options")
    if opts is not None and (not isinstance(opts, str) or any(c.isspace() for c in opts)):
        ic.err((*mpath, "options"), "mount options are one word, comma-separated, without spaces")
        opts = None
    id_type = m.get("idType")
    if id_type not in (None, "", "uuid", "part-uuid", "part-label"):
        ic.err((*mpath, "idType"), f"'{id_type}': use uuid, part-uuid or part-label")
    elif id_type in ("part-uuid", "part-label"):
        ic.warn((*mpath, "idType"), f"{id_type}: /etc/fstab names file systems by UUID= in azl-installer")
    return path, opts or None


def map_storage(ic: Ic, data: dict[str, Any], reset_bootloader: bool) -> None:
    sp: Path_ = ("storage",)
    st_in = ic.obj(data.get("storage"), STORAGE_KEYS, sp)
    if st_in is None:
        return
    st = ic.b.section("storage")
    boot = st_in.get("bootType")
    if boot not in (None, "", "efi", "legacy"):
        ic.err((*sp, "bootType"), f"'{boot}': use efi or legacy")
    if st_in.get("verity"):
        ic.err((*sp, "verity"), "dm-verity devices are refused until azl-installer supports them (they need "
                                "hash trees computed over a finished, read-only file system)")
    if st_in.get("reinitializeVerity") not in (None, ""):
        ic.err((*sp, "reinitializeVerity"), "verity is not supported by azl-installer")
    reset = st_in.get("resetPartitionsUuidsType")
    if reset not in (None, "", "reset-all"):
        ic.err((*sp, "resetPartitionsUuidsType"), f"'{reset}': use reset-all")
    disks = ic.get(st_in, "disks", list, sp, []) or []
    if reset and disks:
        ic.err((*sp, "resetPartitionsUuidsType"), "cannot be given with disks (the Image Customizer's rule)")
    if not disks:
        if boot:
            ic.err((*sp, "bootType"), "bootType needs disks (the Image Customizer's rule)")
        if st_in.get("filesystems"):
            ic.err((*sp, "filesystems"), "filesystems need disks (the Image Customizer's rule)")
        ic.warn(sp if "storage" in data else (), "no storage.disks: the Image Customizer keeps the base image's "
                                                 "partitions; azl-installer lays out the target disk the guided way")
        return
    if not boot:
        ic.err((*sp, "bootType"), "bootType (efi or legacy) is needed with disks")
    elif boot:
        st["firmware"] = "uefi" if boot == "efi" else "bios"
        ic.mark(("storage", "firmware"), (*sp, "bootType"))
    if not reset_bootloader:
        ic.err((*sp, "disks"), "disks need os.bootloader.resetType: hard-reset (the Image Customizer's rule)")
    if len(disks) > 1:
        ic.err((*sp, "disks", 1), "one disk only (the Image Customizer does not support more)")
    dp: Path_ = (*sp, "disks", 0)
    disk = ic.obj(disks[0], DISK_KEYS, dp)
    if disk is None:
        return
    table = disk.get("partitionTableType")
    if table != "gpt":
        ic.err((*dp, "partitionTableType"), f"'{table}': the Image Customizer supports gpt only")
    if disk.get("maxSize") is not None and disk_size(ic, disk["maxSize"], (*dp, "maxSize")) is not None:
        ic.warn((*dp, "maxSize"), "the image's size: an image-build setting; the installer uses the whole "
                                  "target disk")
    parts = ic.get(disk, "partitions", list, dp, []) or []
    by_id: dict[str, tuple[int, dict[str, Any], dict[str, Any]]] = {}
    cursor = MiB
    for pi, p_raw in enumerate(parts):
        pp: Path_ = (*dp, "partitions", pi)
        p = ic.obj(p_raw, PART_KEYS, pp)
        if p is None:
            continue
        pid = p.get("id")
        if not isinstance(pid, str) or not pid:
            ic.err(pp, "every partition needs an id")
            continue
        if pid in by_id:
            ic.err((*pp, "id"), f"duplicate partition id '{pid}'")
            continue
        got = _partition(ic, p, pp, cursor, pi == len(parts) - 1)
        if got is None:
            continue
        spec, cursor = got
        by_id[pid] = (pi, p, spec)
    used: set[str] = set()
    for fi, fs_raw in enumerate(ic.get(st_in, "filesystems", list, sp, []) or []):
        fp: Path_ = (*sp, "filesystems", fi)
        fs = ic.obj(fs_raw, FS_KEYS, fp)
        if fs is None:
            continue
        dev = fs.get("deviceId")
        if dev not in by_id:
            ic.err((*fp, "deviceId"), f"no partition with id '{dev}' in storage.disks")
            continue
        if dev in used:
            ic.err((*fp, "deviceId"), f"partition '{dev}' has two filesystems")
            continue
        used.add(dev)
        _, p, spec = by_id[dev]
        ftype = fs.get("type")
        if fs.get("btrfs") is not None:
            ic.err((*fp, "btrfs"), "btrfs subvolumes are not supported by azl-installer")
        if ftype in (None, ""):
            if fs.get("mountPoint") is not None:
                ic.err((*fp, "type"), "a filesystem with a mountPoint needs a type")
            continue
        if ftype not in FS_TYPES:
            ic.err((*fp, "type"), f"'{ftype}': use ext4, xfs, fat32, vfat or btrfs")
            continue
        if ftype == "btrfs" and "btrfs" not in ic.preview:
            ic.err((*fp, "type"), "btrfs needs previewFeatures: [btrfs] (the Image Customizer's rule)")
        if p.get("type") == "bios-grub":
            ic.err((*fp, "type"), "a BIOS boot partition has no filesystem")
            continue
        spec["fs"] = FS_TYPES[ftype]
        got_m = _mount(ic, fs, fp)
        if got_m:
            spec["mount"], opts = got_m
            if opts:
                spec["mount_options"] = opts
        if p.get("type") == "esp" and (spec["fs"] != "vfat" or spec.get("mount") != "/boot/efi"):
            ic.err(fp, f"the ESP ({dev}) must be fat32 or vfat mounted at /boot/efi (the Image Customizer's rule)")
    out: list[dict[str, Any]] = []
    for pid, (pi, p, spec) in by_id.items():
        if p.get("type") == "bios-grub":
            spec["fs"] = "biosboot"
        elif "fs" not in spec:
            spec["fs"] = "none"
            ic.warn((*dp, "partitions", pi), f"partition {pid} has no filesystem: it is left unformatted")
        elif p.get("type") not in (None, "esp"):
            ic.warn((*dp, "partitions", pi, "type"), f"type {p.get('type')}: azl-installer types partitions by "
                                                     "their role (ESP, BIOS boot, Linux file system)")
        if p.get("type") == "esp" and spec["fs"] != "vfat":
            ic.err((*dp, "partitions", pi), f"the ESP ({pid}) needs a fat32 or vfat filesystem")
        elif p.get("type") == "esp" and spec["size"] != "rest" and parse_size(spec["size"]) < parse_size(ESP_MIN):
            ic.warn((*dp, "partitions", pi), f"an ESP of {spec['size']} suits an image, not an installed system: "
                                             f"made {ESP_MIN}")
            spec["size"] = ESP_MIN
        ic.mark(("storage", "partitions", len(out)), (*dp, "partitions", pi))
        out.append(spec)
    if boot == "efi" and not any(p.get("type") == "esp" for _, p, _ in by_id.values()):
        ic.err((*dp, "partitions"), "bootType efi needs a partition of type esp (the Image Customizer's rule)")
    if boot == "legacy" and not any(p.get("type") == "bios-grub" for _, p, _ in by_id.values()):
        ic.err((*dp, "partitions"), "bootType legacy needs a partition of type bios-grub (the Image Customizer's rule)")
    if not any(s.get("mount") == "/" for s in out):
        ic.err((*sp, "filesystems"), "no filesystem is mounted at /")
    st["table"] = "gpt"
    st["partitions"] = out
    ic.mark(("storage",), dp)
