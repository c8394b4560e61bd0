"""InstallConfig's packages section: the package set, extra/excluded packages, repositories."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from installer.backend.config_base import _Model
from installer.backend.config_fields import KeyLocation, PackageName, ReleaseVer, RepoURL

PACKAGE_NAME = re.compile(r"[A-Za-z0-9_+][A-Za-z0-9_.+-]{0,199}")


class Repository(_Model):
    name: str = Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,99}$")
    baseurl: RepoURL
    gpgkey: list[KeyLocation] = Field(default_factory=list)
    gpgcheck: bool = True

    @field_validator("gpgkey", mode="before")
    @classmethod
    def _keys(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v


class Packages(_Model):
    set: Literal["core", "full", "custom"] = "core"
    custom: list[PackageName] = Field(default_factory=list, description="The package list for set=custom.")
    extra: list[PackageName] = Field(default_factory=list)
    exclude: list[PackageName] = Field(default_factory=list)
    hypervisor_packages: Literal["auto", "always", "never"] = Field(
        "auto",
        description="Add the virt-guest and Hyper-V lists: auto asks systemd-detect-virt.",
    )
    repositories: list[Repository] = Field(default_factory=list)
    releasever: ReleaseVer = "3.0"
    excludedocs: bool = False
    kernel: PackageName | None = Field(
        None,
        description="The kernel package: kernel, kernel-hwe, kernel-64k, ... (Azure Linux's "
        "KernelOptions.default). Default: the set's kernel (core and full: kernel; custom: only what "
        "the list names).",
    )
    install_langs: str | None = Field(
        None, description="rpm's %_install_langs: install only these locales, e.g. en_US:de or NONE "
        "(Azure Linux's OverrideRpmLocales).",
    )

    @field_validator("kernel")
    @classmethod
    def _kernel(cls, v: str | None) -> str | None:
        if v is not None and not PACKAGE_NAME.fullmatch(v):
            raise ValueError(f"'{v}' is not a package name")
        return v

    @field_validator("install_langs")
    @classmethod
    def _langs(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"[A-Za-z0-9_.@:-]{1,200}", v):
            raise ValueError(f"'{v}' is not a locale list such as en_US:de_DE or NONE")
        return v

    @model_validator(mode="after")
    def _custom(self) -> Packages:
        if self.set == "custom" and not self.custom:
            raise ValueError("set 'custom' needs a non-empty 'custom' package list")
        if self.set != "custom" and self.custom:
            raise ValueError("'custom' is only used with set: custom")
        return self
