"""Azure image config -> the SystemConfig's image-level switches, and the container refusal.

Each switch of the toolkit either works here or is refused with the reason (docs/azure.md):
EnableSystemdFirstboot and EnableHidepid (and 2.0's HidepidDisabled) become lines of one post
script; DisableRpmDocs and OverrideRpmLocales are packages settings (azure_system.py);
EnableGrubMkconfig false, ReadOnlyVerityRoot, RemoveRpmDb, PreserveTdnfCache and IsKickStartBoot
are refused. Image-build settings (Artifacts, MaxSize, RawBinaries, the diff-disk base images,
IsIsoInstall) are accepted with a warning that says so.
"""

from __future__ import annotations

from typing import Any

from installer.backend.answers.azure_common import Path_, _Az
from installer.backend.errors import InvalidInput, Issue
from installer.backend.payload.sets import BOOTLOADER_PACKAGES, is_kernel

HIDEPID_LINE = "proc /proc proc rw,nosuid,nodev,noexec,relatime,hidepid=2 0 0"
BOOT_NAMES = {n for names in BOOTLOADER_PACKAGES.values() for n in names} | {"grub2-efi", "systemd-boot"}


def refuse_container(az: _Az, data: dict[str, Any], idx: int, sc: dict[str, Any], names: list[str]) -> None:
    """Container and distroless configs: Disks that are only an archive (no partitions), or a package
    set with no kernel (KernelOptions or a list) and no bootloader."""
    scp: Path_ = ("SystemConfigs", idx)
    disks = [d for d in (data.get("Disks") or []) if isinstance(d, dict)] if isinstance(data.get("Disks"), list) \
        else []
    kernel = (sc.get("KernelOptions") or {}).get("default") if isinstance(sc.get("KernelOptions"), dict) else None
    reason = ""
    if disks and not any(d.get("Partitions") for d in disks) and not sc.get("PartitionSettings"):
        kinds = sorted({str(a.get("Compression") or a.get("Type") or "") for d in disks
                        for a in (d.get("Artifacts") or []) if isinstance(a, dict)} - {""})
        reason = "its Disks have no partitions (the toolkit writes a root file system archive" + \
                 (f": {', '.join(kinds)}" if kinds else "") + ")"
        where: Path_ = ("Disks", 0)
    elif names and not sc.get("PartitionSettings") and not kernel and not any(is_kernel(n) for n in names) \
            and not BOOT_NAMES & set(names):  # (no lists at all: the installer's core set, with its kernel)
        reason = "its package set has no kernel (KernelOptions.default) and no bootloader"
        where = (*scp, "PackageLists") if sc.get("PackageLists") else scp
    uki = sorted({"systemd-boot", "kernel-uki"} & set(names))
    if uki and not reason:
        az.warn((*scp, "PackageLists"), f"{' and '.join(uki)} installed as listed, but azl-installer boots the system "
                                        "with GRUB2 and the kernel package (no systemd-boot entry, no UKI)")
    if reason:
        w = az.w(where)
        raise InvalidInput([Issue(w.path, f"an image for a container, not an installable system: {reason}",
                                  line=w.line, column=w.column, source=w.source)])


def _true(az: _Az, sc: dict[str, Any], key: str, scp: Path_) -> bool:
    v = sc.get(key)
    if v is not None and not isinstance(v, bool):
        az.err((*scp, key), "must be true or false")
        return False
    return v is True


def image_settings(az: _Az, idx: int, sc: dict[str, Any]) -> None:
    scp: Path_ = ("SystemConfigs", idx)
    if _true(az, sc, "IsKickStartBoot", scp):
        az.err((*scp, "IsKickStartBoot"), "kickstart-driven partitioning (IsKickStartBoot) is not read from an "
                                          "image config: give the kickstart file itself to azl-installer")
    if _true(az, sc, "IsIsoInstall", scp):
        az.build_only((*scp, "IsIsoInstall"), "IsIsoInstall (the toolkit's ISO installer)")
    if sc.get("EnableGrubMkconfig") is False:
        az.err((*scp, "EnableGrubMkconfig"), "false asks for the toolkit's static grub.cfg template; azl-installer "
                                             "always writes grub.cfg with grub2-mkconfig (leave it true)")
    elif sc.get("EnableGrubMkconfig") not in (None, True):
        az.err((*scp, "EnableGrubMkconfig"), "must be true or false")
    if _true(az, sc, "EnableSystemdFirstboot", scp):
        az.post_lines.append(((*scp, "EnableSystemdFirstboot"),
                              "printf 'uninitialized\\n' > /etc/machine-id  # EnableSystemdFirstboot"))
    hidepid = _true(az, sc, "EnableHidepid", scp)
    if "HidepidDisabled" in sc:
        old = _true(az, sc, "HidepidDisabled", scp) or sc.get("HidepidDisabled") is not False
        az.warn((*scp, "HidepidDisabled"), "Azure Linux 2.0's key (3.0: EnableHidepid): "
                                           + ("hidepid stays off" if old else "hidepid=2 on /proc, as 2.0 did"))
        hidepid = hidepid or not old
    if hidepid:
        key = "EnableHidepid" if sc.get("EnableHidepid") else "HidepidDisabled"
        az.post_lines.append(((*scp, key), f"grep -q 'hidepid=' /etc/fstab || echo '{HIDEPID_LINE}' >> /etc/fstab"))
    if _true(az, sc, "RemoveRpmDb", scp):
        az.err((*scp, "RemoveRpmDb"), "an installed system keeps its RPM database (it is how it is updated); "
                                      "RemoveRpmDb is for distroless container images")
    if _true(az, sc, "PreserveTdnfCache", scp):
        az.err((*scp, "PreserveTdnfCache"), "azl-installer's package cache is outside the target and is not copied "
                                            "into it (set it false or leave it out)")
    verity = sc.get("ReadOnlyVerityRoot")
    if isinstance(verity, dict) and verity.get("Enable") is True:
        az.err((*scp, "ReadOnlyVerityRoot"), "a dm-verity read-only root needs a hash tree computed over the "
                                             "finished image: an image-build feature azl-installer does not have")
    elif verity is not None:
        az.warn((*scp, "ReadOnlyVerityRoot"), "Enable is not true: nothing to do")
