"""storage.logical_volumes[].max_size (kickstart logvol --grow --maxsize): the planner caps a
'rest' volume, so both engines (they take LV sizes from the engine-neutral plan) create it at
the cap; validation names the field."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest

from installer.backend import engine
from installer.backend.answers.kickstart import load_kickstart
from installer.backend.config import InstallConfig
from installer.backend.errors import InvalidInput
from installer.backend.machine import load_machine
from installer.backend.plan import Plan
from installer.backend.sizes import GiB, MiB
from installer.backend.steps import fstab, storage
from installer.backend.steps.registry import PlanInfo
from installer.backend.storage.actions import LvCreate, StoragePlan
from installer.backend.storage.build import plan_storage
from installer.backend.system import RecordingSystem
from tests.conftest import MACHINES

GOLDEN = Path(__file__).parent / "golden"
ESP = {"mount": "/boot/efi", "fs": "vfat", "size": "512MiB"}
BOOT = {"mount": "/boot", "size": "1GiB"}
PV = {"size": "rest", "vg": "vg0", "fs": "none"}


def _storage(lvs: list[dict[str, Any]]) -> dict[str, Any]:
    return {"partitions": [ESP, BOOT, PV], "volume_groups": [{"name": "vg0"}], "logical_volumes": lvs}


def _plan(lvs: list[dict[str, Any]]) -> StoragePlan:
    cfg = InstallConfig.model_validate({"storage": _storage(lvs)})
    return plan_storage(cfg, load_machine(MACHINES / "two-disks.json"))


def _issues(lvs: list[dict[str, Any]]) -> list[str]:
    with pytest.raises(InvalidInput) as ei:
        _plan(lvs)
    return [f"{i.path}: {i.message}" for i in ei.value.issues]


def _lv_sizes(p: StoragePlan) -> dict[str, int | None]:
    return {a.name: a.size for a in p.actions if isinstance(a, LvCreate)}


SWAP = {"name": "swap", "vg": "vg0", "fs": "swap", "size": "2GiB"}


def test_capped_rest_volume_gets_the_cap_as_a_fixed_size() -> None:
    p = _plan([SWAP, {"name": "root", "vg": "vg0", "mount": "/", "size": "rest", "max_size": "10GiB"}])
    assert _lv_sizes(p) == {"swap": 2 * GiB, "root": 10 * GiB}
    assert "create logical volume vg0/root (root, 10.0 GiB)" in [a.describe() for a in p.actions]


def test_cap_above_the_free_space_leaves_the_volume_filling_the_group() -> None:
    p = _plan([SWAP, {"name": "root", "vg": "vg0", "mount": "/", "size": "rest", "max_size": "1TiB"}])
    assert _lv_sizes(p) == {"swap": 2 * GiB, "root": None}
    uncapped = _plan([SWAP, {"name": "root", "vg": "vg0", "mount": "/", "size": "rest"}])
    assert p.actions == uncapped.actions


def test_cap_is_rounded_down_to_whole_extents() -> None:
    p = _plan([{"name": "root", "vg": "vg0", "mount": "/", "size": "rest", "max_size": "10242MiB"}])
    assert _lv_sizes(p) == {"root": 10240 * MiB}


def test_max_size_only_on_a_rest_volume() -> None:
    out = _issues([{"name": "root", "vg": "vg0", "mount": "/", "size": "8GiB", "max_size": "10GiB"}])
    assert out == ["storage.logical_volumes.0.max_size: max_size caps a growing ('rest' or grow) logical volume only"]
    out = _issues([{"name": "root", "vg": "vg0", "mount": "/", "size": "20%", "max_size": "10GiB"}])
    assert out == ["storage.logical_volumes.0.max_size: max_size caps a growing ('rest' or grow) logical volume only"]


def test_max_size_below_the_volume_minimum_is_refused() -> None:
    out = _issues([{"name": "root", "vg": "vg0", "mount": "/", "size": "rest", "max_size": "100MiB"}])
    assert len(out) == 1 and out[0].startswith("storage.logical_volumes.0.max_size: max_size 100MiB is below")
    assert "minimum of 2.0 GiB" in out[0]  # the root minimum of the core set (tests/unit/test_storage_manual.py)
    out = _issues([{"name": "root", "vg": "vg0", "mount": "/", "size": "rest"},
                   {"name": "data", "vg": "vg0", "mount": "/srv", "size": "rest", "max_size": "2MiB"}])
    assert any(i.startswith("storage.logical_volumes.1.max_size: max_size 2MiB is below") for i in out)


def test_kickstart_logvol_grow_maxsize_is_capped_in_the_plan() -> None:
    ks = """\
zerombr
clearpart --all --initlabel
part /boot/efi --fstype=efi --size=512
part /boot --size=1024
part pv.01 --size=1 --grow
volgroup vg0 pv.01
logvol swap --vgname=vg0 --name=swap --size=2048
logvol / --vgname=vg0 --name=root --size=1 --grow --maxsize=8000 --fstype=xfs
rootpw --lock
"""
    cfg = load_kickstart(ks, "cap.ks").config
    p = plan_storage(cfg, load_machine(MACHINES / "two-disks.json"))
    assert _lv_sizes(p) == {"swap": 2048 * MiB, "root": 8000 * MiB}


def test_parted_engine_creates_the_capped_volume_with_its_size_golden(monkeypatch: pytest.MonkeyPatch) -> None:
    """The storage plan and the parted engine's LVM commands in dry run, against a golden file."""
    monkeypatch.delenv("AZL_MEDIUM_REPO", raising=False)
    cfg = InstallConfig.model_validate({
        "storage": _storage([SWAP, {"name": "root", "vg": "vg0", "mount": "/", "size": "rest", "max_size": "10GiB",
                                    "fs": "xfs"}]),
        "system": {"hostname": "lv-cap"},
    })
    m = load_machine(MACHINES / "two-disks.json")
    info = PlanInfo(cfg, m, "/mnt/sysimage", False, [])
    s, f = storage.plan(info), fstab.plan(info)
    assert s is not None and f is not None
    plan = Plan(steps=[s.step, f.step], summary=s.summary, erase=s.erase, allowed_devices=s.allowed_devices)
    sysm = RecordingSystem()
    res = engine.apply(plan, cfg, m, sysm, lambda e: None, threading.Event())
    assert res.ok, res
    lvm = [r.line() for r in sysm.records if r.kind == "run" and r.detail["argv"][0] in ("pvcreate", "vgcreate",
                                                                                           "lvcreate")]
    assert "run lvcreate --yes -W y -n root -L 10240m vg0" in lvm
    sp = plan_storage(cfg, m)
    text = "\n".join(a.describe() for a in sp.actions) + "\n---\n" + "\n".join(lvm) + "\n"
    golden = GOLDEN / "lv-max-size.txt"
    if os.environ.get("UPDATE_GOLDEN") or not golden.exists():
        golden.write_text(text)
    assert text == golden.read_text(), "lv-max-size.txt differs (UPDATE_GOLDEN=1 to accept)"


def test_interactive_flow_keeps_a_prefilled_max_size() -> None:
    """--answers FILE --interactive: the UIs do not show max_size, but must not drop it."""
    from installer.backend import flow

    parts = [ESP, BOOT, {**PV, "size": "rest", "max_size": "40GiB"}]
    cfg = InstallConfig.model_validate({"storage": {
        "disks": [{"path": "/dev/vda"}], "partitions": parts, "volume_groups": [{"name": "vg0"}],
        "logical_volumes": [{"name": "root", "vg": "vg0", "mount": "/", "size": "rest", "max_size": "10GiB"}]}})
    back = flow.to_config(flow.from_config(cfg, load_machine(MACHINES / "two-disks.json")))
    assert back.storage.logical_volumes[0].max_size == "10GiB"
    assert back.storage.partitions is not None and back.storage.partitions[2].max_size == "40GiB"
