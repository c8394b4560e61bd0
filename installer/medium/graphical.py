"""Graphical mode on the installer medium: ``inst.graphical`` and ``inst.vnc``.

The PySide6 installer draws straight on the kernel framebuffer with Qt's ``linuxfb`` platform
plugin: no X server, no compositor, no GL (docs/graphical-medium.md says why and what it costs).
Qt and the few libraries it needs are not in the live root: they are the *GUI layer*, a squashfs
image on the ISO (``/azl/gui.squashfs``, built by iso/gui/build_layer.py) that is mounted only
when graphical mode is chosen.

Decisions (:func:`decide`, pure, unit-tested in tests/medium/test_graphical.py):

* ``inst.vnc`` without ``inst.vncpassword=`` and without an explicit ``inst.vnc.noauth``:
  refused, the console says why and offers the text installer;
* ``inst.vnc`` with a password: the installer runs on Qt's VNC plugin in a private network
  namespace behind :class:`installer.medium.vnc.AuthProxy`; the console says where to connect;
* ``inst.graphical``: needs ``/dev/fb0`` and the GUI layer; when either is missing, or Qt cannot
  start, the console says so and offers the text installer.

Never does any of these fall back to an unattended install: the only fallback is the
interactive text installer, after a key press on the console.
"""

from __future__ import annotations

import argparse
import contextlib
import enum
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from installer.medium import fetch, vnc
from installer.medium.cmdline import split_cmdline

LIVE_MEDIUM = Path("/run/initramfs/live")
LAYER_IMAGE = LIVE_MEDIUM / "azl" / "gui.squashfs"
LAYER_MOUNT = Path("/run/azl-gui")
FRAMEBUFFER = Path("/dev/fb0")
FB_WAIT = 20.0
"""Seconds to wait for /dev/fb0 (with grub's gfxpayload it exists before userspace starts)."""
QT_START_FAILED = {3, 4, 6, 127, 134, 139}
"""Exit codes of a Qt that could not start (abort: no platform plugin, missing library, crash)."""


class Mode(enum.Enum):
    NONE = "none"
    """Neither inst.graphical nor inst.vnc: the text installer, as before."""
    LINUXFB = "linuxfb"
    VNC = "vnc"
    REFUSED = "refused"
    """The options cannot be honoured safely (VNC without a password...): say so, offer text."""
    NO_DISPLAY = "no-display"
    """Graphical mode was asked for but cannot be brought up: say so, offer text."""


@dataclass(frozen=True)
class Decision:
    mode: Mode
    reason: str = ""
    vnc: vnc.VncOptions = field(default_factory=vnc.VncOptions)


def requested(cmdline: str) -> bool:
    """True when the command line asks for the graphical installer (locally or over VNC)."""
    words = {w.partition("=")[0] for w in split_cmdline(cmdline)}
    return bool(words & {"inst.graphical", "inst.vnc", "inst.vncpassword", "inst.vnc.noauth"})


def decide(cmdline: str, *, framebuffer: bool, layer: bool) -> Decision:
    """What to start, from the kernel command line and what the machine has."""
    words = {w.partition("=")[0] for w in split_cmdline(cmdline)}
    opts = vnc.parse(cmdline)
    if opts.requested:
        why = vnc.refusal(opts)
        if why is not None:
            return Decision(Mode.REFUSED, why, opts)
        if not layer:
            return Decision(Mode.NO_DISPLAY, "the medium has no graphical layer (azl/gui.squashfs)", opts)
        return Decision(Mode.VNC, "", opts)
    if "inst.graphical" not in words:
        return Decision(Mode.NONE)
    if "inst.text" in words or "inst.cmdline" in words:
        return Decision(Mode.REFUSED, "inst.graphical contradicts inst.text / inst.cmdline")
    if not layer:
        return Decision(Mode.NO_DISPLAY, "the medium has no graphical layer (azl/gui.squashfs)")
    if not framebuffer:
        return Decision(
            Mode.NO_DISPLAY,
            f"no framebuffer ({FRAMEBUFFER} is missing): this machine has no display the installer can use",
        )
    return Decision(Mode.LINUXFB)


# --- the GUI layer -----------------------------------------------------------------------------


def mount_layer(image: Path = LAYER_IMAGE, target: Path = LAYER_MOUNT) -> Path | None:
    """Mount the GUI layer read-only (once); return its root or None when it is unavailable."""
    if (target / "site").is_dir():
        return target
    if not image.is_file():
        return None
    target.mkdir(parents=True, exist_ok=True)
    got = subprocess.run(
        ["mount", "-t", "squashfs", "-o", "loop,ro", str(image), str(target)], capture_output=True, check=False
    )
    return target if got.returncode == 0 and (target / "site").is_dir() else None


def gui_env(layer: Path, platform: str, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of the Qt process: the layer's Python packages, libraries and fonts."""
    env = dict(os.environ if base is None else base)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(layer / "site"), env.get("PYTHONPATH", "")) if p)
    env["LD_LIBRARY_PATH"] = os.pathsep.join(p for p in (str(layer / "lib"), env.get("LD_LIBRARY_PATH", "")) if p)
    env["FONTCONFIG_FILE"] = str(layer / "fonts.conf")
    env["QT_QPA_PLATFORM"] = platform
    # linuxfb reads keyboard and mouse itself; the generic evdev plugins too would double every key
    env.pop("QT_QPA_GENERIC_PLUGINS", None)
    env.setdefault("XDG_RUNTIME_DIR", "/run/azl-installer/xdg")
    env.setdefault("QT_QPA_FB_HIDECURSOR", "0")
    return env


def linuxfb_platform(fb: Path = FRAMEBUFFER) -> str:
    return f"linuxfb:fb={fb}"


def wait_for(path: Path, timeout: float, sleep: Callable[[float], None] = time.sleep) -> bool:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() >= deadline:
            return False
        sleep(0.25)
    return True


# --- bring-up ---------------------------------------------------------------------------------


@dataclass
class Bringup:
    """Start the graphical installer for the launcher; every side effect is injectable."""

    say: Callable[[str], None]
    marker: Callable[[str], None]
    run_text: Callable[[], int]
    """Start the interactive text installer (the launcher's ``--ui tui`` run)."""
    read_line: Callable[[], str]
    python: str = sys.executable
    base_env: dict[str, str] | None = None
    mount: Callable[[], Path | None] = mount_layer
    framebuffer: Path = FRAMEBUFFER
    fb_wait: float = FB_WAIT
    popen: Callable[..., subprocess.Popen[bytes]] = subprocess.Popen
    start_network: Callable[[], None] = field(default_factory=lambda: fetch.RealHost().start_network)
    """VNC needs the network, which the medium does not start at boot."""

    def offer_text(self, why: str) -> int:
        self.say("")
        self.say(f"The graphical installer cannot start: {why}")
        self.say("Nothing was written to any disk.")
        self.marker(f"GUI unavailable {why}")
        self.say("Press Enter to start the text installer instead.")
        self.marker("GUI fallback? press Enter for the text installer")
        self.read_line()
        self.marker("UI start text")
        return self.run_text()

    def gui_argv(self) -> list[str]:
        return [self.python, "-m", "installer.medium.graphical", "--run-gui"]

    def run(self, cmdline: str) -> int:
        layer = self.mount()
        fb = wait_for(self.framebuffer, self.fb_wait) if "inst.graphical" in cmdline else self.framebuffer.exists()
        d = decide(cmdline, framebuffer=fb, layer=layer is not None)
        if d.mode in (Mode.REFUSED, Mode.NO_DISPLAY):
            return self.offer_text(d.reason)
        assert layer is not None
        if d.mode is Mode.VNC:
            return self.run_vnc(layer, d.vnc)
        self.marker(f"UI start gui platform=linuxfb fb={self.framebuffer}")
        self.say("Starting the graphical installer on the screen (this takes up to a minute) ...")
        proc = self.popen(self.gui_argv(), env=gui_env(layer, linuxfb_platform(self.framebuffer), self.base_env))
        rc = proc.wait()
        if rc in QT_START_FAILED:
            return self.offer_text(f"Qt could not use the display (exit code {rc})")
        return rc

    def run_vnc(self, layer: Path, opts: vnc.VncOptions) -> int:
        self.start_network()
        env = gui_env(layer, vnc.qt_platform(), self.base_env)
        proc = self.popen(vnc.isolated_argv(self.gui_argv()), env=env)
        connect = vnc.netns_connector(proc.pid)
        self.say("Starting the graphical installer for VNC (this takes up to a minute) ...")
        if not vnc.wait_inner(connect, 300, lambda: proc.poll() is None):
            with contextlib.suppress(OSError):
                proc.terminate()
            return self.offer_text("the installer's VNC display did not come up")
        proxy = vnc.AuthProxy(opts.password, connect, port=opts.port, log=self.say)
        proxy.start()
        addrs = vnc.addresses()
        for _ in range(30):  # DHCP may still be running
            if addrs:
                break
            time.sleep(1)
            addrs = vnc.addresses()
        where = ", ".join(f"{a}:{opts.port}" for a in addrs) or f"this machine's address, port {opts.port}"
        auth = "with the password from inst.vncpassword" if opts.password else "WITHOUT a password (inst.vnc.noauth)"
        self.say(f"Connect a VNC client to {where} {auth} to continue the installation.")
        self.marker(f"VNC ready port={opts.port} auth={'vnc' if opts.password else 'none'}")
        try:
            return proc.wait()
        finally:
            proxy.close()


# --- the Qt process ----------------------------------------------------------------------------


def _serial_marker(text: str) -> None:
    from installer.medium.launch import SERIAL, _write_line

    line = f"AZL-INSTALLER: {text}"
    print(line, file=sys.stderr, flush=True)
    if SERIAL.exists():
        _write_line(SERIAL, line)


def _log_tail(path: str | None, lines: int = 25) -> None:
    """A failed install's log tail on the serial console (the log has no secrets)."""
    if not path:
        return
    with contextlib.suppress(OSError):
        for line in Path(path).read_text(errors="replace").splitlines()[-lines:]:
            _serial_marker(f"LOG {line}")


def mem_available_mib(meminfo: Path = Path("/proc/meminfo")) -> int:
    """MemAvailable in MiB (-1 when unknown): reported with each page for the memory bench."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) // 1024
    return -1


def run_gui(argv: Sequence[str] = ()) -> int:
    """``azl-installer --ui gui`` full screen, reporting page changes on the serial console."""
    from PySide6.QtCore import QObject, QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    app = QApplication.instance() or QApplication(["azl-installer"])
    seen: dict[str, str] = {"page": "", "outcome": ""}

    def watch() -> None:
        for w in QApplication.topLevelWidgets():
            page = getattr(w, "page_id", None)
            if isinstance(w, QWidget) and page is not None and w.isVisible():
                if not w.isFullScreen():
                    w.showFullScreen()
                if page != seen["page"]:
                    seen["page"] = str(page)
                    _serial_marker(f"GUI page={page} mem_available_mib={mem_available_mib()}")
                ctx = getattr(w, "ctx", None)
                outcome = str(getattr(ctx, "outcome", ""))
                if outcome != seen["outcome"] and outcome in ("finished", "failed", "cancelled"):
                    seen["outcome"] = outcome
                    _serial_marker(f"GUI outcome={outcome}")
                    if outcome == "failed":
                        _log_tail(getattr(ctx, "log_path", None))

    timer = QTimer(app)
    timer.timeout.connect(watch)
    timer.start(250)
    keep: list[QObject] = [timer]
    from installer.cli.main import main as cli_main

    rc = cli_main(["--ui", "gui", *argv])
    del keep
    _serial_marker(f"GUI exit rc={rc}")
    return int(rc or 0)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="azl-installer-graphical")
    ap.add_argument("--run-gui", action="store_true", help="run the Qt installer (inside the prepared environment)")
    args, rest = ap.parse_known_args(argv)
    if args.run_gui:
        return run_gui(rest)
    ap.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
