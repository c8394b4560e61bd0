"""The Machine model: a read-only picture of the hardware the installer runs on.

The real probe (lsblk + pyparted) produces it; recorded machines load it from JSON so that the
planner, the CLI and both UIs run in dry-run against hardware that is not here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from installer.backend.errors import InvalidInput, Issue
from installer.backend.sizes import format_size


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Filesystem(_M):
    type: str | None = Field(None, description="ext4, xfs, vfat, swap, crypto_LUKS, LVM2_member...")
    label: str | None = None
    uuid: str | None = None
    mountpoints: list[str] = Field(default_factory=list)
    swap_active: bool = False


class Partition(_M):
    path: str
    number: int
    start: int = Field(description="Byte offset on the disk.")
    size: int = Field(description="Bytes.")
    type_name: str | None = Field(None, description="Partition type, e.g. 'EFI System'.")
    name: str | None = None
    fs: Filesystem = Field(default_factory=Filesystem)
    holders: list[str] = Field(default_factory=list, description="dm/LVM/LUKS devices on top.")
    holder_mountpoints: list[str] = Field(default_factory=list)


class Stack(_M):
    """A device stack found on the disks by a richer probe (blivet): an LVM volume group, an MD
    array, a btrfs volume or a LUKS volume, and every disk it spans."""

    kind: Literal["lvm", "md", "btrfs", "luks"]
    name: str
    disks: list[str]
    description: str
    active: bool = False


class Disk(_M):
    path: str
    by_id: list[str] = Field(default_factory=list)
    size: int
    logical_sector_size: int = 512
    physical_sector_size: int = 512
    model: str | None = None
    serial: str | None = None
    transport: str | None = None
    rotational: bool = False
    removable: bool = False
    read_only: bool = False
    table: Literal["gpt", "msdos", "none", "unknown"] = "none"
    partitions: list[Partition] = Field(default_factory=list)
    fs: Filesystem = Field(default_factory=Filesystem, description="A filesystem on the bare disk.")
    holders: list[str] = Field(default_factory=list)
    holds_running_root: bool = False
    is_installer_medium: bool = False
    notes: list[str] = Field(default_factory=list, description="Stacks found by a richer probe.")
    stacks: list[Stack] = Field(default_factory=list, description="Stacks on this disk (richer probe).")

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    def all_mountpoints(self) -> list[str]:
        out = list(self.fs.mountpoints)
        for p in self.partitions:
            out += p.fs.mountpoints + p.holder_mountpoints
        return out

    def active_swap(self) -> bool:
        return self.fs.swap_active or any(p.fs.swap_active for p in self.partitions)

    def active_holders(self) -> list[str]:
        return list(self.holders) + [h for p in self.partitions for h in p.holders]

    def contents(self) -> str:
        """One line describing what is on the disk now, for the erase summary."""
        if not self.partitions:
            if self.fs.type:
                return f"a {self.fs.type} filesystem" + (f" '{self.fs.label}'" if self.fs.label else "")
            return "no partitions (empty or unknown data)"
        parts = []
        for p in self.partitions:
            desc = p.fs.type or p.type_name or "unknown"
            if p.fs.label:
                desc += f" '{p.fs.label}'"
            if p.fs.mountpoints:
                desc += f" mounted at {', '.join(p.fs.mountpoints)}"
            parts.append(f"{p.path.rsplit('/', 1)[-1]} {format_size(p.size)} {desc}")
        table = {"gpt": "GPT", "msdos": "MBR"}.get(self.table, self.table)
        return f"{table}, {len(self.partitions)} partition(s): " + "; ".join(parts)

    def describe(self) -> str:
        bits = [self.path, format_size(self.size)]
        if self.model:
            bits.append(self.model)
        if self.transport:
            bits.append(self.transport)
        return " ".join(bits)


class Machine(_M):
    firmware: Literal["uefi", "bios"] = "uefi"
    arch: Literal["x86_64", "aarch64"] = "x86_64"
    memory: int = Field(2 * 1024**3, description="Bytes of RAM.")
    virtualization: str = Field("none", description="systemd-detect-virt's answer.")
    efivars: bool = Field(False, description="EFI variables are writable (NVRAM entries).")
    disks: list[Disk] = Field(default_factory=list)

    def disk(self, path: str) -> Disk | None:
        for d in self.disks:
            if d.path == path:
                return d
        return None


def load_machine(path: str | Path) -> Machine:
    p = Path(path)
    try:
        data = json.loads(p.read_text())
    except OSError as exc:
        raise InvalidInput([Issue("", f"cannot read machine file: {exc.strerror}", source=str(p))]) from None
    except json.JSONDecodeError as exc:
        raise InvalidInput([Issue("", f"invalid JSON: {exc.msg}", exc.lineno, exc.colno, str(p))]) from None
    try:
        return Machine.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(
            [Issue(".".join(str(x) for x in e["loc"]), e["msg"], source=str(p)) for e in exc.errors()]
        ) from None
