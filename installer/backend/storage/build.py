"""plan_storage(config, machine) -> StoragePlan: pure; raises InvalidInput / RefusedForSafety."""

from __future__ import annotations

from installer.backend.config import Encryption, InstallConfig
from installer.backend.errors import InvalidInput, Issue
from installer.backend.machine import Machine
from installer.backend.sizes import format_size
from installer.backend.storage import minimums, safety
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
    safety.check_stacks(disks)
    deactivate = [a for a in (safety.check_disk(d, st.wipe_in_use) for d in disks) if a is not None]
    firmware = firmware_of(config, machine)
    root_min = minimums.min_root_bytes(config.packages.set, estimate)
    settings = luks_settings(st.encryption, machine.memory)
    if st.guided is not None:
        if len(disks) > 1:
            raise InvalidInput([Issue("storage.disks", "a guided layout uses one disk; list more disks only "
                                      "with a manual layout (storage.partitions)")])
        lay = guided_layout(st.guided, disks[0], firmware, st.table, st.encryption.enabled,
                            settings.header_bytes(), root_min)
    else:
        lay = manual_layout(st, firmware, len(disks), root_min)
    uses_luks = any(p.encrypt for p in lay.parts)
    plan = build_plan(lay, disks, firmware, st.table, settings if uses_luks else None, deactivate)
    plan.summary = summary_lines(plan, machine)
    return plan


def summary_lines(plan: StoragePlan, machine: Machine) -> list[str]:
    lines: list[str] = []
    for path in plan.disks:
        d = machine.disk(path)
        assert d is not None
        notes = "".join(f"; {n}" for n in d.notes)
        lines.append(f"{d.describe()} will be ERASED: {d.contents()}{notes}")
    lines.append(f"New layout ({plan.firmware.upper()}, {'GPT' if plan.table == 'gpt' else 'MBR'}):")
    for p in plan.partitions():
        lines.append("  " + _part_line(plan, p))
    for v in plan.volumes:
        if not v.device.startswith("/dev/mapper/") and v.device.count("/") == 3:  # an LV
            lines.append(f"  {v.device} {v.fstype}" + (f" {v.mountpoint}" if v.mountpoint else ""))
    return lines


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
