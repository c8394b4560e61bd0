"""Core from the fixture repository boots to multi-user.target from a LUKS2 root (QEMU, TCG):
direct kernel boot, and UEFI (OVMF -> the target's GRUB EFI image -> kernel).
Slow (3-5 minutes each): runs only with AZL_VM=1, like the other VM tests."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixture_repo.conftest import BUILD

pytestmark = [pytest.mark.root, pytest.mark.vm]


@pytest.mark.skipif(os.environ.get("AZL_VM") != "1", reason="VM test: run with AZL_VM=1")
@pytest.mark.parametrize("firmware", ["direct", "uefi"])
def test_core_boots_encrypted(fixture_repo: Path, firmware: str) -> None:
    if not shutil.which("qemu-system-x86_64"):
        pytest.skip("qemu-system-x86_64 is missing")
    if firmware == "uefi" and not Path("/usr/share/OVMF/OVMF_CODE_4M.fd").exists():
        pytest.skip("OVMF is missing")
    res = subprocess.run([sys.executable, str(BUILD.parent / "boot-check.py"), "--repo", str(fixture_repo),
                          "--firmware", firmware], capture_output=True, text=True, timeout=1500)
    assert res.returncode == 0, res.stdout + res.stderr[-4000:]
    report = json.loads(res.stdout.strip().splitlines()[-1])
    assert report["state"] == "running" and not report["failed_units"]
