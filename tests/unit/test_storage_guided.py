"""Guided layouts on the recorded machines: firmware needs, /boot rules, LUKS, LVM, minimums."""

from __future__ import annotations

from typing import Any

import pytest

from installer.backend.config import InstallConfig
from installer.backend.errors import InvalidInput, RefusedForSafety
from installer.backend.machine import Disk, Machine, load_machine
from installer.backend.sizes import GiB, MiB
from installer.backend.storage import minimums
from installer.backend.storage.actions import (
    CreatePartition,
    CreateTable,
    LuksFormat,
    LvCreate,
    Mkfs,
    Mount,
    StoragePlan,
)
from installer.backend.storage.build import plan_storage

PW = "correct horse battery staple"


def _m(name: str) -> Machine:
    from tests.conftest import MACHINES

    return load_machine(MACHINES / f"{name}.json")


def _plan(machine: Machine | str, storage: dict[str, Any], packages: dict[str, Any] | None = None) -> StoragePlan:
    m = _m(machine) if isinstance(machine, str) else machine
    cfg = InstallConfig.model_validate({"storage": storage, "packages": packages or {}})
    return plan_storage(cfg, m)


def _roles(p: StoragePlan) -> list[str]:
    return [a.role for a in p.partitions()]


def test_uefi_default_layout() -> None:
    p = _plan("two-disks", {})
    assert _roles(p) == ["esp", "root"]
    esp = p.partitions()[0]
    assert esp.flags == ["esp", "boot"] and esp.size == 512 * MiB and esp.start == MiB
    mounts = {m.mountpoint: m for m in p.mounts()}
    assert mounts["/boot/efi"].options.startswith("umask=0077")
    assert [m.mountpoint for m in p.mounts()] == ["/", "/boot/efi"]
    assert p.layout.esp_device == "/dev/vda1" and p.layout.root_device == "/dev/vda2"
    assert p.summary[0] == "/dev/vda 64.0 GiB Virtio Block Device virtio will be ERASED: no partitions (empty or " \
                           "unknown data)"


def test_bios_gpt_has_bios_grub_and_mbr_has_boot_flag() -> None:
    p = _plan("small-vm", {})
    assert _roles(p) == ["bios_grub", "root"]
    assert p.partitions()[0].size == MiB and p.partitions()[0].flags == ["bios_grub"]
    assert p.layout.bios_grub_device == "/dev/vda1"
    p = _plan("small-vm", {"table": "mbr"})
    assert _roles(p) == ["root"]
    assert "boot" in p.partitions()[0].flags
    assert any(isinstance(a, CreateTable) and a.table == "msdos" for a in p.actions)


def test_encrypted_root_gets_boot_and_encrypted_swap() -> None:
    p = _plan("two-disks", {"guided": {"swap": "2GiB"}, "encryption": {"enabled": True, "passphrase": PW}})
    assert _roles(p) == ["esp", "boot", "root", "swap"]
    assert [a.device for a in p.luks_formats()] == ["/dev/vda3", "/dev/vda4"]
    assert p.layout.root_device == "/dev/mapper/luks-root"
    assert p.layout.boot_device == "/dev/vda2"
    assert p.layout.swap_devices == ["/dev/mapper/luks-swap"]
    s = p.luks_formats()[0].settings
    assert (s.version, s.pbkdf, s.memory_kib) == ("luks2", "argon2id", 262144)
    assert s.memory_kib * 1024 <= 512 * MiB // 2  # a 512 MiB machine can unlock it


def test_lvm_on_luks() -> None:
    p = _plan("bios-sata", {"disks": [{"path": "/dev/sdb"}], "guided": {"lvm": True, "swap": "1GiB",
              "separate_home": True}, "encryption": {"enabled": True, "passphrase": PW, "luks_version": "luks1"}})
    assert _roles(p) == ["bios_grub", "boot", "pv"]
    lvs = [a for a in p.actions if isinstance(a, LvCreate)]
    assert [(lv.name, lv.size is None) for lv in lvs] == [("swap", False), ("home", False), ("root", True)]
    assert p.layout.lvm_lvs == ["azl/root", "azl/swap"]
    assert p.layout.root_device == "/dev/azl/root"
    assert p.luks_formats()[0].settings.pbkdf == "pbkdf2"


def test_lvm_without_encryption_still_has_boot() -> None:
    p = _plan("two-disks", {"guided": {"lvm": True, "root_fs": "xfs"}})
    assert _roles(p) == ["esp", "boot", "pv"]
    assert "lvm" in p.partitions()[2].flags
    assert any(isinstance(a, Mkfs) and a.fstype == "xfs" and a.device == "/dev/azl/root" for a in p.actions)


def test_order_of_actions() -> None:
    p = _plan("two-disks", {"guided": {"lvm": True, "swap": "1GiB"}, "encryption": {"enabled": True,
              "passphrase": PW}})
    kinds = [a.kind for a in p.actions]
    first = {k: kinds.index(k) for k in reversed(kinds)}
    assert first["Wipe"] < first["CreateTable"] < first["CreatePartition"] < first["LuksFormat"] \
        < first["LuksOpen"] < first["PvCreate"] < first["VgCreate"] < first["LvCreate"] < first["Mkfs"] \
        < first["Mount"]
    assert all(isinstance(a, Mount) for a in p.actions[first["Mount"]:])


def test_too_small_names_shortfall() -> None:
    tiny = Machine(firmware="uefi", disks=[Disk(path="/dev/vda", size=2 * GiB)])
    with pytest.raises(InvalidInput) as ei:
        _plan(tiny, {})
    msg = ei.value.issues[0].format()
    assert "storage.disks.0" in msg and "too small" in msg and "short" in msg
    with pytest.raises(InvalidInput) as ei:
        _plan("small-vm", {}, {"set": "full"})  # 3 GiB disk, full needs 4 GiB root
    assert "1.0 GiB short" in ei.value.issues[0].format()


def test_minimums_take_the_payload_estimate() -> None:
    assert minimums.min_root_bytes("core") == 2 * GiB
    assert minimums.min_root_bytes("full") == 4 * GiB
    assert minimums.min_root_bytes("core", 3 * GiB) > 3 * GiB
    cfg = InstallConfig.model_validate({})
    with pytest.raises(InvalidInput):
        plan_storage(cfg, _m("small-vm"), estimate=3 * GiB)


def test_guided_field_errors() -> None:
    with pytest.raises(InvalidInput) as ei:
        _plan("two-disks", {"guided": {"esp_size": "100MiB"}})
    assert ei.value.issues[0].path == "storage.guided.esp_size"
    with pytest.raises(InvalidInput) as ei:
        _plan("two-disks", {"disks": [{"path": "/dev/vda"}, {"path": "/dev/vdb"}]})
    assert "guided layout uses one disk" in str(ei.value)


def test_summary_names_erased_disk_contents() -> None:
    p = _plan("two-disks", {"disks": [{"path": "/dev/vdb"}]})
    assert p.summary[0].startswith("/dev/vdb 32.0 GiB Virtio Block Device")
    assert "will be ERASED: GPT, 1 partition(s): vdb1 32.0 GiB ext4 'data'" in p.summary[0]
    wipe = p.actions[0]
    assert wipe.kind == "Wipe" and wipe.devices == ["/dev/vdb1", "/dev/vdb"]


@pytest.mark.parametrize("machine,disk,reason", [
    ("nvme-laptop", "/dev/sda", "installer medium"),
])
def test_refusals(machine: str, disk: str, reason: str) -> None:
    with pytest.raises(RefusedForSafety) as ei:
        _plan(machine, {"disks": [{"path": disk}]})
    assert reason in str(ei.value) and "wipe_in_use" in str(ei.value)
    assert RefusedForSafety.exit_code == 3


def _disk(**kw: Any) -> Disk:
    from installer.backend.machine import Filesystem, Partition

    part = Partition(path="/dev/vda1", number=1, start=MiB, size=4 * GiB,
                     fs=Filesystem(type=kw.pop("fstype", "ext4"), mountpoints=kw.pop("mounts", []),
                                   swap_active=kw.pop("swap", False)), holders=kw.pop("holders", []))
    return Disk(path="/dev/vda", size=16 * GiB, table="gpt", partitions=[part], **kw)


@pytest.mark.parametrize("disk,reason", [
    (_disk(mounts=["/srv"]), "mounted filesystems (/srv)"),
    (_disk(fstype="swap", swap=True), "active swap"),
    (_disk(fstype="crypto_LUKS", holders=["luks-1234"]), "active LVM/LUKS devices (luks-1234)"),
    (_disk(is_installer_medium=True), "installer medium"),
])
def test_in_use_refused_unless_wipe_in_use(disk: Disk, reason: str) -> None:
    m = Machine(firmware="uefi", disks=[disk])
    vda = [{"path": "/dev/vda"}]
    with pytest.raises(RefusedForSafety) as ei:
        _plan(m, {"disks": vda})
    assert reason in str(ei.value)
    p = _plan(m, {"disks": vda, "wipe_in_use": True})
    assert p.disks == ["/dev/vda"]
    if p.actions[0].kind == "Deactivate":
        assert p.actions[1].kind == "Wipe"


def test_running_root_refused_even_with_wipe_in_use() -> None:
    m = Machine(firmware="uefi", disks=[_disk(mounts=["/"], holds_running_root=True)])
    for wipe in (False, True):
        with pytest.raises(RefusedForSafety) as ei:
            _plan(m, {"disks": [{"path": "/dev/vda"}], "wipe_in_use": wipe})
        assert "running system" in str(ei.value)


def test_wipe_in_use_releases_first() -> None:
    m = Machine(firmware="uefi", disks=[_disk(mounts=["/srv"])])
    p = _plan(m, {"wipe_in_use": True})
    assert p.actions[0].kind == "Deactivate" and p.actions[0].describe() == "release /dev/vda: unmount /srv"


def test_partition_names_follow_the_kernel() -> None:
    p = _plan("nvme-laptop", {"disks": [{"path": "/dev/nvme0n1"}]})
    assert [a.path for a in p.actions if isinstance(a, CreatePartition)] == ["/dev/nvme0n1p1", "/dev/nvme0n1p2"]
    assert not [a for a in p.actions if isinstance(a, LuksFormat)]


def test_cli_exit_codes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from installer.cli.main import main
    from tests.conftest import MACHINES

    refused = tmp_path / "a.yaml"
    refused.write_text("version: 1\nstorage:\n  disks: [{path: /dev/sda}]\n")
    assert main(["plan", str(refused), "--machine", str(MACHINES / "nvme-laptop.json")]) == 3
    small = tmp_path / "b.yaml"
    small.write_text("version: 1\npackages: {set: full}\n")
    assert main(["plan", str(small), "--machine", str(MACHINES / "small-vm.json")]) == 2
    ok = tmp_path / "c.yaml"
    ok.write_text("version: 1\n")
    assert main(["plan", str(ok), "--machine", str(MACHINES / "two-disks.json")]) == 0


def test_device_tree() -> None:
    p = _plan("two-disks", {"guided": {"lvm": True, "swap": "1GiB"}, "encryption": {"enabled": True,
              "passphrase": PW}})
    tree = p.device_tree()
    assert tree["/dev/vda"] == [] and tree["/dev/vda3"] == ["/dev/vda"]
    assert tree["/dev/mapper/luks-azl"] == ["/dev/vda3"]
    assert tree["/dev/azl"] == ["/dev/mapper/luks-azl"] and tree["/dev/azl/root"] == ["/dev/azl"]
    # every device an action uses exists before it: on a disk, or made by an earlier action
    made = set(p.disks)
    for a in p.actions:
        for d in a.devices:
            assert d in made or a.kind == "Wipe", (a.kind, d)
        made |= set(a.creates)


def test_argon2_memory_fits_small_machines() -> None:
    from installer.backend.config import Encryption
    from installer.backend.storage.build import luks_settings

    enc = Encryption(enabled=True, passphrase=PW)  # type: ignore[arg-type]
    assert luks_settings(enc, 16 * GiB).memory_kib == 262144
    assert luks_settings(enc, 512 * MiB).memory_kib == 262144
    assert luks_settings(enc, 256 * MiB).memory_kib == 131072
    assert luks_settings(Encryption(pbkdf_memory_kib=65536), 16 * GiB).memory_kib == 65536
    assert luks_settings(Encryption(luks_version="luks1"), 16 * GiB).memory_kib is None


def test_wipe_in_use_closes_stacked_holders_top_down() -> None:
    m = Machine(firmware="uefi", disks=[_disk(fstype="crypto_LUKS", holders=["luks-1", "vg-root"])])
    p = _plan(m, {"disks": [{"path": "/dev/vda"}], "wipe_in_use": True})
    assert p.actions[0].describe() == "release /dev/vda: close vg-root, close luks-1"
