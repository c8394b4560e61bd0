"""`install --dry-run --dump-files DIR`: every file the install would write, under DIR/target with
its mode, symlinks as symlinks, the command transcript beside it, never a secret."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from installer.backend.system import RecordingSystem
from installer.backend.system_dump import DumpError, dump_files
from installer.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
MACHINE = ROOT / "tests" / "fixtures" / "machines" / "two-disks.json"
SECRET = "Dump-Root-Password-77"

Cap = pytest.CaptureFixture[str]


def dry_dump(tmp_path: Path, capsys: Cap, ks: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("AZL_MEDIUM_REPO", "/run/install/repo")
    f = tmp_path / "ks.cfg"
    f.write_text(ks)
    out = tmp_path / "dump"
    rc = main(["install", str(f), "--dry-run", "--machine", str(MACHINE), "--dump-files", str(out)])
    _, err = capsys.readouterr()
    assert rc == 0, err
    assert "Traceback" not in err
    return out


KS = f"""text
ignoredisk --only-use=vda
clearpart --all --initlabel --drives=vda
autopart --type=plain
rootpw --plaintext {SECRET}
user --name=ann --groups=wheel --password={SECRET} --plaintext
lang en_US.UTF-8
timezone Europe/Dublin --utc
network --device=eth0 --bootproto=dhcp --hostname=dumped
reboot
%post
echo post
%end
"""


def test_dump_tree_modes_links_transcript(tmp_path: Path, capsys: Cap, monkeypatch: pytest.MonkeyPatch) -> None:
    out = dry_dump(tmp_path, capsys, KS, monkeypatch)
    t = out / "target"
    assert (t / "etc/hostname").read_text() == "dumped\n"
    assert (t / "etc/locale.conf").read_text() == "LANG=en_US.UTF-8\n"
    assert stat.S_IMODE((t / "etc/sudoers.d/10-azl-installer-wheel").stat().st_mode) == 0o440
    assert os.readlink(t / "etc/localtime") == "../usr/share/zoneinfo/Europe/Dublin"
    assert (t / "etc/systemd/network/10-azl-eth0.network").read_text().startswith("# written by azl-installer")
    assert "run systemctl --root=/mnt/sysimage enable" in (out / "commands.txt").read_text()
    manifest = (out / "MANIFEST").read_text().splitlines()
    assert "0440 0:0 target:/etc/sudoers.d/10-azl-installer-wheel" in manifest
    assert "link 0:0 target:/etc/localtime -> ../usr/share/zoneinfo/Europe/Dublin" in manifest
    # the answer file the install keeps holds hashes only, and nothing anywhere holds the secret
    assert "$6$" in (t / "var/log/installer/answers.yaml").read_text()
    for p in out.rglob("*"):
        if p.is_file() and not p.is_symlink():
            assert SECRET not in p.read_text(errors="replace"), p


def test_dump_needs_dry_run_and_an_empty_dir(tmp_path: Path, capsys: Cap) -> None:
    f = tmp_path / "ks.cfg"
    f.write_text(KS)
    assert main(["install", str(f), "--dump-files", str(tmp_path / "d")]) == 2
    assert "--dump-files goes with --dry-run" in capsys.readouterr().err
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "x").write_text("keep")
    assert main(["install", str(f), "--dry-run", "--machine", str(MACHINE), "--dump-files", str(busy)]) == 2
    assert "not an empty directory" in capsys.readouterr().err
    assert (busy / "x").read_text() == "keep"


def test_dump_never_writes_outside_dir(tmp_path: Path) -> None:
    rec = RecordingSystem()
    rec.files["/mnt/sysimage/../../etc/azl-dump-owned"] = b"x"  # normalised: a host path, inside DIR
    rec.symlink("/etc", "/mnt/sysimage/evil")  # links are made last, never written through
    dump_files(rec, "/mnt/sysimage", tmp_path / "d")
    assert (tmp_path / "d/host/etc/azl-dump-owned").read_text() == "x"
    assert not Path("/etc/azl-dump-owned").exists()
    rec = RecordingSystem()
    rec.symlink("/etc", "/mnt/sysimage/evil")
    rec.write_file("/mnt/sysimage/evil/passwd", "x")
    with pytest.raises(DumpError):
        dump_files(rec, "/mnt/sysimage", tmp_path / "e")


def test_dump_removed_files_are_gone(tmp_path: Path) -> None:
    rec = RecordingSystem()
    rec.makedirs("/tmp/azl-installer/work", mode=0o700)
    rec.write_file("/tmp/azl-installer/work/a", "a")
    rec.write_file("/mnt/sysimage/etc/kept", "k", mode=0o600)
    rec.remove("/tmp/azl-installer/work")
    s = dump_files(rec, "/mnt/sysimage", tmp_path / "d")
    assert s.files == 1 and not (tmp_path / "d" / "host").exists()
    assert stat.S_IMODE((tmp_path / "d/target/etc/kept").stat().st_mode) == 0o600
