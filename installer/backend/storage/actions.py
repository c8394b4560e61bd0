"""The engine-neutral storage plan: a device tree and the ordered actions that build it.

This is the contract between the planner and any engine (the pyparted+CLI reference engine
today, a blivet engine later). Concepts follow blivet: devices with parents, actions that each
name the devices they create, and one ``apply`` (blivet's ``do_it``) that runs them in order.
Nothing here holds a secret: LUKS actions name their settings, the engine takes the passphrase
from the config at apply time.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from installer.backend.sizes import format_size
from installer.backend.storage.layout_info import TargetLayout

Role = Literal["esp", "bios_grub", "boot", "root", "swap", "home", "pv", "data"]


@dataclass(frozen=True)
class LuksSettings:
    version: Literal["luks1", "luks2"] = "luks2"
    cipher: str = "aes-xts-plain64"
    key_size: int = 512
    pbkdf: str = "argon2id"
    memory_kib: int | None = None
    iterations: int | None = None
    time_ms: int | None = None
    parallel: int | None = None

    def header_bytes(self) -> int:
        return 16 * 1024**2 if self.version == "luks2" else 2 * 1024**2


@dataclass(frozen=True)
class Action:
    """One unit of work. ``creates`` names the block devices (or VG) the action makes."""

    @property
    def kind(self) -> str:
        return type(self).__name__

    @property
    def creates(self) -> list[str]:
        return []

    @property
    def devices(self) -> list[str]:
        """Existing devices the action writes to or reads."""
        return []

    def describe(self) -> str:
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "describe": self.describe(), "creates": self.creates, **asdict(self)}


@dataclass(frozen=True)
class Deactivate(Action):
    """Release an in-use disk the user asked to wipe (storage.wipe_in_use)."""

    disk: str
    mountpoints: list[str] = field(default_factory=list)
    swaps: list[str] = field(default_factory=list)
    holders: list[str] = field(default_factory=list)

    @property
    def devices(self) -> list[str]:
        return [self.disk]

    def describe(self) -> str:
        what = [f"unmount {m}" for m in self.mountpoints] + [f"swapoff {s}" for s in self.swaps]
        what += [f"close {h}" for h in self.holders]
        return f"release {self.disk}: " + ", ".join(what)


@dataclass(frozen=True)
class Wipe(Action):
    disk: str
    partitions: list[str] = field(default_factory=list)  # existing partitions: their signatures first

    @property
    def devices(self) -> list[str]:
        return [*self.partitions, self.disk]

    def describe(self) -> str:
        return f"erase signatures on {self.disk}" + (f" and {len(self.partitions)} partition(s)"
                                                     if self.partitions else "")


@dataclass(frozen=True)
class CreateTable(Action):
    disk: str
    table: Literal["gpt", "msdos"]

    @property
    def devices(self) -> list[str]:
        return [self.disk]

    def describe(self) -> str:
        return f"create a {'GPT' if self.table == 'gpt' else 'MBR'} partition table on {self.disk}"


@dataclass(frozen=True)
class EditTable(Action):
    """Keep a disk's partition table: delete ``remove`` (their signatures first), then the
    CreatePartition actions of this disk add the new partitions into free space. Every other
    partition on the disk is left exactly as it is."""

    disk: str
    table: Literal["gpt", "msdos"]
    remove: list[int] = field(default_factory=list)  # partition numbers
    remove_paths: list[str] = field(default_factory=list)
    keep: list[str] = field(default_factory=list)  # the partitions that stay (for the summary and checks)

    @property
    def devices(self) -> list[str]:
        return [self.disk, *self.remove_paths]

    def describe(self) -> str:
        what = [f"remove {', '.join(self.remove_paths)}"] if self.remove_paths else []
        what.append(f"keep {', '.join(self.keep)}" if self.keep else "keep no partition")
        return f"edit the {'GPT' if self.table == 'gpt' else 'MBR'} partition table of {self.disk}: " + "; ".join(what)


@dataclass(frozen=True)
class CreatePartition(Action):
    disk: str
    number: int
    path: str
    start: int  # bytes, 1 MiB aligned
    size: int  # bytes, 1 MiB multiple
    role: str
    fs_hint: str  # sets the partition type: ext4, xfs, vfat, swap, lvm, luks, biosboot
    flags: list[str] = field(default_factory=list)  # esp, boot, bios_grub, lvm, swap
    name: str | None = None  # GPT partition name

    @property
    def end(self) -> int:
        return self.start + self.size

    @property
    def creates(self) -> list[str]:
        return [self.path]

    @property
    def devices(self) -> list[str]:
        return [self.disk]

    def describe(self) -> str:
        flags = f" [{','.join(self.flags)}]" if self.flags else ""
        return f"create partition {self.path} ({self.role}, {format_size(self.size)}){flags}"


@dataclass(frozen=True)
class LuksFormat(Action):
    device: str
    name: str
    settings: LuksSettings

    @property
    def devices(self) -> list[str]:
        return [self.device]

    def describe(self) -> str:
        s = self.settings
        return f"encrypt {self.device} ({s.version.upper()}, {s.cipher}, {s.pbkdf})"


@dataclass(frozen=True)
class LuksOpen(Action):
    device: str
    name: str

    @property
    def path(self) -> str:
        return f"/dev/mapper/{self.name}"

    @property
    def creates(self) -> list[str]:
        return [self.path]

    @property
    def devices(self) -> list[str]:
        return [self.device]

    def describe(self) -> str:
        return f"open {self.device} as {self.path}"


@dataclass(frozen=True)
class PvCreate(Action):
    device: str

    @property
    def devices(self) -> list[str]:
        return [self.device]

    def describe(self) -> str:
        return f"make {self.device} an LVM physical volume"


@dataclass(frozen=True)
class VgCreate(Action):
    name: str
    pvs: list[str]

    @property
    def creates(self) -> list[str]:
        return [f"/dev/{self.name}"]

    @property
    def devices(self) -> list[str]:
        return list(self.pvs)

    def describe(self) -> str:
        return f"create volume group {self.name} on {', '.join(self.pvs)}"


@dataclass(frozen=True)
class LvCreate(Action):
    vg: str
    name: str
    size: int | None  # bytes (extent multiple); None takes all the free space left
    role: str

    @property
    def path(self) -> str:
        return f"/dev/{self.vg}/{self.name}"

    @property
    def creates(self) -> list[str]:
        return [self.path]

    @property
    def devices(self) -> list[str]:
        return [f"/dev/{self.vg}"]

    def describe(self) -> str:
        size = "the rest" if self.size is None else format_size(self.size)
        return f"create logical volume {self.vg}/{self.name} ({self.role}, {size})"


@dataclass(frozen=True)
class Mkfs(Action):
    device: str
    fstype: str  # ext4, xfs, btrfs, vfat, swap
    label: str | None = None
    mountpoint: str | None = None  # for the summary and fstab
    options: list[str] = field(default_factory=list)  # extra mkfs arguments (kickstart --mkfsoptions)

    @property
    def devices(self) -> list[str]:
        return [self.device]

    def describe(self) -> str:
        what = "swap space" if self.fstype == "swap" else f"an {self.fstype} filesystem" if self.fstype[0] in "aeix" \
            else f"a {self.fstype} filesystem"
        return f"make {what} on {self.device}" + (f" for {self.mountpoint}" if self.mountpoint else "")


@dataclass(frozen=True)
class Mount(Action):
    device: str
    mountpoint: str  # inside the target, e.g. /boot/efi
    fstype: str
    options: str = "defaults"

    @property
    def devices(self) -> list[str]:
        return [self.device]

    def describe(self) -> str:
        return f"mount {self.device} at {self.mountpoint}"


@dataclass(frozen=True)
class Volume:
    """One filesystem or swap the installed system uses: the source of fstab."""

    device: str
    fstype: str
    mountpoint: str | None  # None for swap
    options: str = "defaults"
    luks_name: str | None = None  # the dm name when it sits on (or inside) LUKS


@dataclass
class StoragePlan:
    firmware: Literal["uefi", "bios"]
    table: Literal["gpt", "mbr"]
    disks: list[str]
    actions: list[Action]
    volumes: list[Volume]
    layout: TargetLayout  # planned: UUIDs unknown
    summary: list[str] = field(default_factory=list)

    @property
    def kept_tables(self) -> list[str]:
        """Disks whose partition table stays (some partitions kept); the others are erased whole."""
        return [a.disk for a in self.actions if isinstance(a, EditTable)]

    def partitions(self, disk: str | None = None) -> list[CreatePartition]:
        return [a for a in self.actions if isinstance(a, CreatePartition) and (disk is None or a.disk == disk)]

    def luks_formats(self) -> list[LuksFormat]:
        return [a for a in self.actions if isinstance(a, LuksFormat)]

    def mounts(self) -> list[Mount]:
        return [a for a in self.actions if isinstance(a, Mount)]

    def device_tree(self) -> dict[str, list[str]]:
        """Every device the plan creates -> the devices it is made on (blivet's device tree:
        disks are the roots; partitions, LUKS mappings, VGs and LVs stack on them)."""
        tree: dict[str, list[str]] = {d: [] for d in self.disks}
        for a in self.actions:
            for dev in a.creates:
                tree[dev] = list(a.devices)
        return tree

    def to_dict(self) -> dict[str, Any]:
        return {
            "firmware": self.firmware,
            "table": self.table,
            "disks": self.disks,
            "actions": [a.to_dict() for a in self.actions],
        }
