"""Disk selection: by path, by-id and match rules; ambiguity and no-match are clear errors."""

from __future__ import annotations

import pytest

from installer.backend.config import InstallConfig
from installer.backend.errors import InvalidInput
from installer.backend.machine import Disk, Machine, load_machine
from installer.backend.storage.select import resolve_disks


def _m(name: str) -> Machine:
    from tests.conftest import MACHINES

    return load_machine(MACHINES / f"{name}.json")


def _pick(machine: Machine, *disks: dict) -> list[str]:
    cfg = InstallConfig.model_validate({"storage": {"disks": list(disks)}})
    return [d.path for d in resolve_disks(cfg.storage, machine)]


def _err(machine: Machine, *disks: dict) -> str:
    with pytest.raises(InvalidInput) as ei:
        _pick(machine, *disks)
    return ei.value.issues[0].format()


def test_by_path_and_by_id() -> None:
    m = _m("two-disks")
    assert _pick(m, {"path": "/dev/vdb"}) == ["/dev/vdb"]
    assert _pick(m, {"by_id": "virtio-azl-data-1"}) == ["/dev/vdb"]
    assert _pick(m, {"by_id": "/dev/disk/by-id/virtio-azl-disk-0"}) == ["/dev/vda"]


def test_match_rules() -> None:
    m = _m("two-disks")
    assert _pick(m, {"match": {"rule": "largest"}}) == ["/dev/vda"]
    assert _pick(m, {"match": {"rule": "smallest"}}) == ["/dev/vdb"]
    assert _pick(m, {"match": {"ssd": False}}) == ["/dev/vdb"]
    assert _pick(m, {"match": {"max_size": "40GiB"}}) == ["/dev/vdb"]
    assert _pick(m, {"match": {"serial": "azl-data-*"}}) == ["/dev/vdb"]
    assert _pick(m, {"match": {"model": "Virtio*", "min_size": "50GiB"}}) == ["/dev/vda"]
    assert _pick(m, {"match": {}}, {"match": {}}) == ["/dev/vda", "/dev/vdb"]


def test_match_skips_installer_medium() -> None:
    assert _pick(_m("nvme-laptop"), {"match": {"rule": "smallest"}}) == ["/dev/nvme0n1"]


def test_no_match_explains_each_disk() -> None:
    msg = _err(_m("two-disks"), {"match": {"transport": "nvme"}})
    assert "storage.disks.0.match" in msg and "no disk matches" in msg
    assert "/dev/vda: transport virtio is not nvme" in msg


def test_no_such_path_or_id() -> None:
    msg = _err(_m("two-disks"), {"path": "/dev/sdz"})
    assert "storage.disks.0.path" in msg and "no disk /dev/sdz" in msg and "/dev/vda 64.0 GiB" in msg
    assert "no disk has the id 'nope'" in _err(_m("two-disks"), {"by_id": "nope"})


def test_ambiguous_match() -> None:
    d = Disk(path="/dev/vda", size=8 * 1024**3)
    m = Machine(disks=[d, d.model_copy(update={"path": "/dev/vdb"})])
    msg = _err(m, {"match": {"rule": "largest"}})
    assert "ambiguous" in msg and "/dev/vda, /dev/vdb" in msg and "by_id" in msg


def test_same_disk_twice() -> None:
    assert "listed twice" in _err(_m("two-disks"), {"path": "/dev/vda"}, {"by_id": "virtio-azl-disk-0"})
