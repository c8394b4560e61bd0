"""Dry-run (RecordingSystem) of a directory install and of the bootloader on a disk layout:
golden transcripts of every command and file, and checks that secrets never reach argv."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from installer.backend.config import InstallConfig
from installer.backend.engine import apply
from installer.backend.events import Event
from installer.backend.machine import Machine
from installer.backend.plan import make_plan
from installer.backend.steps import bootloader
from installer.backend.steps.base import StepContext
from installer.backend.steps.registry import PlanInfo
from installer.backend.storage.layout_info import LuksVolume, TargetLayout
from installer.backend.system import RecordingSystem, default_responder

GOLDEN = Path(__file__).parent / "golden"
PASSWORD = "dry-run-Secret-42!"


def golden(name: str, text: str) -> None:
    p = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") or not p.exists():
        p.write_text(text)
    assert text == p.read_text(), f"{name} differs (UPDATE_GOLDEN=1 to accept)"


def responder(argv: list[str]) -> str | None:
    if argv[:2] == ["ls", "-1"] and argv[2].endswith("/modules"):
        return "6.6.57.1-1.azl3\n"
    return default_responder(argv)


CONFIG = {
    "version": 1,
    "packages": {"set": "core", "extra": ["vim"], "exclude": ["dracut-xen"]},
    "system": {"hostname": "dry", "timezone": "Europe/Dublin", "selinux": "enforcing",
               "services": {"enable": ["chronyd"], "disable": ["irqbalance"]},
               "firewall": {"services": ["https"]}},
    "users": [{"name": "ann", "password": PASSWORD, "admin": True, "groups": ["video"],
               "ssh_keys": ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIdry ann@x"]}],
    "root": {"ssh_keys": ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIroot root@x"]},
    "bootloader": {"append": "console=ttyS0"},
    "scripts": {"post": [{"body": "echo hi"}, {"body": "true", "chroot": False}]},
    "finish": "none",
}


def test_directory_install_transcript(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZL_MEDIUM_REPO", "/run/azl/medium/repo")
    cfg = InstallConfig.model_validate(CONFIG)
    m = Machine(virtualization="kvm")
    plan = make_plan(cfg, m, target_root="/srv/target", directory=True)
    ids = [s.id for s in plan.steps]
    assert ids.index("preflight") < ids.index("payload") < ids.index("sysconfig") < ids.index("users")
    sys_ = RecordingSystem(responder=responder)
    events: list[Event] = []
    res = apply(plan, cfg, m, sys_, events.append, threading.Event())
    assert res.ok, res.error
    t = sys_.transcript()
    golden("dirinstall.txt", t)
    assert PASSWORD not in t and all(PASSWORD not in e.to_json() for e in events)
    assert cfg.users[0].password_hash and cfg.users[0].password_hash not in t  # hash on stdin only
    assert "run chpasswd --root /srv/target -e  <stdin:" in t
    # rpm database at /var/lib/rpm, host repos ignored, one transaction
    assert "--setopt=reposdir=" in t and t.count("-y install") == 1
    assert "run rpm --root /srv/target --dbpath /var/lib/rpm --import" in t
    files = sys_.files
    assert files["/srv/target/etc/selinux/config"].startswith(b"SELINUX=enforcing")
    assert b"enforcing=1 console=ttyS0" in files["/srv/target/etc/default/grub"]
    assert "--exclude=dracut-xen" in t and " dracut-xen" not in t.replace("--exclude=dracut-xen", "")


def _ctx(sys_: RecordingSystem, cfg: InstallConfig, m: Machine, layout: TargetLayout) -> StepContext:
    ctx = StepContext(system=sys_, config=cfg, machine=m, target_root="/mnt/sysimage", emit=lambda e: None,
                      cancel=threading.Event())
    ctx.state["layout"] = layout
    return ctx


@pytest.mark.parametrize("case", ["uefi-luks-nvram", "bios"])
def test_bootloader_transcript(case: str) -> None:
    cfg = InstallConfig.model_validate({"version": 1, "bootloader": {"timeout": 2, "append": "quiet"}})
    if case == "bios":
        m = Machine(firmware="bios")
        layout = TargetLayout(firmware="bios", table="gpt", disks=["/dev/sda"], root_device="/dev/sda3",
                              root_fs="xfs", root_uuid="aaaa", bios_grub_device="/dev/sda1")
    else:
        m = Machine(firmware="uefi", efivars=True)
        layout = TargetLayout(firmware="uefi", table="gpt", disks=["/dev/nvme0n1"],
                              root_device="/dev/mapper/luks-x", root_fs="ext4", root_uuid="bbbb",
                              esp_device="/dev/nvme0n1p1",
                              luks=[LuksVolume("luks-x", "/dev/nvme0n1p3", "cccc")])
    info = PlanInfo(config=cfg, machine=m, target_root="/mnt/sysimage", directory=False, warnings=[],
                    shared={"layout": layout})
    planned = bootloader.plan(info)
    assert planned is not None
    sys_ = RecordingSystem(responder=responder)
    ctx = _ctx(sys_, cfg, m, layout)
    ctx.step_id = "bootloader"
    planned.step.action.run(ctx)
    while ctx.teardowns:
        ctx.teardowns.pop().fn()
    t = sys_.transcript()
    golden(f"bootloader-{case}.txt", "\n".join(planned.step.summary) + "\n---\n" + t)
    assert t.count("run mount ") == t.count("run umount ")
