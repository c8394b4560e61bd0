"""What a layout asks for, before sizes are placed on disks: partitions, volume groups, LVs.

Guided and manual layouts both produce these; :mod:`allocate` places them and turns them into
a :class:`~installer.backend.storage.actions.StoragePlan`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from installer.backend.machine import Partition
from installer.backend.sizes import SizeSpec


@dataclass
class PartReq:
    role: str  # esp, bios_grub, boot, root, swap, home, pv, data
    size: SizeSpec
    fs: str  # ext4, xfs, btrfs, vfat, swap, biosboot, none
    where: str  # config field path, for errors
    mount: str | None = None
    label: str | None = None
    encrypt: bool = False
    vg: str | None = None
    disk: int = 0
    options: str | None = None
    min_bytes: int = 0
    max_bytes: int | None = None
    name: str | None = None  # GPT partition name
    grow: bool = False  # grow from size (kickstart --grow), sharing the free space with the other growers
    existing: Partition | None = None  # an existing partition used as it is (storage.existing)
    keep: bool = False  # with existing: keep its filesystem (no mkfs)
    mkfs_options: str | None = None


@dataclass
class LvReq:
    vg: str
    name: str
    role: str
    size: SizeSpec
    fs: str
    where: str
    mount: str | None = None
    label: str | None = None
    min_bytes: int = 0
    max_bytes: int | None = None  # cap for a growing volume (extent multiple)
    grow: bool = False


@dataclass
class Layout:
    parts: list[PartReq] = field(default_factory=list)
    vgs: list[str] = field(default_factory=list)
    lvs: list[LvReq] = field(default_factory=list)
