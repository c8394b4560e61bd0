"""Loop devices: an image or disk that is in use now is refused (exit 3) and left byte-identical,
whatever the recorded machine says. Every test unmounts and detaches what it set up."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from installer.backend.storage import live
from tests.conftest import ROOT
from tests.storage.conftest import loops_for

pytestmark = pytest.mark.root

ANSWERS = ("version: 1\nstorage: {guided: {}}\nbootloader: {location: none}\nfinish: none\n"
           "packages: {repositories: [{name: r, baseurl: 'file:///nonexistent', gpgcheck: false}]}\n")


def sha(p: Path | str) -> str:
    """The image's content hash, reading only its data extents (SEEK_DATA/SEEK_HOLE: the holes
    of a sparse image read as zeros and need no reading), each with its offset."""
    h = hashlib.sha256()
    fd = os.open(p, os.O_RDONLY)
    try:
        end, off = os.fstat(fd).st_size, 0
        h.update(str(end).encode())
        while off < end:
            try:
                off = os.lseek(fd, off, os.SEEK_DATA)
            except OSError:  # ENXIO: only a hole is left
                break
            stop = os.lseek(fd, off, os.SEEK_HOLE)
            h.update(f"@{off}".encode())
            while off < stop:
                chunk = os.pread(fd, min(1 << 20, stop - off), off)
                h.update(chunk)
                off += len(chunk)
    finally:
        os.close(fd)
    return h.hexdigest()


def cli(tmp: Path, *args: str, answers: str = ANSWERS) -> subprocess.CompletedProcess[str]:
    ans = tmp / "a.yaml"
    ans.write_text(answers)
    return subprocess.run([sys.executable, "-m", "installer", "install", str(ans), *args, "--log", str(tmp / "log")],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)


def run(*argv: str) -> str:
    return subprocess.run(list(argv), capture_output=True, text=True, check=True).stdout


@contextlib.contextmanager
def mounted(dev_or_img: str, where: Path, *opts: str) -> Iterator[None]:
    where.mkdir(exist_ok=True)
    run("mount", *opts, dev_or_img, str(where))
    try:
        yield
    finally:
        subprocess.run(["umount", str(where)], check=False)


@contextlib.contextmanager
def loop_with_partition(img: Path, size: str = "256M") -> Iterator[str]:
    """A GPT image with one ext4 partition, attached; partitions removed and detached after."""
    run("truncate", "-s", size, str(img))
    run("sgdisk", "-o", "-n", "1:2048:+64M", "-n", "2:0:+32M", str(img))
    loop = run("losetup", "-f", "--show", str(img)).strip()
    try:
        subprocess.run(["partx", "-a", loop], check=False)
        run("mkfs.ext4", "-q", f"{loop}p1")
        yield loop
    finally:
        subprocess.run(["partx", "-d", loop], check=False)
        subprocess.run(["losetup", "-d", loop], check=False)


def test_image_mounted_through_a_loop_device_is_refused_and_unchanged(tmp_path: Path) -> None:
    """The issue's case: `mount -o loop m.img`, then `install --image m.img --size 4G --yes`."""
    img = tmp_path / "m.img"
    run("truncate", "-s", "64M", str(img))
    run("mkfs.ext4", "-q", str(img))
    before, size = sha(img), img.stat().st_size
    with mounted(str(img), tmp_path / "mnt", "-o", "loop"):
        (tmp_path / "mnt" / "precious").write_text("keep me\n")
        run("mount", "-o", "remount,ro", str(tmp_path / "mnt"))  # no more writes of its own
        before = sha(img)
        proc = cli(tmp_path, "--image", str(img), "--size", "4G", "--yes")
        assert proc.returncode == 3, proc.stderr
        assert f"refused: refusing to install into {img}: it is in use" in proc.stderr
        assert "mounted at " + str(tmp_path / "mnt") in proc.stderr and "Traceback" not in proc.stderr
        assert img.stat().st_size == size, "not grown to --size"
        assert sha(img) == before, "the mounted image is byte-identical"
        # a dry run says the same, and so does a plain --image without --size
        assert cli(tmp_path, "--image", str(img), "--dry-run").returncode == 3
        assert cli(tmp_path, "--image", str(img), "--yes").returncode == 3
        assert (tmp_path / "mnt" / "precious").read_text() == "keep me\n"
    assert not loops_for(img)


def test_image_with_a_mounted_partition_swap_or_open_file_is_refused(tmp_path: Path) -> None:
    img = tmp_path / "p.img"
    with loop_with_partition(img) as loop:
        run("mkswap", "-q", f"{loop}p2")
        with mounted(f"{loop}p1", tmp_path / "mnt", "-o", "ro"):
            before = sha(img)
            proc = cli(tmp_path, "--image", str(img), "--yes")
            assert proc.returncode == 3 and f"{loop}p1: mounted at {tmp_path / 'mnt'}" in proc.stderr, proc.stderr
            assert sha(img) == before
        run("swapon", f"{loop}p2")
        try:
            before = sha(img)
            proc = cli(tmp_path, "--image", str(img), "--yes")
            assert proc.returncode == 3 and f"{loop}p2: active swap" in proc.stderr, proc.stderr
            assert sha(img) == before
        finally:
            subprocess.run(["swapoff", f"{loop}p2"], check=False)
    before = sha(img)
    # a process with the image file open (a VM running on it)
    with open(img, "rb") as f:
        holder = subprocess.Popen(["sleep", "300"], stdin=f)
    try:
        proc = cli(tmp_path, "--image", str(img), "--yes")
        assert proc.returncode == 3 and f"sleep (pid {holder.pid}) has the image file open" in proc.stderr, proc.stderr
    finally:
        holder.kill()
        holder.wait()
    assert sha(img) == before
    assert not loops_for(img)


def test_loop_device_as_image(tmp_path: Path) -> None:
    """`--image /dev/loopN --size 4G` is a clean usage error (was a traceback); a loop device
    with a mounted partition is refused."""
    img = tmp_path / "d.img"
    with loop_with_partition(img) as loop:
        proc = cli(tmp_path, "--image", loop, "--size", "4G", "--yes")
        assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
        assert "--size" in proc.stderr and "loop device" in proc.stderr
        with mounted(f"{loop}p1", tmp_path / "mnt", "-o", "ro"):
            before = sha(img)
            proc = cli(tmp_path, "--image", loop, "--yes")
            assert proc.returncode == 3 and "mounted at" in proc.stderr and "Traceback" not in proc.stderr
            assert sha(img) == before
    not_loop = cli(tmp_path, "--image", "/dev/null", "--yes")
    assert not_loop.returncode == 2 and "Traceback" not in not_loop.stderr
    nodir = cli(tmp_path, "--image", str(tmp_path / "no" / "such" / "dir.img"), "--size", "1G", "--yes")
    assert nodir.returncode == 2 and "cannot create" in nodir.stderr and "Traceback" not in nodir.stderr


def test_recorded_machine_says_free_but_the_disk_is_mounted_now(tmp_path: Path) -> None:
    """`install F --machine old.json --yes` on a real machine: the recording shows the loop disk
    empty; a partition of it is mounted now: refused before any step runs, disk unchanged."""
    img = tmp_path / "r.img"
    with loop_with_partition(img, "4G") as loop:
        size = int(run("blockdev", "--getsize64", loop))
        rec = tmp_path / "old.json"
        rec.write_text(json.dumps({"firmware": "bios", "disks": [{"path": loop, "size": size, "table": "none"}]}))
        answers = ANSWERS.replace("storage: {guided: {}}", f"storage: {{disks: [{{path: {loop}}}], guided: {{}}}}")
        answers += f"scripts: {{pre: [{{body: 'touch {tmp_path / 'pre-ran'}'}}]}}\n"
        with mounted(f"{loop}p1", tmp_path / "mnt", "-o", "ro"):
            before = sha(img)
            proc = cli(tmp_path, "--machine", str(rec), "--yes", answers=answers)
            assert sha(img) == before
        assert proc.returncode == 3, proc.stderr
        assert f"refusing to erase {loop}: it is in use now ({loop}p1: mounted at" in proc.stderr
        assert "showed it free" in proc.stderr and "Traceback" not in proc.stderr
        assert not (tmp_path / "pre-ran").exists()


def test_inspect_sees_holders_and_the_exclusive_open(tmp_path: Path) -> None:
    """live.inspect on a real loop device: partitions, and EBUSY from O_EXCL while mounted (the
    kernel's own word, which also covers a mount in another namespace)."""
    img = tmp_path / "i.img"
    with loop_with_partition(img) as loop:
        d = live.inspect(loop)
        assert d.size == 256 * 1024**2 and d.partitions == (f"{loop}p1", f"{loop}p2") and d.uses == ()
        with mounted(f"{loop}p1", tmp_path / "mnt", "-o", "ro"):
            assert live._exclusive_busy(loop) and live._exclusive_busy(f"{loop}p1")
            assert [u.kind for u in live.inspect(loop).uses] == ["mount"]
        assert not live._exclusive_busy(loop)
        fd = os.open(f"{loop}p2", os.O_RDONLY)
        try:
            uses = live.inspect(loop).uses
            assert any(u.kind == "open" and "this installer" in u.what for u in uses), uses
        finally:
            os.close(fd)
