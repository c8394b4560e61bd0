"""Existing storage kept, on loop devices through the real engines (issue 16, item 4).

An 8 GiB image gets a GPT with three ext4 partitions made by plain tools: p1 (1 GiB, label
``keep``, a file of random bytes), p2 (512 MiB, ``old``) and p3 (512 MiB, ``data``, another
file). The install keeps the table, removes p2, creates new partitions in the free space (p2's
place and after p3) and mounts p3 as it is at /srv (``--onpart --noformat``). p1, which the
layout does not name, is hashed before and after (sha256 of every byte): it must be identical,
and so must its table entry; p3's file is read back unchanged (mounting a filesystem writes its
superblock, so only its contents can be compared) and fstab names it by its UUID. A second case
reformats p3 and proves p1's bytes are still untouched.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from installer.backend.config import InstallConfig
from installer.backend.machine import Disk, Filesystem, Machine, Partition
from installer.backend.sizes import GiB, MiB
from installer.backend.storage.build import plan_storage
from tests.storage.conftest import mounted_under
from tests.storage.util import blkid, run_plan, sfdisk

pytestmark = pytest.mark.root


def sh(*argv: str) -> str:
    return subprocess.run(list(argv), check=True, capture_output=True, text=True).stdout


def sha256(dev: str) -> str:
    h = hashlib.sha256()
    with open(dev, "rb") as f:
        while chunk := f.read(4 * MiB):
            h.update(chunk)
    return h.hexdigest()


def _wait(path: str) -> None:
    for _ in range(50):
        if os.path.exists(path):
            return
        subprocess.run(["udevadm", "settle"], check=False)


def _put(dev: str, mnt: Path, name: str, data: bytes) -> None:
    mnt.mkdir(exist_ok=True)
    sh("mount", dev, str(mnt))
    try:
        (mnt / name).write_bytes(data)
    finally:
        sh("umount", str(mnt))


def _read(dev: str, mnt: Path, name: str) -> bytes:
    mnt.mkdir(exist_ok=True)
    sh("mount", "-o", "ro", dev, str(mnt))
    try:
        return (mnt / name).read_bytes()
    finally:
        sh("umount", str(mnt))


LABELS = {1: "keep", 2: "old", 3: "data"}


def old_install(loop: str, tmp: Path) -> tuple[Machine, bytes]:
    sh("sgdisk", "-o", "-n", "1:1M:+1G", "-t", "1:8300", "-c", "1:keep", "-n", "2:0:+512M", "-t", "2:8300",
       "-n", "3:0:+512M", "-t", "3:8300", loop)
    subprocess.run(["partx", "-a", loop], check=False, capture_output=True)
    for i, label in LABELS.items():
        _wait(f"{loop}p{i}")
        sh("mkfs.ext4", "-q", "-F", "-L", label, f"{loop}p{i}")
    _put(f"{loop}p1", tmp / "seed", "precious.bin", os.urandom(8 * MiB))
    data = os.urandom(4 * MiB)
    _put(f"{loop}p3", tmp / "seed", "data.bin", data)
    parts = []
    for p in sfdisk(loop)["partitions"]:
        n = int(p["node"].removeprefix(f"{loop}p"))
        parts.append(Partition(path=p["node"], number=n, start=p["start"] * 512, size=p["size"] * 512,
                               type_name="Linux filesystem", name=p.get("name"),
                               fs=Filesystem(type="ext4", label=LABELS[n], uuid=blkid(p["node"], "UUID"))))
    return Machine(firmware="bios", disks=[Disk(path=loop, size=8 * GiB, table="gpt", partitions=parts)]), data


def storage(loop: str, reformat: bool) -> dict[str, Any]:
    return {
        "disks": [{"path": loop, "clear": "none"}],
        "remove": [f"{loop}p2"],
        "partitions": [{"fs": "biosboot", "size": "1MiB"},
                       {"mount": "/", "size": "3GiB", "fs": "ext4", "label": "root"},
                       {"fs": "swap", "size": "256MiB"},
                       {"mount": "/var", "size": "256MiB", "grow": True, "fs": "xfs"}],
        "existing": [{"device": "LABEL=data", "mount": "/srv", "format": reformat,
                      **({"fs": "xfs"} if reformat else {})}],
    }


def test_kept_partition_is_byte_identical(disk_image: tuple[str, Path], tmp_path: Path, engine_name: str) -> None:
    loop, _ = disk_image
    m, data = old_install(loop, tmp_path)
    before = sha256(f"{loop}p1")
    entry_before = sfdisk(loop)["partitions"][0]
    cfg = InstallConfig.model_validate({"storage": storage(loop, reformat=False)})
    sp = plan_storage(cfg, m)
    text = "\n".join(sp.summary)
    assert f"{loop}p1 1.0 GiB ext4 'keep': kept, not touched" in text
    assert f"{loop}p2 512.0 MiB ext4 'old': REMOVED (erased)" in text
    assert f"{loop}p3 512.0 MiB ext4 'data': used as it is for /srv (data kept)" in text
    assert "will be ERASED" not in text
    assert sp.kept_tables == [loop]

    target = tmp_path / "t"
    res, state, _ = run_plan(sp, cfg, m, target, engine_name)
    assert res.ok, res.error
    assert not mounted_under(target)
    assert sha256(f"{loop}p1") == before, "the kept partition changed"
    pt = sfdisk(loop)["partitions"]
    assert pt[0] == entry_before, "the kept partition's table entry changed"
    new = {p.path: p for p in sp.partitions()}
    got = {p["node"]: p for p in pt}
    assert set(got) == {f"{loop}p1", f"{loop}p3", *new}
    for path, want in new.items():  # where the plan put them: in the free space only
        assert (got[path]["start"] * 512, got[path]["size"] * 512) == (want.start, want.size)
        assert want.start >= entry_before["start"] * 512 + entry_before["size"] * 512
    assert f"{loop}p2" in new  # the removed partition's number is reused, as parted numbers
    assert blkid(sp.layout.root_device, "TYPE") == "ext4"
    assert _read(f"{loop}p3", tmp_path / "check", "data.bin") == data
    fstab = state["layout"].fstab
    assert f"UUID={blkid(f'{loop}p3', 'UUID')}" in fstab and "/srv" in fstab
    assert str(target / "srv") in state["mounted"]


def test_reformatted_partition_and_the_kept_one_untouched(disk_image: tuple[str, Path], tmp_path: Path,
                                                          engine_name: str) -> None:
    loop, _ = disk_image
    m, _ = old_install(loop, tmp_path)
    before = sha256(f"{loop}p1")
    cfg = InstallConfig.model_validate({"storage": storage(loop, reformat=True)})
    sp = plan_storage(cfg, m)
    assert any(f"{loop}p3 512.0 MiB ext4 'data': REFORMATTED as xfs for /srv" in line for line in sp.summary)
    res, _, _ = run_plan(sp, cfg, m, tmp_path / "t", engine_name)
    assert res.ok, res.error
    assert blkid(f"{loop}p3", "TYPE") == "xfs"
    assert sha256(f"{loop}p1") == before, "the kept partition changed"
