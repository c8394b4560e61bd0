"""What the payload steps will do, decided at plan time (pure: config, machine, environment)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from installer.backend.config import InstallConfig
from installer.backend.machine import Machine
from installer.backend.payload.repos import MEDIUM_ENV, RepoSpec, repositories
from installer.backend.payload.sets import PackageSelection, select


@dataclass(frozen=True)
class PayloadSpec:
    selection: PackageSelection
    repos: list[RepoSpec]
    releasever: str
    excludedocs: bool

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
        lines = [self.selection.summary()]
        for r in self.repos:
            lines.append(f"from {r.name} ({r.baseurl})" + ("" if r.gpgcheck else " WITHOUT signature checks"))
        if not self.repos:
            lines.append("no repository configured")
        return lines

    def warnings(self) -> list[str]:
        out = []
        if not self.repos:
            out.append(f"no package repository: set packages.repositories or set {MEDIUM_ENV} to the "
                       "installer medium's repository (the install will stop in preflight)")
        for r in self.repos:
            if not r.gpgcheck:
                out.append(f"repository '{r.name}' has gpgcheck off: its packages are installed WITHOUT "
                           "signature verification")
        return out


def make_spec(config: InstallConfig, machine: Machine, env: Mapping[str, str] | None = None) -> PayloadSpec:
    pk = config.packages
    return PayloadSpec(
        selection=select(pk, machine.virtualization),
        repos=repositories(pk, os.environ if env is None else env),
        releasever=pk.releasever,
        excludedocs=pk.excludedocs,
    )


def shared_spec(shared: dict[str, object], config: InstallConfig, machine: Machine) -> tuple[PayloadSpec, bool]:
    """The spec for this plan, made once and shared by the preflight and payload planners.
    Returns (spec, first) where first is True for the planner that made it."""
    got = shared.get("payload_spec")
    if isinstance(got, PayloadSpec):
        return got, False
    spec = make_spec(config, machine)
    shared["payload_spec"] = spec
    return spec, True
