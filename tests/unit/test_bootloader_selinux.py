"""The bootloader step enables SELinux on the kernel command line only when the target has a
policy to load. Found by VM scenario (b): the full set asks for permissive SELinux; a target
without a policy then booted with ``security=selinux selinux=1``, and systemd could not label the
udev and D-Bus sockets (no /dev/ttyS0 device, no login)."""

from __future__ import annotations

import threading

import pytest

from installer.backend.config import InstallConfig
from installer.backend.machine import Machine
from installer.backend.steps import bootloader
from installer.backend.steps.base import StepContext
from installer.backend.steps.registry import PlanInfo
from installer.backend.storage.layout_info import TargetLayout
from installer.backend.system import RecordingSystem, default_responder

ROOT = "/mnt/sysimage"
LAYOUT = TargetLayout(
    firmware="bios",
    table="gpt",
    disks=["/dev/vda"],
    root_device="/dev/vda2",
    root_fs="xfs",
    root_uuid="aaaa",
    bios_grub_device="/dev/vda1",
)


def _grub_cmdline(selinux: str | None, selinux_config: str | None, has_policy: bool) -> tuple[str, list[str]]:
    cfg = InstallConfig.model_validate(
        {"version": 1, "packages": {"set": "full"}, "system": {"selinux": selinux}, "bootloader": {"append": "quiet"}}
    )
    m = Machine(firmware="bios")
    info = PlanInfo(config=cfg, machine=m, target_root=ROOT, directory=False, warnings=[], shared={"layout": LAYOUT})
    planned = bootloader.plan(info)
    assert planned is not None
    sys_ = RecordingSystem(responder=lambda a: "6.1.0-1\n" if a[:2] == ["ls", "-1"] else default_responder(a))
    if selinux_config is not None:
        sys_.write_file(f"{ROOT}/etc/selinux/config", selinux_config)
    sys_.fail_on = lambda a: not has_policy and a[:2] == ["test", "-e"] and a[2].endswith("/policy")
    logs: list[str] = []
    ctx = StepContext(
        system=sys_, config=cfg, machine=m, target_root=ROOT, emit=lambda e: None, cancel=threading.Event()
    )
    ctx.state["layout"] = LAYOUT
    ctx.step_id = "bootloader"
    ctx.log = lambda msg, level="info": logs.append(f"{level}: {msg}")  # type: ignore[method-assign]
    planned.step.action.run(ctx)
    while ctx.teardowns:
        ctx.teardowns.pop().fn()
    grub = sys_.files[f"{ROOT}/etc/default/grub"].decode()
    line = next(ln for ln in grub.splitlines() if ln.startswith("GRUB_CMDLINE_LINUX="))
    return line, logs


@pytest.mark.parametrize("mode", ["permissive", "enforcing"])
def test_no_policy_in_target_means_selinux_off(mode: str) -> None:
    line, logs = _grub_cmdline(mode, "SELINUX=permissive\nSELINUXTYPE=default\n", has_policy=False)
    assert "selinux=0" in line.split('"')[1].split()
    assert "security=selinux" not in line and "selinux=1" not in line
    assert any(m.startswith("warning:") and "/etc/selinux/default/policy" in m for m in logs)


def test_policy_present_keeps_the_requested_mode() -> None:
    line, logs = _grub_cmdline(None, "SELINUX=permissive\nSELINUXTYPE=targeted\n", has_policy=True)
    assert "security=selinux selinux=1 enforcing=0 quiet" in line  # the full set's default: permissive
    assert not any(m.startswith("warning:") for m in logs)


def test_no_config_file_looks_for_the_targeted_policy() -> None:
    line, logs = _grub_cmdline("enforcing", None, has_policy=False)
    assert "selinux=0" in line and "enforcing=1" not in line
    assert any("/etc/selinux/targeted/policy" in m for m in logs)


def test_disabled_needs_no_policy() -> None:
    line, logs = _grub_cmdline("disabled", None, has_policy=False)
    assert "selinux=0" in line and not any(m.startswith("warning:") for m in logs)
