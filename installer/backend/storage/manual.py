"""Manual layouts: storage.partitions / volume_groups / logical_volumes, validated.

Rules: exactly one /, an ESP (/boot/efi or /efi, vfat) on UEFI, a biosboot partition on BIOS+GPT,
no duplicate mount points, swap and biosboot without a mount point, every VG backed by a PV
and every LV in a known VG, an encrypted / needs an unencrypted /boot unless GRUB can read the
LUKS volume (LUKS1 or pbkdf2). Sizes fit and alignment are checked by the allocator.
"""

from __future__ import annotations

from installer.backend.config import Storage
from installer.backend.errors import InvalidInput, Issue
from installer.backend.sizes import SizeSpec, format_size, parse_size
from installer.backend.storage import minimums
from installer.backend.storage.allocate import EXTENT
from installer.backend.storage.keep import Used
from installer.backend.storage.layout_info import ESP_MOUNTS
from installer.backend.storage.naming import align_down
from installer.backend.storage.requests import Layout, LvReq, PartReq

P = "storage.partitions"
L = "storage.logical_volumes"
E = "storage.existing"
MAKEABLE = {"ext2", "ext3", "ext4", "xfs", "btrfs", "vfat", "swap"}


def _existing_req(u: Used, root_min: int) -> PartReq:
    e, part = u.spec, u.part
    current = part.fs.type or ""
    if e.format:
        fs = e.fs or (current if current in MAKEABLE else "ext4")
    else:
        fs = "vfat" if current in ("vfat", "fat32", "fat16") else current
    if e.vg:
        fs = "none"
    role = _role(e.mount, fs, e.vg)
    return PartReq(role, SizeSpec("bytes", part.size), fs, u.where, mount=e.mount if not e.vg else None,
                   label=e.label, encrypt=e.encrypt, vg=e.vg, disk=u.disk, options=e.mount_options,
                   min_bytes=root_min if (e.mount == "/" and e.format) else 0, existing=part, keep=not e.format,
                   mkfs_options=e.mkfs_options)


def _role(mount: str | None, fs: str, vg: str | None) -> str:
    if vg:
        return "pv"
    if fs == "biosboot":
        return "bios_grub"
    if fs == "swap":
        return "swap"
    if mount in ESP_MOUNTS:
        return "esp"
    return {"/boot": "boot", "/": "root", "/home": "home"}.get(mount or "", "data")


def grub_reads(storage: Storage) -> bool:
    """GRUB 2.06 can unlock LUKS1, and LUKS2 only with pbkdf2."""
    enc = storage.encryption
    return enc.luks_version == "luks1" or enc.effective_pbkdf == "pbkdf2"


def _lv_cap(max_size: str | None, size: SizeSpec, min_b: int, where: str, issues: list[Issue],
            grows: bool = False) -> int | None:
    """A logical volume's max_size in bytes, rounded down to whole LVM extents; None when not given
    (or invalid, with an issue naming the field)."""
    if max_size is None:
        return None
    if size.kind != "rest" and not grows:
        issues.append(Issue(f"{where}.max_size", "max_size caps a growing ('rest' or grow) logical volume only"))
        return None
    cap = align_down(parse_size(max_size, "MiB"), EXTENT)
    floor = max(min_b, EXTENT)
    if cap < floor:
        issues.append(Issue(f"{where}.max_size", f"max_size {max_size} is below this volume's minimum of "
                            f"{format_size(floor)}"))
        return None
    return cap


def manual_layout(storage: Storage, firmware: str, ndisks: int, root_min: int,
                  used: list[Used] | None = None, kept_bios_boot: bool = False,
                  boot_table: str | None = None) -> Layout:
    assert storage.partitions is not None
    issues: list[Issue] = []
    lay = Layout(vgs=[v.name for v in storage.volume_groups])
    seen_vg: set[str] = set()
    for i, v in enumerate(storage.volume_groups):
        if v.name in seen_vg:
            issues.append(Issue(f"storage.volume_groups.{i}.name", f"volume group '{v.name}' is defined twice"))
        seen_vg.add(v.name)
    mounts: dict[str, str] = {}

    def see_mount(mount: str | None, where: str) -> None:
        if mount is None:
            return
        if mount in mounts:
            issues.append(Issue(f"{where}.mount", f"mount point {mount} is already used by {mounts[mount]}"))
        else:
            mounts[mount] = where

    for i, p in enumerate(storage.partitions):
        w = f"{P}.{i}"
        size = SizeSpec.parse(p.size)
        if p.disk >= ndisks:
            issues.append(Issue(f"{w}.disk", f"disk index {p.disk} but storage.disks lists {ndisks} disk(s)"))
        if p.vg is not None:
            if p.vg not in seen_vg:
                issues.append(Issue(f"{w}.vg", f"volume group '{p.vg}' is not in storage.volume_groups"))
            if p.mount is not None:
                issues.append(Issue(f"{w}.mount", "an LVM physical volume has no mount point"))
        elif p.fs in ("swap", "biosboot", "none") and p.mount is not None:
            issues.append(Issue(f"{w}.mount", f"a {p.fs} partition has no mount point"))
        elif p.fs not in ("swap", "biosboot", "none") and p.mount is None:
            issues.append(Issue(f"{w}.mount", f"a {p.fs} partition needs a mount point"))
        if p.fs == "biosboot" and p.encrypt:
            issues.append(Issue(f"{w}.encrypt", "a biosboot partition cannot be encrypted"))
        if p.mount in ESP_MOUNTS and p.fs != "vfat":
            issues.append(Issue(f"{w}.fs", f"the ESP ({p.mount}) must be vfat"))
        if p.mount in ESP_MOUNTS and p.encrypt:
            issues.append(Issue(f"{w}.encrypt", "the ESP cannot be encrypted: the firmware reads it"))
        if p.max_size is not None and size.kind != "rest" and not p.grow:
            issues.append(Issue(f"{w}.max_size", "max_size caps a growing ('rest' or grow) partition only"))
        if p.grow and size.kind == "rest":
            issues.append(Issue(f"{w}.grow", "size: rest already grows; give a base size with grow: true"))
        see_mount(p.mount if p.vg is None else None, w)
        role = _role(p.mount, p.fs, p.vg)
        fs = "none" if p.vg else p.fs
        min_b = root_min if p.mount == "/" else minimums.FS_MIN_BYTES.get(fs, 0)
        if p.mount in ESP_MOUNTS:
            min_b = minimums.ESP_MIN_BYTES
        lay.parts.append(PartReq(
            role, size, fs, w, mount=p.mount if p.vg is None else None, label=p.label, encrypt=p.encrypt,
            vg=p.vg, disk=p.disk, options=p.mount_options, min_bytes=min_b,
            max_bytes=parse_size(p.max_size, "MiB") if p.max_size else None, name=p.label, grow=p.grow,
        ))
    for u in used or []:
        r = _existing_req(u, root_min)
        if u.spec.vg is not None and u.spec.vg not in seen_vg:
            issues.append(Issue(f"{u.where}.vg", f"volume group '{u.spec.vg}' is not in storage.volume_groups"))
        if r.fs not in ("swap", "none") and r.mount is None and not u.spec.vg:
            issues.append(Issue(f"{u.where}.mount", f"{u.part.path} ({r.fs or 'no filesystem'}) needs a mount point "
                                "(or is not listed at all: partitions not listed are kept as they are)"))
        if r.mount in ESP_MOUNTS and r.fs != "vfat":
            issues.append(Issue(f"{u.where}.fs", f"the ESP ({r.mount}) must be vfat; {u.part.path} holds {r.fs}"))
        see_mount(r.mount, u.where)
        lay.parts.append(r)

    lv_names: set[str] = set()
    for i, lv in enumerate(storage.logical_volumes):
        w = f"{L}.{i}"
        if lv.vg not in seen_vg:
            issues.append(Issue(f"{w}.vg", f"volume group '{lv.vg}' is not in storage.volume_groups"))
        if f"{lv.vg}/{lv.name}" in lv_names:
            issues.append(Issue(f"{w}.name", f"logical volume {lv.vg}/{lv.name} is defined twice"))
        lv_names.add(f"{lv.vg}/{lv.name}")
        if lv.fs == "swap" and lv.mount is not None:
            issues.append(Issue(f"{w}.mount", "swap has no mount point"))
        if lv.fs != "swap" and lv.mount is None:
            issues.append(Issue(f"{w}.mount", f"a {lv.fs} logical volume needs a mount point"))
        if lv.mount in ESP_MOUNTS:
            issues.append(Issue(f"{w}.mount", "the ESP must be a partition, not a logical volume"))
        see_mount(lv.mount, w)
        role = _role(lv.mount, lv.fs, None)
        min_b = root_min if lv.mount == "/" else minimums.FS_MIN_BYTES.get(lv.fs, 0)
        size = SizeSpec.parse(lv.size)
        max_b = _lv_cap(lv.max_size, size, min_b, w, issues, lv.grow)
        lay.lvs.append(LvReq(lv.vg, lv.name, role, size, lv.fs, w, lv.mount, lv.label, min_b, max_b, lv.grow))

    # firmware needs and the root/boot rules
    roots = [w for m, w in mounts.items() if m == "/"]
    if not roots:
        issues.append(Issue(P, "the layout has no root (/) partition or logical volume"))
    esps = [m for m in ESP_MOUNTS if m in mounts]
    if firmware == "uefi" and not esps:
        issues.append(Issue(P, "UEFI needs an EFI system partition: add {mount: /boot/efi, fs: vfat, size: 512MiB}"))
    if len(esps) > 1:
        issues.append(Issue(f"{mounts['/efi']}.mount", "two EFI system partitions (/boot/efi and /efi): keep one"))
    table = boot_table or storage.table
    if firmware == "bios" and table == "gpt" and not any(p.fs == "biosboot" for p in storage.partitions) \
            and not kept_bios_boot:
        issues.append(Issue(P, "BIOS boot from GPT needs a 1 MiB biosboot partition: add {fs: biosboot, size: 1MiB}"))
    if firmware == "bios" and table == "mbr" and any(p.fs == "biosboot" for p in storage.partitions):
        issues.append(Issue(P, "a biosboot partition is only for GPT; an MBR table has room for GRUB already"))
    for i, p in enumerate(storage.partitions):
        if p.fs == "biosboot" and SizeSpec.parse(p.size).kind == "bytes" and parse_size(p.size, "MiB") > 8 * 1024**2:
            issues.append(Issue(f"{P}.{i}.size", f"a biosboot partition needs 1 MiB, not {p.size}"))

    encrypted_vgs = {p.vg for p in storage.partitions if p.vg and p.encrypt}
    plain_vgs = {p.vg for p in storage.partitions if p.vg and not p.encrypt}

    def encrypted(where: str) -> bool:
        if where.startswith(E):
            return storage.existing[int(where.rsplit(".", 1)[1])].encrypt
        if where.startswith(P):
            return storage.partitions[int(where.rsplit(".", 1)[1])].encrypt  # type: ignore[index]
        lv = storage.logical_volumes[int(where.rsplit(".", 1)[1])]
        return lv.vg in encrypted_vgs

    for i, p in enumerate(storage.partitions):
        if p.vg and p.vg in encrypted_vgs and p.vg in plain_vgs and not p.encrypt:
            issues.append(Issue(f"{P}.{i}.encrypt", f"volume group '{p.vg}' mixes encrypted and plain PVs"))
    if any(p.encrypt for p in storage.partitions) and storage.encryption.passphrase is None:
        first = next(i for i, p in enumerate(storage.partitions) if p.encrypt)
        issues.append(Issue(f"{P}.{first}.encrypt", "encryption needs storage.encryption.passphrase"))
    if roots and encrypted(roots[0]) and not grub_reads(storage):
        boot = mounts.get("/boot")
        if boot is None:
            issues.append(Issue(f"{roots[0]}.encrypt" if roots[0].startswith(P) else f"{roots[0]}.vg",
                                "an encrypted / needs a separate unencrypted /boot partition (GRUB cannot read "
                                f"{storage.encryption.luks_version.upper()} with "
                                f"{storage.encryption.effective_pbkdf}); "
                                "add {mount: /boot, size: 1GiB} or use storage.encryption.luks_version: luks1"))
    boot = mounts.get("/boot")
    if boot is not None and encrypted(boot) and not grub_reads(storage):
        issues.append(Issue(f"{boot}.encrypt", "/boot cannot be encrypted with "
                            f"{storage.encryption.effective_pbkdf}: GRUB could not read it"))
    if issues:
        raise InvalidInput(issues)
    return lay
