"""Engine conformance on loop devices: every engine in storage.engine.ENGINES runs the same plans
on an 8 GiB sparse image, and the result read back (sfdisk --json, blkid) must equal the plan.

On this host, what needs device-mapper (LUKS open, LVM) or a vfat mount (the ESP) skips with
that reason; UEFI layouts are applied up to the mounts, which is as far as the host can go.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from installer.backend.storage.actions import LuksFormat, Mount, StoragePlan
from tests.storage.conftest import mounted_under
from tests.storage.util import (
    FAST_KDF,
    GPT_TYPES,
    MBR_TYPES,
    PW,
    blkid,
    expected_type,
    plan_for,
    run_plan,
    sfdisk,
    until,
)

pytestmark = pytest.mark.root


def check_readback(loop: str, sp: StoragePlan) -> None:
    pt = sfdisk(loop)
    assert pt["label"] == ("gpt" if sp.table == "gpt" else "dos")
    ss = pt["sectorsize"]
    got = pt.get("partitions", [])
    want = sp.partitions(loop)
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert g["node"] == w.path
        assert g["start"] * ss == w.start and g["size"] * ss == w.size
        kind = expected_type(w.role, w.fs_hint, w.flags)
        table = GPT_TYPES if sp.table == "gpt" else MBR_TYPES
        assert g["type"].upper() == table[kind].upper(), (w.path, kind)
        if sp.table == "gpt" and w.name:
            assert g.get("name") == w.name
        if sp.table == "mbr" and "boot" in w.flags:
            assert g.get("bootable") is True
    for a in sp.actions:
        if a.kind == "Mkfs" and not a.device.startswith("/dev/mapper/") and a.device.count("/") == 2:
            assert blkid(a.device, "TYPE") == a.fstype, a.device


def _uuid_lines(fstab: str) -> dict[str, str]:
    out = {}
    for line in fstab.splitlines():
        if line.startswith("UUID="):
            src, mp = line.split()[:2]
            out[mp] = src.removeprefix("UUID=")
    return out


@pytest.mark.parametrize("root_fs", ["ext4", "xfs"])
def test_guided_bios_gpt_full_apply(disk_image: tuple[str, Path], tmp_path: Path, engine_name: str,
                                    root_fs: str) -> None:
    loop, _ = disk_image
    target = tmp_path / "target"
    cfg, m, sp = plan_for(loop, {"firmware": "bios", "guided": {"root_fs": root_fs, "swap": "512MiB",
                                                                 "separate_home": True}})
    res, state, _ = run_plan(sp, cfg, m, target, engine_name)
    assert res.ok, res.error
    check_readback(loop, sp)
    lay = state["layout"]
    assert state["target_ready"] is True
    # fstab names every filesystem by the UUID blkid reads back
    uuids = _uuid_lines(lay.fstab)
    assert set(uuids) == {"/", "/home", "none"}
    assert uuids["/"] == blkid(sp.layout.root_device, "UUID") == lay.root_uuid
    assert lay.crypttab == "" and lay.bios_grub_device == f"{loop}p1"
    assert state["mounted"] == [str(target), str(target / "home")]
    assert not mounted_under(target), "teardown unmounted the target"


def test_target_is_mounted_while_later_steps_run(disk_image: tuple[str, Path], tmp_path: Path,
                                                 engine_name: str) -> None:
    loop, _ = disk_image
    target = tmp_path / "target"
    cfg, m, sp = plan_for(loop, {"firmware": "bios", "guided": {"separate_home": True, "root_fs": "xfs"}})
    res, state, _ = run_plan(sp, cfg, m, target, engine_name)
    assert res.ok
    # a later step sees the target mounted; the engine's teardown comes after every step
    assert state["mounted"] == [str(target), str(target / "home")]
    assert not mounted_under(target)
    assert [a.mountpoint for a in sp.actions if isinstance(a, Mount)] == ["/", "/home"]
    assert state["layout"].root_fs == "xfs"


def test_guided_bios_mbr(disk_image: tuple[str, Path], tmp_path: Path, engine_name: str) -> None:
    loop, _ = disk_image
    cfg, m, sp = plan_for(loop, {"firmware": "bios", "table": "mbr", "guided": {"swap": "256MiB"}})
    res, _, _ = run_plan(sp, cfg, m, tmp_path / "t", engine_name)
    assert res.ok, res.error
    check_readback(loop, sp)


def test_guided_uefi_until_mount(disk_image: tuple[str, Path], tmp_path: Path, engine_name: str) -> None:
    loop, _ = disk_image
    cfg, m, sp = plan_for(loop, {"firmware": "uefi", "guided": {"swap": "256MiB"}})
    res, state, _ = run_plan(until(sp, "Mount"), cfg, m, tmp_path / "t", engine_name)
    assert res.ok, res.error
    check_readback(loop, sp)
    assert blkid(f"{loop}p1", "TYPE") == "vfat" and blkid(f"{loop}p1", "LABEL") == "EFI"
    assert "umask=0077" in state["layout"].fstab


def test_guided_uefi_full_apply(need_vfat: None, disk_image: tuple[str, Path], tmp_path: Path,
                                engine_name: str) -> None:
    loop, _ = disk_image
    cfg, m, sp = plan_for(loop, {"firmware": "uefi"})
    res, _, _ = run_plan(sp, cfg, m, tmp_path / "t", engine_name)
    assert res.ok, res.error


def _luks_dump(dev: str) -> str:
    return subprocess.run(["cryptsetup", "luksDump", dev], capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("version", ["luks2", "luks1"])
def test_luks_format_and_dump(disk_image: tuple[str, Path], tmp_path: Path, engine_name: str,
                              version: str) -> None:
    loop, _ = disk_image
    enc = {"enabled": True, "passphrase": PW, "luks_version": version, **FAST_KDF}
    cfg, m, sp = plan_for(loop, {"firmware": "bios", "guided": {}, "encryption": enc})
    cut = until(sp, "LuksOpen")  # opening needs device-mapper
    assert isinstance(cut.actions[-1], LuksFormat)
    res, _, events = run_plan(cut, cfg, m, tmp_path / "t", engine_name)
    assert res.ok, res.error
    dev = cut.actions[-1].device
    dump = _luks_dump(dev)
    assert f"Version:       \t{version[-1]}\n" in dump
    if version == "luks2":
        assert "\tcipher: aes-xts-plain64\n" in dump and "\tPBKDF:      pbkdf2\n" in dump
        assert "\tIterations: 1000\n" in dump and "\tCipher key: 512 bits\n" in dump
    else:
        assert "Cipher name:   \taes\n" in dump and "Cipher mode:   \txts-plain64\n" in dump
        assert "\tIterations:         \t1000\n" in dump and "MK bits:       \t512\n" in dump
    ok = subprocess.run(["cryptsetup", "open", "--test-passphrase", "--key-file=-", dev], input=PW, text=True,
                        capture_output=True, check=False)
    assert ok.returncode == 0, ok.stderr
    assert PW not in "".join(e.to_json() for e in events)


def test_luks_open_lvm_full_apply(need_dm: None, disk_image: tuple[str, Path], tmp_path: Path,
                                  engine_name: str) -> None:
    loop, _ = disk_image
    enc = {"enabled": True, "passphrase": PW, **FAST_KDF}
    cfg, m, sp = plan_for(loop, {"firmware": "bios", "guided": {"lvm": True, "swap": "256MiB"}, "encryption": enc})
    res, state, _ = run_plan(sp, cfg, m, tmp_path / "t", engine_name)
    assert res.ok, res.error
    assert state["layout"].crypttab.startswith("#")
    assert not mounted_under(tmp_path / "t")
    assert not Path("/dev/mapper/luks-azl").exists(), "LUKS closed by teardown"


def test_manual_two_disks(disk_image: tuple[str, Path], tmp_path: Path, engine_name: str) -> None:
    from installer.backend.config import InstallConfig
    from installer.backend.machine import Disk, Machine
    from installer.backend.sizes import GiB
    from installer.backend.storage import image
    from installer.backend.storage.build import plan_storage

    loop, _ = disk_image
    with image.attached(str(tmp_path / "second.img"), 2 * GiB) as second:
        m = Machine(firmware="bios", disks=[Disk(path=loop, size=8 * GiB), Disk(path=second, size=2 * GiB)])
        cfg = InstallConfig.model_validate({"storage": {
            "disks": [{"path": loop}, {"path": second}], "table": "mbr",
            "partitions": [{"mount": "/", "size": "4GiB", "fs": "xfs", "label": "root"},
                           {"fs": "swap", "size": "128MiB"},
                           {"mount": "/srv", "size": "rest", "disk": 1, "label": "srv"}]}})
        sp = plan_storage(cfg, m)
        res, state, _ = run_plan(sp, cfg, m, tmp_path / "t", engine_name)
        assert res.ok, res.error
        check_readback(loop, sp)
        check_readback(second, sp)
        assert state["mounted"] == [str(tmp_path / "t"), str(tmp_path / "t" / "srv")]
        assert blkid(f"{second}p1", "LABEL") == "srv"
        assert sfdisk(loop)["partitions"][0].get("bootable") is True


def test_reinstall_over_an_existing_layout(disk_image: tuple[str, Path], tmp_path: Path, engine_name: str) -> None:
    """A second install moves every partition's start: the old kernel partitions must go."""
    from installer.backend.machine import Filesystem, Partition

    loop, _ = disk_image
    cfg, m, sp = plan_for(loop, {"firmware": "bios", "guided": {"swap": "1GiB", "separate_home": True}})
    res, _, _ = run_plan(sp, cfg, m, tmp_path / "a", engine_name)
    assert res.ok, res.error
    # what a probe would now see on the disk
    old = [Partition(path=p.path, number=p.number, start=p.start, size=p.size, fs=Filesystem(type="ext4"))
           for p in sp.partitions()]
    m2 = m.model_copy(update={"disks": [m.disks[0].model_copy(update={"partitions": old, "table": "gpt"})]})
    cfg2, _, _ = plan_for(loop, {"firmware": "bios", "table": "mbr", "guided": {"root_fs": "xfs"}})
    from installer.backend.storage.build import plan_storage

    sp2 = plan_storage(cfg2, m2)
    assert "will be ERASED: GPT, 4 partition(s)" in sp2.summary[0]
    res, _, _ = run_plan(sp2, cfg2, m2, tmp_path / "b", engine_name)
    assert res.ok, res.error
    check_readback(loop, sp2)
    assert not Path(f"{loop}p2").exists() and not Path(f"{loop}p4").exists()
    assert blkid(f"{loop}p1", "TYPE") == "xfs"
