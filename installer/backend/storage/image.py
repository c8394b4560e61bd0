"""Image mode: `install --image disk.img --size 8G` installs into a file attached as a loop device.

These helpers run outside the engine (the CLI attaches the image before planning, so the plan
can name the loop device), and detach on every exit path: ``partx -d`` first, since the host
kernel may have no partition parser and stale partition nodes would stay behind.

``--image`` may also name a loop device that is already attached (it is used as it is, and left
attached). Before anything is created, grown or attached, :func:`check_image` refuses an image
that is in use: mounted through another loop device (``mount -o loop``), swapped on, held, or
open in a process (a VM running on it).
"""

from __future__ import annotations

import contextlib
import os
import stat
import subprocess
from collections.abc import Iterator

from installer.backend.config import DiskRef, InstallConfig
from installer.backend.errors import InstallerError, InvalidInput, Issue, RefusedForSafety
from installer.backend.machine import Disk, Machine
from installer.backend.storage import live


class ImageError(InstallerError):
    exit_code = 1


def _run(argv: list[str]) -> str:
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise ImageError(f"{' '.join(argv)} exited {proc.returncode}: {proc.stderr.strip()}")
    return proc.stdout


def is_loop_device(path: str) -> bool:
    name = live.sys_name(path)
    return name is not None and os.path.isdir(f"/sys/class/block/{name}/loop")


def _bad(where: str, msg: str) -> InvalidInput:
    return InvalidInput([Issue(where, msg)])


def check_image(path: str, size: int | None) -> None:
    """Refuse (InvalidInput, exit 2) what is no image, and (RefusedForSafety, exit 3) an image or
    loop device that is in use. Runs before anything is created, grown or attached."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return  # created by ensure_image
    except OSError as exc:
        raise _bad("--image", f"{path}: {exc.strerror}") from None
    if stat.S_ISBLK(st.st_mode):
        if not is_loop_device(path):
            raise _bad("--image", f"{path} is a block device, not a disk image: to install onto it, name it "
                       "in storage.disks")
        if size is not None:
            raise _bad("--size", f"{path} is a loop device: its size is its backing file's; --size creates or "
                       "grows image files only")
        uses = list(live.inspect(path).uses)
    elif stat.S_ISREG(st.st_mode):
        uses = live.image_uses(path)
    else:
        raise _bad("--image", f"{path} is not a regular file or a loop device")
    if uses:
        shown = "; ".join(u.describe() for u in uses[:6]) + (f"; and {len(uses) - 6} more" if len(uses) > 6 else "")
        raise RefusedForSafety(f"refusing to install into {path}: it is in use ({shown}). Nothing was written.")


def ensure_image(path: str, size: int | None) -> int:
    """Create a sparse image of ``size`` bytes when missing; return the image size."""
    try:
        if not os.path.exists(path):
            if size is None:
                raise _bad("--image", f"{path} does not exist; give --size to create it")
            with open(path, "xb") as f:
                f.truncate(size)
            return size
        have = os.path.getsize(path)
        if size is not None and size > have:
            with open(path, "r+b") as f:
                f.truncate(size)
            return size
        return have
    except OSError as exc:
        raise _bad("--image", f"cannot create or grow {path}: {exc.strerror}") from None


def detach(loop: str) -> None:
    subprocess.run(["partx", "-d", loop], capture_output=True, check=False)
    _run(["losetup", "-d", loop])


@contextlib.contextmanager
def attached(path: str, size: int | None) -> Iterator[str]:
    """Attach ``path`` (created sparse when missing and ``size`` given) to a free loop device;
    yield the loop device path; remove its partition nodes and detach it on exit. A loop device
    given as ``path`` is yielded as it is and stays attached."""
    if is_loop_device(path):
        yield path
        return
    ensure_image(path, size)
    loop = _run(["losetup", "-f", "--show", path]).strip()
    try:
        yield loop
    finally:
        detach(loop)


def image_machine(path: str, size: int | None, loop: str) -> Machine:
    """A Machine whose only disk is the loop device (firmware as the host's, UEFI by default)."""
    if is_loop_device(path):
        now = live.inspect(path)
        disk = Disk(path=path, size=now.size or 0, model=f"loop device {os.path.basename(path)}", transport="loop",
                    table="unknown" if now.partitions else "none",
                    notes=[f"partitions now: {', '.join(now.partitions)}"] if now.partitions else [])
        return Machine(firmware="uefi", disks=[disk])
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
