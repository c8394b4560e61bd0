"""The System seam: recording for dry-run, redaction, and the host's device allow-list."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from installer.backend import secrets
from installer.backend.errors import CommandFailed, DeviceNotAllowed
from installer.backend.system import HostSystem, RecordingSystem


def test_recording_system_records_and_hides_stdin() -> None:
    sysm = RecordingSystem()
    sysm.run(["cryptsetup", "luksFormat", "--key-file=-", "/dev/vda3"], input="very-secret-pass")
    sysm.write_file("/mnt/sysimage/etc/hostname", "h\n", mode=0o644)
    t = sysm.transcript()
    assert "run cryptsetup luksFormat --key-file=- /dev/vda3  <stdin: hidden>" in t
    assert "very-secret-pass" not in t
    assert sysm.read_file("/mnt/sysimage/etc/hostname") == "h\n"


def test_recording_blkid_is_deterministic() -> None:
    a = RecordingSystem().run(["blkid", "-s", "UUID", "-o", "value", "/dev/vda2"]).stdout
    b = RecordingSystem().run(["blkid", "-s", "UUID", "-o", "value", "/dev/vda2"]).stdout
    assert a == b and len(a.strip()) == 36


def test_fault_injection() -> None:
    sysm = RecordingSystem()
    sysm.fail_on = lambda argv: argv[0] == "mkfs.xfs"
    with pytest.raises(CommandFailed, match=r"mkfs\.xfs"):
        sysm.run(["mkfs.xfs", "/dev/vda3"])


def test_host_logger_redacts_registered_secrets(tmp_path: Path) -> None:
    secrets.register("Zebra-Crossing-77")
    lines: list[str] = []
    host = HostSystem(logger=lines.append)
    host.run(["echo", "hello"])
    with pytest.raises(CommandFailed) as ei:
        host.run(["sh", "-c", "echo Zebra-Crossing-77 >&2; exit 3"])
    assert "Zebra-Crossing-77" not in str(ei.value)
    assert not any("Zebra-Crossing-77" in line for line in lines)


def test_host_write_file_mode(tmp_path: Path) -> None:
    host = HostSystem()
    p = tmp_path / "etc" / "shadow"
    host.write_file(str(p), "x", mode=0o600)
    assert p.stat().st_mode & 0o777 == 0o600


@pytest.mark.root
@pytest.mark.skipif(os.geteuid() != 0, reason="needs root for loop devices")
def test_host_refuses_devices_outside_allow_list(tmp_path: Path) -> None:
    imgs = []
    for n in ("a", "b"):
        img = tmp_path / f"{n}.img"
        img.write_bytes(b"")
        os.truncate(img, 64 * 1024 * 1024)
        imgs.append(subprocess.run(["losetup", "-f", "--show", str(img)], check=True,
                                   capture_output=True, text=True).stdout.strip())
    try:
        host = HostSystem(allowed_devices=[imgs[0]])
        host.run(["blockdev", "--getsize64", imgs[0]])
        with pytest.raises(DeviceNotAllowed, match=imgs[1]):
            host.run(["wipefs", "-a", imgs[1]])
    finally:
        for dev in imgs:
            subprocess.run(["losetup", "-d", dev], check=False)
