"""Generated fstab and crypttab against golden files (dry-run: RecordingSystem's blkid UUIDs are
deterministic), and the dry-run command transcript of the storage step.
Regenerate with AZL_UPDATE_GOLDEN=1 after a deliberate change, and review the diff."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from installer.backend.config import InstallConfig
from installer.backend.machine import load_machine
from installer.backend.steps import fstab, storage
from installer.backend.steps.base import StepContext
from installer.backend.steps.registry import PlanInfo
from installer.backend.system import RecordingSystem

GOLDEN = Path(__file__).parent / "golden"
PW = "correct horse battery staple"
ENC = {"enabled": True, "passphrase": PW}

CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "uefi-plain": ("two-disks", {"guided": {"swap": "2GiB"}}),
    "uefi-luks": ("two-disks", {"guided": {"swap": "1GiB", "separate_home": True}, "encryption": ENC}),
    "uefi-lvm-luks": ("nvme-laptop", {"disks": [{"path": "/dev/nvme0n1"}],
                                      "guided": {"lvm": True, "swap": "4GiB", "separate_home": True,
                                                 "root_fs": "xfs"}, "encryption": ENC}),
    "bios-mbr": ("bios-sata", {"disks": [{"path": "/dev/sdb"}], "table": "mbr", "guided": {"swap": "1GiB"}}),
    "manual-two-disks": ("two-disks", {
        "disks": [{"path": "/dev/vda"}, {"path": "/dev/vdb"}],
        "partitions": [{"mount": "/boot/efi", "fs": "vfat", "size": "1GiB"},
                       {"mount": "/boot", "size": "1GiB"},
                       {"size": "rest", "vg": "sys", "encrypt": True},
                       {"mount": "/srv", "fs": "xfs", "size": "rest", "disk": 1, "mount_options": "noatime"}],
        "volume_groups": [{"name": "sys"}],
        "logical_volumes": [{"name": "root", "vg": "sys", "mount": "/", "size": "20GiB"},
                            {"name": "swap", "vg": "sys", "fs": "swap", "size": "2GiB"}],
        "encryption": {**ENC, "luks_version": "luks1"}}),
}


def _render(machine: str, st: dict[str, Any]) -> tuple[str, str, str, str]:
    from tests.conftest import MACHINES

    cfg = InstallConfig.model_validate({"storage": st})
    m = load_machine(MACHINES / f"{machine}.json")
    info = PlanInfo(cfg, m, "/mnt/sysimage", False, [])
    s, f = storage.plan(info), fstab.plan(info)
    assert s is not None and f is not None
    sysm = RecordingSystem()
    ctx = StepContext(sysm, cfg, m, "/mnt/sysimage", lambda e: None, threading.Event())
    s.step.action.run(ctx)
    f.step.action.run(ctx)
    crypttab = sysm.files.get("/mnt/sysimage/etc/crypttab", b"").decode()
    from installer.backend.storage.engine_parted import HELPER

    commands = sysm.transcript().replace(sys.executable, "python3").replace(HELPER, "parted_apply.py")
    return sysm.files["/mnt/sysimage/etc/fstab"].decode(), crypttab, "\n".join(s.summary) + "\n", commands


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name: str) -> None:
    machine, st = CASES[name]
    outputs = dict(zip(("fstab", "crypttab", "summary", "commands"), _render(machine, st), strict=True))
    for kind, text in outputs.items():
        path = GOLDEN / f"{name}.{kind}"
        if os.environ.get("AZL_UPDATE_GOLDEN") == "1":
            if text:
                path.write_text(text)
            elif path.exists():
                path.unlink()
            continue
        want = path.read_text() if path.exists() else ""
        assert text == want, f"{path} differs (AZL_UPDATE_GOLDEN=1 to regenerate)"
