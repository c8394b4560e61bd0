"""What the running kernel says about a block device *now*: the live half of the in-use refusal.

A plan is made from a probe (or a recorded machine) that may be minutes, or months, old; before
anything is erased the installer asks the kernel again, from ``/sys`` and ``/proc`` only (no
udev database, no tools: the same answers on the medium, on a developer's host and in tests):

* the device's partitions and everything stacked on it (``holders/``: dm-crypt, LVM, MD),
* filesystems mounted from any of them (by device number, and by source path for btrfs, whose
  ``st_dev`` is an anonymous device), active swap on any of them,
* processes with any of them open (``/proc/PID/fd``; names and PIDs only, see holders.py),
* for a loop device: every other loop device backed by the same file (a ``mount -o loop`` of the
  same image) with its own uses, and processes with the file itself open (a VM running on it),
* last, an exclusive open (``O_EXCL``): the kernel refuses it with EBUSY while anything claims
  the device or one of its partitions, including a mount in another mount namespace.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from installer.backend.storage.holders import PROC, SYS, Target, find_uses, parse_mountinfo
from installer.backend.system_types import LiveDevice, LiveUse


def _read(p: Path) -> str | None:
    try:
        return p.read_text(errors="replace").strip()
    except OSError:
        return None


def sys_name(path: str, sys: Path = SYS) -> str | None:
    """The kernel name (``loop0``, ``sda``, ``dm-3``) of an existing block device node."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISBLK(st.st_mode):
        return None
    return os.path.basename(os.path.realpath(sys / "dev" / "block" / f"{os.major(st.st_rdev)}:{os.minor(st.st_rdev)}"))


def _devnum(name: str, sys: Path) -> int | None:
    text = _read(sys / "class" / "block" / name / "dev")
    try:
        major, minor = (int(x) for x in (text or "").split(":"))
    except ValueError:
        return None
    return os.makedev(major, minor)


def _partitions(name: str, sys: Path) -> list[str]:
    base = sys / "class" / "block" / name
    try:
        return sorted(p.name for p in base.iterdir() if (p / "partition").exists())
    except OSError:
        return []


def _holders(name: str, sys: Path, depth: int = 0) -> list[str]:
    """Everything stacked on ``name``, bottom-up (dm-0 before the LVs on it)."""
    if depth > 8:
        return []
    try:
        direct = sorted(p.name for p in (sys / "class" / "block" / name / "holders").iterdir())
    except OSError:
        return []
    out: list[str] = []
    for h in direct:
        out.append(h)
        out += [x for x in _holders(h, sys, depth + 1) if x not in out]
    return out


def _file_id(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def loops_backed_by(file_id: tuple[int, int], sys: Path = SYS) -> list[str]:
    """Kernel names of the loop devices whose backing file is the file ``file_id`` (dev, ino)."""
    out = []
    for loop in sorted((sys / "block").glob("loop*")):
        backing = _read(loop / "loop" / "backing_file")
        if backing and _file_id(backing.removesuffix(" (deleted)")) == file_id:
            out.append(loop.name)
    return out


def _openers(file_id: tuple[int, int], proc: Path) -> list[str]:
    """``comm (pid N)`` of the processes with the file open (never their command lines)."""
    out = []
    try:
        pids = sorted(int(p.name) for p in proc.iterdir() if p.name.isdigit())
    except OSError:
        return []
    for pid in pids:
        try:
            fds = list((proc / str(pid) / "fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                st = os.stat(fd)
            except OSError:
                continue
            if (st.st_dev, st.st_ino) == file_id:
                out.append(f"{(_read(proc / str(pid) / 'comm') or '?')} (pid {pid})")
                break
    return out


def by_id(path: str, dev: Path = Path("/dev")) -> tuple[str, ...] | None:
    """The /dev/disk/by-id names that resolve to ``path`` (None: the machine has no such directory)."""
    d = dev / "disk" / "by-id"
    if not d.is_dir():
        return None
    real = os.path.realpath(path)
    return tuple(sorted(p.name for p in d.iterdir() if os.path.realpath(p) == real))


def _exclusive_busy(path: str) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_EXCL | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        return exc.errno == errno.EBUSY
    os.close(fd)
    return False


def _uses_of(name: str, proc: Path, sys: Path) -> tuple[list[str], list[LiveUse]]:
    """(partitions, uses) of one block device and what is stacked on it."""
    parts = _partitions(name, sys)
    nodes = [name, *parts]
    stacked = {n: _holders(n, sys) for n in nodes}
    numbers: dict[int, str] = {}
    for n in nodes + [h for hs in stacked.values() for h in hs]:
        num = _devnum(n, sys)
        if num is not None:
            numbers[num] = n
    uses: list[LiveUse] = []
    for n in nodes:
        for h in stacked[n]:
            dm = _read(sys / "class" / "block" / h / "dm" / "name")
            uses.append(LiveUse("holder", f"/dev/{n}", f"{h}{f' ({dm})' if dm else ''} is stacked on it",
                                holder=dm or h))
    for m in parse_mountinfo(_read(proc / "self" / "mountinfo") or ""):
        src = m.source if m.source.startswith("/dev/") else ""
        via = numbers.get(m.dev) or (sys_name(src, sys) if src else None)
        if via is not None and via in numbers.values():
            uses.append(LiveUse("mount", f"/dev/{via}", f"mounted at {m.mountpoint} ({m.fstype})",
                                mountpoint=m.mountpoint))
    for u in find_uses(Target(fs_devs=set(), block_devs=set(numbers)), proc=proc, sys=sys):
        if u.what == "swap":
            uses.append(LiveUse("swap", u.how.removeprefix("swap on "), "active swap"))
        elif u.pid is not None:
            uses.append(LiveUse("open", f"/dev/{name}", f"{u.what} {u.how.split(' (fd')[0]}"))
    return parts, uses


def inspect(path: str, *, proc: Path = PROC, sys: Path = SYS, depth: int = 0) -> LiveDevice:
    """The live state of the block device ``path`` (a whole disk or a loop device)."""
    if not os.path.lexists(path):
        return LiveDevice(path, exists=False, block=False)
    name = sys_name(path, sys)
    if name is None:
        return LiveDevice(path, block=False)
    sectors = _read(sys / "class" / "block" / name / "size")
    size = int(sectors) * 512 if sectors and sectors.isdigit() else None
    parts, uses = _uses_of(name, proc, sys)
    backing = _read(sys / "class" / "block" / name / "loop" / "backing_file")
    fid = _file_id(backing.removesuffix(" (deleted)")) if backing else None
    if fid is not None and depth == 0:
        uses += image_uses(backing or "", proc=proc, sys=sys, besides=name)
    if not uses and _exclusive_busy(path):
        uses.append(LiveUse("busy", path, "the kernel refuses an exclusive open (EBUSY): something holds "
                                          "it or one of its partitions"))
    return LiveDevice(path, size=size, partitions=tuple(f"/dev/{p}" for p in parts), uses=tuple(uses),
                      by_id=by_id(path))


def image_uses(image: str, *, proc: Path = PROC, sys: Path = SYS, besides: str | None = None) -> list[LiveUse]:
    """How an image file is in use: loop devices backed by it (other than ``besides``) that are
    mounted, swapped on, held or open, and processes that have the file itself open."""
    fid = _file_id(image)
    if fid is None:
        return []
    out: list[LiveUse] = []
    for loop in loops_backed_by(fid, sys):
        if loop == besides:
            continue
        other = inspect(f"/dev/{loop}", proc=proc, sys=sys, depth=1)
        for u in other.uses:
            out.append(LiveUse("loop", u.device, f"{u.what} (through /dev/{loop}, backed by {image})",
                               mountpoint=u.mountpoint))
    for who in _openers(fid, proc):
        out.append(LiveUse("open", image, f"{who} has the image file open"))
    return out
