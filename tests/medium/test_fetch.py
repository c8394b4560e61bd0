"""Answer-file retrieval for every inst.ks= form and OEMDRV pick-up (installer.medium.fetch)."""

from __future__ import annotations

from pathlib import Path

import pytest

from installer.medium import cmdline, fetch
from tests.medium.fakes import FakeHost


def test_hd_label(host: FakeHost, drive: Path, tmp_path: Path) -> None:
    (drive / "ks.cfg").write_text("text\n")
    host.devices["/dev/vdb"] = drive
    host.labels["LABEL=KS"] = "/dev/vdb"
    got = fetch.fetch(cmdline.parse_ks("hd:LABEL=KS:/ks.cfg"), tmp_path / "w", host)
    assert got.path.read_text() == "text\n"
    assert got.path.stat().st_mode & 0o777 == 0o600
    assert host.calls[-2:] == ["mount /dev/vdb", "umount /dev/vdb"]
    assert host.mounts == {}
    assert not any((tmp_path / "w" / "mnt").iterdir())  # mountpoint removed


def test_hd_device_path_in_subdir(host: FakeHost, drive: Path, tmp_path: Path) -> None:
    (drive / "sub").mkdir()
    (drive / "sub" / "a.yaml").write_text("version: 1\n")
    host.devices["/dev/vdc1"] = drive
    got = fetch.fetch(cmdline.parse_ks("hd:vdc1:/sub/a.yaml"), tmp_path / "w", host)
    assert got.path.name == "a.yaml"
    assert got.source == "hd:/dev/vdc1:/sub/a.yaml"


def test_hd_missing_file_unmounts(host: FakeHost, drive: Path, tmp_path: Path) -> None:
    host.devices["/dev/vdb"] = drive
    host.labels["LABEL=KS"] = "/dev/vdb"
    with pytest.raises(fetch.FetchError) as err:
        fetch.fetch(cmdline.parse_ks("hd:LABEL=KS:/nope.cfg"), tmp_path / "w", host)
    assert err.value.reason == "ks-file-missing"
    assert host.mounts == {}
    assert host.calls[-1] == "umount /dev/vdb"


def test_hd_device_never_appears(host: FakeHost, tmp_path: Path) -> None:
    with pytest.raises(fetch.FetchError) as err:
        fetch.fetch(cmdline.parse_ks("hd:LABEL=GONE:/ks.cfg"), tmp_path / "w", host, timeout=5)
    assert err.value.reason == "ks-device-missing"
    assert host.now >= 5


def test_hd_device_appears_late(host: FakeHost, drive: Path, tmp_path: Path) -> None:
    (drive / "ks.cfg").write_text("x")
    host.devices["/dev/sdb1"] = drive
    host.labels["LABEL=SLOW"] = "/dev/sdb1"
    host.appear_after["LABEL=SLOW"] = 3.0
    got = fetch.fetch(cmdline.parse_ks("hd:LABEL=SLOW:/ks.cfg"), tmp_path / "w", host, timeout=10)
    assert got.path.read_text() == "x"


def test_mount_failure(host: FakeHost, drive: Path, tmp_path: Path) -> None:
    host.devices["/dev/vdb"] = drive
    host.labels["LABEL=KS"] = "/dev/vdb"
    host.fail_mount = True
    with pytest.raises(fetch.FetchError) as err:
        fetch.fetch(cmdline.parse_ks("hd:LABEL=KS:/ks.cfg"), tmp_path / "w", host)
    assert err.value.reason == "ks-mount-failed"
    assert not any((tmp_path / "w" / "mnt").iterdir())


def test_file(host: FakeHost, tmp_path: Path) -> None:
    src = tmp_path / "ks.cfg"
    src.write_text("y")
    got = fetch.fetch(cmdline.parse_ks(f"file:{src}"), tmp_path / "w", host)
    assert got.path.read_text() == "y"
    assert host.calls == []
    with pytest.raises(fetch.FetchError) as err:
        fetch.fetch(cmdline.parse_ks(f"file:{tmp_path}/missing"), tmp_path / "w", host)
    assert err.value.reason == "ks-file-missing"


def test_too_large(host: FakeHost, tmp_path: Path) -> None:
    src = tmp_path / "big.cfg"
    src.write_bytes(b"#" * (fetch.MAX_ANSWER_BYTES + 1))
    with pytest.raises(fetch.FetchError) as err:
        fetch.fetch(cmdline.parse_ks(f"file:{src}"), tmp_path / "w", host)
    assert err.value.reason == "ks-too-large"


def test_cdrom_on_live_medium(host: FakeHost, tmp_path: Path) -> None:
    live = tmp_path / "live"
    live.mkdir()
    (live / "ks.cfg").write_text("on the iso")
    got = fetch.fetch(cmdline.parse_ks("cdrom"), tmp_path / "w", host, live_medium=live)
    assert got.path.read_text() == "on the iso"


def test_cdrom_other_drive(host: FakeHost, drive: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (drive / "ks").mkdir()
    (drive / "ks" / "ks.cfg").write_text("second cd")
    host.devices.update({"/dev/sr0": empty, "/dev/sr1": drive})
    host.cdroms = ["/dev/sr0", "/dev/sr1"]
    got = fetch.fetch(cmdline.parse_ks("cdrom:/ks/ks.cfg"), tmp_path / "w", host, live_medium=empty)
    assert got.path.read_text() == "second cd"
    assert host.mounts == {}


def test_cdrom_nowhere(host: FakeHost, tmp_path: Path) -> None:
    with pytest.raises(fetch.FetchError) as err:
        fetch.fetch(cmdline.parse_ks("cdrom"), tmp_path / "w", host, live_medium=tmp_path)
    assert err.value.reason == "ks-file-missing"


def test_http_ok_after_network_comes_up(host: FakeHost, tmp_path: Path) -> None:
    url = "http://10.0.2.2/ks.cfg?x=1"
    host.http[url] = b"ks"
    host.http_down_until = 5.0
    got = fetch.fetch(cmdline.parse_ks(url), tmp_path / "w", host, timeout=30)
    assert got.path.read_bytes() == b"ks"
    assert got.path.name == "ks.cfg"
    assert host.calls[0] == "network"


def test_http_404_fails_at_once(host: FakeHost, tmp_path: Path) -> None:
    with pytest.raises(fetch.FetchError) as err:
        fetch.fetch(cmdline.parse_ks("https://h/missing"), tmp_path / "w", host, timeout=30)
    assert err.value.reason == "ks-download-failed"
    assert "404" in err.value.message
    assert host.now == 0


def test_http_network_never_up(host: FakeHost, tmp_path: Path) -> None:
    host.http_down_until = 1e9
    with pytest.raises(fetch.FetchError) as err:
        fetch.fetch(cmdline.parse_ks("http://h/ks"), tmp_path / "w", host, timeout=6)
    assert err.value.reason == "ks-download-failed"


def test_oemdrv_found(host: FakeHost, drive: Path, tmp_path: Path) -> None:
    (drive / "ks.cfg").write_text("oem")
    host.devices["/dev/vdb"] = drive
    host.labels["LABEL=OEMDRV"] = "/dev/vdb"
    got = fetch.find_oemdrv(host, tmp_path / "w")
    assert got is not None and got.path.read_text() == "oem"
    assert "OEMDRV" in got.source
    assert host.mounts == {}


def test_oemdrv_absent_or_empty(host: FakeHost, drive: Path, tmp_path: Path) -> None:
    assert fetch.find_oemdrv(host, tmp_path / "w") is None
    host.devices["/dev/vdb"] = drive
    host.labels["LABEL=OEMDRV"] = "/dev/vdb"
    assert fetch.find_oemdrv(host, tmp_path / "w") is None
    assert host.mounts == {}
