"""inst.* kernel command-line parsing (installer.medium.cmdline)."""

from __future__ import annotations

from pathlib import Path

import pytest

from installer.medium import cmdline
from installer.medium.cmdline import Finish, KsKind


@pytest.mark.parametrize(
    ("value", "kind", "device", "path"),
    [
        ("hd:LABEL=OEMDRV:/ks.cfg", KsKind.HD, "LABEL=OEMDRV", "/ks.cfg"),
        ("hd:label=KS:/dir/answers.yaml", KsKind.HD, "LABEL=KS", "/dir/answers.yaml"),
        ("hd:UUID=1234-ABCD:/ks.cfg", KsKind.HD, "UUID=1234-ABCD", "/ks.cfg"),
        ("hd:/dev/vdb1:/ks.cfg", KsKind.HD, "/dev/vdb1", "/ks.cfg"),
        ("hd:sdb1:/x/ks.cfg", KsKind.HD, "/dev/sdb1", "/x/ks.cfg"),
        (r"hd:LABEL=MY\x20KS:/ks.cfg", KsKind.HD, "LABEL=MY KS", "/ks.cfg"),
        (
            "hd:/dev/disk/by-path/pci-0000:00:1f.2-ata-1:/ks.cfg",
            KsKind.HD,
            "/dev/disk/by-path/pci-0000:00:1f.2-ata-1",
            "/ks.cfg",
        ),
        ("cdrom", KsKind.CDROM, None, "/ks.cfg"),
        ("cdrom:/ks/ks.cfg", KsKind.CDROM, None, "/ks/ks.cfg"),
        ("cdrom:/dev/sr1:/ks.cfg", KsKind.CDROM, None, "/ks.cfg"),
        ("file:/run/ks.cfg", KsKind.FILE, None, "/run/ks.cfg"),
        ("file:///run/ks.cfg", KsKind.FILE, None, "/run/ks.cfg"),
    ],
)
def test_ks_forms(value: str, kind: KsKind, device: str | None, path: str) -> None:
    src = cmdline.parse_ks(value)
    assert src.kind is kind
    assert src.device == device
    assert src.path == path
    assert src.raw == value


@pytest.mark.parametrize("url", ["http://10.0.2.2:8000/ks.cfg", "HTTPS://example.test/a.yaml?x=1"])
def test_ks_http(url: str) -> None:
    src = cmdline.parse_ks(url)
    assert src.kind is KsKind.HTTP
    assert src.url == url
    assert src.describe() == url


@pytest.mark.parametrize(
    "value",
    ["", "nfs:server:/ks.cfg", "ftp://x/ks", "hd:LABEL=X", "hd::/ks.cfg", "file:relative",
     "cdrom:ks.cfg", "hd:LABEL=X:/../etc/shadow", "bogus", "hd:we!rd:/ks.cfg"],
)  # fmt: skip
def test_ks_rejected(value: str) -> None:
    with pytest.raises(cmdline.CmdlineError):
        cmdline.parse_ks(value)


def test_split_cmdline_quotes() -> None:
    text = 'BOOT_IMAGE=/boot/vmlinuz  inst.ks="hd:LABEL=A B:/ks.cfg" quiet\n'
    assert cmdline.split_cmdline(text) == [
        "BOOT_IMAGE=/boot/vmlinuz",
        "inst.ks=hd:LABEL=A B:/ks.cfg",
        "quiet",
    ]


def test_parse_full_line() -> None:
    opts = cmdline.parse(
        "root=live:CDLABEL=AZL_INSTALLER rd.live.image console=tty0 console=ttyS0,115200n8 "
        "inst.ks=hd:LABEL=OEMDRV:/ks.cfg inst.cmdline inst.finish=poweroff inst.ks.timeout=5"
    )
    assert opts.ks is not None and opts.ks.device == "LABEL=OEMDRV"
    assert opts.cmdline and opts.unattended and not opts.text
    assert opts.finish is Finish.POWEROFF
    assert opts.ks_timeout == 5.0
    assert opts.consoles == ("tty0", "ttyS0")
    assert opts.primary_console == "ttyS0"
    assert opts.errors == ()


def test_defaults_and_primary_console() -> None:
    opts = cmdline.parse("quiet")
    assert opts.ks is None and not opts.cmdline and not opts.text
    assert opts.finish is None
    assert opts.primary_console == "tty1"
    assert cmdline.parse("console=ttyS0 console=tty0").primary_console == "tty1"
    assert cmdline.parse("inst.text").text


def test_legacy_ks_alias() -> None:
    opts = cmdline.parse("ks=cdrom:/ks.cfg")
    assert opts.ks is not None and opts.ks.kind is KsKind.CDROM


def test_errors_are_collected_not_raised() -> None:
    opts = cmdline.parse("inst.ks=nfs:host:/ks inst.finish=explode inst.ks.timeout=-1")
    assert opts.ks is None
    assert len(opts.errors) == 3
    assert cmdline.ks_requested(opts)


def test_ks_twice_is_an_error() -> None:
    opts = cmdline.parse("inst.ks=cdrom inst.ks=file:/a")
    assert any("more than once" in e for e in opts.errors)


def test_bare_inst_ks_is_requested_but_unusable() -> None:
    opts = cmdline.parse("inst.ks")
    assert opts.ks is None
    assert opts.errors
    assert cmdline.ks_requested(opts)
    assert not cmdline.ks_requested(cmdline.parse("inst.text"))


def test_read_proc_cmdline(tmp_path: Path) -> None:
    p = tmp_path / "cmdline"
    p.write_text("inst.ks=file:/x.cfg inst.text\n")
    opts = cmdline.read_proc_cmdline(p)
    assert opts.ks is not None and opts.ks.path == "/x.cfg"
