"""Kickstart safety rules that no flag loosens (issue 16, Safety):

* ``--ignore-unsupported`` never turns an instruction to keep data (``mount``, ``--onpart``,
  ``--noformat``, ``--useexisting``, ``clearpart --none``) into an erase: what cannot be honoured
  stays an error on its line;
* a kickstart with no storage layout erases nothing unattended: ``install`` and ``plan`` stop with
  an error naming what is missing (exit 2), ``validate --unattended`` too; plain ``validate``
  warns; interactively the storage screen opens.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from installer.backend.answers.kickstart import load_kickstart
from installer.backend.errors import InvalidInput
from installer.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
MACHINE = str(ROOT / "tests" / "fixtures" / "machines" / "two-disks.json")
Cap = pytest.CaptureFixture[str]

BASE = "text\nrootpw --lock\n"

# keep instructions azl-installer cannot carry out (yet): errors, whatever the flag
KEEP_LINES = [
    ("raid / --level=1 --device=md0 --useexisting", "raid"),
    ("btrfs / --subvol --name=root --useexisting LABEL=data", "btrfs"),
    ("part / --onpart=vda1 --resize --size=100", "part"),
    ("part /home --size=100 --noformat", "part"),
    ("logvol / --vgname=old --name=root --useexisting", "logvol"),
    ("volgroup old --useexisting --noformat", "volgroup"),
]
# keep instructions it carries out: with or without the flag, what they name is kept
KEPT = [
    ("mount /dev/vda1 /", "/dev/vda1", False),
    ("mount /dev/vda1 / --reformat=xfs", "/dev/vda1", True),
    ("part / --onpart=vda1", "/dev/vda1", True),
    ("part / --usepart=vda1", "/dev/vda1", True),
    ("part / --fstype=xfs --size=100\npart /home --onpart=vdb1 --noformat", "/dev/vdb1", False),
]


def run(capsys: Cap, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return rc, out, err


@pytest.mark.parametrize(("line", "cmd"), KEEP_LINES)
def test_keep_instructions_stay_errors_with_ignore_unsupported(line: str, cmd: str) -> None:
    text = BASE + line + "\n"
    with pytest.raises(InvalidInput) as ei:
        load_kickstart(text, "keep.ks", ignore_unsupported=True)
    on_line = [i for i in ei.value.issues if i.line == 3]
    assert on_line, [i.format() for i in ei.value.issues]
    assert any(i.path == cmd for i in on_line), [i.format() for i in on_line]


@pytest.mark.parametrize(("line", "device", "reformat"), KEPT)
def test_kept_devices_stay_kept_with_ignore_unsupported(line: str, device: str, reformat: bool) -> None:
    for ignore in (False, True):
        st = load_kickstart(BASE + line + "\n", "keep.ks", ignore_unsupported=ignore).config.storage
        assert [(e.device, e.format) for e in st.existing] == [(device, reformat)]
        assert all(d.clear == "none" for d in st.disks)  # no clearpart: Anaconda removes nothing


def test_clearpart_none_keeps_with_ignore_unsupported() -> None:
    st = load_kickstart(BASE + "clearpart --none\nautopart\n", "keep.ks", ignore_unsupported=True).config.storage
    assert [d.clear for d in st.disks] == ["none"]


def test_mount_on_a_machine_that_has_the_partition_erases_nothing(capsys: Cap, tmp_path: Path) -> None:
    machine = ROOT / "tests" / "fixtures" / "kickstart-corpus" / "storage" / "machines" / "uefi-existing-plain.json"
    ks = tmp_path / "mount.ks"
    ks.write_text(BASE + "mount /dev/vda2 /\nmount /dev/vda1 /boot/efi\n")
    rc, out, err = run(capsys, "plan", str(ks), "--machine", str(machine), "--ignore-unsupported")
    assert rc == 0, err
    assert "ERASED" not in out and "REMOVED" not in out and "REFORMATTED" not in out
    assert "/dev/vda2 20.0 GiB ext4 'root': used as it is for / (data kept)" in out
    assert "/dev/vda3 19.4 GiB ext4 'home': kept, not touched" in out


def test_mount_under_ignore_unsupported_never_plans_an_erase(tmp_path: Path, capsys: Cap) -> None:
    """The bug this file exists for: `mount /dev/vda1 /` with --ignore-unsupported planned to
    erase vda (the mount was dropped and the default layout erased the largest disk)."""
    ks = tmp_path / "mount.ks"
    ks.write_text(BASE + "mount /dev/vda1 /\n")
    for cmd in ("plan", "install"):
        argv = [cmd, str(ks), "--machine", MACHINE, "--ignore-unsupported"]
        if cmd == "install":
            argv += ["--dry-run", "--yes"]
        rc, out, err = run(capsys, *argv)
        assert "ERASED" not in out + err, (cmd, out, err)
        assert "erase signatures" not in out + err
        if rc != 0:
            assert rc == 2, (cmd, rc, err)
            assert f"{ks}:3: mount" in err, err
        else:  # once `mount` is carried out it keeps vda1: nothing is erased
            assert "will be ERASED" not in out


@pytest.mark.parametrize("extra", ["", "clearpart --all --initlabel\nzerombr\n", "ignoredisk --only-use=vda\n"])
def test_no_storage_layout_erases_nothing_unattended(tmp_path: Path, capsys: Cap, extra: str) -> None:
    ks = tmp_path / "nostorage.ks"
    ks.write_text(BASE + extra)
    loaded = load_kickstart(ks.read_text(), str(ks))
    assert loaded.hints["storage"] == "missing"
    assert any("no storage layout" in w for w in loaded.warnings)

    rc, out, err = run(capsys, "validate", str(ks))
    assert rc == 0 and "warning" in err and "no storage layout" in err
    for argv in (["validate", "--unattended", str(ks)],
                 ["plan", str(ks), "--machine", MACHINE],
                 ["install", str(ks), "--machine", MACHINE, "--dry-run", "--yes"],
                 ["install", str(ks), "--machine", MACHINE, "--yes"]):
        rc, out, err = run(capsys, *argv)
        assert rc == 2, (argv, out, err)
        assert f"{ks}: storage: no storage layout" in err, err
        assert "ERASED" not in out + err


def test_a_layout_command_is_a_choice(tmp_path: Path) -> None:
    for layout in ("autopart\n", "part / --size=4096\npart /boot/efi --size=600\n", "reqpart\npart / --grow\n"):
        loaded = load_kickstart(BASE + "clearpart --all --drives=vda\n" + layout, "k.ks")
        assert "storage" not in loaded.hints, layout


def test_interactive_review_opens_the_storage_screen(tmp_path: Path) -> None:
    import argparse

    from installer.tui.app import build_app

    ks = tmp_path / "nostorage.ks"
    ks.write_text(BASE + "network --hostname=nostorage\n")
    args = argparse.Namespace(answers=str(ks), interactive=True, machine=MACHINE, serial=True, dry_run=True)
    app = build_app(args)
    assert app.start_page == "disk"
    ks.write_text(BASE + "clearpart --all --drives=vda\nautopart\n")
    assert build_app(args).start_page == "summary"
