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
from installer.backend.errors import InvalidInput, Issue

# What the bootloader step needs in the target, by firmware. Azure Linux's grub2.spec ships the
# i386-pc modules only in grub2-pc; grub2-efi-binary ships the prebuilt grubx64.efi (shim loads it)
# and grub2-efi-x64-modules (a Provides of grub2-efi) the x86_64-efi modules grub2-install reads;
# grub2 holds grub2-install itself.
BOOTLOADER_PACKAGES = {
    "uefi": ("shim", "grub2-efi-binary", "grub2-efi-x64-modules", "grub2"),
    "bios": ("grub2-pc", "grub2"),
}

# The FIPS package set (Azure Linux 3.0's imageconfigs/packagelists/fips-packages.json): dracut's
# fips module, which checks the kernel's .hmac and the crypto modules in the initramfs. Kept here,
# not in data/, because the fixture repository must resolve every list in data/.
FIPS_PACKAGES = ("dracut-fips",)

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
    kernel: str | None = None  # the kernel package asked for (None: none beyond the list)
    bootloader: tuple[str, ...] = ()  # BOOTLOADER_PACKAGES for the target's firmware
    fips: tuple[str, ...] = ()  # the FIPS package set, when system.fips is on

    def summary(self) -> str:
        hv = f"; hypervisor packages: {self.hypervisor.reason}" if self.hypervisor else ""
        return f"{set_title(self.set)}: {len(self.names)} package names{hv}"


# Azure Linux 3.0's kernel packages (one of them boots the system; kernel-uki carries a UKI)
KERNELS = frozenset({"kernel", "kernel-hwe", "kernel-64k", "kernel-64k-hwe", "kernel-uki", "kernel-mshv", "kernel-rt",
                     "kernel-ipe", "kernel-lpg-innovate"})


def is_kernel(name: str) -> bool:
    """A kernel package name (also as name-version or name.arch, as tdnf accepts)."""
    return name in KERNELS or any(name.startswith(k + sep) and name[len(k) + 1:2 + len(k)].isdigit()
                                  for k in KERNELS for sep in "-") or name.split(".")[0] in KERNELS


def set_kernel(pkgs: Packages) -> str | None:
    """packages.kernel, else the set's own (core and full: kernel; custom: none)."""
    if pkgs.kernel is not None:
        return pkgs.kernel
    if pkgs.set == "custom":
        return None
    kernel = _data("sets.json")[pkgs.set].get("kernel")
    return str(kernel) if kernel else None


def refuse_needed_exclusions(excluded: set[str], kernel: str | None, boot: tuple[str, ...],
                              fips_set: tuple[str, ...]) -> None:
    """packages.exclude must not remove what makes the installed system boot: the kernel, the
    bootloader's packages for the target's firmware, the FIPS set when FIPS is on."""
    needed = [(kernel, "it is the kernel (packages.kernel)")] if kernel else []
    needed += [(n, "the bootloader for this firmware needs it") for n in boot]
    needed += [(n, "FIPS mode (system.fips) needs it") for n in fips_set]
    issues = [Issue("packages.exclude", f"'{name}' cannot be excluded: {why}; without it the "
                    "installed system cannot boot")
              for name, why in needed if name in excluded]
    if issues:
        raise InvalidInput(issues)


def select(pkgs: Packages, virtualization: str, *, firmware: str | None = None,
           fips: bool = False) -> PackageSelection:
    """The package names for this config: set (+ hypervisor lists) + kernel + the bootloader's
    packages for ``firmware`` (uefi/bios; None: no bootloader) + the FIPS set + extra - exclude."""
    lists: list[str] = []
    choice: HypervisorChoice | None = None
    if pkgs.set == "custom":
        names = list(pkgs.custom)
    else:
        choice = hypervisor_choice(pkgs.hypervisor_packages, virtualization)
        hv_all = set(_data("sets.json")["hypervisor_lists"])
        lists = [x for x in set_lists(pkgs.set) if x not in hv_all or x in choice.lists]
        names = [n for x in lists for n in package_list(x)]
    kernel = set_kernel(pkgs)
    if kernel:
        names.append(kernel)
    boot = BOOTLOADER_PACKAGES.get(firmware or "", ())
    fips_set = FIPS_PACKAGES if fips else ()
    names += [*boot, *fips_set, *pkgs.extra]
    excluded = set(pkgs.exclude)
    refuse_needed_exclusions(excluded, kernel, boot, fips_set)
    seen: set[str] = set()
    out: list[str] = []
    for n in names:
        if n not in seen and n not in excluded:
            seen.add(n)
            out.append(n)
    return PackageSelection(pkgs.set, out, list(pkgs.exclude), choice, lists, kernel, boot, fips_set)
