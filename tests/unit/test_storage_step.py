"""The storage and fstab steps in dry-run (RecordingSystem): commands, secrets, teardown,
fault injection, and the layout handed to later steps."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from installer.backend import engine
from installer.backend.config import InstallConfig
from installer.backend.events import Event, StepProgress
from installer.backend.machine import load_machine
from installer.backend.plan import Plan, make_plan
from installer.backend.steps import fstab, storage
from installer.backend.steps.registry import PlanInfo
from installer.backend.storage.layout_info import TargetLayout
from installer.backend.system import RecordingSystem

PW = "correct horse battery staple"
LVM_LUKS = {"guided": {"lvm": True, "swap": "1GiB"}, "encryption": {"enabled": True, "passphrase": PW}}


def _setup(storage_cfg: dict[str, Any], machine: str = "two-disks") -> tuple[InstallConfig, Any, Plan]:
    from tests.conftest import MACHINES

    cfg = InstallConfig.model_validate({"storage": storage_cfg})
    m = load_machine(MACHINES / f"{machine}.json")
    info = PlanInfo(cfg, m, "/mnt/sysimage", False, [])
    s, f = storage.plan(info), fstab.plan(info)
    assert s is not None and f is not None
    plan = Plan(steps=[s.step, f.step], summary=s.summary, erase=s.erase, allowed_devices=s.allowed_devices)
    return cfg, m, plan


def _apply(storage_cfg: dict[str, Any], fail: str | None = None) -> tuple[engine.Result, RecordingSystem,
                                                                           list[Event]]:
    cfg, m, plan = _setup(storage_cfg)
    sysm = RecordingSystem()
    if fail:
        sysm.fail_on = lambda argv: fail in " ".join(argv)
    events: list[Event] = []
    res = engine.apply(plan, cfg, m, sysm, events.append, threading.Event())
    return res, sysm, events


def test_make_plan_puts_layout_in_shared_and_erase_list() -> None:
    from tests.conftest import MACHINES

    cfg = InstallConfig.model_validate({"storage": LVM_LUKS})
    plan = make_plan(cfg, load_machine(MACHINES / "two-disks.json"))
    assert plan.erase == ["/dev/vda"] and plan.allowed_devices == ["/dev/vda"]
    assert plan.summary[0].startswith("/dev/vda 64.0 GiB Virtio Block Device virtio will be ERASED:")
    ids = [s.id for s in plan.steps]
    assert ids.index("storage") < ids.index("payload") < ids.index("fstab")


def test_directory_install_has_no_storage_step() -> None:
    from tests.conftest import MACHINES

    cfg = InstallConfig.model_validate({})
    info = PlanInfo(cfg, load_machine(MACHINES / "two-disks.json"), "/tmp/x", True, [])
    assert storage.plan(info) is None and fstab.plan(info) is None


def test_dry_run_apply_records_commands_and_layout() -> None:
    res, sysm, events = _apply(LVM_LUKS)
    assert res.ok, res.error
    t = sysm.transcript()
    assert "run wipefs -a -q /dev/vda\n" in t
    assert "/installer/backend/storage/parted_apply.py /dev/vda {" in t
    assert "run partx -d /dev/vda\n" in t and "run partx -a /dev/vda\n" in t
    assert "--key-file=- /dev/vda3  <stdin: hidden>" in t
    assert "run vgcreate --yes azl /dev/mapper/luks-azl" in t
    assert "run mount -t vfat -o umask=0077,shortname=winnt /dev/vda1 /mnt/sysimage/boot/efi" in t
    fstab_txt = sysm.files["/mnt/sysimage/etc/fstab"].decode()
    assert fstab_txt.count("UUID=") == 4
    assert "luks-azl UUID=" in sysm.files["/mnt/sysimage/etc/crypttab"].decode()
    assert any(r.kind == "write" and r.detail["path"].endswith("crypttab") and r.detail["mode"] == 0o600
               for r in sysm.records)
    # teardown ran in reverse: unmount deepest first, then LVM, then LUKS
    tail = [r.line() for r in sysm.records if r.kind == "run"][-5:]
    assert tail == ["run umount /mnt/sysimage/boot/efi", "run umount /mnt/sysimage/boot", "run umount /mnt/sysimage",
                    "run vgchange -an azl", "run cryptsetup close luks-azl"]
    progress = [e for e in events if isinstance(e, StepProgress) and e.step_id == "storage"]
    assert any("encrypt /dev/vda3" in e.message for e in progress)


def test_realised_layout_has_uuids() -> None:
    from installer.backend.steps.base import StepContext

    cfg, m, plan = _setup(LVM_LUKS)
    ctx = StepContext(RecordingSystem(), cfg, m, "/mnt/sysimage", lambda e: None, threading.Event())
    plan.steps[0].action.run(ctx)
    lay = ctx.state["layout"]
    assert isinstance(lay, TargetLayout) and ctx.state["target_ready"] is True
    assert lay.root_uuid and lay.boot_uuid and lay.luks[0].uuid
    args = lay.kernel_args()
    assert args[0] == f"root=UUID={lay.root_uuid}" and f"rd.luks.uuid={lay.luks[0].uuid}" in args
    assert "rd.lvm.lv=azl/root" in args


def test_passphrase_never_in_argv_events_or_records() -> None:
    res, sysm, events = _apply(LVM_LUKS)
    assert res.ok
    blob = sysm.transcript() + "".join(e.to_json() for e in events) + repr(sysm.records)
    assert PW not in blob
    for r in sysm.records:
        if r.kind == "run":
            assert PW not in " ".join(r.detail["argv"])


@pytest.mark.parametrize("fail,action", [
    ("mkswap", "make swap space on /dev/azl/swap"),
    ("vgcreate", "create volume group azl"),
    ("mount -t vfat", "mount /dev/vda1 at /boot/efi"),
    ("parted_apply", "create a GPT partition table on /dev/vda"),
])
def test_fault_mid_way_tears_down_and_names_action(fail: str, action: str) -> None:
    res, sysm, _ = _apply(LVM_LUKS, fail=fail)
    assert not res.ok and res.failed_step == "storage"
    assert action in (res.error or "")
    runs = [" ".join(r.detail["argv"]) for r in sysm.records if r.kind == "run"]
    opened = {a.split()[-1] for a in runs if a.startswith("cryptsetup open")}
    closed = {a.split()[-1] for a in runs if a.startswith("cryptsetup close")}
    assert opened == closed
    mounted = [a.split()[-1] for a in runs if a.startswith("mount ") and fail not in a]  # the failed one is not
    for mp in mounted:
        assert f"umount {mp}" in runs
    vgs = [a.split()[2] for a in runs if a.startswith("vgcreate")]
    if vgs and fail != "vgcreate":
        assert "vgchange -an azl" in runs
    assert PW not in (res.error or "")


def test_cancel_between_actions_tears_down() -> None:
    cfg, m, plan = _setup(LVM_LUKS)
    sysm = RecordingSystem()
    cancel = threading.Event()

    def emit(e: Event) -> None:
        if isinstance(e, StepProgress) and e.message.startswith("mount /dev/vda2"):
            cancel.set()

    res = engine.apply(plan, cfg, m, sysm, emit, cancel)
    assert res.cancelled and res.exit_code == 130
    runs = [" ".join(r.detail["argv"]) for r in sysm.records if r.kind == "run"]
    assert not any(r.startswith("mount -t ext4 -o defaults /dev/vda2") for r in runs)
    assert runs[-3:] == ["umount /mnt/sysimage", "vgchange -an azl", "cryptsetup close luks-azl"]


def test_image_helpers() -> None:
    from installer.backend.storage import image

    cfg = InstallConfig.model_validate({"storage": {"disks": [{"path": "/dev/sdq"}, {"path": "/dev/sdr"}],
                                                    "partitions": [{"mount": "/", "size": "rest", "disk": 1}],
                                                    "firmware": "bios", "table": "mbr"}})
    m = image.image_machine("/nonexistent.img", 8 * 1024**3, "/dev/loop7")
    assert [d.path for d in m.disks] == ["/dev/loop7"] and m.disks[0].size == 8 * 1024**3
    c = image.target_only(cfg, m)
    assert [d.path for d in c.storage.disks] == ["/dev/loop7"]
    assert c.storage.partitions is not None and c.storage.partitions[0].disk == 0
    from installer.backend.storage.build import plan_storage

    assert plan_storage(c, m).partitions()[0].path == "/dev/loop7p1"
