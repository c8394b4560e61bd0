"""The interactive flow's state: page order, choice lists, the UI-state dataclasses and defaults."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pydantic import SecretStr

from installer.backend import validate
from installer.backend.config import InstallConfig, random_hostname
from installer.backend.machine import Machine

PAGES: tuple[str, ...] = (
    "welcome",
    "install_type",
    "disk",
    "encryption",
    "hostname",
    "user",
    "summary",
    "progress",
    "finish",
)


KEYBOARDS = ("us", "uk", "de", "fr", "es", "it", "jp106", "dvorak", "se", "no", "dk", "fi", "pl", "cz")


LANGUAGES = ("en_US.UTF-8", "en_GB.UTF-8", "de_DE.UTF-8", "fr_FR.UTF-8", "es_ES.UTF-8", "ja_JP.UTF-8",
             "zh_CN.UTF-8")


@dataclass(frozen=True)
class PackageSetInfo:
    id: Literal["core", "full"]
    title: str
    description: str
    installed_size: int  # bytes, from the payload preflight/manifest when known


# Estimates used until the payload preflight reports the real figure for the chosen repo.
PACKAGE_SETS = (
    PackageSetInfo("core", "Azure Linux Core",
                   "A minimal host: systemd, networking, SSH client, LVM and LUKS tools, GRUB.",
                   900 * 1024**2),
    PackageSetInfo("full", "Azure Linux Full",
                   "Core plus SSH server, developer tools, virtualization host and SELinux policy.",
                   2600 * 1024**2),
)


@dataclass(frozen=True)
class FieldIssue:
    """A validation message for one field of one page: what each UI shows inline."""

    field: str
    result: validate.Result

    @property
    def message(self) -> str:
        return self.result.message

    @property
    def blocking(self) -> bool:
        return not self.result.ok


@dataclass
class ManualPartition:
    mount: str | None
    size: str
    fs: str = "ext4"
    encrypt: bool = False
    label: str | None = None
    vg: str | None = None
    max_size: str | None = None  # from a prefilled answer file: kept, not shown
    disk: int = 0  # index into storage.disks (answer file): kept, not shown
    mount_options: str | None = None  # from a prefilled answer file: kept, not shown
    grow: bool = False  # from a prefilled answer file (kickstart --grow): kept, not shown


@dataclass
class ManualVolume:
    """An LVM logical volume of a manual layout (its group is made from partitions with that vg)."""

    name: str
    vg: str
    mount: str | None
    size: str
    fs: str = "ext4"
    max_size: str | None = None  # from a prefilled answer file: kept, not shown
    label: str | None = None  # from a prefilled answer file: kept, not shown
    grow: bool = False  # from a prefilled answer file (kickstart --grow): kept, not shown


@dataclass
class FlowState:
    """Everything the user has chosen so far. Secrets are held as SecretStr."""

    language: str = "en_US.UTF-8"
    keyboard: str = "us"
    package_set: Literal["core", "full"] = "core"
    disk: str | None = None
    layout: Literal["guided", "manual"] = "guided"
    root_fs: Literal["ext4", "xfs"] = "ext4"
    lvm: bool = False
    swap: str = "0"
    separate_home: bool = False
    initial_disk: str | None = None  # the disk a prefilled answer file picked (its rule is kept)
    partitions: list[ManualPartition] = field(default_factory=list)
    volumes: list[ManualVolume] = field(default_factory=list)  # LVM logical volumes (manual layout)
    encrypt: bool = False
    passphrase: SecretStr = field(default_factory=lambda: SecretStr(""))
    passphrase_confirm: SecretStr = field(default_factory=lambda: SecretStr(""))
    luks_version: Literal["luks2", "luks1"] = "luks2"
    hostname: str = field(default_factory=random_hostname)
    full_name: str = ""
    username: str = ""
    username_edited: bool = False
    password: SecretStr = field(default_factory=lambda: SecretStr(""))
    password_confirm: SecretStr = field(default_factory=lambda: SecretStr(""))
    password_hash: str | None = None  # from a prefilled answer file
    admin: bool = True
    ssh_key: str = ""
    root_password_hash: str | None = None
    root_locked: bool = True
    timezone: str = "UTC"
    # Root stays locked unless the user asks for a root password (then it is hashed in to_config).
    set_root_password: bool = False
    root_password: SecretStr = field(default_factory=lambda: SecretStr(""))
    root_password_confirm: SecretStr = field(default_factory=lambda: SecretStr(""))
    base: InstallConfig | None = None  # prefilled config: fields the UI does not show are kept

    def set_full_name(self, name: str) -> None:
        """Updating the full name re-derives the username until the user edits it."""
        self.full_name = name
        if not self.username_edited:
            self.username = validate.suggest_username(name) if name.strip() else ""


def default_disk(machine: Machine) -> str | None:
    """The largest disk that is not the installer medium and not read-only."""
    cands = [d for d in machine.disks if not d.is_installer_medium and not d.read_only
             and not d.holds_running_root]
    if not cands:
        return None
    return max(cands, key=lambda d: d.size).path


def new_state(machine: Machine) -> FlowState:
    s = FlowState()
    s.disk = default_disk(machine)
    return s
