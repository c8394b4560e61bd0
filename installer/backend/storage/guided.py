"""Guided layouts: erase the first target disk and lay it out the recommended way.

UEFI: ESP (vfat, 512 MiB-1 GiB, esp+boot flags, /boot/efi umask=0077). BIOS: a 1 MiB bios_grub
partition on GPT, nothing on MBR. A separate /boot (ext4, 1 GiB) when root is encrypted or on
LVM. Root (ext4|xfs) takes the rest; swap (partition or LV) is encrypted whenever root is.
LVM puts root, swap and home on LVs of the volume group ``azl`` (on LUKS when encrypted).
"""

from __future__ import annotations

from installer.backend.config import Guided
from installer.backend.errors import InvalidInput, Issue
from installer.backend.machine import Disk
from installer.backend.sizes import MiB, SizeSpec, format_size, parse_size
from installer.backend.storage import minimums
from installer.backend.storage.allocate import EXTENT, PV_METADATA
from installer.backend.storage.naming import align_down, usable_range
from installer.backend.storage.requests import Layout, LvReq, PartReq

VG_NAME = "azl"
W = "storage.guided"


def _b(n: int) -> SizeSpec:
    return SizeSpec("bytes", n)


def guided_layout(
    g: Guided,
    disk: Disk,
    firmware: str,
    table: str,
    encrypt: bool,
    luks_header: int,
    root_min: int,
    free: int | None = None,
) -> Layout:
    esp = parse_size(g.esp_size, "MiB")
    boot = parse_size(g.boot_size, "MiB")
    swap = parse_size(g.swap, "MiB")
    issues = []
    if firmware == "uefi" and not minimums.ESP_MIN_BYTES <= esp <= minimums.ESP_MAX_BYTES:
        issues.append(Issue(f"{W}.esp_size", f"the ESP must be between {format_size(minimums.ESP_MIN_BYTES)} and "
                            f"{format_size(minimums.ESP_MAX_BYTES)}, not {format_size(esp)}"))
    if boot < minimums.BOOT_MIN_BYTES:
        issues.append(Issue(f"{W}.boot_size", f"/boot needs at least {format_size(minimums.BOOT_MIN_BYTES)}"))
    if swap and swap < minimums.SWAP_MIN_BYTES:
        issues.append(Issue(f"{W}.swap", f"swap must be 0 or at least {format_size(minimums.SWAP_MIN_BYTES)}"))
    for name, n in (("esp_size", esp), ("boot_size", boot), ("swap", swap)):
        if n % MiB:
            issues.append(Issue(f"{W}.{name}", f"{format_size(n)} is not a multiple of 1 MiB"))
    if issues:
        raise InvalidInput(issues)

    lay = Layout()
    if firmware == "uefi":
        lay.parts.append(PartReq("esp", _b(esp), "vfat", f"{W}.esp_size", mount="/boot/efi", label="EFI", name="esp"))
    elif table == "gpt":
        lay.parts.append(PartReq("bios_grub", _b(minimums.BIOS_GRUB_BYTES), "biosboot", W, name="biosboot"))
    if encrypt or g.lvm:
        lay.parts.append(PartReq("boot", _b(boot), "ext4", f"{W}.boot_size", mount="/boot", label="boot", name="boot"))

    home_min = minimums.HOME_MIN_BYTES if g.separate_home else 0
    start, end = usable_range(disk.size, "gpt" if table == "gpt" else "msdos", disk.logical_sector_size)
    fixed = sum(p.size.value for p in lay.parts)
    room = end - start if free is None else free  # the largest free region when partitions are kept
    space = max(0, room - fixed)  # what root, home and swap share

    if g.lvm:
        vg_space = align_down(space - (luks_header if encrypt else 0) - PV_METADATA, EXTENT)
        pv_min = root_min + swap + home_min + (luks_header if encrypt else 0) + PV_METADATA + 2 * EXTENT
        lay.parts.append(PartReq("pv", SizeSpec("rest"), "none", W, encrypt=encrypt, vg=VG_NAME,
                                 min_bytes=pv_min, name="lvm"))
        lay.vgs.append(VG_NAME)
        if swap:
            lay.lvs.append(LvReq(VG_NAME, "swap", "swap", _b(swap), "swap", f"{W}.swap", label="swap"))
        if g.separate_home:
            lay.lvs.append(LvReq(VG_NAME, "home", "home", _home(g, vg_space - swap, root_min), g.root_fs,
                                 f"{W}.home_size", mount="/home", label="home", min_bytes=home_min))
        lay.lvs.append(LvReq(VG_NAME, "root", "root", SizeSpec("rest"), g.root_fs, W, mount="/", label="root",
                             min_bytes=root_min))
        return lay

    root_space = space - swap
    lay.parts.append(PartReq("root", SizeSpec("rest"), g.root_fs, W, mount="/", label="root", encrypt=encrypt,
                             min_bytes=root_min + (luks_header if encrypt else 0), name="root"))
    if g.separate_home:
        lay.parts.append(PartReq("home", _home(g, root_space, root_min), g.root_fs, f"{W}.home_size",
                                 mount="/home", label="home", encrypt=encrypt, min_bytes=home_min, name="home"))
    if swap:
        lay.parts.append(PartReq("swap", _b(swap), "swap", f"{W}.swap", label="swap", encrypt=encrypt, name="swap"))
    return lay


def _home(g: Guided, space: int, root_min: int) -> SizeSpec:
    """/home's size: as given (absolute or % of the shared space), else half of what is left."""
    if g.home_size is None:
        return SizeSpec("bytes", max(MiB, align_down(max(0, space - root_min) // 2, EXTENT)))
    spec = SizeSpec.parse(g.home_size)
    if spec.kind == "percent":
        return SizeSpec("bytes", max(MiB, align_down(space * spec.value // 10000, EXTENT)))
    if spec.kind == "rest":
        raise InvalidInput([Issue(f"{W}.home_size", "/home cannot take the rest: root does")])
    return SizeSpec("bytes", align_down(spec.value, MiB) or MiB)
