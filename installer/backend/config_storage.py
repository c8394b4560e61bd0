"""InstallConfig's storage section: disks, encryption, guided and manual layouts, LVM."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator

from installer.backend.config_base import _check_size, _check_size_spec, _Model, _register_secret
from installer.backend.config_fields import (
    ByIdName,
    Cipher,
    CommandOptions,
    DeviceSpec,
    DevPath,
    Label,
    MountOptions,
    MountPoint,
)


class DiskMatch(_Model):
    """Pick a disk by a rule rather than a path: useful when device names are not stable."""

    rule: Literal["largest", "smallest", "first", "all"] = Field(
        "largest", description="Which of the disks that pass the filters to take; all: every one of them "
        "(kickstart's default: every disk that is not ignored), in the machine's order."
    )
    exclude: list[str] = Field(default_factory=list, description="Disks never to take (paths or by-id names; "
                               "kickstart ignoredisk --drives).")
    ssd: bool | None = Field(None, description="Only non-rotational (true) or rotational (false).")
    min_size: str | None = Field(None, description="Smallest acceptable size, e.g. 16GiB.")
    max_size: str | None = Field(None, description="Largest acceptable size, e.g. 2TiB.")
    model: str | None = Field(None, description="Glob on the disk model, e.g. 'Virtual*'.")
    serial: str | None = Field(None, description="Glob on the disk serial.")
    transport: str | None = Field(None, description="nvme, sata, virtio, usb, ...")

    _sizes = field_validator("min_size", "max_size", mode="before")(
        lambda v: None if v is None else _check_size(v)
    )


class DiskRef(_Model):
    """A target disk: exactly one of path, by_id or match."""

    path: DevPath | None = Field(None, description="Device path, e.g. /dev/vda.")
    by_id: ByIdName | None = Field(None, description="Name under /dev/disk/by-id/ (or the full link).")
    match: DiskMatch | None = None
    clear: Literal["all", "linux", "none"] = Field(
        "all", description="What goes first: all (a new partition table), linux (its Linux partitions), none "
        "(every partition stays; new ones go into free space). kickstart clearpart --all/--linux/--none.")

    @model_validator(mode="after")
    def _exactly_one(self) -> DiskRef:
        given = [k for k in ("path", "by_id", "match") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of path, by_id or match for each disk")
        if self.path is not None and not self.path.startswith("/dev/"):
            raise ValueError(f"disk path '{self.path}' must start with /dev/")
        return self


class Encryption(_Model):
    enabled: bool = False
    passphrase: SecretStr | None = Field(None, description="LUKS passphrase (never written back).")
    luks_version: Literal["luks2", "luks1"] = "luks2"
    pbkdf: Literal["argon2id", "argon2i", "pbkdf2"] | None = Field(
        None, description="Default: argon2id for LUKS2, pbkdf2 for LUKS1 (GRUB can read it)."
    )
    pbkdf_memory_kib: int | None = Field(
        None, ge=32, le=4194304, description="argon2 memory cost; default 262144 (256 MiB)."
    )
    pbkdf_iterations: int | None = Field(None, ge=1000, le=4294967295)
    pbkdf_time_ms: int | None = Field(None, ge=1, le=60000)
    cipher: Cipher = "aes-xts-plain64"
    key_size: int = Field(512, ge=128, le=1024, multiple_of=8, description="Key size in bits.")

    _reg = field_validator("passphrase")(_register_secret)

    @model_validator(mode="after")
    def _coherent(self) -> Encryption:
        if self.luks_version == "luks1" and self.pbkdf not in (None, "pbkdf2"):
            raise ValueError("LUKS1 supports only the pbkdf2 key derivation function")
        if self.pbkdf == "pbkdf2" and self.pbkdf_memory_kib is not None:
            raise ValueError("pbkdf_memory_kib applies to argon2 only, not pbkdf2")
        return self

    @property
    def effective_pbkdf(self) -> str:
        if self.pbkdf:
            return self.pbkdf
        return "argon2id" if self.luks_version == "luks2" else "pbkdf2"


FsType = Literal["ext4", "ext3", "ext2", "xfs", "btrfs", "vfat", "swap", "biosboot", "none"]


class Guided(_Model):
    """Erase the whole disk and lay it out the recommended way."""

    root_fs: Literal["ext4", "xfs"] = "ext4"
    swap: str = Field("0", description="Swap size (0 for none), e.g. 2GiB; auto: from the machine's RAM as "
                      "Anaconda suggests it (2x RAM below 2 GiB, RAM up to 8 GiB, half of it up to 64 GiB, else "
                      "32 GiB; at most 10% of the free space); hibernate: RAM plus that suggestion.")
    lvm: bool = Field(False, description="Put root (and swap, home) on LVM.")
    separate_home: bool = False
    home_size: str | None = Field(None, description="Size of /home; default: half of the space.")
    esp_size: str = "512MiB"
    boot_size: str = "1GiB"
    boot: bool | None = Field(None, description="A separate /boot: true, false, or null: when root is "
                              "encrypted or on LVM (kickstart autopart: true unless --noboot).")
    root_max: str | None = Field(None, description="The largest root may grow to (Anaconda's 70 GiB); the rest "
                                 "of the space stays free unless /home takes it.")
    home_if_free: str | None = Field(None, description="Make a separate /home, taking the rest of the space, "
                                     "when at least this much is free (Anaconda: 50 GiB).")
    all_disks: bool = Field(False, description="Use every target disk: an LVM layout puts a physical volume on "
                            "each (kickstart autopart on every disk that is not ignored).")

    _sizes = field_validator("esp_size", "boot_size", mode="before")(_check_size)
    _swap = field_validator("swap", mode="before")(
        lambda v: v if isinstance(v, str) and v.strip().lower() in ("auto", "hibernate") else _check_size(v))
    _caps = field_validator("root_max", "home_if_free", mode="before")(
        lambda v: None if v is None else _check_size(v))
    _home = field_validator("home_size", mode="before")(
        lambda v: None if v is None else _check_size_spec(v)
    )


class PartitionSpec(_Model):
    """One partition of a manual layout."""

    mount: MountPoint | None = Field(None, description="Mount point; none for swap, biosboot or a PV.")
    size: str = Field(description="Size: 512MiB, 20GiB, 30% or rest.")
    grow: bool = Field(False, description="Grow from size into the free space, shared with the other growing "
                       "partitions of the disk in proportion to their sizes (kickstart --grow).")
    max_size: str | None = Field(None, description="Cap for a growing ('rest' or grow) partition.")
    fs: FsType = "ext4"
    label: Label | None = None
    encrypt: bool = False
    vg: str | None = Field(None, description="Make this partition an LVM PV of this volume group.")
    disk: int = Field(0, ge=0, description="Index into storage.disks.")
    mount_options: MountOptions | None = None

    _size = field_validator("size", mode="before")(_check_size_spec)
    _max = field_validator("max_size", mode="before")(lambda v: None if v is None else _check_size(v))

    @field_validator("mount")
    @classmethod
    def _mount_abs(cls, v: str | None) -> str | None:
        if v is not None and not v.startswith("/"):
            raise ValueError(f"mount point '{v}' must be an absolute path")
        return v


class LogicalVolume(_Model):
    name: str = Field(pattern=r"^[A-Za-z0-9+_.][A-Za-z0-9+_.-]{0,126}$")
    vg: str
    mount: MountPoint | None = None
    size: str
    grow: bool = Field(False, description="Grow from size into the volume group's free space, shared with the "
                       "other growing volumes in proportion to their sizes (kickstart --grow).")
    max_size: str | None = Field(None, description="Cap for a growing volume (kickstart logvol --maxsize).")
    fs: Literal["ext4", "ext3", "ext2", "xfs", "btrfs", "swap"] = "ext4"
    label: Label | None = None

    _size = field_validator("size", mode="before")(_check_size_spec)
    _max = field_validator("max_size", mode="before")(lambda v: None if v is None else _check_size(v))


class ExistingDevice(_Model):
    """A partition already on the disk that the install uses (kickstart part --onpart/--usepart, mount)."""

    device: DeviceSpec = Field(description="The partition: /dev/vda2, LABEL=x, UUID=x, PARTLABEL=x or PARTUUID=x.")
    mount: MountPoint | None = Field(None, description="Where the installed system mounts it (none for swap or a PV).")
    format: bool = Field(True, description="Make a new filesystem on it (false: keep its filesystem and data).")
    fs: FsType | None = Field(None, description="The new filesystem (format: true); default: the current one.")
    label: Label | None = None
    mount_options: MountOptions | None = None
    mkfs_options: CommandOptions | None = Field(
        None, description="Extra options for mkfs (kickstart mount --mkfsoptions).")
    encrypt: bool = Field(False, description="Put a new LUKS volume on it (format: true).")
    vg: str | None = Field(None, description="Make it an LVM PV of this new volume group (format: true).")

    @field_validator("mount")
    @classmethod
    def _mount_abs(cls, v: str | None) -> str | None:
        if v is not None and not v.startswith("/"):
            raise ValueError(f"mount point '{v}' must be an absolute path")
        return v

    @model_validator(mode="after")
    def _coherent(self) -> ExistingDevice:
        if not self.format and (self.fs is not None or self.encrypt or self.vg or self.mkfs_options or self.label):
            raise ValueError(f"{self.device}: fs, encrypt, vg, label and mkfs_options make a new format; "
                             "they need format: true")
        return self


class VolumeGroup(_Model):
    name: str = Field(pattern=r"^[A-Za-z0-9+_.][A-Za-z0-9+_.-]{0,126}$")


class Storage(_Model):
    disks: list[DiskRef] = Field(default_factory=lambda: [DiskRef(match=DiskMatch())])
    firmware: Literal["auto", "uefi", "bios"] = "auto"
    table: Literal["gpt", "mbr"] = "gpt"
    guided: Guided | None = None
    partitions: list[PartitionSpec] | None = None
    volume_groups: list[VolumeGroup] = Field(default_factory=list)
    logical_volumes: list[LogicalVolume] = Field(default_factory=list)
    existing: list[ExistingDevice] = Field(default_factory=list, description="Partitions already on the disks "
                                           "that the install uses (reformatted or kept as they are).")
    required_partitions: Literal["none", "firmware", "firmware_and_boot"] = Field(
        "none", description="Add what the firmware in use needs to boot (kickstart reqpart): the ESP on UEFI, a "
        "BIOS boot partition on BIOS with GPT, nothing on BIOS with MBR; firmware_and_boot adds /boot too "
        "(reqpart --add-boot). Partitions the layout already has are not added twice.")
    remove: list[DeviceSpec] = Field(default_factory=list, description="Existing partitions to delete first "
                              "(kickstart clearpart --list), e.g. /dev/vda3.")
    encryption: Encryption = Field(default_factory=Encryption)
    wipe_in_use: bool = Field(
        False,
        description="Allow erasing a disk that holds mounted filesystems, swap or active "
        "LVM/LUKS (never the running root).",
    )

    @model_validator(mode="after")
    def _one_layout(self) -> Storage:
        if self.guided is not None and self.partitions is not None:
            raise ValueError("give either guided or partitions, not both")
        if self.partitions is None and self.existing:
            if self.guided is not None:
                raise ValueError("existing partitions belong to a manual layout, not to guided")
            self.partitions = []
        if self.guided is None and self.partitions is None:
            self.guided = Guided()
        if self.partitions is None and (self.volume_groups or self.logical_volumes):
            raise ValueError("volume_groups and logical_volumes belong to a manual layout")
        return self

    @property
    def layout(self) -> Literal["guided", "manual"]:
        return "manual" if self.partitions is not None else "guided"
