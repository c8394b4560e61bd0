"""Graphical mode of the installer medium in QEMU (vm-marked; ``make smoke`` / ``make screenshots-iso``).

* :func:`test_graphical_install`: boots the ISO through the firmware and GRUB, picks "Install
  Azure Linux (graphical)" with QMP key presses, waits for the Qt installer on the framebuffer
  (``-vga std -display none``), walks it with QMP ``send-key`` (guided disk, LUKS2, host name,
  user), takes a QMP ``screendump`` of every page (PNG artefacts), installs, and, when the
  medium can install (a package repository on it), boots the installed disk and verifies it.
* :func:`test_vnc_password`: ``inst.vnc inst.vncpassword=...`` with the guest's port 5900
  forwarded to 127.0.0.1 only; vncdotool on the host is refused with a wrong password and sees
  the installer with the right one.

The guest reports the page on screen on its serial console (``AZL-INSTALLER: GUI page=<id>``,
from installer/medium/graphical.py), which is how the walk knows when to type.
Run ``python -m tests.vm.test_graphical --shots DIR`` for the screenshots without pytest.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import socket
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.vm.qemu import REPO, Guest, GuestError, GuestSpec, Medium, blank_disk, live_append

pytestmark = pytest.mark.vm

GUI_INFO = REPO / "build" / "gui" / "iso-info.json"
"""The ISO with the GUI layer (``make iso`` links it at build/; the graphical targets at build/gui/)."""
PAGE_TIMEOUT = 900.0
PASSPHRASE = "azl-gui-luks-Pass1"
USER, FULL_NAME, PASSWORD = "azuregui", "Azure Gui", "azuregui-Pass1"
HOSTNAME = "azl-vm-gui"
VNC_PASSWORD = "vncpw-42"


def medium_with_gui() -> Medium:
    for info in (REPO / "build" / "iso-info.json", GUI_INFO):
        if info.exists() and json.loads(info.read_text()).get("gui_bytes"):
            return Medium.load(info)
    pytest.skip("no ISO with the GUI layer: run make screenshots-iso (or make iso)")
    raise AssertionError  # unreachable


# --- QMP ---------------------------------------------------------------------------------------


class Qmp:
    """A minimal QMP client on a unix socket."""

    def __init__(self, path: Path, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(str(path))
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        self.file = self.sock.makefile("rwb")
        self._read()  # greeting
        self.cmd("qmp_capabilities")

    def _read(self) -> dict[str, object]:
        while True:
            line = self.file.readline()
            if not line:
                raise ConnectionError("QMP closed")
            msg = json.loads(line)
            if "event" not in msg:
                return dict(msg)

    def cmd(self, name: str, **arguments: object) -> object:
        req: dict[str, object] = {"execute": name}
        if arguments:
            req["arguments"] = arguments
        self.file.write(json.dumps(req).encode() + b"\n")
        self.file.flush()
        reply = self._read()
        if "error" in reply:
            raise RuntimeError(f"QMP {name}: {reply['error']}")
        return reply.get("return")

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()


SHIFTED = {
    "!": "1", "@": "2", "#": "3", "$": "4", "%": "5", "^": "6", "&": "7", "*": "8", "(": "9", ")": "0",
    "_": "minus", "+": "equal", ":": "semicolon", '"': "apostrophe", "<": "comma", ">": "dot", "?": "slash",
    "|": "backslash", "{": "bracket_left", "}": "bracket_right", "~": "grave_accent",
}  # fmt: skip
PLAIN = {" ": "spc", "-": "minus", "=": "equal", ".": "dot", ",": "comma", "/": "slash", ";": "semicolon",
         "'": "apostrophe", "\n": "ret", "\t": "tab", "\\": "backslash", "[": "bracket_left",
         "]": "bracket_right", "`": "grave_accent"}  # fmt: skip


def qcodes(ch: str) -> list[str]:
    if ch.isascii() and (ch.islower() or ch.isdigit()):
        return [ch]
    if ch.isascii() and ch.isupper():
        return ["shift", ch.lower()]
    if ch in PLAIN:
        return [PLAIN[ch]]
    if ch in SHIFTED:
        return ["shift", SHIFTED[ch]]
    raise ValueError(f"no key for {ch!r}")


class Keyboard:
    def __init__(self, qmp: Qmp, pause: float = 0.15) -> None:
        self.qmp = qmp
        self.pause = pause

    def press(self, *keys: str) -> None:
        self.qmp.cmd("send-key", keys=[{"type": "qcode", "data": k} for k in keys], **{"hold-time": 60})
        time.sleep(self.pause)

    def type(self, text: str) -> None:
        for ch in text:
            self.press(*qcodes(ch))


# --- the guest ---------------------------------------------------------------------------------


class QmpGuest(Guest):
    """The harness's guest plus a QMP socket and, optionally, a host port forwarded to the guest."""

    def __init__(self, spec: GuestSpec, workdir: Path, name: str = "gui", hostfwd: str | None = None) -> None:
        super().__init__(spec, workdir, name)
        self.qmp_path = workdir / f"{name}.qmp.sock"
        self.hostfwd = hostfwd
        self.qmp: Qmp | None = None

    def argv(self) -> list[str]:
        argv = super().argv()
        argv += ["-qmp", f"unix:{self.qmp_path},server=on,wait=off"]
        if self.hostfwd:
            i = argv.index("-nic")
            argv[i + 1] = f"user,model=virtio-net-pci,hostfwd={self.hostfwd}"
        return argv

    def start(self) -> QmpGuest:
        with contextlib.suppress(FileNotFoundError):
            self.qmp_path.unlink()
        super().start()
        self.qmp = Qmp(self.qmp_path)
        return self

    def stop(self, timeout: float = 15.0) -> int | None:
        if self.qmp is not None:
            self.qmp.close()
        rc = super().stop(timeout)
        with contextlib.suppress(FileNotFoundError):
            self.qmp_path.unlink()
        return rc

    @property
    def keys(self) -> Keyboard:
        assert self.qmp is not None
        return Keyboard(self.qmp)

    def screendump(self, png: Path) -> Path:
        """QMP screendump (PPM) converted to PNG."""
        from PIL import Image

        assert self.qmp is not None
        ppm = png.with_suffix(".ppm")
        self.qmp.cmd("screendump", filename=str(ppm))
        for _ in range(50):
            if ppm.exists() and ppm.stat().st_size > 0:
                break
            time.sleep(0.1)
        time.sleep(0.3)
        Image.open(ppm).save(png)
        ppm.unlink()
        return png


def choose_graphical_entry(guest: QmpGuest, timeout: float = 180.0) -> None:
    """GRUB: wait for the menu on the serial console, then Down to the graphical entry, Enter."""
    guest.wait_for(r"Install Azure Linux \(graphical\)", timeout)
    text = guest.text
    entries = re.findall(r"Install Azure Linux \([^)]*\)", text)
    # the menu's entries in order, up to the graphical one
    order: list[str] = []
    for e in entries:
        if e not in order:
            order.append(e)
    downs = order.index("Install Azure Linux (graphical)")
    for _ in range(downs):
        guest.keys.press("down")
    guest.keys.press("ret")


@dataclass
class Walk:
    shots: list[Path] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    first_page_seconds: float = 0.0
    outcome: str = ""


def wait_page(guest: QmpGuest, page: str, timeout: float = 120.0, start: int = 0) -> int:
    m = guest.wait_for(rf"AZL-INSTALLER: GUI page={re.escape(page)}\b", timeout, start)
    time.sleep(2.0)  # let the page paint (1 vCPU under TCG)
    return m.end()


def walk_installer(guest: QmpGuest, shots: Path, *, install: bool = True) -> Walk:
    """Drive the Qt installer page by page with the keyboard; a PNG of every page."""
    k = guest.keys
    w = Walk()
    shots.mkdir(parents=True, exist_ok=True)
    n = [0]

    def shot(name: str) -> None:
        n[0] += 1
        w.shots.append(guest.screendump(shots / f"{n[0]:02d}-{name}.png"))
        w.pages.append(name)

    pos = wait_page(guest, "welcome", PAGE_TIMEOUT)
    w.first_page_seconds = guest.elapsed()
    shot("welcome")
    k.press("alt", "n")
    pos = wait_page(guest, "install_type", start=pos)
    shot("install-type")
    k.press("alt", "n")
    pos = wait_page(guest, "disk", start=pos)
    k.press("alt", "g")  # guided
    time.sleep(1)
    shot("disk")
    k.press("alt", "n")
    pos = wait_page(guest, "encryption", start=pos)
    k.press("alt", "e")  # Encrypt the system (LUKS2 is the default version)
    k.press("alt", "p")
    k.type(PASSPHRASE)
    k.press("alt", "c")
    k.type(PASSPHRASE)
    time.sleep(1)
    shot("encryption")
    k.press("alt", "n")
    pos = wait_page(guest, "hostname", start=pos)
    k.press("alt", "h")
    k.press("ctrl", "a")
    k.type(HOSTNAME)
    shot("hostname")
    k.press("alt", "n")
    pos = wait_page(guest, "user", start=pos)
    k.press("alt", "f")
    k.type(FULL_NAME)
    k.press("alt", "u")
    k.press("ctrl", "a")
    k.type(USER)
    k.press("alt", "p")
    k.type(PASSWORD)
    k.press("alt", "c")
    k.type(PASSWORD)
    time.sleep(1)
    shot("user")
    k.press("alt", "n")
    pos = wait_page(guest, "summary", start=pos)
    k.press("alt", "e")  # I understand /dev/vda will be erased
    time.sleep(1)
    shot("summary")
    if not install:
        return w
    k.press("alt", "i")
    pos = wait_page(guest, "progress", start=pos)
    time.sleep(20)
    shot("progress")
    m = guest.wait_for(r"AZL-INSTALLER: GUI outcome=(\w+)", 3600, pos)
    w.outcome = m.group(1)
    time.sleep(3)
    shot(f"install-{w.outcome}")
    if w.outcome == "finished":
        k.press("alt", "c")  # Continue: progress -> finish
        with contextlib.suppress(AssertionError):
            wait_page(guest, "finish", 120, pos)
            shot("finish")
    return w


def boot_graphical(workdir: Path, medium: Medium, memory: int, disks: list[Path]) -> QmpGuest:
    spec = GuestSpec(firmware="uefi", memory=memory, cdrom=medium.iso, disks=disks)
    guest = QmpGuest(spec, workdir, "gui")
    guest.start()
    choose_graphical_entry(guest)
    return guest


# --- verify the installed disk ------------------------------------------------------------------

VERIFY_LINE = (
    "sudo -S -p '' sh -c 'exec >/dev/ttyS0 2>&1; echo; echo V:hostname=$(hostname); "
    'echo V:groups=$(id -nG {user}); echo V:root_on_crypt=$(lsblk -rno TYPE,MOUNTPOINT | grep -c "^crypt /$"); '
    'for d in $(lsblk -rpno NAME,FSTYPE | awk "\\$2==\\"crypto_LUKS\\"{{print \\$1}}"); do '
    'echo V:luks=$(cryptsetup luksDump $d | awk "/^Version:/{{print \\$2}}"); done; '
    'echo V:rpm_count=$(rpm -qa | wc -l); echo V:answers=$(ls /root/*.yaml /root/*.ks 2>/dev/null | tr "\\n" ,); '
    'echo V:install_log=$(ls /var/log/installer/ 2>/dev/null | tr "\\n" ,); echo V:END\''
)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def screens_alike(a: bytes, b: bytes, max_area: int = 4000) -> bool:
    """Equal but for a small region (the text console's blinking cursor)."""
    if not a or not b:
        return False
    if a == b:
        return True
    import io

    from PIL import Image, ImageChops

    ia, ib = Image.open(io.BytesIO(a)).convert("RGB"), Image.open(io.BytesIO(b)).convert("RGB")
    if ia.size != ib.size:
        return False
    box = ImageChops.difference(ia, ib).getbbox()
    return box is None or (box[2] - box[0]) * (box[3] - box[1]) <= max_area


def screen_settled(guest: QmpGuest, workdir: Path, after: float, timeout: float, still: int = 3) -> None:
    """Wait until the guest waits for input: its vCPU idle (QEMU uses almost no CPU time) and the
    VGA screen unchanged for ``still`` samples 5 s apart, at least ``after`` s after QEMU started."""
    assert guest.proc is not None
    last, same = b"", 0
    deadline = time.monotonic() + timeout
    probe = workdir / "settle.png"
    cpu = cpu_seconds(guest.proc.pid)
    while time.monotonic() < deadline:
        time.sleep(5)
        now = cpu_seconds(guest.proc.pid)
        busy, cpu = now - cpu > 3.0, now  # TCG at full speed uses ~5 s per 5 s; waiting ~1.5
        if guest.elapsed() < after:
            continue
        guest.screendump(probe)
        data = probe.read_bytes()
        same = same + 1 if not busy and screens_alike(data, last) else 0
        last = data
        if same >= still:
            return
    raise guest.fail("the installed system's screen never settled on a prompt")


def verify_gui_install(workdir: Path, disks: list[Path], *, memory: int = 1024) -> dict[str, str]:
    """Boot the installed disk, type the LUKS passphrase and log in on the VGA console with QMP
    keys (a GUI install puts no serial console on the kernel command line), and have the shell
    print facts on the serial port. Nothing on the installed disk is changed for the test."""
    spec = GuestSpec(firmware="uefi", memory=memory, disks=disks, boot_from="disk")
    guest = QmpGuest(spec, workdir, "installed")
    guest.start()
    try:
        k = guest.keys
        screen_settled(guest, workdir, after=60, timeout=900)  # the passphrase prompt
        guest.screendump(workdir / "installed-01-passphrase.png")
        k.type(PASSPHRASE + "\n")
        # No serial console on a GUI-installed system: "settled" is judged from the screen and
        # the vCPU, which a loaded host can fool (a starved guest looks idle mid-boot, and getty
        # flushes what was typed before its prompt). So log in, run the line, and if its V:END
        # does not come, settle again and repeat: at a shell the user name and password typed
        # again are harmless commands, at the login prompt they are a fresh login.
        deadline = time.monotonic() + 1500
        for attempt in range(1, 6):
            screen_settled(guest, workdir, after=guest.elapsed() + 30 * attempt, timeout=900)  # login:
            guest.screendump(workdir / f"installed-02-login-{attempt}.png")
            k.type(USER + "\n")
            time.sleep(5)
            k.type(PASSWORD + "\n")
            time.sleep(15)
            k.type(VERIFY_LINE.format(user=USER) + "\n")
            time.sleep(3)
            k.type(PASSWORD + "\n")
            try:
                guest.wait_for(r"V:END", 300)
                break
            except GuestError:
                if time.monotonic() >= deadline or attempt == 5:
                    raise
        guest.screendump(workdir / "installed-03-shell.png")
        return dict(re.findall(r"^V:([a-z_]+)=(.*?)\r?$", guest.text, re.M))
    finally:
        guest.stop()


# --- tests -------------------------------------------------------------------------------------


@pytest.fixture
def gui_medium() -> Medium:
    return medium_with_gui()


@pytest.fixture
def artefacts(vmdir: Path) -> Path:
    return vmdir / "screens"


def test_graphical_install(gui_medium: Medium, vmdir: Path, artefacts: Path) -> None:
    disk = blank_disk(vmdir / "disk0.qcow2", "10G")
    guest = boot_graphical(vmdir, gui_medium, 768, [disk])
    try:
        walk = walk_installer(guest, artefacts, install=True)
        assert walk.pages[:7] == ["welcome", "install-type", "disk", "encryption", "hostname", "user", "summary"]
        assert all(p.stat().st_size > 0 for p in walk.shots)
        assert walk.outcome == "finished", guest.tail()
    finally:
        guest.stop()
    facts = verify_gui_install(vmdir, [disk])
    print(json.dumps({"pages": walk.pages, "first_page_seconds": round(walk.first_page_seconds, 1),
                      "outcome": walk.outcome, "facts": facts}))
    assert facts.get("hostname") == HOSTNAME
    assert "wheel" in facts.get("groups", "").split()
    assert facts.get("root_on_crypt") == "1"
    assert facts.get("luks", "").startswith("2")
    assert int(facts.get("rpm_count") or 0) > 50
    assert "answers.yaml" in facts.get("install_log", "")


def test_vnc_password(gui_medium: Medium, vmdir: Path) -> None:
    api = pytest.importorskip("vncdotool.api")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    spec = GuestSpec(
        firmware="uefi",
        memory=768,
        cdrom=gui_medium.iso,
        kernel=gui_medium.kernel,
        initrd=gui_medium.initrd,
        append=live_append(gui_medium, "inst.vnc", f"inst.vncpassword={VNC_PASSWORD}"),
        network=True,
    )
    guest = QmpGuest(spec, vmdir, "vnc", hostfwd=f"tcp:127.0.0.1:{port}-:5900")
    guest.start()
    try:
        guest.wait_marker(("VNC ready",), PAGE_TIMEOUT)
        assert VNC_PASSWORD not in guest.text, "the password must never be printed"
        with pytest.raises(Exception, match=r"(?i)auth"):
            bad = api.connect(f"127.0.0.1::{port}", password="wrong-pw", timeout=60)
            bad.captureScreen(str(vmdir / "vnc-refused.png"))
        client = api.connect(f"127.0.0.1::{port}", password=VNC_PASSWORD, timeout=120)
        client.captureScreen(str(vmdir / "vnc-welcome.png"))
        client.disconnect()
        assert (vmdir / "vnc-welcome.png").stat().st_size > 0
        assert "VNC: refused" in guest.text
    finally:
        with contextlib.suppress(Exception):
            api.shutdown()
        guest.stop()


# --- screenshots without pytest ----------------------------------------------------------------


@contextlib.contextmanager
def _workdir(base: Path) -> Iterator[Path]:
    d = base / f"gui-iso-{os.getpid()}"
    d.mkdir(parents=True, exist_ok=True)
    try:
        yield d
    finally:
        for p in d.glob("*.qcow2"):
            p.unlink()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="boot the graphical entry, walk the installer, keep PNGs")
    ap.add_argument("--shots", type=Path, default=REPO / "docs" / "screenshots" / "gui-iso")
    ap.add_argument("--memory", type=int, default=768)
    ap.add_argument("--install", action="store_true", help="also install (needs a repository on the medium)")
    ap.add_argument("--verify", action="store_true", help="after --install, boot the installed disk and check it")
    ap.add_argument("--workdir", type=Path, default=REPO / "build" / "vm")
    args = ap.parse_args(argv)
    medium = medium_with_gui()
    with _workdir(args.workdir) as wd:
        disk = blank_disk(wd / "disk0.qcow2", "10G")
        guest = boot_graphical(wd, medium, args.memory, [disk])
        try:
            walk = walk_installer(guest, wd / "screens", install=args.install)
        finally:
            guest.stop()
        facts = verify_gui_install(wd, [disk]) if args.install and args.verify else {}
        args.shots.mkdir(parents=True, exist_ok=True)
        for p in walk.shots:
            shutil.copy2(p, args.shots / p.name)
        print(json.dumps({"pages": walk.pages, "first_page_seconds": round(walk.first_page_seconds, 1),
                          "outcome": walk.outcome, "facts": facts,
                          "shots": [str(args.shots / p.name) for p in walk.shots]}, indent=1))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
