"""A fake machine for the medium's fetch logic: devices are directories, mounts are copies."""

from __future__ import annotations

import shutil
import urllib.error
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class FakeHost:
    """Implements installer.medium.fetch.Host without touching the machine."""

    devices: dict[str, Path] = field(default_factory=dict)
    """device node -> directory standing for its filesystem"""
    labels: dict[str, str] = field(default_factory=dict)
    """LABEL/UUID spec -> device node"""
    cdroms: list[str] = field(default_factory=list)
    appear_after: dict[str, float] = field(default_factory=dict)
    """spec -> fake time at which it resolves (a device that shows up late)"""
    http: dict[str, bytes | int] = field(default_factory=dict)
    """url -> body, or an HTTP status code to fail with"""
    http_down_until: float = 0.0
    now: float = 0.0
    mounts: dict[Path, str] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    fail_mount: bool = False

    def settle(self, timeout: float) -> None:
        self.calls.append("settle")

    def resolve(self, spec: str) -> str | None:
        if self.now < self.appear_after.get(spec, 0.0):
            return None
        if spec.startswith("/dev/"):
            return spec if spec in self.devices else None
        return self.labels.get(spec)

    def cdrom_devices(self) -> list[str]:
        return list(self.cdroms)

    def mount_ro(self, device: str, mountpoint: Path) -> None:
        self.calls.append(f"mount {device}")
        if self.fail_mount or device not in self.devices:
            raise OSError(f"wrong fs type on {device}")
        assert mountpoint.is_dir() and not any(mountpoint.iterdir())
        shutil.copytree(self.devices[device], mountpoint, dirs_exist_ok=True)
        self.mounts[mountpoint] = device

    def umount(self, mountpoint: Path) -> None:
        self.calls.append(f"umount {self.mounts.pop(mountpoint)}")
        for child in mountpoint.iterdir():
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()

    def start_network(self) -> None:
        self.calls.append("network")

    def http_get(self, url: str, timeout: float) -> bytes:
        self.calls.append(f"get {url}")
        if self.now < self.http_down_until:
            raise urllib.error.URLError("Network is unreachable")
        body = self.http.get(url, 404)
        if isinstance(body, int):
            raise urllib.error.HTTPError(url, body, "Not Found", {}, None)  # type: ignore[arg-type]
        return body

    def sleep(self, seconds: float) -> None:
        self.now += seconds

    def monotonic(self) -> float:
        return self.now
