"""QEMU guests for the VM tests, the ISO bench and ``make vm-install`` (stdlib only).

A :class:`Guest` boots one QEMU (TCG, q35, one vCPU) whose first serial port is a Unix socket
the harness holds: every byte is appended to ``<name>.serial.log`` (the artifact) and kept in
memory for :meth:`Guest.wait_for`; :meth:`Guest.send` types on the same line. QEMU processes are
tracked by PID and killed on :meth:`Guest.stop`, at interpreter exit and on SIGTERM; only PIDs
this module started are ever signalled.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

REPO = Path(__file__).resolve().parents[2]
OVMF_CODE = Path("/usr/share/OVMF/OVMF_CODE_4M.fd")
OVMF_VARS = Path("/usr/share/OVMF/OVMF_VARS_4M.fd")
MARKER = re.compile(r"AZL-INSTALLER: (READY|ERROR|DONE|ANSWERS|INSTALL|UI|CONSENT\?)([^\r\n]*)")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[=>]")

_started: dict[int, subprocess.Popen[bytes]] = {}
_lock = threading.Lock()


def _kill_all() -> None:
    with _lock:
        procs = list(_started.values())
        _started.clear()
    for proc in procs:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        with contextlib.suppress(Exception):
            proc.wait(timeout=10)


atexit.register(_kill_all)


def _die_with_parent() -> None:
    """In the QEMU child: get SIGKILL when the harness process dies (no orphaned guests)."""
    with contextlib.suppress(Exception):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    _kill_all()
    raise SystemExit(128 + signum)


if threading.current_thread() is threading.main_thread():
    with contextlib.suppress(ValueError):
        if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
            signal.signal(signal.SIGTERM, _on_sigterm)


class GuestError(AssertionError):
    """A guest did not do what was expected; the message ends with the serial console's tail."""


@dataclass(frozen=True)
class Medium:
    """The built ISO and what direct kernel boot needs (from build/iso-info.json)."""

    iso: Path
    kernel: Path
    initrd: Path
    cmdline: str
    info: dict[str, object]

    @classmethod
    def load(cls, info_path: Path = REPO / "build" / "iso-info.json") -> Medium:
        info = json.loads(info_path.read_text())
        iso = Path(str(info["iso"]))
        return cls(
            iso=iso,
            kernel=iso.parent / "vmlinuz",
            initrd=iso.parent / "initrd.img",
            cmdline=str(info["cmdline"]),
            info=info,
        )


def qemu_img(*args: str) -> str:
    return subprocess.run(["qemu-img", *args], check=True, capture_output=True, text=True).stdout


def blank_disk(path: Path, size: str) -> Path:
    qemu_img("create", "-q", "-f", "qcow2", str(path), size)
    return path


def disk_is_blank(path: Path) -> bool:
    """True when no byte of the qcow2 image was ever written (all clusters unallocated)."""
    extents = json.loads(qemu_img("map", "--output=json", str(path)))
    return all(not e.get("data", False) for e in extents)


def answer_drive(path: Path, label: str, files: dict[str, bytes], size_mb: int = 16) -> Path:
    """A vfat image with ``label`` holding ``files`` (made with mtools: nothing is mounted)."""
    with path.open("wb") as f:
        f.truncate(size_mb * 2**20)
    subprocess.run(["mkfs.vfat", "-n", label, str(path)], check=True, capture_output=True)
    staging = path.parent / f".{path.name}.files"
    staging.mkdir(exist_ok=True)
    try:
        for name, data in files.items():
            src = staging / Path(name).name
            src.write_bytes(data)
            parent = Path(name).parent
            if str(parent) not in ("/", "."):
                subprocess.run(
                    ["mmd", "-D", "s", "-i", str(path), f"::{parent}"],
                    check=False,
                    capture_output=True,
                )
            subprocess.run(
                ["mcopy", "-o", "-i", str(path), str(src), f"::{name}"],
                check=True,
                capture_output=True,
            )
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return path


@dataclass
class GuestSpec:
    """What to boot."""

    firmware: str = "uefi"
    memory: int = 2048
    cdrom: Path | None = None
    disks: list[Path] = field(default_factory=list)
    """qcow2 target disks (virtio: /dev/vda, /dev/vdb, ...), in order."""
    extra_drives: list[Path] = field(default_factory=list)
    """raw images after the disks (answer-file drives)."""
    kernel: Path | None = None
    initrd: Path | None = None
    append: str = ""
    boot_from: str = "cdrom"
    """``cdrom`` or ``disk`` (the first disk)."""
    network: bool = False
    no_reboot: bool = True


class Guest:
    """One running QEMU with its serial console captured."""

    def __init__(self, spec: GuestSpec, workdir: Path, name: str = "guest") -> None:
        self.spec = spec
        self.workdir = workdir
        self.name = name
        self.log_path = workdir / f"{name}.serial.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.sock: socket.socket | None = None
        self.started_at = 0.0
        self._buf = bytearray()
        self._cond = threading.Condition()
        self._reader: threading.Thread | None = None
        self._eof = False
        # a Unix socket path must be < 108 bytes: keep it in a short private temp dir
        self._sockdir = Path(tempfile.mkdtemp(prefix="azl-vm-"))
        self.sock_path = self._sockdir / "serial.sock"

    # --- life cycle -------------------------------------------------------------------------
    def argv(self) -> list[str]:
        s = self.spec
        sock = self.sock_path
        argv = [
            "qemu-system-x86_64",
            "-name", self.name,
            "-machine", "q35",
            "-accel", "tcg",
            "-cpu", "max",
            "-smp", "1",
            "-m", str(s.memory),
            "-display", "none",
            "-vga", "std",
            "-monitor", "none",
            "-parallel", "none",
            "-chardev", f"socket,id=ser0,path={sock},server=on,wait=on",
            "-serial", "chardev:ser0",
        ]  # fmt: skip
        if s.no_reboot:
            argv.append("-no-reboot")
        if s.firmware == "uefi":
            vars_copy = self.workdir / f"{self.name}.OVMF_VARS.fd"
            if not vars_copy.exists():
                shutil.copyfile(OVMF_VARS, vars_copy)
            argv += [
                "-drive", f"if=pflash,format=raw,unit=0,readonly=on,file={OVMF_CODE}",
                "-drive", f"if=pflash,format=raw,unit=1,file={vars_copy}",
            ]  # fmt: skip
        elif s.firmware != "bios":
            raise ValueError(f"firmware must be uefi or bios, not {s.firmware!r}")
        boot = 0
        if s.cdrom is not None:
            argv += [
                "-drive", f"file={s.cdrom},if=none,id=cd0,media=cdrom,readonly=on,format=raw",
                "-device", "ide-cd,drive=cd0,bus=ide.0"
                + (f",bootindex={boot}" if s.boot_from == "cdrom" and s.kernel is None else ""),
            ]  # fmt: skip
        for i, disk in enumerate(s.disks):
            dev = f"virtio-blk-pci,drive=d{i},serial=azl-disk{i}"
            if s.boot_from == "disk" and i == 0:
                dev += ",bootindex=0"
            argv += [
                "-drive", f"file={disk},if=none,id=d{i},format=qcow2,cache=unsafe,discard=unmap",
                "-device", dev,
            ]  # fmt: skip
        for i, raw in enumerate(s.extra_drives):
            argv += [
                "-drive", f"file={raw},if=none,id=x{i},format=raw,readonly=on",
                "-device", f"virtio-blk-pci,drive=x{i},serial=azl-extra{i}",
            ]  # fmt: skip
        if s.kernel is not None:
            argv += ["-kernel", str(s.kernel), "-append", s.append]
            if s.initrd is not None:
                argv += ["-initrd", str(s.initrd)]
        argv += ["-nic", "user,model=virtio-net-pci"] if s.network else ["-nic", "none"]
        return argv

    def start(self) -> Guest:
        self.workdir.mkdir(parents=True, exist_ok=True)
        sock_path = self.sock_path
        with contextlib.suppress(FileNotFoundError):
            sock_path.unlink()
        argv = self.argv()
        (self.workdir / f"{self.name}.argv.json").write_text(json.dumps(argv, indent=1))
        qemu_log = (self.workdir / f"{self.name}.qemu.log").open("wb")
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=qemu_log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )
        qemu_log.close()
        with _lock:
            _started[self.proc.pid] = self.proc
        deadline = time.monotonic() + 30
        while True:
            if self.proc.poll() is not None:
                raise GuestError(f"qemu exited at once: {self.qemu_log()}")
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(str(sock_path))
                break
            except OSError:
                s.close()
                if time.monotonic() > deadline:
                    self.stop()
                    raise GuestError("qemu's serial socket never appeared") from None
                time.sleep(0.05)
        self.sock = s
        self._reader = threading.Thread(target=self._read, name=f"{self.name}-serial", daemon=True)
        self._reader.start()
        return self

    def _read(self) -> None:
        assert self.sock is not None
        with self.log_path.open("ab") as log:
            while True:
                try:
                    data = self.sock.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    break
                log.write(data)
                log.flush()
                with self._cond:
                    self._buf += data
                    self._cond.notify_all()
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    def stop(self, timeout: float = 15.0) -> int | None:
        """Stop QEMU (SIGTERM, then SIGKILL); return its exit code."""
        proc = self.proc
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                proc.terminate()
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        if proc is not None:
            with _lock:
                _started.pop(proc.pid, None)
        if self.sock is not None:
            with contextlib.suppress(OSError):
                self.sock.close()
        if self._reader is not None:
            self._reader.join(timeout=5)
        shutil.rmtree(self._sockdir, ignore_errors=True)
        return proc.returncode if proc is not None else None

    def __enter__(self) -> Guest:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- the serial console -----------------------------------------------------------------
    @property
    def text(self) -> str:
        with self._cond:
            return ANSI.sub("", self._buf.decode("utf-8", errors="replace"))

    def elapsed(self) -> float:
        return time.monotonic() - self.started_at

    def tail(self, lines: int = 60) -> str:
        return "\n".join(self.text.replace("\r", "").splitlines()[-lines:])

    def qemu_log(self) -> str:
        p = self.workdir / f"{self.name}.qemu.log"
        return p.read_text(errors="replace") if p.exists() else ""

    def fail(self, message: str) -> GuestError:
        return GuestError(
            f"{message}\n--- serial console tail ({self.log_path}) ---\n{self.tail()}\n"
            f"--- qemu ---\n{self.qemu_log()[-2000:]}"
        )

    def wait_for(self, pattern: str | re.Pattern[str], timeout: float, start: int = 0) -> re.Match[str]:
        """Wait until ``pattern`` matches the console text from offset ``start``; raise on timeout."""
        rx = re.compile(pattern) if isinstance(pattern, str) else pattern
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                text = ANSI.sub("", self._buf.decode("utf-8", errors="replace"))
                m = rx.search(text, start)
                if m:
                    return m
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                if self._eof or (self.proc is not None and self.proc.poll() is not None):
                    # give the reader a moment to drain, then stop waiting
                    self._cond.wait(timeout=0.5)
                    text = ANSI.sub("", self._buf.decode("utf-8", errors="replace"))
                    m = rx.search(text, start)
                    if m:
                        return m
                    raise self.fail(f"guest ended before {rx.pattern!r} appeared")
                self._cond.wait(timeout=min(left, 1.0))
        raise self.fail(f"{rx.pattern!r} did not appear within {timeout:.0f} s")

    def wait_marker(self, kinds: tuple[str, ...], timeout: float, start: int = 0) -> re.Match[str]:
        """Wait for an ``AZL-INSTALLER: <KIND>`` line of one of ``kinds``."""
        alts = "|".join(re.escape(k) for k in kinds)
        return self.wait_for(rf"AZL-INSTALLER: ({alts})([^\r\n]*)\r*\n", timeout, start)

    def send(self, text: str) -> None:
        assert self.sock is not None
        self.sock.sendall(text.encode())

    def wait_exit(self, timeout: float) -> int:
        assert self.proc is not None
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise self.fail(f"the guest did not power off within {timeout:.0f} s") from None


@contextlib.contextmanager
def running(spec: GuestSpec, workdir: Path, name: str = "guest") -> Iterator[Guest]:
    guest = Guest(spec, workdir, name)
    guest.start()
    try:
        yield guest
    finally:
        guest.stop()


def live_append(medium: Medium, *extra: str, serial_primary: bool = True) -> str:
    """The kernel command line of the ISO's boot entries plus ``extra`` (direct kernel boot)."""
    consoles = "console=tty0 console=ttyS0,115200n8" if serial_primary else ("console=ttyS0,115200n8 console=tty0")
    return " ".join([medium.cmdline, consoles, *extra])
