"""Faults on loop devices: a command failing mid-way leaves nothing mounted or open and no loop
device attached, and the error names the failing action."""

from __future__ import annotations

import glob
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from installer.backend.errors import CommandFailed
from installer.backend.sizes import GiB
from installer.backend.storage import image
from installer.backend.system import HostSystem, RunResult
from tests.storage.conftest import dm_available, loops_for, mounted_under
from tests.storage.util import FAST_KDF, PW, plan_for, run_plan

pytestmark = pytest.mark.root


class FailingHost(HostSystem):
    """A HostSystem that fails the first command whose argv contains ``needle``."""

    def __init__(self, needle: str) -> None:
        super().__init__()
        self.needle = needle
        self.ran: list[str] = []

    def run(self, argv: Sequence[str], **kw: Any) -> RunResult:  # type: ignore[override]
        line = " ".join(str(a) for a in argv)
        self.ran.append(line)
        if self.needle in line:
            raise CommandFailed([str(a) for a in argv], 1, "injected failure")
        return super().run(argv, **kw)


@pytest.mark.parametrize("needle,action", [
    ("/home", "mount {loop}p3 at /home"),
    ("mkswap", "make swap space on {loop}p4"),
    ("partx -a", "create a GPT partition table on {loop}"),
])
def test_failure_mid_way_leaves_nothing(disk_image: tuple[str, Path], tmp_path: Path, engine_name: str,
                                        needle: str, action: str) -> None:
    loop, _ = disk_image
    target = tmp_path / "target"
    cfg, m, sp = plan_for(loop, {"firmware": "bios", "guided": {"swap": "256MiB", "separate_home": True}})
    sysm = FailingHost(needle)
    sysm.allow_devices(sp.disks)
    res, _, _ = run_plan(sp, cfg, m, target, engine_name, system=sysm)
    assert not res.ok and res.failed_step == "storage"
    assert action.format(loop=loop) in (res.error or ""), res.error
    assert not mounted_under(target)
    if needle == "/home":
        assert f"umount {target}" in sysm.ran  # / was mounted, then unmounted by the teardown


def test_luks_open_without_device_mapper_fails_cleanly(disk_image: tuple[str, Path], tmp_path: Path,
                                                       engine_name: str) -> None:
    if dm_available():
        pytest.skip("device-mapper works here: this fault exists only on hosts without it")
    loop, _ = disk_image
    enc = {"enabled": True, "passphrase": PW, **FAST_KDF}
    cfg, m, sp = plan_for(loop, {"firmware": "bios", "guided": {}, "encryption": enc})
    res, _, events = run_plan(sp, cfg, m, tmp_path / "t", engine_name)
    assert not res.ok
    assert f"open {loop}p3 as /dev/mapper/luks-root" in (res.error or "")
    assert PW not in (res.error or "") and PW not in "".join(e.to_json() for e in events)
    assert not mounted_under(tmp_path / "t")


def test_image_detached_after_an_error(tmp_path: Path) -> None:
    img = tmp_path / "x.img"
    with pytest.raises(RuntimeError), image.attached(str(img), 1 * GiB) as loop:
        subprocess.run(["sgdisk", "-n", "1:2048:+1M", loop], capture_output=True, check=True)
        subprocess.run(["partx", "-a", loop], check=True)
        assert glob.glob(f"{loop}p1")
        raise RuntimeError("boom")
    assert not loops_for(img)
    assert not glob.glob(f"{loop}p*"), "partition nodes removed"
    assert img.stat().st_size == 1 * GiB
    assert img.stat().st_blocks * 512 < 64 * 1024**2, "the image is sparse"
