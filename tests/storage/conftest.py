"""Loop-device fixtures for the storage suite. Root only; every test tears down what it made.

The host kernel has no device-mapper (no LUKS open, no LVM activation) and no vfat driver:
tests that need them skip with that reason here and run in the QEMU suite instead.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from installer.backend.sizes import GiB
from installer.backend.storage import image
from installer.backend.storage.engine import ENGINES


def _is_root() -> bool:
    return os.geteuid() == 0


def dm_available() -> bool:
    r = subprocess.run(["dmsetup", "version"], capture_output=True, text=True, check=False)
    return r.returncode == 0 and "Driver version" in r.stdout


def vfat_mountable() -> bool:
    try:
        return any(line.split()[-1] == "vfat" for line in Path("/proc/filesystems").read_text().splitlines())
    except OSError:
        return False


NO_ROOT = "needs root and loop devices"
NO_DM = ("the host kernel has no device-mapper: LUKS open and LVM run in the QEMU suite "
         "(tests/vm), not here")
NO_VFAT = "the host kernel cannot mount vfat: the ESP mount is tested in the QEMU suite (tests/vm)"


@pytest.fixture(autouse=True)
def _need_root(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("root") and not _is_root():
        pytest.skip(NO_ROOT)


@pytest.fixture
def need_dm() -> None:
    if not dm_available():
        pytest.skip(NO_DM)


@pytest.fixture
def need_vfat() -> None:
    if not vfat_mountable():
        pytest.skip(NO_VFAT)


@pytest.fixture(params=ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def mounted_under(path: Path) -> list[str]:
    p = str(path)
    out = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        mp = line.split()[4]
        if mp == p or mp.startswith(p + "/"):
            out.append(mp)
    return out


def loops_for(img: Path) -> str:
    return subprocess.run(["losetup", "-j", str(img)], capture_output=True, text=True, check=False).stdout


@pytest.fixture
def disk_image(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An 8 GiB sparse image attached to a loop device: (loop, image). Detached afterwards, and
    the test fails if anything stays mounted under tmp_path or the loop stays attached."""
    img = tmp_path / "disk.img"
    with image.attached(str(img), 8 * GiB) as loop:
        try:
            yield loop, img
        finally:
            left = mounted_under(tmp_path)
            for mp in reversed(left):
                subprocess.run(["umount", mp], check=False)
    assert not left, f"left mounted: {left}"
    assert not loops_for(img), "loop device still attached"
