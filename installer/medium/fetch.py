"""Retrieve the answer file named by ``inst.ks=``, or pick up ``ks.cfg`` from an OEMDRV drive.

Every device is mounted read-only in a private directory, the file is copied out, and the
device is unmounted again on every path (also when the copy fails). All machine access goes
through the small :class:`Host` protocol, so the logic is tested with a fake in temp dirs.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from installer.medium.cmdline import OEMDRV_LABEL, KsKind, KsSource

MAX_ANSWER_BYTES = 4 * 1024 * 1024
LIVE_MEDIUM = Path("/run/initramfs/live")
"""Where dracut's dmsquash-live keeps the boot medium (the ISO) mounted."""
OEMDRV_FILE = "ks.cfg"


class FetchError(Exception):
    """The answer file could not be retrieved; ``reason`` is a stable machine-readable code."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class Fetched:
    """A retrieved answer file: a private local copy and where it came from."""

    path: Path
    source: str


class Host(Protocol):
    """The machine as the fetch logic sees it."""

    def settle(self, timeout: float) -> None:
        """Wait (at most ``timeout`` s) until the kernel's device events are processed."""

    def resolve(self, spec: str) -> str | None:
        """``LABEL=X``, ``UUID=X``, ``PARTUUID=X`` or ``/dev/X`` -> a device node, if present."""

    def cdrom_devices(self) -> list[str]:
        """Optical drives, e.g. ``["/dev/sr0"]``."""

    def mount_ro(self, device: str, mountpoint: Path) -> None:
        """Mount ``device`` read-only on the existing directory ``mountpoint``; raise OSError."""

    def umount(self, mountpoint: Path) -> None:
        """Unmount ``mountpoint``."""

    def start_network(self) -> None:
        """Bring wired networking up (DHCP); the medium does not start it at boot."""

    def http_get(self, url: str, timeout: float) -> bytes:
        """Download ``url``; raise ``urllib.error.URLError`` (or HTTPError) on failure."""

    def sleep(self, seconds: float) -> None: ...

    def monotonic(self) -> float: ...


class RealHost:
    """The live system: udev's /dev/disk links, blkid, mount(8) and urllib."""

    def settle(self, timeout: float) -> None:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            subprocess.run(
                ["udevadm", "settle", f"--timeout={max(1, int(timeout))}"],
                check=False,
                timeout=timeout + 5,
            )

    def resolve(self, spec: str) -> str | None:
        if spec.startswith("/dev/"):
            return spec if os.path.exists(spec) else None
        key, _, value = spec.partition("=")
        links = {
            "LABEL": "by-label",
            "UUID": "by-uuid",
            "PARTUUID": "by-partuuid",
            "PARTLABEL": "by-partlabel",
        }
        sub = links.get(key.upper())
        if sub is None:
            return None
        escaped = "".join(c if c.isalnum() or c in "#+-.:=@_" else f"\\x{ord(c):02x}" for c in value)
        link = Path("/dev/disk") / sub / escaped
        if link.exists():
            return str(link.resolve())
        try:
            out = subprocess.run(
                ["blkid", "-o", "device", "-t", f"{key.upper()}={value}"],
                check=False,
                capture_output=True,
                text=True,
                timeout=30,
            ).stdout.split()
        except (OSError, subprocess.SubprocessError):
            return None
        return out[0] if out else None

    def cdrom_devices(self) -> list[str]:
        return sorted(str(p) for p in Path("/dev").glob("sr[0-9]*"))

    def mount_ro(self, device: str, mountpoint: Path) -> None:
        proc = subprocess.run(
            ["mount", "-o", "ro", device, str(mountpoint)],
            check=False,
            capture_output=True,
            text=True,
            timeout=60,
        )
        if proc.returncode != 0:
            raise OSError(proc.stderr.strip() or f"mount {device} failed (rc={proc.returncode})")

    def umount(self, mountpoint: Path) -> None:
        subprocess.run(["umount", str(mountpoint)], check=False, capture_output=True, timeout=60)

    def start_network(self) -> None:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            subprocess.run(
                ["systemctl", "start", "--no-block", "systemd-networkd.service"],
                check=False,
                capture_output=True,
                timeout=30,
            )

    def http_get(self, url: str, timeout: float) -> bytes:
        import urllib.request  # only for http(s) answer files: keeps the launcher's start-up light

        req = urllib.request.Request(url, headers={"User-Agent": "azl-installer-medium"})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            data: bytes = resp.read(MAX_ANSWER_BYTES + 1)
            return data

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def monotonic(self) -> float:
        return time.monotonic()


def _store(workdir: Path, name: str, data: bytes, source: str) -> Fetched:
    if len(data) > MAX_ANSWER_BYTES:
        raise FetchError("ks-too-large", f"{source}: larger than {MAX_ANSWER_BYTES} bytes")
    workdir.mkdir(parents=True, exist_ok=True)
    dest = workdir / (name or "answers")
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    return Fetched(path=dest, source=source)


def _read_local(path: Path, source: str) -> bytes:
    if not path.is_file():
        raise FetchError("ks-file-missing", f"{source}: no such file")
    try:
        with path.open("rb") as f:
            return f.read(MAX_ANSWER_BYTES + 1)
    except OSError as exc:
        raise FetchError("ks-read-failed", f"{source}: {exc.strerror or exc}") from exc


@contextlib.contextmanager
def mounted_ro(host: Host, device: str, workdir: Path) -> Iterator[Path]:
    """Mount ``device`` read-only under ``workdir`` for the ``with`` body, then tear down."""
    workdir.mkdir(parents=True, exist_ok=True)
    n = 0
    while (workdir / f"mnt{n}").exists():
        n += 1
    mountpoint = workdir / f"mnt{n}"
    mountpoint.mkdir()
    try:
        try:
            host.mount_ro(device, mountpoint)
        except OSError as exc:
            raise FetchError("ks-mount-failed", f"cannot mount {device} read-only: {exc}") from exc
        try:
            yield mountpoint
        finally:
            host.umount(mountpoint)
    finally:
        with contextlib.suppress(OSError):
            mountpoint.rmdir()


def wait_for_device(host: Host, spec: str, timeout: float) -> str:
    """Poll until ``spec`` resolves to a device node, or raise ``ks-device-missing``."""
    deadline = host.monotonic() + timeout
    host.settle(min(timeout, 30.0))
    while True:
        dev = host.resolve(spec)
        if dev is not None:
            return dev
        if host.monotonic() >= deadline:
            raise FetchError("ks-device-missing", f"no device {spec} appeared within {timeout:.0f} s")
        host.sleep(1.0)


def _from_device(host: Host, device: str, path: str, workdir: Path, source: str) -> Fetched:
    with mounted_ro(host, device, workdir / "mnt") as mnt:
        data = _read_local(mnt / path.lstrip("/"), source)
    return _store(workdir, Path(path).name, data, source)


def fetch(
    src: KsSource,
    workdir: Path,
    host: Host,
    timeout: float = 60.0,
    live_medium: Path = LIVE_MEDIUM,
) -> Fetched:
    """Copy the answer file ``src`` points at into ``workdir``; raise :class:`FetchError`."""
    source = src.describe()
    if src.kind is KsKind.FILE:
        return _store(workdir, Path(src.path).name, _read_local(Path(src.path), source), source)
    if src.kind is KsKind.HD:
        assert src.device is not None
        device = wait_for_device(host, src.device, timeout)
        return _from_device(host, device, src.path, workdir, source)
    if src.kind is KsKind.CDROM:
        on_medium = live_medium / src.path.lstrip("/")
        if on_medium.is_file():
            return _store(workdir, Path(src.path).name, _read_local(on_medium, source), source)
        host.settle(min(timeout, 30.0))
        tried: list[str] = []
        for dev in host.cdrom_devices():
            tried.append(dev)
            try:
                return _from_device(host, dev, src.path, workdir, source)
            except FetchError:
                continue
        where = ", ".join(tried) or "no optical drive"
        raise FetchError("ks-file-missing", f"{source}: not found on the medium or on {where}")
    return _fetch_http(src, workdir, host, timeout)


def _fetch_http(src: KsSource, workdir: Path, host: Host, timeout: float) -> Fetched:
    import urllib.error

    assert src.url is not None
    host.start_network()
    deadline = host.monotonic() + timeout
    last = ""
    while True:
        try:
            data = host.http_get(src.url, timeout=min(30.0, max(timeout, 1.0)))
            name = Path(src.url.split("?", 1)[0].rstrip("/")).name or "answers"
            return _store(workdir, name, data, src.url)
        except urllib.error.HTTPError as exc:
            raise FetchError("ks-download-failed", f"{src.url}: HTTP {exc.code} {exc.reason}") from exc
        except (urllib.error.URLError, OSError) as exc:
            # the network may still be coming up: retry until the deadline
            last = str(getattr(exc, "reason", exc))
        if host.monotonic() >= deadline:
            raise FetchError("ks-download-failed", f"{src.url}: {last} (gave up after {timeout:.0f} s)")
        host.sleep(2.0)


def find_oemdrv(host: Host, workdir: Path, settle_timeout: float = 20.0) -> Fetched | None:
    """Pick up ``ks.cfg`` from a drive labelled OEMDRV, if one is attached and has one."""
    host.settle(settle_timeout)
    device = host.resolve(f"LABEL={OEMDRV_LABEL}")
    if device is None:
        return None
    source = f"hd:LABEL={OEMDRV_LABEL}:/{OEMDRV_FILE} (found automatically on {device})"
    with mounted_ro(host, device, workdir / "mnt") as mnt:
        candidate = mnt / OEMDRV_FILE
        if not candidate.is_file():
            return None
        data = _read_local(candidate, source)
    return _store(workdir, OEMDRV_FILE, data, source)
