"""storage/holders.py: what keeps a filesystem busy, from /proc (a fake tree, and a real loop mount)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from installer.backend.storage import blivet_teardown, holders


def _majmin(dev: int) -> str:
    return f"{os.major(dev)}:{os.minor(dev)}"


def test_parse_mountinfo_unescapes_and_skips_bad_lines() -> None:
    text = (
        "36 35 253:1 / /mnt/sys\\040image rw,relatime shared:1 - ext4 /dev/mapper/root rw\n"
        "garbage line\n"
        "37 36 8:2 / /mnt/sys\\040image/boot rw - ext4 /dev/vda2 rw\n"
    )
    m = holders.parse_mountinfo(text)
    assert [e.mountpoint for e in m] == ["/mnt/sys image", "/mnt/sys image/boot"]
    assert m[0].dev == os.makedev(253, 1) and m[0].fstype == "ext4" and m[0].source == "/dev/mapper/root"
    assert m[1].parent_id == 36


def _fake_proc(tmp_path: Path) -> tuple[Path, Path]:
    """A /proc tree: pid 100 holds the 'target' (a directory on tmp_path's filesystem) by its
    cwd, an open file, a mapped file and a mount in another namespace; pid 200 holds nothing."""
    target = tmp_path / "target"
    (target / "usr/lib").mkdir(parents=True)
    lib = target / "usr/lib/libfont.so"
    lib.write_bytes(b"\0")
    dev = os.stat(target).st_dev
    elsewhere = "/proc"  # another filesystem
    proc = tmp_path / "proc"
    me = proc / "self"
    (me / "ns").mkdir(parents=True)
    (me / "ns" / "mnt").write_text("mine")
    (me / "mountinfo").write_text(f"40 1 {_majmin(dev)} / /mnt/sysimage rw - ext4 /dev/mapper/root rw\n")
    p = proc / "100"
    (p / "fd").mkdir(parents=True)
    (p / "ns").mkdir()
    (p / "comm").write_text("fc-cache\n")
    (p / "cmdline").write_bytes(b"fc-cache\0--password=hunter2\0")
    (p / "cwd").symlink_to(target / "usr")
    (p / "root").symlink_to(elsewhere)
    (p / "fd" / "0").symlink_to(elsewhere)
    (p / "fd" / "4").symlink_to(lib)
    (p / "maps").write_text(
        f"7f00-7f10 r--p 00000000 {os.major(dev):02x}:{os.minor(dev):02x} {os.stat(lib).st_ino} {lib}\n"
        "7f10-7f20 rw-p 00000000 00:00 0 \n"
    )
    (p / "ns" / "mnt").write_text("another namespace")  # a different inode from self's
    (p / "mountinfo").write_text(f"90 1 {_majmin(dev)} / /run/private/sysimage rw - ext4 /dev/mapper/root rw\n")
    q = proc / "200"
    (q / "fd").mkdir(parents=True)
    (q / "comm").write_text("bash\n")
    (q / "cwd").symlink_to(elsewhere)
    (q / "root").symlink_to(elsewhere)
    return proc, target


def test_fake_proc_names_every_kind_of_use(tmp_path: Path) -> None:
    proc, _target = _fake_proc(tmp_path)
    sysfs = tmp_path / "sys"
    (sysfs / "block").mkdir(parents=True)
    t = holders.target_for(["/mnt/sysimage"], proc=proc)
    uses = holders.find_uses(t, proc=proc, sys=sysfs)
    hows = [u.how for u in uses]
    assert "still mounted at /mnt/sysimage (ext4 /dev/mapper/root)" in hows
    assert any(h.startswith("current directory ") and h.endswith("/target/usr") for h in hows)
    assert any(h.startswith("open file ") and h.endswith("libfont.so (fd 4)") for h in hows)
    assert any(h.startswith("maps ") and "libfont.so" in h for h in hows)
    assert "has it mounted at /run/private/sysimage in another mount namespace" in hows
    assert {u.pid for u in uses} == {None, 100}  # bash (pid 200) holds nothing
    text = holders.explain(["/mnt/sysimage"], proc=proc, sys=sysfs)
    assert text.startswith("/mnt/sysimage is in use: ") and "fc-cache (pid 100)" in text
    assert "hunter2" not in text and "--password" not in text  # names, never command lines


def test_not_mounted_and_nothing_holding(tmp_path: Path) -> None:
    proc, _ = _fake_proc(tmp_path)
    assert holders.explain(["/mnt/other"], proc=proc, sys=tmp_path) == "/mnt/other: not mounted and no such device"
    (proc / "100").rename(tmp_path / "gone")
    (proc / "self" / "mountinfo").write_text("")
    t = holders.Target(fs_devs={os.stat(tmp_path).st_dev}, paths=["/x"])
    assert holders.find_uses(t, proc=proc, sys=tmp_path) == []


def test_loop_device_backing_file_is_a_use(tmp_path: Path) -> None:
    proc, target = _fake_proc(tmp_path)
    img = target / "disk.img"
    img.write_bytes(b"")
    loop = tmp_path / "sys" / "block" / "loop7" / "loop"
    loop.mkdir(parents=True)
    (loop / "backing_file").write_text(f"{img}\n")
    uses = holders.find_uses(holders.target_for(["/mnt/sysimage"], proc=proc), proc=proc, sys=tmp_path / "sys")
    assert any(u.what == "loop7" and u.how == f"loop device backed by {img}" for u in uses)


def _can_loop_mount() -> str | None:
    if os.geteuid() != 0:
        return "needs root for a loop mount"
    for tool in ("losetup", "mkfs.ext4", "mount", "umount"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    return None


@pytest.mark.skipif(_can_loop_mount() is not None, reason=str(_can_loop_mount()))
def test_real_loop_mount_busy_by_a_child_cwd(tmp_path: Path) -> None:
    """A real ext4 on a loop device, a child process with its cwd there: umount fails with
    'busy', the diagnosis names the child by name and PID; once it ends, the umount works."""
    img, mnt = tmp_path / "fs.img", tmp_path / "mnt"
    mnt.mkdir()
    with open(img, "wb") as f:
        f.truncate(16 * 1024 * 1024)
    subprocess.run(["mkfs.ext4", "-q", "-F", str(img)], check=True)
    loop = subprocess.run(["losetup", "-f", "--show", str(img)], check=True, capture_output=True,
                          text=True).stdout.strip()
    child: subprocess.Popen[bytes] | None = None
    mounted = False
    try:
        subprocess.run(["mount", "-t", "ext4", loop, str(mnt)], check=True)
        mounted = True
        (mnt / "work").mkdir()
        child = subprocess.Popen(["sleep", "300"], cwd=mnt / "work")
        time.sleep(0.2)
        assert subprocess.run(["umount", str(mnt)], capture_output=True).returncode != 0
        text = holders.explain([str(mnt)], [loop])
        assert f"sleep (pid {child.pid}): current directory {mnt}/work" in text
        assert f"still mounted at {mnt} (ext4 {loop})" in text
        child.kill()
        child.wait()
        child = None
        subprocess.run(["umount", str(mnt)], check=True)
        mounted = False
        assert holders.explain([str(mnt)]) == f"{mnt}: not mounted and no such device"
    finally:
        if child is not None:
            child.kill()
            child.wait()
        if mounted:
            subprocess.run(["umount", str(mnt)], check=False)
        subprocess.run(["losetup", "-d", loop], check=False)


class _Dev(SimpleNamespace):
    """A stand-in for a blivet device: ``teardown`` runs ``on_teardown`` (or unmounts)."""

    def teardown(self, recursive: bool = False) -> None:
        self.torn_down = True
        if getattr(self, "on_teardown", None) is not None:
            self.on_teardown()
        else:
            self.format.system_mountpoint = None


def _tree(*devices: _Dev) -> Any:
    class Tree:
        def __init__(self) -> None:
            self.devices = list(devices)
            self.leaves = [d for d in devices if d.leaf]

        def teardown_all(self) -> None:
            raise AssertionError("blivet's teardown_all() would tear down the installer medium too")

    return SimpleNamespace(devicetree=Tree())


def _devices() -> tuple[_Dev, _Dev, _Dev]:
    disk = _Dev(path="/dev/vda", ancestors=[], protected=False, controllable=True, type="disk", leaf=False,
                format=SimpleNamespace(type=None, system_mountpoint=None))
    part = _Dev(path="/dev/vda2", protected=False, controllable=True, type="partition", leaf=True,
                format=SimpleNamespace(type="ext4", system_mountpoint="/mnt/sysimage/boot"))
    part.ancestors = [disk, part]
    medium = _Dev(path="/dev/sr0", protected=False, controllable=True, type="cdrom", leaf=True,
                  format=SimpleNamespace(type="iso9660", system_mountpoint="/run/initramfs/live"))
    medium.ancestors = [medium]
    medium.on_teardown = lambda: (_ for _ in ()).throw(FileNotFoundError(2, "No such file", "lsof"))
    return disk, part, medium


def test_teardown_leaves_the_installer_medium_alone() -> None:
    """exclusive_disks does not hide an optical drive: the medium is in blivet's tree, mounted
    (and busy under the GUI). Teardown unmounts the plan's filesystems and never the medium."""
    disk, part, medium = _devices()
    logs: list[tuple[str, str]] = []
    ctx: Any = SimpleNamespace(log=lambda m, level="info": logs.append((level, m)))
    blivet_teardown.teardown_all(_tree(disk, part, medium), ctx, ["/dev/vda"])()
    assert getattr(part, "torn_down", False) and not getattr(medium, "torn_down", False)
    assert ("debug", "blivet sees /dev/sr0 (iso9660) mounted at /run/initramfs/live "
                     "(not on the plan's disks: left alone)") in logs
    assert ("debug", "blivet sees /dev/vda2 (ext4) mounted at /mnt/sysimage/boot") in logs


def test_teardown_names_the_holder_of_a_busy_target_mount(monkeypatch: pytest.MonkeyPatch) -> None:
    """A failed umount makes blivet run `lsof` (missing on the medium): the error names the
    mount and what holds it (a stand-in for holders.explain here), not 'lsof not found'."""
    disk, part, medium = _devices()
    part.on_teardown = lambda: (_ for _ in ()).throw(FileNotFoundError(2, "No such file", "lsof"))
    ctx: Any = SimpleNamespace(log=lambda m, level="info": None)
    monkeypatch.setattr(blivet_teardown, "_explain", lambda mp, dev: f"{mp} ({dev}) is in use: fc-cache (pid 42)")
    with pytest.raises(RuntimeError) as exc:
        blivet_teardown.teardown_all(_tree(disk, part, medium), ctx, ["/dev/vda"])()
    assert str(exc.value) == ("a filesystem could not be unmounted: /mnt/sysimage/boot (/dev/vda2) is in use: "
                              "fc-cache (pid 42)")
    assert not getattr(medium, "torn_down", False)


def test_teardown_failure_that_left_nothing_mounted_is_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    """A LUKS close that failed after every filesystem was unmounted: logged with its holders."""
    disk, part, medium = _devices()

    def close_fails() -> None:
        part.format.system_mountpoint = None
        raise RuntimeError("close failed")

    part.on_teardown = close_fails
    logs: list[tuple[str, str]] = []
    ctx: Any = SimpleNamespace(log=lambda m, level="info": logs.append((level, m)))
    monkeypatch.setattr(blivet_teardown, "_explain", lambda mp, dev: f"{dev}: udevd holds it")
    blivet_teardown.teardown_all(_tree(disk, part, medium), ctx, ["/dev/vda"])()
    assert ("warning", "blivet could not tear down /dev/vda2: RuntimeError: close failed "
                       "(/dev/vda2: udevd holds it)") in logs
