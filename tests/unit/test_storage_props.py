"""Property tests: over disk sizes, sector sizes and options, every layout is aligned,
non-overlapping, fits its disk and holds what the firmware needs; a disk too small errors."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from installer.backend.config import InstallConfig
from installer.backend.errors import InvalidInput
from installer.backend.machine import Disk, Machine, load_machine
from installer.backend.sizes import GiB, MiB
from installer.backend.storage import minimums
from installer.backend.storage.actions import LvCreate, StoragePlan
from installer.backend.storage.build import plan_storage
from installer.backend.storage.naming import usable_range

options = st.fixed_dictionaries({
    "firmware": st.sampled_from(["uefi", "bios"]),
    "table": st.sampled_from(["gpt", "mbr"]),
    "guided": st.fixed_dictionaries({
        "root_fs": st.sampled_from(["ext4", "xfs"]),
        "swap": st.sampled_from(["0", "64MiB", "1GiB", "4GiB"]),
        "lvm": st.booleans(),
        "separate_home": st.booleans(),
        "esp_size": st.sampled_from(["512MiB", "600MiB", "1GiB"]),
    }),
    "encryption": st.sampled_from([{}, {"enabled": True, "passphrase": "correct horse battery staple"},
                                   {"enabled": True, "passphrase": "correct horse battery staple",
                                    "luks_version": "luks1"}]),
})


def check_plan(p: StoragePlan, m: Machine, opts: dict[str, Any]) -> None:
    for path in p.disks:
        d = m.disk(path)
        assert d is not None
        start, end = usable_range(d.size, "gpt" if p.table == "gpt" else "msdos", d.logical_sector_size)
        parts = sorted(p.partitions(path), key=lambda a: a.start)
        assert parts, "a target disk gets partitions"
        for a in parts:
            assert a.start % MiB == 0 and a.size % MiB == 0, "1 MiB aligned"
            assert a.start % d.logical_sector_size == 0
            assert a.size > 0
            assert start <= a.start and a.end <= end, "inside the usable area"
        for x, y in zip(parts, parts[1:], strict=False):
            assert x.end <= y.start, "no overlap"
        if p.table == "mbr":
            assert len(parts) <= 4
    roles = [a.role for a in p.partitions()]
    if p.firmware == "uefi":
        assert roles.count("esp") == 1 and p.layout.esp_device
        esp = next(a for a in p.partitions() if a.role == "esp")
        assert minimums.ESP_MIN_BYTES <= esp.size <= minimums.ESP_MAX_BYTES
    elif p.table == "gpt":
        assert roles.count("bios_grub") == 1 and p.layout.bios_grub_device
    encrypted = bool(opts["encryption"])
    if encrypted or opts["guided"]["lvm"]:
        assert p.layout.boot_device is not None
    if encrypted:
        assert p.layout.luks and p.layout.root_device.startswith(("/dev/mapper/", "/dev/azl/"))
        for sw in p.layout.swap_devices:  # swap is encrypted whenever root is
            assert sw.startswith(("/dev/mapper/", "/dev/azl/"))
    assert p.mounts()[0].mountpoint == "/"
    for lv in (a for a in p.actions if isinstance(a, LvCreate)):
        assert lv.size is None or lv.size % (4 * MiB) == 0


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(size_mib=st.integers(min_value=64, max_value=8 * 1024 * 1024), sector=st.sampled_from([512, 4096]),
       extra=st.integers(min_value=0, max_value=MiB - 1), opts=options, pkg=st.sampled_from(["core", "full"]))
def test_guided_layouts_hold(size_mib: int, sector: int, extra: int, opts: dict[str, Any], pkg: str) -> None:
    size = size_mib * MiB + (extra // sector) * sector
    m = Machine(firmware="uefi", disks=[Disk(path="/dev/vda", size=size, logical_sector_size=sector,
                                             physical_sector_size=max(sector, 4096))])
    cfg = InstallConfig.model_validate({"storage": opts, "packages": {"set": pkg}})
    try:
        p = plan_storage(cfg, m)
    except InvalidInput as exc:
        text = str(exc)
        # the only acceptable refusal for a well-formed request is a disk too small
        assert "too small" in text or "needs at least" in text or "at most 4 partitions" in text, text
        root_min = minimums.min_root_bytes(pkg)
        if "at most 4 partitions" not in text:
            assert size < root_min + 8 * GiB, f"a {size} byte disk should fit: {text}"
        return
    check_plan(p, m, opts)
    assert size >= minimums.min_root_bytes(pkg), "root got its minimum"


@settings(max_examples=40, deadline=None)
@given(opts=options, name=st.sampled_from(["two-disks", "bios-sata", "nvme-laptop", "small-vm"]))
def test_recorded_machines(opts: dict[str, Any], name: str) -> None:
    from tests.conftest import MACHINES

    m = load_machine(MACHINES / f"{name}.json")
    cfg = InstallConfig.model_validate({"storage": opts})
    try:
        p = plan_storage(cfg, m)
    except InvalidInput as exc:
        assert "too small" in str(exc) or "at most 4 partitions" in str(exc) or "needs at least" in str(exc)
        return
    check_plan(p, m, opts)
    for d in p.disks:
        disk = m.disk(d)
        assert disk is not None and not disk.is_installer_medium


@settings(max_examples=60, deadline=None)
@given(size_mib=st.integers(min_value=1, max_value=2047), fw=st.sampled_from(["uefi", "bios"]))
def test_too_small_always_errors(size_mib: int, fw: str) -> None:
    m = Machine(firmware=fw, disks=[Disk(path="/dev/vda", size=size_mib * MiB)])
    try:
        plan_storage(InstallConfig.model_validate({}), m)
    except InvalidInput as exc:
        assert "short" in str(exc)
    else:
        raise AssertionError("a disk smaller than the root minimum must be refused")


part = st.fixed_dictionaries({
    "mount": st.sampled_from(["/srv", "/var", "/opt", "/data", "/home", None]),
    "size": st.sampled_from(["1MiB", "64MiB", "1GiB", "3GiB", "10%", "25%"]),
    "fs": st.sampled_from(["ext4", "xfs", "swap"]),
})


@settings(max_examples=150, deadline=None)
@given(size_gib=st.integers(min_value=1, max_value=4096), sector=st.sampled_from([512, 4096]),
       extra=st.lists(part, max_size=6), rest=st.booleans(), fw=st.sampled_from(["uefi", "bios"]))
def test_manual_layouts_hold(size_gib: int, sector: int, extra: list[dict[str, Any]], rest: bool, fw: str) -> None:
    parts: list[dict[str, Any]] = []
    parts.append({"mount": "/boot/efi", "fs": "vfat", "size": "512MiB"} if fw == "uefi" else
                 {"fs": "biosboot", "size": "1MiB"})
    parts.append({"mount": "/", "size": "rest" if rest else "4GiB"})
    for p in extra:
        q = dict(p)
        if q["fs"] == "swap":
            q["mount"] = None
        elif q["mount"] is None:
            q["mount"] = "/x"
        parts.append(q)
    m = Machine(firmware=fw, disks=[Disk(path="/dev/sda", size=size_gib * GiB, logical_sector_size=sector)])
    try:
        cfg = InstallConfig.model_validate({"storage": {"partitions": parts}})
        p = plan_storage(cfg, m)
    except InvalidInput as exc:
        text = str(exc)
        assert any(w in text for w in ("too small", "needs at least", "already used", "at least 1 MiB")), text
        return
    check_plan(p, m, {"encryption": {}, "guided": {"lvm": False}})
    assert sum(a.size for a in p.partitions()) <= size_gib * GiB
