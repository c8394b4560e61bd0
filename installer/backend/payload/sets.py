"""Package sets from Azure Linux's own definitions, shipped as data (see data/sets.json).

Core and full are the two SystemConfigs of Azure Linux 3.0's ``imageconfigs/full.json``; each is a
list of package lists. The hypervisor lists (virt-guest, Hyper-V) are added according to what
``systemd-detect-virt`` reported (``Machine.virtualization``) unless the config overrides it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal

from installer.backend.config import Packages

CONTAINERS = {"docker", "podman", "lxc", "lxc-libvirt", "systemd-nspawn", "openvz", "rkt", "wsl", "proot", "pouch"}


@cache
def _data(name: str) -> Any:
    return json.loads(resources.files("installer.backend.payload").joinpath("data", name).read_text())


def package_list(name: str) -> list[str]:
    """One of Azure Linux's package lists, e.g. 'core-packages-image'."""
    return list(_data(f"{name}.json")["packages"])


def set_lists(name: Literal["core", "full"]) -> list[str]:
    return list(_data("sets.json")[name]["lists"])


def set_title(name: str) -> str:
    if name == "custom":
        return "custom package list"
    return str(_data("sets.json")[name]["title"])


def set_selinux(name: str) -> str | None:
    if name == "custom":
        return None
    v = _data("sets.json")[name].get("selinux")
    return str(v) if v else None


@dataclass(frozen=True)
class HypervisorChoice:
    lists: tuple[str, ...]  # the hypervisor lists added
    reason: str  # for the plan, e.g. "auto: systemd-detect-virt says kvm"


def hypervisor_choice(mode: str, virtualization: str) -> HypervisorChoice:
    hv = tuple(_data("sets.json")["hypervisor_lists"])  # hyperv-packages, virt-guest-packages
    if mode == "always":
        return HypervisorChoice(hv, "always (config)")
    if mode == "never":
        return HypervisorChoice((), "never (config)")
    virt = (virtualization or "none").strip()
    if virt == "none" or virt in CONTAINERS:
        return HypervisorChoice((), f"auto: systemd-detect-virt says '{virt}' (not a virtual machine)")
    if virt == "microsoft":
        return HypervisorChoice(hv, "auto: systemd-detect-virt says 'microsoft' (Hyper-V)")
    return HypervisorChoice(("virt-guest-packages",), f"auto: systemd-detect-virt says '{virt}'")


@dataclass(frozen=True)
class PackageSelection:
    set: str
    names: list[str]  # what is asked of the package manager, in a stable order
    exclude: list[str]
    hypervisor: HypervisorChoice | None
    lists: list[str] = field(default_factory=list)

    def summary(self) -> str:
        hv = f"; hypervisor packages: {self.hypervisor.reason}" if self.hypervisor else ""
        return f"{set_title(self.set)}: {len(self.names)} package names{hv}"


def select(pkgs: Packages, virtualization: str) -> PackageSelection:
    """The package names for this config: set (+ hypervisor lists) + extra - exclude."""
    lists: list[str] = []
    choice: HypervisorChoice | None = None
    if pkgs.set == "custom":
        names = list(pkgs.custom)
    else:
        choice = hypervisor_choice(pkgs.hypervisor_packages, virtualization)
        hv_all = set(_data("sets.json")["hypervisor_lists"])
        lists = [x for x in set_lists(pkgs.set) if x not in hv_all or x in choice.lists]
        names = [n for x in lists for n in package_list(x)]
        kernel = _data("sets.json")[pkgs.set].get("kernel")
        if kernel:
            names.append(str(kernel))
    names += pkgs.extra
    excluded = set(pkgs.exclude)
    seen: set[str] = set()
    out: list[str] = []
    for n in names:
        if n not in seen and n not in excluded:
            seen.add(n)
            out.append(n)
    return PackageSelection(pkgs.set, out, list(pkgs.exclude), choice, lists)
