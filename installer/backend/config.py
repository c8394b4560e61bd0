"""InstallConfig: the one typed model that both UIs and every answer-file format produce.

Secrets are ``SecretStr``: hidden from repr, dumps and JSON. Plain user passwords are hashed as
soon as the model is built (``password`` -> ``password_hash``) and a warning is recorded, so no
plaintext password survives loading. Disk-encryption passphrases must stay usable until the
storage step formats the volume, so they remain ``SecretStr`` and are never written back.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from installer.backend import validate
from installer.backend.config_accounts import Group, Root, User
from installer.backend.config_base import _Model
from installer.backend.config_fields import AbsPath, KernelArgs
from installer.backend.config_packages import Packages, Repository
from installer.backend.config_storage import (
    DiskMatch,
    DiskRef,
    Encryption,
    FsType,
    Guided,
    LogicalVolume,
    PartitionSpec,
    Storage,
    VolumeGroup,
)
from installer.backend.config_system import (
    Firewall,
    Interface,
    Network,
    Services,
    SystemSettings,
    random_hostname,
)

__all__ = [
    "CONFIG_VERSION",
    "Bootloader",
    "DiskMatch",
    "DiskRef",
    "Encryption",
    "Firewall",
    "FsType",
    "Group",
    "Guided",
    "InstallConfig",
    "Interface",
    "LogicalVolume",
    "Network",
    "Packages",
    "PartitionSpec",
    "Repository",
    "Root",
    "Script",
    "Scripts",
    "Services",
    "Storage",
    "SystemSettings",
    "User",
    "VolumeGroup",
    "random_hostname",
]


CONFIG_VERSION = 1


class Bootloader(_Model):
    timeout: int = Field(5, ge=0, le=600)
    append: KernelArgs = Field("", description="Extra kernel command line arguments (key=value tokens, no quoting).")
    location: Literal["default", "none"] = Field(
        "default", description="none: install no bootloader (the machine boots otherwise)."
    )


class Script(_Model):
    body: str
    interpreter: AbsPath = "/bin/sh"
    chroot: bool = Field(True, description="post only: run inside the installed system.")
    error_on_fail: bool = False
    log: str | None = Field(None, description="Also write the output to this path.")


class Scripts(_Model):
    pre: list[Script] = Field(default_factory=list)
    post: list[Script] = Field(default_factory=list)


class InstallConfig(_Model):
    """Everything an install needs. Native answer files map 1:1 onto this model."""

    version: Literal[1] = Field(1, description="Answer-file format version.")
    storage: Storage = Field(default_factory=Storage)
    packages: Packages = Field(default_factory=Packages)
    system: SystemSettings = Field(default_factory=SystemSettings)
    users: list[User] = Field(default_factory=list)
    groups: list[Group] = Field(default_factory=list, description="Extra groups, made before the users.")
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
        gnames = [g.name for g in self.groups]
        gdups = sorted({n for n in gnames if gnames.count(n) > 1})
        if gdups:
            raise ValueError(f"groups are defined twice: {', '.join(gdups)}")
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
