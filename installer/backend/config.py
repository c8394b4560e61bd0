"""InstallConfig: the one typed model that both UIs and every answer-file format produce.

Secrets are ``SecretStr``: hidden from repr, dumps and JSON. Plain user passwords are hashed as
soon as the model is built (``password`` -> ``password_hash``) and a warning is recorded, so no
plaintext password survives loading. Disk-encryption passphrases must stay usable until the
storage step formats the volume, so they remain ``SecretStr`` and are never written back.
"""

from __future__ import annotations

import secrets as _random
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    field_validator,
    model_validator,
)

from installer.backend import secrets, validate
from installer.backend.passwords import hash_password, looks_like_hash
from installer.backend.sizes import SizeError, SizeSpec, parse_size

CONFIG_VERSION = 1


def _check_size(v: Any) -> str:
    try:
        parse_size(v, "MiB")
    except SizeError as exc:
        raise ValueError(str(exc)) from exc
    return str(v)


def _check_size_spec(v: Any) -> str:
    try:
        SizeSpec.parse(v)
    except SizeError as exc:
        raise ValueError(str(exc)) from exc
    return str(v)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


def _register_secret(v: SecretStr | None) -> SecretStr | None:
    if v is not None:
        secrets.register(v.get_secret_value())
    return v


# ----------------------------------------------------------------------------- storage
class DiskMatch(_Model):
    """Pick a disk by a rule rather than a path: useful when device names are not stable."""

    rule: Literal["largest", "smallest", "first"] = Field(
        "largest", description="Which of the disks that pass the filters to take."
    )
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

    path: str | None = Field(None, description="Device path, e.g. /dev/vda.")
    by_id: str | None = Field(None, description="Name under /dev/disk/by-id/ (or the full link).")
    match: DiskMatch | None = None

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
    pbkdf_iterations: int | None = Field(None, ge=1000)
    pbkdf_time_ms: int | None = Field(None, ge=1, le=60000)
    cipher: str = "aes-xts-plain64"
    key_size: int = Field(512, description="Key size in bits.")

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


FsType = Literal["ext4", "xfs", "btrfs", "vfat", "swap", "biosboot", "none"]


class Guided(_Model):
    """Erase the whole disk and lay it out the recommended way."""

    root_fs: Literal["ext4", "xfs"] = "ext4"
    swap: str = Field("0", description="Swap size (0 for none), e.g. 2GiB.")
    lvm: bool = Field(False, description="Put root (and swap, home) on LVM.")
    separate_home: bool = False
    home_size: str | None = Field(None, description="Size of /home; default: half of the space.")
    esp_size: str = "512MiB"
    boot_size: str = "1GiB"

    _sizes = field_validator("swap", "esp_size", "boot_size", mode="before")(_check_size)
    _home = field_validator("home_size", mode="before")(
        lambda v: None if v is None else _check_size_spec(v)
    )


class PartitionSpec(_Model):
    """One partition of a manual layout."""

    mount: str | None = Field(None, description="Mount point; none for swap, biosboot or a PV.")
    size: str = Field(description="Size: 512MiB, 20GiB, 30% or rest.")
    max_size: str | None = Field(None, description="Cap for a 'rest' partition.")
    fs: FsType = "ext4"
    label: str | None = None
    encrypt: bool = False
    vg: str | None = Field(None, description="Make this partition an LVM PV of this volume group.")
    disk: int = Field(0, ge=0, description="Index into storage.disks.")
    mount_options: str | None = None

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
    mount: str | None = None
    size: str
    max_size: str | None = Field(None, description="Cap for a 'rest' volume (kickstart logvol --maxsize).")
    fs: Literal["ext4", "xfs", "btrfs", "swap"] = "ext4"
    label: str | None = None

    _size = field_validator("size", mode="before")(_check_size_spec)
    _max = field_validator("max_size", mode="before")(lambda v: None if v is None else _check_size(v))


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
        if self.guided is None and self.partitions is None:
            self.guided = Guided()
        if self.partitions is None and (self.volume_groups or self.logical_volumes):
            raise ValueError("volume_groups and logical_volumes belong to a manual layout")
        return self

    @property
    def layout(self) -> Literal["guided", "manual"]:
        return "manual" if self.partitions is not None else "guided"


# ----------------------------------------------------------------------------- packages
class Repository(_Model):
    name: str = Field(pattern=r"^[A-Za-z0-9_.:-]+$")
    baseurl: str
    gpgkey: list[str] = Field(default_factory=list)
    gpgcheck: bool = True

    @field_validator("baseurl")
    @classmethod
    def _url(cls, v: str) -> str:
        if not v.startswith(("file://", "http://", "https://", "ftp://")):
            raise ValueError(f"'{v}' is not a repository URL (file://, http:// or https://)")
        return v

    @field_validator("gpgkey", mode="before")
    @classmethod
    def _keys(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v


class Packages(_Model):
    set: Literal["core", "full", "custom"] = "core"
    custom: list[str] = Field(default_factory=list, description="The package list for set=custom.")
    extra: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    hypervisor_packages: Literal["auto", "always", "never"] = Field(
        "auto",
        description="Add the virt-guest and Hyper-V lists: auto asks systemd-detect-virt.",
    )
    repositories: list[Repository] = Field(default_factory=list)
    releasever: str = "3.0"
    excludedocs: bool = False

    @model_validator(mode="after")
    def _custom(self) -> Packages:
        if self.set == "custom" and not self.custom:
            raise ValueError("set 'custom' needs a non-empty 'custom' package list")
        if self.set != "custom" and self.custom:
            raise ValueError("'custom' is only used with set: custom")
        return self


# ----------------------------------------------------------------------------- system
class Interface(_Model):
    name: str = Field(description="Interface name or glob, e.g. eth0 or en*.")
    dhcp: bool = True
    addresses: list[str] = Field(default_factory=list, description="CIDR, e.g. 192.0.2.10/24.")
    gateway: str | None = None
    dns: list[str] = Field(default_factory=list)
    onboot: bool = Field(True, description="Bring the interface up at boot (kickstart network --onboot).")

    @model_validator(mode="after")
    def _static(self) -> Interface:
        import ipaddress

        for a in self.addresses:
            try:
                ipaddress.ip_interface(a)
            except ValueError as exc:
                raise ValueError(f"'{a}' is not an address with prefix (e.g. 192.0.2.10/24)") from exc
            if "/" not in a:
                raise ValueError(f"'{a}' needs a prefix length, e.g. {a}/24")
        for g in [self.gateway, *self.dns]:
            if g is not None:
                try:
                    ipaddress.ip_address(g)
                except ValueError as exc:
                    raise ValueError(f"'{g}' is not an IP address") from exc
        if not self.dhcp and not self.addresses:
            raise ValueError("a static interface (dhcp: false) needs at least one address")
        return self


def _default_interfaces() -> list[Interface]:
    return [Interface(name="en*"), Interface(name="eth*")]


class Network(_Model):
    interfaces: list[Interface] = Field(default_factory=_default_interfaces)


class Firewall(_Model):
    enabled: bool = True
    services: list[str] = Field(default_factory=list, description="e.g. ssh, http, https.")
    ports: list[str] = Field(default_factory=list, description="e.g. 8080/tcp, 53/udp.")

    @field_validator("ports")
    @classmethod
    def _ports(cls, v: list[str]) -> list[str]:
        import re

        for p in v:
            m = re.fullmatch(r"(\d{1,5})(?:-(\d{1,5}))?/(tcp|udp)", p)
            if not m or not 0 < int(m.group(1)) <= 65535 or (
                m.group(2) and not int(m.group(1)) <= int(m.group(2)) <= 65535
            ):
                raise ValueError(f"'{p}' is not a port such as 8080/tcp or 6000-6010/udp")
        return v


class Services(_Model):
    enable: list[str] = Field(default_factory=list)
    disable: list[str] = Field(default_factory=list)


def random_hostname() -> str:
    """A default like Azure Linux's own installer: azurelinux-xxxx."""
    return "azurelinux-" + "".join(_random.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(4))


class SystemSettings(_Model):
    hostname: str = Field(default_factory=random_hostname)

    @field_validator("hostname")
    @classmethod
    def _hostname(cls, v: str) -> str:
        r = validate.hostname(v)
        if not r.ok:
            raise ValueError(r.message)
        return v
    timezone: str = "UTC"
    locale: str = "en_US.UTF-8"
    keyboard: str = "us"
    selinux: Literal["enforcing", "permissive", "disabled"] | None = Field(
        None, description="Default: as the package set ships it (full: permissive)."
    )
    services: Services = Field(default_factory=Services)
    network: Network = Field(default_factory=Network)
    firewall: Firewall = Field(default_factory=Firewall)


# ----------------------------------------------------------------------------- users
class _Account(_Model):
    password: SecretStr | None = Field(
        None, description="Plain password: hashed on load, with a warning. Prefer password_hash."
    )
    password_hash: str | None = Field(None, description="A crypt(3) hash, e.g. from mkpasswd.")
    ssh_keys: list[str] = Field(default_factory=list)

    _plain_warning: bool = PrivateAttr(False)

    @field_validator("password")
    @classmethod
    def _reg(cls, v: SecretStr | None) -> SecretStr | None:
        return _register_secret(v)

    @field_validator("password_hash")
    @classmethod
    def _hash_shape(cls, v: str | None) -> str | None:
        if v is not None and not looks_like_hash(v):
            raise ValueError("password_hash must be a crypt(3) hash such as $6$... or $y$...")
        return v

    @field_validator("ssh_keys")
    @classmethod
    def _keys(cls, v: list[str]) -> list[str]:
        for k in v:
            parts = k.split()
            if len(parts) < 2 or not (
                parts[0].startswith(("ssh-", "ecdsa-", "sk-")) or "@openssh.com" in parts[0]
            ):
                raise ValueError("an SSH key must look like 'ssh-ed25519 AAAA... comment'")
        return v

    @model_validator(mode="after")
    def _hash_plain(self) -> _Account:
        if self.password is not None:
            if self.password_hash is not None:
                raise ValueError("give password or password_hash, not both")
            plain = self.password.get_secret_value()
            object.__setattr__(self, "password", None)
            self.__dict__["password_hash"] = hash_password(plain)
            self._plain_warning = True
        return self


class User(_Account):
    name: str

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        r = validate.username(v)
        if not r.ok:
            raise ValueError(r.message)
        return v
    full_name: str = ""
    groups: list[str] = Field(default_factory=list)
    admin: bool = Field(False, description="Member of wheel (sudo).")
    uid: int | None = Field(None, ge=1000, le=60000)
    shell: str = "/bin/bash"


class Root(_Account):
    lock: bool | None = Field(
        None, description="Lock root's password. Default: locked unless a password is given."
    )
    allow_ssh: bool = Field(False, description="Let root log in over SSH with a password.")

    @property
    def locked(self) -> bool:
        return self.lock if self.lock is not None else self.password_hash is None


# ----------------------------------------------------------------------------- boot, scripts
class Bootloader(_Model):
    timeout: int = Field(5, ge=0, le=600)
    append: str = Field("", description="Extra kernel command line arguments.")
    location: Literal["default", "none"] = Field(
        "default", description="none: install no bootloader (the machine boots otherwise)."
    )


class Script(_Model):
    body: str
    interpreter: str = "/bin/sh"
    chroot: bool = Field(True, description="post only: run inside the installed system.")
    error_on_fail: bool = False
    log: str | None = Field(None, description="Also write the output to this path.")


class Scripts(_Model):
    pre: list[Script] = Field(default_factory=list)
    post: list[Script] = Field(default_factory=list)


# ----------------------------------------------------------------------------- the whole
class InstallConfig(_Model):
    """Everything an install needs. Native answer files map 1:1 onto this model."""

    version: Literal[1] = Field(1, description="Answer-file format version.")
    storage: Storage = Field(default_factory=Storage)
    packages: Packages = Field(default_factory=Packages)
    system: SystemSettings = Field(default_factory=SystemSettings)
    users: list[User] = Field(default_factory=list)
    root: Root = Field(default_factory=Root)
    bootloader: Bootloader = Field(default_factory=Bootloader)
    scripts: Scripts = Field(default_factory=Scripts)
    finish: Literal["reboot", "poweroff", "none"] = "reboot"

    @model_validator(mode="after")
    def _cross(self) -> InstallConfig:
        names = [u.name for u in self.users]
        dups = sorted({n for n in names if names.count(n) > 1})
        if dups:
            raise ValueError(f"users are defined twice: {', '.join(dups)}")
        enc = self.storage.encryption
        if enc.enabled and enc.passphrase is None:
            raise ValueError("storage.encryption.enabled needs storage.encryption.passphrase")
        if enc.passphrase is not None:
            r = validate.passphrase(enc.passphrase.get_secret_value())
            if not r.ok:
                raise ValueError(f"storage.encryption.passphrase: {r.message}")
        return self

    def plaintext_warnings(self) -> list[str]:
        out = []
        for i, u in enumerate(self.users):
            if u._plain_warning:
                out.append(f"users.{i}.password: plaintext password in the answer file was hashed; "
                           "prefer password_hash")
        if self.root._plain_warning:
            out.append("root.password: plaintext password in the answer file was hashed; "
                       "prefer password_hash")
        return out

    def secret_values(self) -> list[str]:
        """Secret values held by this config (for tests that scan outputs)."""
        out = []
        p = self.storage.encryption.passphrase
        if p is not None:
            out.append(p.get_secret_value())
        return out

