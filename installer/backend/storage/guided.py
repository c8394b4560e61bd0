"""Guided layouts (and kickstart's autopart): the recommended layout on the target disks.

UEFI: ESP (vfat, 512 MiB-1 GiB, esp+boot flags, /boot/efi umask=0077). BIOS: a 1 MiB bios_grub
partition on GPT, nothing on MBR. These and /boot go on the first (boot) disk. A separate /boot
(ext4, 1 GiB) when ``boot`` says so, by default when root is encrypted or on LVM. Root (ext4|xfs)
takes the rest, or grows up to ``root_max``; /home is separate when ``separate_home`` says so or
when at least ``home_if_free`` is free (Anaconda's rule), and then takes what root leaves; swap is
fixed, or ``auto``/``hibernate`` from the machine's RAM as Anaconda suggests it. Everything is
encrypted when root is. LVM puts root, swap and home on LVs of the volume group ``azl`` (on LUKS
when encrypted); with ``all_disks`` every target disk that has free space carries a physical
volume of it, as Anaconda's autopart does.
"""

from __future__ import annotations

from installer.backend.config import Guided
from installer.backend.errors import InvalidInput, Issue
from installer.backend.sizes import GiB, MiB, SizeSpec, format_size, parse_size
from installer.backend.storage import minimums
from installer.backend.storage.allocate import EXTENT, PV_METADATA
from installer.backend.storage.keep import DiskState
from installer.backend.storage.naming import align_down
from installer.backend.storage.requests import Layout, LvReq, PartReq

VG_NAME = "azl"
W = "storage.guided"
MIN_FREE_DISK = 500 * MiB  # Anaconda's autopart uses disks with a free region larger than this
MAX_SWAP_DISK_RATIO = 10  # percent of the free space swap may take (Anaconda's 0.1)


def _b(n: int) -> SizeSpec:
    return SizeSpec("bytes", n)


def suggest_swap(memory: int, hibernation: bool = False, free: int | None = None) -> int:
    """Anaconda's suggest_swap_size: 2x RAM below 2 GiB, RAM below 8 GiB, half of RAM below 64 GiB,
    else 32 GiB; with hibernation RAM is added (up to 64 GiB of RAM); otherwise at most 10% of the
    free space. Rounded down to whole MiB."""
    mem = memory
    if mem < 2 * GiB:
        swap = 2 * mem
    elif mem < 8 * GiB:
        swap = mem
    elif mem < 64 * GiB:
        swap = mem // 2
    else:
        swap = 32 * GiB
    if hibernation:
        if mem <= 64 * GiB:
            swap = mem + swap
    elif free is not None:
        swap = min(swap, free * MAX_SWAP_DISK_RATIO // 100)
    return align_down(swap, MiB)


def swap_bytes(swap: str, memory: int, free: int | None) -> int:
    """The guided swap size in bytes: a size, or auto / hibernate from the RAM."""
    word = swap.strip().lower()
    if word in ("auto", "hibernate"):
        n = suggest_swap(memory, word == "hibernate", free)
        return n if n >= minimums.SWAP_MIN_BYTES else 0
    return parse_size(swap, "MiB")


def _checks(g: Guided, firmware: str, esp: int, boot: int, swap: int) -> None:
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


def guided_layout(
    g: Guided,
    states: list[DiskState],
    firmware: str,
    table: str,
    encrypt: bool,
    luks_header: int,
    root_min: int,
    memory: int = 2 * GiB,
) -> Layout:
    """The layout on ``states`` (the target disks; the first is the boot disk)."""
    largest = [max((b - a for a, b in st.regions), default=0) for st in states]
    disks = [st for st, free in zip(states, largest, strict=True) if free > MIN_FREE_DISK] if g.all_disks \
        else states[:1]
    if not disks:
        raise InvalidInput([Issue("storage.disks", "no target disk has free space for the layout (each needs a "
                                  f"free region larger than {format_size(MIN_FREE_DISK)})")])
    boot_disk = disks[0].index
    space_all = sum(max((b - a for a, b in st.regions), default=0) for st in disks)
    esp = parse_size(g.esp_size, "MiB")
    boot = parse_size(g.boot_size, "MiB")
    swap = swap_bytes(g.swap, memory, space_all)
    _checks(g, firmware, esp, boot, swap)

    lay = Layout()
    if firmware == "uefi":
        lay.parts.append(PartReq("esp", _b(esp), "vfat", f"{W}.esp_size", mount="/boot/efi", label="EFI", name="esp",
                                 disk=boot_disk))
    elif table == "gpt":
        lay.parts.append(PartReq("bios_grub", _b(minimums.BIOS_GRUB_BYTES), "biosboot", W, name="biosboot",
                                 disk=boot_disk))
    if g.boot if g.boot is not None else (encrypt or g.lvm):
        lay.parts.append(PartReq("boot", _b(boot), "ext4", f"{W}.boot_size", mount="/boot", label="boot", name="boot",
                                 disk=boot_disk))

    fixed = sum(p.size.value for p in lay.parts)
    space = max(0, space_all - fixed)  # what root, home and swap share
    home_free = parse_size(g.home_if_free, "MiB") if g.home_if_free else None
    separate_home = g.separate_home or (home_free is not None and space >= home_free)
    home_min = minimums.HOME_MIN_BYTES if separate_home else 0
    root_cap = parse_size(g.root_max, "MiB") if g.root_max else None

    if g.lvm:
        header = luks_header if encrypt else 0
        vg_space = align_down(space - len(disks) * (header + PV_METADATA), EXTENT)
        pv_min = root_min + swap + home_min + header + PV_METADATA + 2 * EXTENT
        for k, st in enumerate(disks):
            lay.parts.append(PartReq("pv", SizeSpec("rest"), "none", W, encrypt=encrypt, vg=VG_NAME,
                                     min_bytes=pv_min if k == 0 else MiB, name="lvm", disk=st.index))
        lay.vgs.append(VG_NAME)
        if swap:
            lay.lvs.append(LvReq(VG_NAME, "swap", "swap", _b(swap), "swap", f"{W}.swap", label="swap"))
        root = LvReq(VG_NAME, "root", "root", SizeSpec("rest"), g.root_fs, W, mount="/", label="root",
                     min_bytes=root_min)
        root.max_bytes = align_down(root_cap, EXTENT) if root_cap else None
        if separate_home and home_free is not None and g.home_size is None:
            # Anaconda: root and /home both grow from their minimums, root up to its cap
            lay.lvs.append(root)
            lay.lvs.append(LvReq(VG_NAME, "home", "home", SizeSpec("rest"), g.root_fs, f"{W}.home_if_free",
                                 mount="/home", label="home", min_bytes=home_min))
            return lay
        if separate_home:
            lay.lvs.append(LvReq(VG_NAME, "home", "home", _home(g, vg_space - swap, root_min), g.root_fs,
                                 f"{W}.home_size", mount="/home", label="home", min_bytes=home_min))
        lay.lvs.append(root)
        return lay

    root_space = space - swap
    root_req = PartReq("root", SizeSpec("rest"), g.root_fs, W, mount="/", label="root", encrypt=encrypt,
                       min_bytes=root_min + (luks_header if encrypt else 0), name="root", disk=boot_disk,
                       max_bytes=root_cap)
    lay.parts.append(root_req)
    if separate_home:
        if home_free is not None and g.home_size is None:
            home_spec = SizeSpec("rest")  # both grow from their minimums, root up to its cap
        else:
            home_spec = _home(g, root_space, root_min)
        lay.parts.append(PartReq("home", home_spec, g.root_fs, f"{W}.home_size", mount="/home", label="home",
                                 encrypt=encrypt, min_bytes=home_min, name="home", disk=boot_disk))
    if swap:
        lay.parts.append(PartReq("swap", _b(swap), "swap", f"{W}.swap", label="swap", encrypt=encrypt, name="swap",
                                 disk=boot_disk))
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
