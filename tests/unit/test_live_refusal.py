"""Destructive installs re-check the live machine: whatever the probe or a recorded machine said,
a disk that is mounted, swapped on, held or open *now* is refused (exit 3) before anything runs,
and again right before the storage step writes (pre-scripts ran in between)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from installer.backend.config import InstallConfig
from installer.backend.engine import Result, apply
from installer.backend.events import Event, Failed
from installer.backend.machine import Disk, load_machine
from installer.backend.plan import make_plan
from installer.backend.storage.safety import live_refusal
from installer.backend.system import LiveDevice, LiveUse, RecordingSystem
from tests.conftest import MACHINES

GiB = 1024**3
MOUNTED = LiveUse("mount", "/dev/vda1", "mounted at /srv/data (ext4)", mountpoint="/srv/data")


def _config(**storage: object) -> InstallConfig:
    return InstallConfig.model_validate({
        "storage": {"disks": [{"path": "/dev/vda"}], "guided": {}, **storage},
        "packages": {"repositories": [{"name": "r", "baseurl": "file:///srv/repo", "gpgcheck": False}]},
        "scripts": {"pre": [{"body": "echo pre\n"}]},
        "bootloader": {"location": "none"}, "finish": "none",
    })


def _apply(cfg: InstallConfig, live: dict[str, LiveDevice], machine: str = "two-disks.json"
           ) -> tuple[Result, RecordingSystem, list[Event]]:
    m = load_machine(MACHINES / machine)
    plan = make_plan(cfg, m)
    rs = RecordingSystem()
    rs.live.update(live)
    events: list[Event] = []
    res = apply(plan, cfg, m, rs, events.append, threading.Event())
    return res, rs, events


def test_recorded_free_but_mounted_now_is_refused_before_anything_runs() -> None:
    res, rs, events = _apply(_config(), {"/dev/vda": LiveDevice("/dev/vda", size=64 * GiB, uses=(MOUNTED,))})
    assert not res.ok and res.refused and res.exit_code == 3
    err = res.error or ""
    assert "refusing to erase /dev/vda" in err and "mounted at /srv/data" in err and "showed it free" in err
    assert not [r for r in rs.records if r.kind in ("run", "write")], "nothing ran, not even the pre-script"
    assert isinstance(events[-1], Failed)


def test_in_use_after_the_pre_scripts_is_refused_by_the_storage_step() -> None:
    """The first check passes; a pre-script then mounts the disk: the storage step refuses."""
    cfg = _config()
    m = load_machine(MACHINES / "two-disks.json")
    plan = make_plan(cfg, m)
    rs = RecordingSystem()

    def fail_on(argv: list[str]) -> bool:  # the pre-script "mounts" the disk when it runs
        if argv[:1] == ["/bin/sh"]:
            rs.live["/dev/vda"] = LiveDevice("/dev/vda", size=64 * GiB, uses=(MOUNTED,))
        return False

    rs.fail_on = fail_on
    res = apply(plan, cfg, m, rs, lambda e: None, threading.Event())
    assert res.refused and res.failed_step == "storage" and res.exit_code == 3
    ran = [" ".join(r.detail["argv"]) for r in rs.records if r.kind == "run"]
    assert any(a.startswith("/bin/sh") for a in ran), "the pre-script ran"
    assert not any(a.startswith(("wipefs", "sgdisk", "mkfs", "partx")) for a in ran), ran


@pytest.mark.parametrize(("live", "words"), [
    (LiveDevice("/dev/vda", exists=False, block=False), "does not exist on this machine"),
    (LiveDevice("/dev/vda", block=False), "not a block device"),
    (LiveDevice("/dev/vda", size=8 * GiB), "made for a 64.0 GiB disk, but /dev/vda is 8.0 GiB now"),
    (LiveDevice("/dev/vda", size=64 * GiB, by_id=("virtio-other",)), "not the disk the plan was made for"),
    (LiveDevice("/dev/vda", size=64 * GiB, uses=(LiveUse("swap", "/dev/vda2", "active swap"),)), "active swap"),
    (LiveDevice("/dev/vda", uses=(LiveUse("holder", "/dev/vda3", "dm-0 (luks-x) is stacked on it", holder="luks-x"),)),
     "dm-0 (luks-x)"),
    (LiveDevice("/dev/vda", uses=(LiveUse("open", "/dev/vda", "qemu (pid 7) has the device /dev/vda open"),)),
     "qemu (pid 7)"),
    (LiveDevice("/dev/vda", uses=(LiveUse("busy", "/dev/vda", "the kernel refuses an exclusive open"),)),
     "exclusive open"),
])
def test_each_live_use_is_refused_with_what_it_is(live: LiveDevice, words: str) -> None:
    res, rs, _ = _apply(_config(), {"/dev/vda": live})
    assert res.exit_code == 3 and words in (res.error or ""), res.error
    assert not [r for r in rs.records if r.kind == "run"]


def test_a_free_disk_matching_the_recording_goes_ahead() -> None:
    live = LiveDevice("/dev/vda", size=64 * GiB, by_id=("virtio-azl-disk-0", "wwn-x"))
    res, rs, _ = _apply(_config(), {"/dev/vda": live})
    assert res.ok, res.error
    assert any(r.kind == "run" and r.detail["argv"][:1] == ["wipefs"] for r in rs.records)


def test_wipe_in_use_releases_only_what_the_plan_saw() -> None:
    disk = Disk(path="/dev/vdb", size=32 * GiB, table="gpt")
    from installer.backend.machine import Filesystem, Partition
    from installer.backend.storage.actions import Deactivate

    recorded = disk.model_copy(update={"partitions": [Partition(
        path="/dev/vdb1", number=1, start=1 << 20, size=GiB, fs=Filesystem(type="ext4", mountpoints=["/data"]))]})
    release = Deactivate("/dev/vdb", ["/data"], [], [])
    seen = LiveUse("mount", "/dev/vdb1", "mounted at /data (ext4)", mountpoint="/data")
    busy = LiveUse("busy", "/dev/vdb", "the kernel refuses an exclusive open")
    assert live_refusal("/dev/vdb", recorded, LiveDevice("/dev/vdb", uses=(seen, busy)), release) is None
    other = LiveUse("mount", "/dev/vdb1", "mounted at /elsewhere (ext4)", mountpoint="/elsewhere")
    why = live_refusal("/dev/vdb", recorded, LiveDevice("/dev/vdb", uses=(seen, other)), release) or ""
    assert "does not release" in why and "/elsewhere" in why and "/data (ext4)" not in why
    opened = LiveUse("open", "/dev/vdb", "dd (pid 9) has the device /dev/vdb open")
    assert "dd (pid 9)" in (live_refusal("/dev/vdb", recorded, LiveDevice("/dev/vdb", uses=(opened,)), release) or "")


def test_the_running_system_is_refused_even_with_wipe_in_use() -> None:
    from installer.backend.storage.actions import Deactivate

    root = LiveUse("mount", "/dev/vdb2", "mounted at / (xfs)", mountpoint="/")
    why = live_refusal("/dev/vdb", None, LiveDevice("/dev/vdb", uses=(root,)), Deactivate("/dev/vdb", ["/"], [], []))
    assert why and "running system" in why


def test_cli_real_install_with_a_stale_recording_is_refused(tmp_path: Path) -> None:
    """`install F --machine old.json --yes` (no --dry-run) on a machine without that disk: refused
    (exit 3) by the live re-check before any step runs. The recorded disk is a path that cannot
    exist here, so nothing on this host is ever at risk if the check were missing."""
    import json
    import subprocess
    import sys

    from tests.conftest import ROOT

    m = json.loads((MACHINES / "two-disks.json").read_text())
    m["disks"][0]["path"] = "/dev/azl-test-no-such-disk"
    rec = tmp_path / "old.json"
    rec.write_text(json.dumps(m))
    ans = tmp_path / "a.yaml"
    ans.write_text("version: 1\nstorage: {disks: [{path: /dev/azl-test-no-such-disk}], guided: {}}\n"
                   "packages: {repositories: [{name: r, baseurl: 'file:///nonexistent', gpgcheck: false}]}\n"
                   "scripts: {pre: [{body: 'touch " + str(tmp_path / "pre-ran") + "'}]}\n"
                   "bootloader: {location: none}\nfinish: none\n")
    proc = subprocess.run([sys.executable, "-m", "installer", "install", str(ans), "--machine", str(rec), "--yes",
                           "--log", str(tmp_path / "log")], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 3, proc.stderr
    assert "refused: refusing to erase /dev/azl-test-no-such-disk: it does not exist on this machine" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "pre-ran").exists(), "the pre-script never ran"
