"""Who still uses a filesystem or a block device: the diagnosis for "target is busy".

When an unmount or a LUKS close fails at the end of an install, the useful message names what
holds it, the way Anaconda does ("<process> (pid N) has a file open on /mnt/sysimage/..."):
this module finds it from ``/proc`` alone (``lsof`` and ``fuser`` are not on the installer
medium), by device number rather than by path, so a deleted file, a file reached through another
path or a mount in another namespace is still found:

* processes whose current directory, root directory, open files (``/proc/PID/fd``) or mapped
  files (``/proc/PID/maps``: libraries, fonts) are on the filesystem, or which have the block
  device itself open;
* the mounts of the filesystem, in this mount namespace and in every other one
  (``/proc/PID/mountinfo`` of a process in another namespace);
* loop devices whose backing file is on it, and swap on the device.

Only process names (``comm``) and PIDs are reported, never command lines (they may carry
secrets). Everything is read under an injectable ``proc`` / ``sys`` root (tests use a fake tree).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

PROC = Path("/proc")
SYS = Path("/sys")


@dataclass(frozen=True)
class MountEntry:
    """One line of ``/proc/PID/mountinfo``."""

    mount_id: int
    parent_id: int
    dev: int
    """``os.makedev(major, minor)`` of the mounted filesystem (what ``st_dev`` of its files is)."""
    root: str
    mountpoint: str
    fstype: str
    source: str


@dataclass(frozen=True)
class Use:
    """One thing that keeps the filesystem or device busy."""

    what: str
    """The process (``comm (pid N)``) or the kernel object (``mount``, ``loop3``, ``swap``)."""
    how: str
    pid: int | None = None

    def describe(self) -> str:
        return f"{self.what}: {self.how}"


@dataclass
class Target:
    """What to look for: filesystems (by ``st_dev``) and block devices (by ``st_rdev``)."""

    fs_devs: set[int] = field(default_factory=set)
    block_devs: set[int] = field(default_factory=set)
    paths: list[str] = field(default_factory=list)
    """The mountpoints asked about (for the messages)."""

    def __bool__(self) -> bool:
        return bool(self.fs_devs or self.block_devs)


def _unescape(s: str) -> str:
    """mountinfo escapes space, tab, newline and backslash as ``\\ooo``."""
    if "\\" not in s:
        return s
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\" and i + 4 <= len(s) and s[i + 1:i + 4].isdigit():
            out.append(chr(int(s[i + 1:i + 4], 8)))
            i += 4
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def parse_mountinfo(text: str) -> list[MountEntry]:
    """Parse ``/proc/PID/mountinfo`` (proc(5)); malformed lines are skipped."""
    entries = []
    for line in text.splitlines():
        f = line.split()
        try:
            sep = f.index("-", 6)
            major, minor = (int(x) for x in f[2].split(":"))
            entries.append(MountEntry(int(f[0]), int(f[1]), os.makedev(major, minor), _unescape(f[3]),
                                      _unescape(f[4]), f[sep + 1], _unescape(f[sep + 2])))
        except (ValueError, IndexError):
            continue
    return entries


def _read(path: Path) -> str | None:
    try:
        return path.read_text(errors="replace")
    except OSError:
        return None


def _readlink(path: Path) -> str | None:
    try:
        return os.readlink(path)
    except OSError:
        return None


def _stat(path: Path) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None


def target_for(mountpoints: Iterable[str] = (), devices: Iterable[str] = (), *, proc: Path = PROC) -> Target:
    """The filesystems mounted at ``mountpoints`` (from this namespace's mountinfo) and the block
    ``devices`` (``/dev/...``; the filesystems on them too, wherever they are mounted)."""
    t = Target(paths=list(mountpoints))
    mounts = parse_mountinfo(_read(proc / "self" / "mountinfo") or "")
    for mp in t.paths:
        for m in mounts:
            if m.mountpoint == mp.rstrip("/") or (mp == "/" and m.mountpoint == "/"):
                t.fs_devs.add(m.dev)
    for d in devices:
        st = _stat(Path(d))
        if st is not None and st.st_rdev:
            t.block_devs.add(st.st_rdev)
            t.fs_devs.add(st.st_rdev)  # a filesystem on a block device has that st_dev
    return t


def _pids(proc: Path) -> list[int]:
    try:
        return sorted(int(p.name) for p in proc.iterdir() if p.name.isdigit())
    except OSError:
        return []


def _maps_devs(text: str) -> Iterable[tuple[int, str]]:
    """(st_dev, path) of each file-backed mapping in ``/proc/PID/maps``."""
    for line in text.splitlines():
        f = line.split(maxsplit=5)
        if len(f) < 6 or f[4] == "0":
            continue
        try:
            major, minor = (int(x, 16) for x in f[3].split(":"))
        except ValueError:
            continue
        yield os.makedev(major, minor), f[5]


def _process_uses(pid: int, d: Path, t: Target, own_ns: int | None, seen_ns: set[int]) -> list[Use]:
    comm = (_read(d / "comm") or "?").strip()
    who = f"{comm} (pid {pid}{', this installer' if pid == os.getpid() else ''})"
    uses: list[Use] = []
    for name, label in (("cwd", "current directory"), ("root", "root directory")):
        st = _stat(d / name)
        if st is not None and st.st_dev in t.fs_devs:
            uses.append(Use(who, f"{label} {_readlink(d / name)}", pid))
    try:
        fds = sorted((p for p in (d / "fd").iterdir() if p.name.isdigit()), key=lambda p: int(p.name))
    except OSError:
        fds = []
    for fd in fds:
        st = _stat(fd)
        if st is None:
            continue
        if st.st_dev in t.fs_devs:
            uses.append(Use(who, f"open file {_readlink(fd)} (fd {fd.name})", pid))
        elif st.st_rdev and st.st_rdev in t.block_devs and not _is_char(st):
            uses.append(Use(who, f"has the device {_readlink(fd)} open (fd {fd.name})", pid))
    mapped = sorted({path for dev, path in _maps_devs(_read(d / "maps") or "") if dev in t.fs_devs})
    if mapped:
        more = f" and {len(mapped) - 3} more" if len(mapped) > 3 else ""
        uses.append(Use(who, "maps " + ", ".join(mapped[:3]) + more, pid))
    ns = _stat(d / "ns" / "mnt")
    if ns is not None and own_ns is not None and ns.st_ino != own_ns and ns.st_ino not in seen_ns:
        seen_ns.add(ns.st_ino)
        for m in parse_mountinfo(_read(d / "mountinfo") or ""):
            if m.dev in t.fs_devs:
                uses.append(Use(who, f"has it mounted at {m.mountpoint} in another mount namespace", pid))
    return uses


def _is_char(st: os.stat_result) -> bool:
    import stat

    return stat.S_ISCHR(st.st_mode)


def find_uses(t: Target, *, proc: Path = PROC, sys: Path = SYS) -> list[Use]:
    """Everything that keeps ``t`` busy (empty when nothing does)."""
    if not t:
        return []
    uses: list[Use] = []
    for m in parse_mountinfo(_read(proc / "self" / "mountinfo") or ""):
        if m.dev in t.fs_devs:
            uses.append(Use("mount", f"still mounted at {m.mountpoint} ({m.fstype} {m.source})"))
    own = _stat(proc / "self" / "ns" / "mnt")
    seen_ns: set[int] = set()
    for pid in _pids(proc):
        uses.extend(_process_uses(pid, proc / str(pid), t, own.st_ino if own else None, seen_ns))
    for loop in sorted((sys / "block").glob("loop*")):
        backing = _read(loop / "loop" / "backing_file")
        st = _stat(Path(backing.strip())) if backing else None
        if st is not None and st.st_dev in t.fs_devs:
            uses.append(Use(loop.name, f"loop device backed by {backing.strip() if backing else '?'}"))
    for line in (_read(proc / "swaps") or "").splitlines()[1:]:
        name = line.split(maxsplit=1)[0] if line.strip() else ""
        st = _stat(Path(name)) if name else None
        if st is not None and (st.st_rdev in t.block_devs or st.st_dev in t.fs_devs):
            uses.append(Use("swap", f"swap on {name}"))
    return uses


def explain(mountpoints: Sequence[str] = (), devices: Sequence[str] = (), *, proc: Path = PROC,
            sys: Path = SYS, limit: int = 8) -> str:
    """One sentence for an error message: what holds the given mountpoints / devices."""
    t = target_for(mountpoints, devices, proc=proc)
    subject = ", ".join([*mountpoints, *devices]) or "the target"
    if not t:
        return f"{subject}: not mounted and no such device"
    uses = find_uses(t, proc=proc, sys=sys)
    if not uses:
        return f"{subject}: no process, mount, loop device or swap found using it"
    shown = "; ".join(u.describe() for u in uses[:limit])
    more = f"; and {len(uses) - limit} more" if len(uses) > limit else ""
    return f"{subject} is in use: {shown}{more}"
