"""Manual layouts: the validation rules, each naming the config field it is about."""

from __future__ import annotations

from typing import Any

import pytest

from installer.backend.config import InstallConfig
from installer.backend.errors import InvalidInput
from installer.backend.machine import load_machine
from installer.backend.sizes import GiB, MiB
from installer.backend.storage.actions import LvCreate, StoragePlan, VgCreate
from installer.backend.storage.build import plan_storage

PW = "correct horse battery staple"
ESP = {"mount": "/boot/efi", "fs": "vfat", "size": "512MiB"}
BOOT = {"mount": "/boot", "size": "1GiB"}
ROOT = {"mount": "/", "size": "rest"}


def _plan(parts: list[dict[str, Any]], machine: str = "two-disks", **storage: Any) -> StoragePlan:
    from tests.conftest import MACHINES

    cfg = InstallConfig.model_validate({"storage": {"partitions": parts, **storage}})
    return plan_storage(cfg, load_machine(MACHINES / f"{machine}.json"))


def _issues(parts: list[dict[str, Any]], machine: str = "two-disks", **storage: Any) -> list[str]:
    with pytest.raises(InvalidInput) as ei:
        _plan(parts, machine, **storage)
    return [f"{i.path}: {i.message}" for i in ei.value.issues]


def test_valid_uefi_layout() -> None:
    p = _plan([ESP, BOOT, {"mount": "/", "size": "20GiB", "fs": "xfs"}, {"fs": "swap", "size": "2GiB"},
               {"mount": "/home", "size": "rest", "max_size": "10GiB"}])
    sizes = [a.size for a in p.partitions()]
    assert sizes == [512 * MiB, GiB, 20 * GiB, 2 * GiB, 10 * GiB]
    assert p.layout.root_fs == "xfs" and p.layout.swap_devices == ["/dev/vda4"]


def test_exactly_one_root() -> None:
    assert any("no root (/)" in i for i in _issues([ESP, BOOT]))
    out = _issues([ESP, ROOT, {"mount": "/", "size": "1GiB"}])
    assert "storage.partitions.2.mount: mount point / is already used by storage.partitions.1" in out


def test_esp_on_uefi_and_bios_grub_on_bios_gpt() -> None:
    assert any("EFI system partition" in i for i in _issues([ROOT]))
    assert any("biosboot" in i for i in _issues([ROOT], "small-vm"))
    _plan([ROOT], "small-vm", table="mbr")
    p = _plan([{"fs": "biosboot", "size": "1MiB"}, ROOT], "small-vm")
    assert p.partitions()[0].flags == ["bios_grub"]


def test_swap_and_biosboot_without_mount_point() -> None:
    out = _issues([ESP, ROOT, {"fs": "swap", "size": "1GiB", "mount": "/swap"}])
    assert "storage.partitions.2.mount: a swap partition has no mount point" in out
    out = _issues([ESP, ROOT, {"size": "1GiB", "mount": None}])
    assert "storage.partitions.2.mount: a ext4 partition needs a mount point" in out


def test_alignment_and_fit() -> None:
    out = _issues([ESP, {"mount": "/", "size": "1000KiB"}])
    assert any("storage.partitions.1.size" in i and "multiple of 1 MiB" in i for i in out)
    out = _issues([ESP, {"mount": "/", "size": "100GiB"}])
    assert any(i.startswith("storage.disks.0:") and "too small" in i and "short" in i for i in out)
    out = _issues([ESP, {"mount": "/", "size": "1GiB"}])
    assert any(i.startswith("storage.partitions.1.size") and "needs at least 2.0 GiB" in i for i in out)



def test_growing_partitions_share_the_disk_as_anaconda_does() -> None:
    """Several growing partitions (kickstart --grow) share the free space in proportion to their
    base sizes, capped by max_size, and together fill the disk (blivet's grow_partitions)."""
    p = _plan([ESP, {"mount": "/", "size": "8GiB", "grow": True},
               {"mount": "/var", "size": "4GiB", "grow": True, "max_size": "12GiB"},
               {"mount": "/srv", "size": "2GiB", "grow": True}])
    parts = p.partitions()
    sizes = [a.size // MiB for a in parts]
    assert sizes[0] == 512 and sizes[2] == 12 * 1024  # /var stops at its cap
    free = 64 * 1024 - 2 - 512  # the disk minus the table's MiB at each end and the ESP
    assert sum(sizes[1:]) == free  # nothing left over
    # what /var did not take is shared by / and /srv 4:1 (their bases are 8 and 2 GiB)
    assert abs(sizes[1] - 4 * sizes[3]) <= 4
    assert all(a.start % MiB == 0 and a.size % MiB == 0 for a in parts)
    assert [a.start for a in parts] == sorted(a.start for a in parts)
    # two 'rest' partitions no longer conflict: each grows from its minimum
    _plan([ESP, ROOT, {"mount": "/srv", "size": "rest"}])


def test_percent_sizes() -> None:
    p = _plan([ESP, {"mount": "/", "size": "50%"}, {"mount": "/srv", "size": "rest"}])
    assert all(a.size % MiB == 0 and a.start % MiB == 0 for a in p.partitions())
    assert abs(p.partitions()[1].size - 32 * GiB) < 2 * MiB


def test_encrypted_root_needs_plain_boot_unless_grub_reads_it() -> None:
    enc = {"enabled": True, "passphrase": PW}
    out = _issues([ESP, {**ROOT, "encrypt": True}], encryption=enc)
    assert any(i.startswith("storage.partitions.1.encrypt: an encrypted / needs a separate unencrypted /boot")
               for i in out)
    _plan([ESP, {**ROOT, "encrypt": True}], encryption={**enc, "luks_version": "luks1"})
    _plan([ESP, {**ROOT, "encrypt": True}], encryption={**enc, "pbkdf": "pbkdf2"})
    _plan([ESP, BOOT, {**ROOT, "encrypt": True}], encryption=enc)
    out = _issues([ESP, {**BOOT, "encrypt": True}, {**ROOT, "encrypt": True}], encryption=enc)
    assert any(i.startswith("storage.partitions.1.encrypt: /boot cannot be encrypted") for i in out)


def test_encrypt_without_passphrase() -> None:
    out = _issues([ESP, BOOT, {**ROOT, "encrypt": True}])
    assert "storage.partitions.2.encrypt: encryption needs storage.encryption.passphrase" in out


def test_lvm_manual() -> None:
    p = _plan([ESP, BOOT, {"size": "rest", "vg": "sys", "encrypt": True}],
              volume_groups=[{"name": "sys"}],
              logical_volumes=[{"name": "root", "vg": "sys", "mount": "/", "size": "10GiB"},
                               {"name": "swap", "vg": "sys", "fs": "swap", "size": "1GiB"},
                               {"name": "home", "vg": "sys", "mount": "/home", "size": "rest"}],
              encryption={"enabled": True, "passphrase": PW})
    assert [a.name for a in p.actions if isinstance(a, VgCreate)] == ["sys"]
    lvs = [a for a in p.actions if isinstance(a, LvCreate)]
    assert [(a.name, a.size) for a in lvs] == [("root", 10 * GiB), ("swap", GiB), ("home", None)]
    assert p.layout.root_device == "/dev/sys/root" and p.layout.lvm_lvs == ["sys/root", "sys/swap"]
    assert p.layout.luks[0].name == "luks-sys"


def test_lvm_errors() -> None:
    out = _issues([ESP, {"size": "rest", "vg": "nope"}], volume_groups=[{"name": "sys"}],
                  logical_volumes=[{"name": "root", "vg": "other", "mount": "/", "size": "rest"}])
    assert "storage.partitions.1.vg: volume group 'nope' is not in storage.volume_groups" in out
    assert "storage.logical_volumes.0.vg: volume group 'other' is not in storage.volume_groups" in out
    out = _issues([ESP, BOOT, {"size": "4GiB", "vg": "sys"}], volume_groups=[{"name": "sys"}],
                  logical_volumes=[{"name": "root", "vg": "sys", "mount": "/", "size": "8GiB"}])
    assert any(i.startswith("storage.logical_volumes.0.size") and "too small" in i for i in out)


def test_duplicate_mount_and_disk_index() -> None:
    out = _issues([ESP, ROOT, {"mount": "/boot/efi", "fs": "vfat", "size": "512MiB", "disk": 3}])
    assert "storage.partitions.2.disk: disk index 3 but storage.disks lists 1 disk(s)" in out
    assert any(i.startswith("storage.partitions.2.mount: mount point /boot/efi is already used") for i in out)


def test_two_disks_manual() -> None:
    p = _plan([ESP, ROOT, {"mount": "/srv", "size": "rest", "disk": 1}],
              disks=[{"path": "/dev/vda"}, {"path": "/dev/vdb"}])
    assert p.disks == ["/dev/vda", "/dev/vdb"]
    assert [a.path for a in p.partitions()] == ["/dev/vda1", "/dev/vda2", "/dev/vdb1"]
    assert len(p.summary) >= 2 and p.summary[1].startswith("/dev/vdb 32.0 GiB")


def test_mbr_partition_limit() -> None:
    out = _issues([{"mount": "/", "size": "4GiB"}] + [{"mount": f"/d{i}", "size": "1GiB"} for i in range(4)],
                  "small-vm", table="mbr")
    assert any(i.startswith("storage.table: an MBR table holds at most 4") for i in out)
