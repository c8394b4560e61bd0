"""What the storage step tells later steps (bootloader, system) about the target's layout.

The storage planner puts a planned TargetLayout in ``PlanInfo.shared["layout"]`` (UUIDs unknown
yet), and the storage step's run puts the realised one, with UUIDs read back from the devices,
in ``ctx.state["layout"]``. Directory installs have no layout (the key is absent).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# Where an EFI system partition may be mounted: /boot/efi (GRUB's default) or /efi (systemd's
# and Azure Linux's CVM images')
ESP_MOUNTS = ("/boot/efi", "/efi")


@dataclass
class LuksVolume:
    name: str  # the dm name, e.g. luks-<uuid> or cryptroot
    device: str  # the partition holding the LUKS header
    uuid: str | None = None  # LUKS UUID (for crypttab and rd.luks.uuid)
    version: Literal["luks1", "luks2"] = "luks2"


@dataclass
class TargetLayout:
    firmware: Literal["uefi", "bios"]
    table: Literal["gpt", "mbr"]
    disks: list[str]  # whole disks the install uses, first is the boot disk
    root_device: str  # the block device holding / (partition, /dev/mapper/x or /dev/vg/lv)
    root_fs: str
    root_uuid: str | None = None  # filesystem UUID of /
    boot_device: str | None = None  # separate /boot, if any
    boot_uuid: str | None = None
    esp_device: str | None = None  # UEFI only
    esp_mount: str = "/boot/efi"  # one of ESP_MOUNTS
    bios_grub_device: str | None = None  # GPT+BIOS core.img partition
    luks: list[LuksVolume] = field(default_factory=list)
    lvm_lvs: list[str] = field(default_factory=list)  # "vg/lv" for rd.lvm.lv=, root first
    swap_devices: list[str] = field(default_factory=list)
    fstab: str = ""  # full text of /etc/fstab
    crypttab: str = ""  # full text of /etc/crypttab ('' when nothing is encrypted)

    @property
    def encrypted(self) -> bool:
        return bool(self.luks)

    def kernel_args(self) -> list[str]:
        """root=, rd.luks.uuid=, rd.lvm.lv= as dracut reads them."""
        args = [f"root=UUID={self.root_uuid}" if self.root_uuid else f"root={self.root_device}"]
        args += [f"rd.luks.uuid={v.uuid}" for v in self.luks if v.uuid]
        args += [f"rd.lvm.lv={lv}" for lv in self.lvm_lvs]
        return args
