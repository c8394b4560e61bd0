"""Image mode: `install --image disk.img --size 8G` installs into a file attached as a loop device.

These helpers run outside the engine (the CLI attaches the image before planning, so the plan
can name the loop device), and detach on every exit path: ``partx -d`` first, since the host
kernel may have no partition parser and stale partition nodes would stay behind.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator

from installer.backend.config import DiskRef, InstallConfig
from installer.backend.errors import InstallerError, InvalidInput, Issue
from installer.backend.machine import Disk, Machine


class ImageError(InstallerError):
    exit_code = 1


def _run(argv: list[str]) -> str:
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise ImageError(f"{' '.join(argv)} exited {proc.returncode}: {proc.stderr.strip()}")
    return proc.stdout


def ensure_image(path: str, size: int | None) -> int:
    """Create a sparse image of ``size`` bytes when missing; return the image size."""
    if not os.path.exists(path):
        if size is None:
            raise InvalidInput([Issue("--image", f"{path} does not exist; give --size to create it")])
        with open(path, "wb") as f:
            f.truncate(size)
        return size
    have = os.path.getsize(path)
    if size is not None and size > have:
        with open(path, "r+b") as f:
            f.truncate(size)
        return size
    return have


def detach(loop: str) -> None:
    subprocess.run(["partx", "-d", loop], capture_output=True, check=False)
    _run(["losetup", "-d", loop])


@contextlib.contextmanager
def attached(path: str, size: int | None) -> Iterator[str]:
    """Attach ``path`` (created sparse when missing and ``size`` given) to a free loop device;
    yield the loop device path; remove its partition nodes and detach it on exit."""
    ensure_image(path, size)
    loop = _run(["losetup", "-f", "--show", path]).strip()
    try:
        yield loop
    finally:
        detach(loop)


def image_machine(path: str, size: int | None, loop: str) -> Machine:
    """A Machine whose only disk is the loop device (firmware as the host's, UEFI by default)."""
    real = os.path.getsize(path) if os.path.exists(path) else None
    nbytes = max(real or 0, size or 0)
    if nbytes == 0:
        raise InvalidInput([Issue("--image", f"{path} does not exist; give --size to create it")])
    disk = Disk(path=loop, size=nbytes, model=f"image {os.path.basename(path)}", transport="loop", table="none")
    return Machine(firmware="uefi", disks=[disk])


def target_only(config: InstallConfig, machine: Machine) -> InstallConfig:
    """The config with storage.disks pointing at the image's one disk (manual partitions keep
    their layout; every ``disk`` index is moved to 0)."""
    loop = machine.disks[0].path
    storage = config.storage.model_copy(update={"disks": [DiskRef(path=loop)]})
    if storage.partitions is not None:
        storage = storage.model_copy(update={"partitions": [p.model_copy(update={"disk": 0})
                                                            for p in storage.partitions]})
    return config.model_copy(update={"storage": storage})
