"""A whole install into an 8 GiB image (BIOS/GPT, xfs root, swap) with the tiny test repository:
storage, payload and the fstab step together; the image is then read back."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

import pytest

from installer.backend.config import InstallConfig
from installer.backend.engine import apply
from installer.backend.plan import make_plan
from installer.backend.sizes import GiB
from installer.backend.storage import image
from installer.backend.system import HostSystem
from tests.storage.conftest import loops_for, mounted_under
from tests.storage.util import blkid

pytestmark = pytest.mark.root


def test_image_install_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.payload import tinyrepo

    repo = tinyrepo.build(tmp_path / "repo")
    monkeypatch.setenv("AZL_MEDIUM_REPO", str(repo))
    img, target = tmp_path / "disk.img", tmp_path / "target"
    cfg = InstallConfig.model_validate({"storage": {"firmware": "bios", "guided": {"swap": "256MiB",
                                                                                   "root_fs": "xfs"}},
                                        "bootloader": {"location": "none"}, "finish": "none"})
    with image.attached(str(img), 8 * GiB) as loop:
        m = image.image_machine(str(img), 8 * GiB, loop)
        c = image.target_only(cfg, m)
        plan = make_plan(c, m, target_root=str(target))
        assert plan.erase == [loop]
        res = apply(plan, c, m, HostSystem(), lambda e: None, threading.Event())
        assert res.ok, res.error
        assert not mounted_under(target)
        check = tmp_path / "check"
        check.mkdir()
        subprocess.run(["mount", "-o", "ro", f"{loop}p2", str(check)], check=True)
        try:
            fstab = (check / "etc" / "fstab").read_text()
        finally:
            subprocess.run(["umount", str(check)], check=True)
        assert f"UUID={blkid(f'{loop}p2', 'UUID')}  /     xfs" in fstab
        assert f"UUID={blkid(f'{loop}p3', 'UUID')}  none  swap" in fstab
    assert not loops_for(img)
