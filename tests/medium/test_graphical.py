"""Bring-up decisions of the graphical medium (installer.medium.graphical), no Qt, no QEMU."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from installer.medium import cmdline, graphical, launch
from installer.medium.graphical import Mode, decide
from tests.medium.fakes import FakeHost

PASSWORD = "s3cr3t!x"


@pytest.mark.parametrize(
    ("line", "fb", "layer", "mode"),
    [
        ("quiet", True, True, Mode.NONE),
        ("inst.text", True, True, Mode.NONE),
        ("inst.graphical", True, True, Mode.LINUXFB),
        ("inst.graphical", False, True, Mode.NO_DISPLAY),
        ("inst.graphical", True, False, Mode.NO_DISPLAY),
        ("inst.graphical inst.cmdline", True, True, Mode.REFUSED),
        ("inst.graphical inst.text", True, True, Mode.REFUSED),
        ("inst.vnc", True, True, Mode.REFUSED),
        ("inst.vnc", False, True, Mode.REFUSED),
        (f"inst.vnc inst.vncpassword={PASSWORD}", False, True, Mode.VNC),
        (f"inst.vncpassword={PASSWORD}", False, True, Mode.VNC),
        ("inst.vnc inst.vnc.noauth", False, True, Mode.VNC),
        ("inst.vnc inst.vncpassword=short", False, True, Mode.REFUSED),
        ("inst.vnc inst.vncpassword=muchtoolong", False, True, Mode.REFUSED),
        (f"inst.vnc inst.vncpassword={PASSWORD} inst.vnc.noauth", False, True, Mode.REFUSED),
        (f"inst.vnc inst.vncpassword={PASSWORD}", True, False, Mode.NO_DISPLAY),
    ],
)
def test_decide(line: str, fb: bool, layer: bool, mode: Mode) -> None:
    assert decide(line, framebuffer=fb, layer=layer).mode is mode


def test_vnc_without_password_says_how_to_fix() -> None:
    d = decide("inst.vnc", framebuffer=True, layer=True)
    assert "inst.vncpassword=" in d.reason and "inst.vnc.noauth" in d.reason


def test_requested() -> None:
    assert graphical.requested("quiet inst.graphical")
    assert graphical.requested("inst.vnc")
    assert graphical.requested(f"inst.vncpassword={PASSWORD}")
    assert not graphical.requested("inst.text console=ttyS0")
    assert not graphical.requested("inst.graphicalx")


def test_env_linuxfb_without_generic_plugins(tmp_path: Path) -> None:
    env = graphical.gui_env(
        tmp_path, "linuxfb:fb=/dev/fb0", {"QT_QPA_GENERIC_PLUGINS": "evdevkeyboard", "PATH": "/bin"}
    )
    assert env["QT_QPA_PLATFORM"] == "linuxfb:fb=/dev/fb0"
    assert "QT_QPA_GENERIC_PLUGINS" not in env  # linuxfb reads evdev itself: keys would arrive twice
    assert env["PYTHONPATH"].split(":")[0] == str(tmp_path / "site")
    assert env["LD_LIBRARY_PATH"].split(":")[0] == str(tmp_path / "lib")
    assert env["FONTCONFIG_FILE"] == str(tmp_path / "fonts.conf")


class FakeProc:
    def __init__(self, rc: int, pid: int = 4242) -> None:
        self.rc, self.pid = rc, pid

    def wait(self) -> int:
        return self.rc

    def poll(self) -> int | None:
        return self.rc

    def terminate(self) -> None:
        pass


class Harness:
    def __init__(self, tmp_path: Path, *, fb: bool = True, layer: bool = True, qt_rc: int = 0) -> None:
        self.out: list[str] = []
        self.markers: list[str] = []
        self.text_runs = 0
        self.lines_read = 0
        self.spawned: list[tuple[list[str], dict[str, str]]] = []
        self.fbdev = tmp_path / "fb0"
        if fb:
            self.fbdev.write_text("")
        self.layer = tmp_path / "layer" if layer else None
        self.qt_rc = qt_rc
        self.bringup = graphical.Bringup(
            say=self.out.append,
            marker=self.markers.append,
            run_text=self.run_text,
            read_line=self.read_line,
            base_env={"PATH": "/bin"},
            mount=lambda: self.layer,
            framebuffer=self.fbdev,
            fb_wait=0,
            popen=self.popen,  # type: ignore[arg-type]
            start_network=lambda: None,
        )

    def run_text(self) -> int:
        self.text_runs += 1
        return 0

    def read_line(self) -> str:
        self.lines_read += 1
        return "\n"

    def popen(self, argv: Sequence[str], env: dict[str, str], **kw: Any) -> FakeProc:
        self.spawned.append((list(argv), env))
        return FakeProc(self.qt_rc)


def test_linuxfb_starts_the_gui(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    assert h.bringup.run("inst.graphical") == 0
    ((argv, env),) = h.spawned
    assert argv[-3:] == ["-m", "installer.medium.graphical", "--run-gui"]
    assert env["QT_QPA_PLATFORM"] == f"linuxfb:fb={h.fbdev}"
    assert h.text_runs == 0


@pytest.mark.parametrize("kind", ["no-fb", "no-layer", "qt-fails"])
def test_no_display_offers_the_text_installer(tmp_path: Path, kind: str) -> None:
    h = Harness(tmp_path, fb=kind != "no-fb", layer=kind != "no-layer", qt_rc=6 if kind == "qt-fails" else 0)
    assert h.bringup.run("inst.graphical") == 0
    text = "\n".join(h.out)
    assert "The graphical installer cannot start" in text
    assert "Press Enter to start the text installer" in text
    assert h.lines_read == 1, "the text installer starts only after a key press"
    assert h.text_runs == 1
    assert any(m.startswith("GUI unavailable") for m in h.markers)


def test_vnc_without_password_never_serves(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    h.bringup.run("inst.vnc")
    assert h.spawned == [], "no VNC service (nor Qt) may start without a password"
    assert "inst.vncpassword" in "\n".join(h.out)
    assert h.text_runs == 1 and h.lines_read == 1


def test_install_rc_passes_through(tmp_path: Path) -> None:
    h = Harness(tmp_path, qt_rc=1)
    assert h.bringup.run("inst.graphical") == 1
    assert h.text_runs == 0  # a failed install is reported by the GUI itself, not retried in text


def test_options_repr_hides_password() -> None:
    from installer.medium import vnc

    opts = vnc.parse(f"inst.vnc inst.vncpassword={PASSWORD}")
    assert opts.password == PASSWORD
    assert PASSWORD not in repr(opts) and PASSWORD not in str(opts)
    assert PASSWORD not in str(decide(f"inst.vncpassword={PASSWORD}", framebuffer=False, layer=True))


def test_launcher_hands_over_to_graphical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []

    def fake_run(self: graphical.Bringup, line: str) -> int:
        seen.append(line)
        self.say(f"pretend gui ({line})")
        return 0

    monkeypatch.setattr(graphical.Bringup, "run", fake_run)
    out: list[str] = []
    calls: list[list[str]] = []

    def cli(args: Sequence[str]) -> int:
        calls.append(list(args))
        return 0

    launcher = launch.Launcher(
        opts=cmdline.parse("console=ttyS0 console=tty0 inst.graphical"),
        console=launch.Console(tty="tty1", out=out.append, serial=None),
        run=cli,
        host=FakeHost(),
        workdir=tmp_path / "run",
    )
    assert launcher.main() == 0
    assert seen and "inst.graphical" in seen[0]
    assert calls == [], "nothing but the graphical bring-up ran (no install, no text UI)"
    assert any("DONE rc=0" in line for line in out)


def test_launcher_cmdline_mode_never_goes_graphical(tmp_path: Path) -> None:
    out: list[str] = []
    launcher = launch.Launcher(
        opts=cmdline.parse("inst.graphical inst.cmdline"),
        console=launch.Console(tty="tty1", out=out.append, serial=None),
        run=lambda a: 0,
        host=FakeHost(),
        workdir=tmp_path / "run",
    )
    assert launcher.main() == 2  # no answer file: stopped, as inst.cmdline always is


def test_isolated_argv_is_a_private_netns() -> None:
    from installer.medium import vnc

    argv = vnc.isolated_argv(["python3", "-m", "x"])
    assert argv[:3] == ["unshare", "--net", "--"]
    assert argv[-3:] == ["python3", "-m", "x"]
    assert subprocess.list2cmdline(argv)  # plain strings, no secrets
