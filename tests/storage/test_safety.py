"""Never touch a disk the plan does not name: HostSystem refuses, and the other disk is intact."""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

import pytest

from installer.backend.errors import DeviceNotAllowed
from installer.backend.sizes import GiB
from installer.backend.storage import image
from installer.backend.system import HostSystem
from tests.storage.util import plan_for, run_plan

pytestmark = pytest.mark.root


def test_plan_cannot_reach_an_unnamed_disk(disk_image: tuple[str, Path], tmp_path: Path, engine_name: str) -> None:
    loop, _ = disk_image
    other_img = tmp_path / "other.img"
    with image.attached(str(other_img), 1 * GiB) as other:
        # a plan made for `other`, applied with the allow-list of `loop`: every command is refused
        cfg, m, sp = plan_for(other, {"firmware": "bios", "guided": {}})
        forged = dataclasses.replace(sp, disks=[loop])
        res, _, _ = run_plan(forged, cfg, m, tmp_path / "t", engine_name)
        assert not res.ok and "which the plan does not name" in (res.error or "")
        assert other in (res.error or "")
        pt = subprocess.run(["blkid", "-p", other], capture_output=True, text=True, check=False)
        assert pt.stdout.strip() == "", "the unnamed disk was not written"


def test_host_system_refuses_partitions_of_unnamed_disks(disk_image: tuple[str, Path]) -> None:
    loop, _ = disk_image
    sysm = HostSystem(allowed_devices=[])
    with pytest.raises(DeviceNotAllowed):
        sysm.run(["wipefs", "-n", loop])
    sysm.allow_devices([loop])
    sysm.run(["wipefs", "-n", loop])
