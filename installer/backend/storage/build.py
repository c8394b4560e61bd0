"""plan_storage(config, machine) -> StoragePlan: pure; raises InvalidInput / RefusedForSafety."""

from __future__ import annotations

from installer.backend.config import Encryption, InstallConfig
from installer.backend.errors import InvalidInput, Issue
from installer.backend.machine import Machine, Partition
from installer.backend.sizes import format_size
from installer.backend.storage import keep, minimums, safety
from installer.backend.storage.actions import CreatePartition, LuksSettings, StoragePlan
from installer.backend.storage.allocate import build_plan
from installer.backend.storage.guided import guided_layout
from installer.backend.storage.manual import manual_layout
from installer.backend.storage.select import resolve_disks

# argon2id memory cost: 256 MiB leaves a 512 MiB machine's initramfs room to unlock; on a machine
# with less RAM than that, half of its RAM (cryptsetup caps the cost there too). Never below 32 MiB.
ARGON2_MEMORY_KIB = 262144
ARGON2_MIN_KIB = 32768


def luks_settings(enc: Encryption, memory_bytes: int | None = None) -> LuksSettings:
    pbkdf = enc.effective_pbkdf
    memory = enc.pbkdf_memory_kib
    if pbkdf != "pbkdf2" and memory is None:
        memory = ARGON2_MEMORY_KIB
        if memory_bytes:
            memory = max(ARGON2_MIN_KIB, min(memory, memory_bytes // 1024 // 2))
    return LuksSettings(
        version=enc.luks_version,
        cipher=enc.cipher,
        key_size=enc.key_size,
        pbkdf=pbkdf,
        memory_kib=memory,
        iterations=enc.pbkdf_iterations,
        time_ms=enc.pbkdf_time_ms,
    )


def firmware_of(config: InstallConfig, machine: Machine) -> str:
    fw = config.storage.firmware
    return machine.firmware if fw == "auto" else fw


def plan_storage(config: InstallConfig, machine: Machine, estimate: int | None = None) -> StoragePlan:
    st = config.storage
    disks = resolve_disks(st, machine)
    states = keep.disk_states(st, disks)
    used = keep.resolve_existing(st, states)
    safety.check_stacks([s.disk for s in states if s.fresh or any(keep.is_linux(p) for p in s.removed)])
    deactivate = [a for a in (safety.check_disk(d, st.wipe_in_use) for d in disks) if a is not None]
    firmware = firmware_of(config, machine)
    root_min = minimums.min_root_bytes(config.packages.set, estimate)
    settings = luks_settings(st.encryption, machine.memory)
    table = "mbr" if states[0].table == "msdos" else "gpt"  # a kept table is what it is
    if st.guided is not None:
        if len(disks) > 1:
            raise InvalidInput([Issue("storage.disks", "a guided layout uses one disk; list more disks only "
                                      "with a manual layout (storage.partitions)")])
        lay = guided_layout(st.guided, disks[0], firmware, table, st.encryption.enabled,
                            settings.header_bytes(), root_min, max((b - a for a, b in states[0].regions), default=0))
    else:
        bios_boot = any("bios boot" in (p.type_name or "").lower() for s in states for p in s.kept)
        lay = manual_layout(st, firmware, len(disks), root_min, used, bios_boot, table)
    uses_luks = any(p.encrypt for p in lay.parts)
    plan = build_plan(lay, disks, firmware, table, settings if uses_luks else None, deactivate, states)
    plan.summary = summary_lines(plan, machine, states, used)
    return plan


def summary_lines(plan: StoragePlan, machine: Machine, states: list[keep.DiskState] | None = None,
                  used: list[keep.Used] | None = None) -> list[str]:
    lines: list[str] = []
    kept_disks = {s.disk.path: s for s in states or [] if not s.fresh}
    for path in plan.disks:
        d = machine.disk(path)
        assert d is not None
        notes = "".join(f"; {n}" for n in d.notes)
        if path in kept_disks:
            lines += kept_summary(plan, kept_disks[path], used or [])
            continue
        lines.append(f"{d.describe()} will be ERASED: {d.contents()}{notes}")
    lines.append(f"New layout ({plan.firmware.upper()}, {'GPT' if plan.table == 'gpt' else 'MBR'}):")
    for p in plan.partitions():
        lines.append("  " + _part_line(plan, p))
    for v in plan.volumes:
        if not v.device.startswith("/dev/mapper/") and v.device.count("/") == 3:  # an LV
            lines.append(f"  {v.device} {v.fstype}" + (f" {v.mountpoint}" if v.mountpoint else ""))
    return lines


def kept_summary(plan: StoragePlan, st: keep.DiskState, used: list[keep.Used]) -> list[str]:
    """One line per partition of a disk whose table stays: kept, reformatted, used as it is,
    removed (with what it holds now) and created."""
    d = st.disk
    table = "GPT" if st.table == "gpt" else "MBR"
    lines = [f"{d.describe()}: its {table} partition table is KEPT; partition by partition:"]
    use = {u.part.path: u for u in used}
    vols = {v.device: v for v in plan.volumes}
    for p in sorted(d.partitions, key=lambda p: p.start):
        now = _now(p)
        if p in st.removed:
            lines.append(f"  {p.path} {format_size(p.size)} {now}: REMOVED (erased)")
        elif p.path in use:
            u = use[p.path]
            v = vols.get(p.path) or next((x for x in plan.volumes if x.luks_name and
                                          any(a.device == p.path for a in plan.luks_formats())), None)
            where = f" for {v.mountpoint}" if v is not None and v.mountpoint else ""
            if u.spec.format:
                what = "LUKS + " if u.spec.encrypt else ""
                new = "an LVM PV" if u.spec.vg else (v.fstype if v is not None else u.spec.fs or "")
                lines.append(f"  {p.path} {format_size(p.size)} {now}: REFORMATTED as {what}{new}{where} "
                             "(its data is erased)")
            else:
                lines.append(f"  {p.path} {format_size(p.size)} {now}: used as it is{where} (data kept)")
        else:
            lines.append(f"  {p.path} {format_size(p.size)} {now}: kept, not touched")
    for a in plan.partitions(d.path):
        lines.append(f"  {_part_line(plan, a)}: NEW (in free space)")
    return lines


def _now(p: Partition) -> str:
    desc = p.fs.type or p.type_name or "unknown contents"
    if p.fs.label:
        desc += f" '{p.fs.label}'"
    return desc


def _part_line(plan: StoragePlan, p: CreatePartition) -> str:
    luks = next((a for a in plan.luks_formats() if a.device == p.path), None)
    vol = next((v for v in plan.volumes if v.device == p.path), None)
    bits = [p.path, format_size(p.size)]
    if luks is not None:
        bits.append(f"encrypted ({luks.settings.version.upper()})")
    if p.role == "pv":
        bits.append("LVM physical volume")
    elif p.role == "bios_grub":
        bits.append("BIOS boot")
    else:
        if vol is None and luks is not None:
            vol = next((v for v in plan.volumes if v.luks_name == luks.name), None)
        if vol is not None:
            bits += [vol.fstype] if vol.fstype == "swap" else [vol.fstype, vol.mountpoint or ""]
    return " ".join(bits)
