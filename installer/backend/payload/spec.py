"""What the payload steps will do, decided at plan time (pure: config, machine, environment)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from installer.backend.config import InstallConfig
from installer.backend.machine import Machine
from installer.backend.payload.repos import MEDIUM_ENV, RepoSpec, repositories
from installer.backend.payload.sets import PackageSelection, is_kernel, select


@dataclass(frozen=True)
class PayloadSpec:
    selection: PackageSelection
    repos: list[RepoSpec]
    releasever: str
    excludedocs: bool
    install_langs: str | None = None

    def rpm_macros(self) -> str:
        """Extra rpm macros for the transaction (and the target, so later installs honour them)."""
        return f"%_install_langs {self.install_langs}\n" if self.install_langs else ""

    def describe(self) -> dict[str, Any]:
        hv = self.selection.hypervisor
        return {
            "set": self.selection.set,
            "lists": self.selection.lists,
            "packages": self.selection.names,
            "exclude": self.selection.exclude,
            "hypervisor_packages": None if hv is None else {"lists": list(hv.lists), "reason": hv.reason},
            "repositories": [r.describe() for r in self.repos],
            "releasever": self.releasever,
        }

    def summary(self) -> list[str]:
        sel = self.selection
        lines = [sel.summary()]
        lines.append("kernel: " + (sel.kernel or "none beyond the package list")
                     + (f"; boot loader: {', '.join(sel.bootloader)}" if sel.bootloader else "")
                     + (f"; FIPS: {', '.join(sel.fips)}" if sel.fips else ""))
        for r in self.repos:
            lines.append(f"from {r.name} ({r.baseurl})" + ("" if r.gpgcheck else " WITHOUT signature checks"))
        if not self.repos:
            lines.append("no repository configured")
        return lines

    def warnings(self) -> list[str]:
        out = []
        if self.selection.bootloader and not any(is_kernel(n) for n in self.selection.names):
            out.append("no kernel package in the selection (packages.kernel): the installed system cannot boot")
        if not self.repos:
            out.append(f"no package repository: set packages.repositories or set {MEDIUM_ENV} to the "
                       "installer medium's repository (the install will stop in preflight)")
        for r in self.repos:
            if not r.gpgcheck:
                out.append(f"repository '{r.name}' has gpgcheck off: its packages are installed WITHOUT "
                           "signature verification")
        return out


def make_spec(config: InstallConfig, machine: Machine, env: Mapping[str, str] | None = None, *,
              firmware: str | None = None) -> PayloadSpec:
    """``firmware``: the target layout's (uefi/bios) for a disk install, None for a directory."""
    pk = config.packages
    boot = firmware if config.bootloader.location != "none" else None
    return PayloadSpec(
        selection=select(pk, machine.virtualization, firmware=boot, fips=config.system.fips),
        repos=repositories(pk, os.environ if env is None else env),
        releasever=pk.releasever,
        excludedocs=pk.excludedocs,
        install_langs=pk.install_langs,
    )


def shared_spec(shared: dict[str, object], config: InstallConfig, machine: Machine, *,
                directory: bool = False) -> tuple[PayloadSpec, bool]:
    """The spec for this plan, made once and shared by the preflight and payload planners.
    Returns (spec, first) where first is True for the planner that made it. A disk install gets
    the bootloader's packages for the firmware the storage planner will use."""
    got = shared.get("payload_spec")
    if isinstance(got, PayloadSpec):
        return got, False
    from installer.backend.storage.build import firmware_of

    spec = make_spec(config, machine, firmware=None if directory else firmware_of(config, machine))
    shared["payload_spec"] = spec
    return spec, True
