"""Existing storage kept: what stays on each target disk, what goes, and where new partitions fit.

A disk with ``clear: all`` (the default), or one with no partition table yet, gets a new table:
everything on it is erased. Otherwise its table stays: ``clear: linux`` removes the partitions
that hold Linux data (as Anaconda's ``clearpart --linux``: Linux filesystems, swap, LVM PVs, RAID
members, LUKS), ``storage.remove`` names further partitions to delete (``clearpart --list``), and
every other partition is kept byte for byte. New partitions go into the free regions between the
kept ones and take the lowest free partition numbers (as parted numbers them). The partitions a
layout uses as they are (``storage.existing``: kickstart ``--onpart``, ``mount``) are resolved here
against the machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from installer.backend.config_storage import ExistingDevice, Storage
from installer.backend.errors import InvalidInput, Issue
from installer.backend.machine import Disk, Partition
from installer.backend.sizes import MiB
from installer.backend.storage.naming import align_down, align_up, usable_range

# what clearpart --linux removes (blivet: formats that are "linux native", and Linux partition types)
LINUX_FS = {"ext2", "ext3", "ext4", "xfs", "btrfs", "swap", "LVM2_member", "linux_raid_member", "crypto_LUKS",
            "jfs", "reiserfs", "f2fs"}
GPT_MAX = 128
MBR_PRIMARY = 4


@dataclass
class DiskState:
    disk: Disk
    index: int
    fresh: bool  # a new partition table: everything on the disk goes
    table: str  # gpt or msdos
    kept: list[Partition] = field(default_factory=list)
    removed: list[Partition] = field(default_factory=list)
    regions: list[tuple[int, int]] = field(default_factory=list)  # free [start, end), 1 MiB aligned
    free_numbers: list[int] = field(default_factory=list)  # the numbers new partitions get, in order


def is_linux(p: Partition) -> bool:
    if p.fs.type in LINUX_FS:
        return True
    return p.fs.type is None and (p.type_name or "").lower().startswith("linux")


def _regions(disk: Disk, table: str, kept: list[Partition]) -> list[tuple[int, int]]:
    start, end = usable_range(disk.size, table, disk.logical_sector_size)
    out: list[tuple[int, int]] = []
    pos = start
    for p in sorted(kept, key=lambda p: p.start):
        if p.start > pos:
            out.append((pos, p.start))
        pos = max(pos, p.start + p.size)
    if end > pos:
        out.append((pos, end))
    aligned = [(align_up(a), align_down(b)) for a, b in out]
    return [(a, b) for a, b in aligned if b - a >= MiB]


def _numbers(table: str, kept: list[Partition]) -> list[int]:
    used = {p.number for p in kept}
    top = GPT_MAX if table == "gpt" else MBR_PRIMARY
    return [n for n in range(1, top + 1) if n not in used]


def disk_states(storage: Storage, disks: list[Disk]) -> list[DiskState]:
    """Per target disk: fresh or kept table, kept and removed partitions, free regions."""
    issues: list[Issue] = []
    by_path = {p.path: (i, p) for i, d in enumerate(disks) for p in d.partitions}
    removed_paths: set[str] = set()
    for j, path in enumerate(storage.remove):
        if path not in by_path:
            known = ", ".join(sorted(by_path)) or "none"
            issues.append(Issue(f"storage.remove.{j}",
                                f"no partition {path} on the target disks (partitions: {known})"))
        removed_paths.add(path)
    states: list[DiskState] = []
    for i, d in enumerate(disks):
        clear = storage.disks[min(i, len(storage.disks) - 1)].clear
        no_table = d.table == "none" or not d.partitions
        if clear == "all" or no_table:
            states.append(DiskState(d, i, True, "gpt" if storage.table == "gpt" else "msdos",
                                    removed=list(d.partitions)))
            continue
        if d.table not in ("gpt", "msdos"):
            issues.append(Issue(f"storage.disks.{i}.clear", f"{d.path} has a partition table azl-installer cannot "
                                "read ({d.table}); it can only be erased (clear: all)"))
            continue
        gone = [p for p in d.partitions if p.path in removed_paths or (clear == "linux" and is_linux(p))]
        kept = [p for p in d.partitions if p not in gone]
        table = d.table
        if storage.table != ("gpt" if table == "gpt" else "mbr") and "table" in storage.model_fields_set:
            issues.append(Issue("storage.table", f"{d.path} keeps its {table.upper()} partition table: a new "
                                f"{storage.table.upper()} table needs the disk cleared (clear: all)"))
        if not kept:  # everything removed: a new table, as the old one holds nothing
            states.append(DiskState(d, i, True, table, removed=gone))
            continue
        states.append(DiskState(d, i, False, table, kept, gone, _regions(d, table, kept), _numbers(table, kept)))
    if issues:
        raise InvalidInput(issues)
    for st in states:
        if st.fresh:
            start, end = usable_range(st.disk.size, st.table, st.disk.logical_sector_size)
            st.regions = [(start, end)] if end - start >= MiB else []
            st.free_numbers = list(range(1, (GPT_MAX if st.table == "gpt" else MBR_PRIMARY) + 1))
    return states


def _matches(spec: str, p: Partition) -> bool:
    key, eq, value = spec.partition("=")
    if eq and key in ("LABEL", "UUID", "PARTLABEL", "PARTUUID"):
        return {"LABEL": p.fs.label, "UUID": p.fs.uuid, "PARTLABEL": p.name, "PARTUUID": None}[key] == value
    name = spec if spec.startswith("/dev/") else f"/dev/{spec}"
    return p.path == name


@dataclass
class Used:
    """An existing partition the layout uses."""

    spec: ExistingDevice
    index: int  # in storage.existing
    disk: int  # index of its disk
    part: Partition

    @property
    def where(self) -> str:
        return f"storage.existing.{self.index}"


def resolve_existing(storage: Storage, states: list[DiskState]) -> list[Used]:
    issues: list[Issue] = []
    out: list[Used] = []
    seen: dict[str, str] = {}
    for j, e in enumerate(storage.existing):
        w = f"storage.existing.{j}"
        hits = [(st, p) for st in states for p in st.disk.partitions if _matches(e.device, p)]
        if not hits:
            names = ", ".join(p.path for st in states for p in st.disk.partitions) or "none"
            issues.append(Issue(f"{w}.device", f"no partition {e.device} on the target disks (partitions: {names})"))
            continue
        if len(hits) > 1:
            issues.append(Issue(f"{w}.device", f"{e.device} names {len(hits)} partitions "
                                f"({', '.join(p.path for _, p in hits)}); name one by its path"))
            continue
        st, p = hits[0]
        if st.fresh:
            issues.append(Issue(f"{w}.device", f"{p.path} is on {st.disk.path}, whose partitions are all erased "
                                "(clear: all): keep the disk's table (clear: none) to use it"))
            continue
        if p in st.removed:
            issues.append(Issue(f"{w}.device", f"{p.path} is also to be removed (storage.remove / clear: linux)"))
            continue
        if p.path in seen:
            issues.append(Issue(f"{w}.device", f"{p.path} is already used by {seen[p.path]}"))
            continue
        seen[p.path] = w
        if not e.format and not p.fs.type:
            issues.append(Issue(f"{w}.format", f"{p.path} holds no filesystem to keep: give it a new one (format)"))
            continue
        if not e.format and e.mount and p.fs.type in ("swap", "LVM2_member", "linux_raid_member", "crypto_LUKS"):
            issues.append(Issue(f"{w}.mount", f"{p.path} holds {p.fs.type}, which cannot be mounted at {e.mount}"))
            continue
        out.append(Used(e, j, st.index, p))
    if issues:
        raise InvalidInput(issues)
    return out
