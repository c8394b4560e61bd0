"""Azure image config -> storage: Disks, Partitions, PartitionSettings, BootType and Encryption."""

from __future__ import annotations

from typing import Any

from installer.backend import validate
from installer.backend.answers.azure_common import Path_, _Az, keypath
from installer.backend.answers.azure_keys import DISK, PARTITION, SETTING
from installer.backend.answers.mapping import disk_ref
from installer.backend.config import Guided
from installer.backend.sizes import parse_size

DISK_KEYS = set(DISK)


PART_KEYS = set(PARTITION)


SETTING_KEYS = set(SETTING)

# Partition types the installer sets by itself from the partition's role
ROLE_TYPES = {"esp", "bios-grub", "bios_grub", "linux", "linux-swap", "swap"}


FS_MAP = {"fat32": "vfat", "fat16": "vfat", "vfat": "vfat", "ext4": "ext4", "xfs": "xfs", "linux-swap": "swap",
          "swap": "swap", "btrfs": "btrfs", "ext2": "ext4", "ext3": "ext4", "": None}


BIOS_FLAGS = {"grub", "bios_grub", "bios-grub"}


KNOWN_FLAGS = {"esp", "boot", "dmroot", *BIOS_FLAGS}


ESP_MIN = str(Guided.model_fields["esp_size"].default)  # the planner's minimum for an ESP


def _disks(az: _Az, data: dict[str, Any]) -> tuple[dict[str, tuple[int, dict[str, Any], Path_]], list[Any], str]:
    disks = data.get("Disks") or []
    by_id: dict[str, tuple[int, dict[str, Any], Path_]] = {}
    refs: list[Any] = []
    tables: set[str] = set()
    if not isinstance(disks, list):
        az.err(("Disks",), "must be a list")
        return by_id, refs, "gpt"
    for di, d in enumerate(disks):
        dp: Path_ = ("Disks", di)
        if not az.keys(d, DISK_KEYS, dp):
            continue
        table = az.typed(d, "PartitionTableType", str, dp, "gpt") or "gpt"
        if table not in ("gpt", "mbr"):
            az.err((*dp, "PartitionTableType"), f"'{table}': use gpt or mbr")
        tables.add(table)
        td = d.get("TargetDisk")
        az.mark(("storage", "disks", len(refs)), dp)
        if isinstance(td, dict) and td.get("Value"):
            if td.get("Type", "path") != "path":
                az.err((*dp, "TargetDisk", "Type"), "only Type 'path' is supported")
            refs.append(disk_ref(str(td["Value"])))
        elif di == 0:
            refs.append({"match": {"rule": "largest"}})
        else:
            az.err((*dp, "TargetDisk"), "needed for every disk after the first (Type: path, Value: /dev/...)")
        for key, what in (("Artifacts", "Artifacts (the image files the toolkit writes)"),
                          ("MaxSize", "MaxSize (the image's size; the installer uses the whole target disk)"),
                          ("RawBinaries", "RawBinaries (blobs written into the image file)")):
            if d.get(key):
                az.build_only((*dp, key), what)
        parts = d.get("Partitions") or []
        if not isinstance(parts, list):
            az.err((*dp, "Partitions"), "must be a list")
            continue
        for pi, p in enumerate(parts):
            pp: Path_ = (*dp, "Partitions", pi)
            if not az.keys(p, PART_KEYS, pp):
                continue
            pid = p.get("ID")
            if not isinstance(pid, str) or not pid:
                az.err((*pp, "ID"), "every partition needs an ID")
                continue
            if pid in by_id:
                az.err((*pp, "ID"), f"duplicate partition ID '{pid}' (also {keypath(by_id[pid][2])})")
                continue
            by_id[pid] = (di, p, pp)
            if p.get("Artifacts"):
                az.build_only((*pp, "Artifacts"), "Artifacts (an image file of this partition)")
            ptype = p.get("Type") or p.get("TypeUUID")
            if ptype and str(ptype) not in ROLE_TYPES:
                az.warn((*pp, "Type" if p.get("Type") else "TypeUUID"),
                        f"partition type '{ptype}' is not set: azl-installer types partitions by their role "
                        "(ESP, BIOS boot, Linux file system, swap)")
    if len(tables) > 1:
        az.err(("Disks",), "all disks must use the same PartitionTableType in azl-installer")
    return by_id, refs, (tables.pop() if len(tables) == 1 else "gpt")


def _flags(p: dict[str, Any]) -> list[str]:
    flags = p.get("Flags")
    return [f for f in flags if isinstance(f, str)] if isinstance(flags, list) else []


def _partition(az: _Az, di: int, p: dict[str, Any], pp: Path_, setting: dict[str, Any] | None,
               sp: Path_ | None, table: str, encrypt: bool) -> dict[str, Any] | None:
    start = az.typed(p, "Start", (int, float), pp, 0)
    end = az.typed(p, "End", (int, float), pp, 0)
    flags = _flags(p)
    for f in az.typed(p, "Flags", list, pp, []) or []:
        if not isinstance(f, str) or f not in KNOWN_FLAGS:
            az.err((*pp, "Flags"), f"unknown flag '{f}' (known: {', '.join(sorted(KNOWN_FLAGS))})")
    spec: dict[str, Any] = {"disk": di}
    if end == 0:
        spec["size"] = "rest"
    elif end <= start:
        az.err((*pp, "End"), f"End ({end}) must be after Start ({start}), or 0 for the rest of the disk")
        return None
    else:
        spec["size"] = f"{int(end - start)}MiB"
    fstype = str(p.get("FsType", "") or "")
    if fstype not in FS_MAP:
        az.err((*pp, "FsType"), f"'{fstype}' is not supported (use {', '.join(k for k in FS_MAP if k)})")
        return None
    if fstype in ("ext2", "ext3"):
        az.warn((*pp, "FsType"), f"{fstype} is created as ext4")
    mount = None
    if setting is not None and sp is not None:
        mount = az.typed(setting, "MountPoint", str, sp, "") or None
        opts = az.typed(setting, "MountOptions", str, sp, "")
        if opts:
            spec["mount_options"] = opts
        ident = setting.get("MountIdentifier", "") or ""
        if ident not in ("", "uuid", "partuuid", "partlabel"):
            az.err((*sp, "MountIdentifier"), f"'{ident}': use uuid, partuuid or partlabel")
        if ident == "partlabel" and (table != "gpt" or not p.get("Name")):
            az.err((*sp, "MountIdentifier"), "partlabel needs a GPT disk and a Name on the partition")
        elif ident in ("partuuid", "partlabel"):
            az.warn((*sp, "MountIdentifier"), f"{ident}: /etc/fstab names file systems by UUID= in azl-installer")
    if set(flags) & BIOS_FLAGS:
        spec["fs"] = "biosboot"
        if mount:
            az.err((*sp, "MountPoint") if sp else pp, "a BIOS boot partition cannot be mounted")
    elif "esp" in flags:
        spec["fs"] = "vfat"
        if spec["size"] != "rest" and parse_size(spec["size"], "MiB") < parse_size(ESP_MIN):
            az.warn((*pp, "End"), f"an ESP of {spec['size']} suits an image, not an installed system: "
                                  f"made {ESP_MIN}")
            spec["size"] = ESP_MIN
    else:
        spec["fs"] = FS_MAP[fstype] or "none"
    if mount:
        if spec["fs"] in ("none", "swap"):
            az.err((*sp, "MountPoint") if sp else pp, "this partition has no filesystem to mount (FsType)")
        spec["mount"] = mount
    if p.get("Name"):
        spec["label"] = str(p["Name"])
    if encrypt:
        spec["encrypt"] = True
    return spec


def _storage(az: _Az, data: dict[str, Any], idx: int, sc: dict[str, Any]) -> None:
    b = az.b
    scp: Path_ = ("SystemConfigs", idx)
    by_id, refs, table = _disks(az, data)
    st = b.section("storage")
    boot = sc.get("BootType", "") or ""
    if boot not in ("", "efi", "legacy", "none"):
        az.err((*scp, "BootType"), f"'{boot}': use efi, legacy or none")
    if boot in ("efi", "legacy"):
        st["firmware"] = "uefi" if boot == "efi" else "bios"
        az.mark(("storage", "firmware"), (*scp, "BootType"))
    if boot == "none":
        b.section("bootloader")["location"] = "none"
    settings = az.typed(sc, "PartitionSettings", list, scp, []) or []
    set_of: dict[str, tuple[dict[str, Any], Path_]] = {}
    for si, s in enumerate(settings):
        sp: Path_ = (*scp, "PartitionSettings", si)
        if not az.keys(s, SETTING_KEYS, sp):
            continue
        sid = s.get("ID")
        if not isinstance(sid, str) or sid not in by_id:
            az.err((*sp, "ID"), f"no partition with ID '{sid}' in Disks")
            continue
        if sid in set_of:
            az.err((*sp, "ID"), f"partition '{sid}' has two PartitionSettings")
            continue
        set_of[sid] = (s, sp)
        for key in ("OverlayBaseImage", "RdiffBaseImage"):
            if s.get(key):
                az.build_only((*sp, key), f"{key} (a diff-disk build's base image)")
        if s.get("RemoveDocs"):
            b.section("packages")["excludedocs"] = True
    enc_cfg = sc.get("Encryption")
    ep: Path_ = (*scp, "Encryption")
    enabled = False
    if enc_cfg is not None and az.keys(enc_cfg, {"Enable", "Password"}, ep):
        enabled = az.typed(enc_cfg, "Enable", bool, ep, False) is True
    dmroot = [pid for pid, (_, p, _) in by_id.items() if "dmroot" in _flags(p)]
    if enabled:
        root_ok = any(set_of.get(pid, ({}, ()))[0].get("MountPoint") == "/" for pid in dmroot)
        if not root_ok:
            az.err(ep, "encryption needs the root partition (MountPoint /) to carry the 'dmroot' flag")
        password = enc_cfg.get("Password") if isinstance(enc_cfg, dict) else None
        if not isinstance(password, str) or not password:
            az.err(ep, "Encryption.Password is needed: an unattended install cannot ask for one")
        else:
            b.secret_values.add(password)
            r = validate.passphrase(password)
            if not r.ok:
                az.err((*ep, "Password"), r.message)
            st["encryption"] = {"enabled": True, "passphrase": password}
            az.mark(("storage", "encryption"), ep)
    elif dmroot:
        az.warn(("Disks",), "the 'dmroot' flag does nothing without SystemConfigs Encryption.Enable")
    if not by_id:
        if settings:
            az.err((*scp, "PartitionSettings"), "there are no Disks to apply PartitionSettings to")
        return
    parts: list[dict[str, Any]] = []
    for pid, (di, p, pp) in by_id.items():
        found = set_of.get(pid)
        setting, spath = (found[0], found[1]) if found else (None, None)
        spec = _partition(az, di, p, pp, setting, spath, table, enabled and pid in dmroot)
        if spec is not None:
            az.mark(("storage", "partitions", len(parts)), spath or pp)
            if spath is not None:
                for key, field in (("MountPoint", "mount"), ("MountOptions", "mount_options")):
                    if isinstance(setting, dict) and key in setting:
                        az.mark(("storage", "partitions", len(parts), field), (*spath, key))
            parts.append(spec)
    if not any(p.get("mount") == "/" for p in parts):
        az.err((*scp, "PartitionSettings"), "no partition is mounted at / (add a PartitionSettings entry)")
    st["disks"] = refs
    st["table"] = table
    st["partitions"] = parts
    az.mark(("storage",), ("Disks",))
