"""The blivet storage engine: the engine-neutral StoragePlan executed by blivet, as Anaconda does.

The plan becomes blivet requests (disk labels, partitions at the plan's exact sectors, LUKS with
the plan's cipher and PBKDF, LVM, filesystems with labels), scheduled on one device tree and run
by one ``do_it()``; each blivet action is reported as a progress event. What blivet cannot
express exactly (GPT partition names, the flag set of the reference engine, for example the
``esp`` flag on an MBR disk, where blivet's EFI format sets ``boot``) is applied afterwards to the
partition table blivet committed, through blivet's own disk label object.

**This engine bypasses the System seam.** blivet does its I/O itself (libblockdev, pyparted,
udev), so its commands are neither checked against the plan's allow-list nor recorded. What keeps
it safe instead: blivet's device tree is restricted to the plan's disks (``exclusive_disks``:
every other disk is invisible to it, but an optical drive such as the installer medium is not a
disk to blivet and stays in the tree, so teardown acts only on the plan's disks), and the plan was checked
by the same safety rules as for the reference engine. It is never imported in dry-run: the
engine selection (storage/engine.py) records the reference engine's transcript instead.

Secrets: the passphrase goes to blivet's LUKS format object (libblockdev hands it to
libcryptsetup in memory); it is never on a command line, and blivet's log (``blivet.log`` beside
the install log) masks keyword arguments named ``pass*``. Tests scan our log, blivet's log,
the events and every argv for it.

Teardown on every exit path: the mounts (made through the System seam after ``do_it()``) are
undone first, then blivet tears down the leaves on the plan's disks (closes LUKS mappings,
deactivates volume groups): only those, as the tree also holds what ``exclusive_disks`` does not
hide (optical drives, loop devices: the installer medium); see storage/blivet_teardown.py.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import logging
import os
import shlex
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from installer.backend.errors import StepFailed
from installer.backend.steps.base import StepContext
from installer.backend.storage.actions import (
    CreatePartition,
    CreateTable,
    Deactivate,
    EditTable,
    LuksFormat,
    LuksOpen,
    LuksSettings,
    LvCreate,
    Mkfs,
    Mount,
    PvCreate,
    StoragePlan,
    VgCreate,
    Wipe,
)
from installer.backend.storage.blivet_teardown import BLIVET_LOGGERS, teardown_all

# parted flag names of the plan -> pyparted constants' names
_FLAG_NAMES = {"esp": "esp", "boot": "boot", "bios_grub": "bios_grub", "lvm": "lvm", "swap": "swap"}


def available() -> tuple[bool, str]:
    """Whether blivet can be used here, and why (for the engine-selection log line)."""
    spec = importlib.util.find_spec("blivet")
    if spec is None or spec.origin is None or not (Path(spec.origin).parent / "devicetree.py").exists():
        # (a 'blivet' directory that is not the library, e.g. tests/blivet on a test path, is not it)
        return False, "blivet is not installed (python module 'blivet' not found)"
    try:
        with _quiet_stderr():  # libblockdev prints plugin load failures (mpath) on fd 2: not on the UI
            importlib.import_module("blivet")
    except Exception as exc:  # libblockdev too old, plugins missing, gi missing ...
        first = str(exc).splitlines()[0] if str(exc) else ""
        return False, f"blivet does not load here ({type(exc).__name__}: {first})"
    return True, "blivet imports"


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _blivet_log(ctx: StepContext) -> logging.Handler | None:
    """blivet's own log (and its 'program' log of commands) in blivet.log beside our log."""
    log_path = ctx.state.get("log_path")
    d = Path(log_path).parent if log_path else Path("/var/log/azl-installer")
    try:
        d.mkdir(parents=True, exist_ok=True)
        fd = os.open(d / "blivet.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.close(fd)
        handler: logging.Handler = logging.FileHandler(d / "blivet.log")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.DEBUG)
    for name in BLIVET_LOGGERS:
        lg = logging.getLogger(name)
        lg.setLevel(logging.DEBUG)
        lg.addHandler(handler)
    ctx.state["blivet_log"] = str(d / "blivet.log")
    return handler


def _passphrase(ctx: StepContext) -> str:
    p = ctx.config.storage.encryption.passphrase
    if p is None:
        raise StepFailed("storage", "encrypt", "no passphrase in storage.encryption.passphrase")
    return p.get_secret_value()


class BlivetEngine:
    name = "blivet"

    def apply(self, plan: StoragePlan, ctx: StepContext) -> None:
        ok, why = available()
        if not ok:
            raise StepFailed("storage", "load blivet", why)
        handler = _blivet_log(ctx)
        try:
            self._apply(plan, ctx)
        finally:
            if handler is not None:
                for name in BLIVET_LOGGERS:
                    logging.getLogger(name).removeHandler(handler)
                handler.close()

    def _apply(self, plan: StoragePlan, ctx: StepContext) -> None:
        import blivet

        b = blivet.Blivet()
        b.exclusive_disks = [Path(d).name for d in plan.disks]
        # from here on, whatever happens, blivet tears down what it set up on these disks
        ctx.push_teardown("blivet: close LUKS and deactivate LVM on " + ", ".join(plan.disks),
                          teardown_all(b, ctx, list(plan.disks)))
        ctx.progress(0.01, "blivet: scanning " + ", ".join(plan.disks))
        t0 = time.monotonic()
        b.reset()
        t_scan = time.monotonic() - t0
        for d in plan.disks:
            if b.devicetree.get_device_by_path(d) is None:
                raise StepFailed("storage", f"find {d}", "blivet does not see this disk")
        ctx.check_cancel()
        sched = _Scheduler(b, plan, ctx)
        sched.release()
        sched.schedule()
        actions = list(b.devicetree.actions.find())
        t_sched = time.monotonic() - t0 - t_scan
        ctx.log(f"blivet: scanned {len(plan.disks)} disk(s) in {t_scan:.1f} s, scheduled {len(actions)} "
                f"action(s) in {t_sched:.1f} s", "debug")
        n = len(actions) + len(plan.mounts()) + 1
        done = [0]

        def report(data: Any) -> None:
            sched.name_luks()
            done[0] += 1
            msg = str(getattr(data, "msg", data)).removeprefix("Executing ")
            ctx.progress(done[0] / n, f"blivet: {msg}", current=done[0], count=n)
            ctx.check_cancel()

        from blivet.callbacks import create_new_callbacks_register

        cbs = create_new_callbacks_register(report_progress=report, create_format_post=lambda _d: sched.name_luks())
        try:
            b.do_it(callbacks=cbs)
        except StepFailed:
            raise
        except Exception as exc:
            if type(exc).__name__ == "Cancelled":
                raise
            current = actions[done[0] - 1] if 0 < done[0] <= len(actions) else None
            what = str(current) if current is not None else "blivet do_it"
            raise StepFailed("storage", what, f"{type(exc).__name__}: {exc}") from exc
        ctx.log(f"blivet: do_it ran {len(actions)} action(s) in {time.monotonic() - t0 - t_scan - t_sched:.1f} s",
                "debug")
        sched.fix_tables()
        # blivet formats through libblockdev; make sure udev's database (lsblk, /dev/disk/by-*,
        # which dracut and GRUB read in later steps) shows every new filesystem and label
        formatted = [a.device for a in plan.actions if isinstance(a, Mkfs)]
        if formatted:
            ctx.system.run(["udevadm", "trigger", "--action=change", "--settle", *formatted], check=False)
        ctx.progress((n - len(plan.mounts())) / n, "blivet: partition names and flags set")
        for i, m in enumerate(plan.mounts()):
            ctx.check_cancel()
            sched.mount(m)
            ctx.progress((n - len(plan.mounts()) + i + 1) / n, m.describe(), current=done[0] + i + 1, count=n)


class _Scheduler:
    """Turns plan actions into blivet requests on one Blivet instance."""

    def __init__(self, b: Any, plan: StoragePlan, ctx: StepContext) -> None:
        self.b = b
        self.plan = plan
        self.ctx = ctx
        self.devs: dict[str, Any] = {}  # plan path -> blivet device (disks, partitions, LUKS, VGs, LVs)
        self.luks: dict[str, LuksFormat] = {a.device: a for a in plan.luks_formats()}
        self.pvs = {a.device for a in plan.actions if isinstance(a, PvCreate)}
        self.mkfs = {a.device: a for a in plan.actions if isinstance(a, Mkfs)}
        self.opens = {a.device: a.name for a in plan.actions if isinstance(a, LuksOpen)}
        self.luks_fmts: list[tuple[Any, str]] = []  # (blivet LUKS format, the plan's mapping name)
        for d in plan.disks:
            self.devs[d] = b.devicetree.get_device_by_path(d)
        created = {dev for a in plan.actions for dev in a.creates}
        wanted = [a.device for a in plan.actions if isinstance(a, (Mkfs, LuksFormat, PvCreate))]
        wanted += [v.device for v in plan.volumes]
        # existing partitions the plan uses (kept or reformatted): blivet's objects for them
        self.existing = [d for d in dict.fromkeys(wanted) if d not in created and d.startswith("/dev/")
                         and not d.startswith("/dev/mapper/") and d.count("/") == 2]

    # -- existing contents
    def release(self) -> None:
        """Deactivate and remove whatever is on the plan's disks (blivet tears stacks down
        top-down: LVs, VGs, PVs, LUKS, partitions, then wipes the disk's own signature)."""
        for a in self.plan.actions:
            if isinstance(a, Deactivate):
                for m in a.mountpoints:  # mounts and swap are the System's business (and logged)
                    self.ctx.system.run(["umount", m])
                for s in a.swaps:
                    self.ctx.system.run(["swapoff", s])
        for a in self.plan.actions:
            if isinstance(a, Wipe):
                disk = self.devs[a.disk]
                if disk.children or disk.format.type is not None:
                    self.b.devicetree.recursive_remove(disk)
            elif isinstance(a, EditTable):  # only the partitions the plan removes; the others stay
                for path in a.remove_paths:
                    part = self.b.devicetree.get_device_by_path(path)
                    if part is None:
                        raise StepFailed("storage", a.describe(), f"blivet does not see {path}")
                    self.b.devicetree.recursive_remove(part)
        for path in self.existing:
            dev = self.b.devicetree.get_device_by_path(path)
            if dev is None:
                raise StepFailed("storage", f"use {path}", "blivet does not see this partition")
            self.devs[path] = dev

    # -- the new layout
    def schedule(self) -> None:
        from blivet.formats import get_format
        from blivet.partitioning import do_partitioning

        for a in self.plan.actions:
            if isinstance(a, CreateTable):
                disk = self.devs[a.disk]
                self.b.format_device(disk, get_format("disklabel", device=disk.path, label_type=a.table))
        for p in sorted(self.plan.partitions(), key=lambda p: (p.disk, p.number)):
            self._partition(p)
        if self.plan.partitions():
            do_partitioning(self.b)
        for path in self.existing:  # a new format on a kept partition (reformat, LUKS, PV)
            fmt = self._fmt(path)
            if fmt is not None:
                if self.devs[path].children:
                    self.b.devicetree.recursive_remove(self.devs[path], remove_device=False)
                self.b.format_device(self.devs[path], fmt)
        for a in self.plan.actions:
            if isinstance(a, LuksOpen):
                self._luks(a)
            elif isinstance(a, VgCreate):
                self._vg(a)
            elif isinstance(a, LvCreate):
                self._lv(a)

    def _fmt(self, path: str) -> Any:
        from blivet.formats import get_format

        if path in self.luks:
            settings = self.luks[path].settings
            note = luks1_note(settings)
            if note:
                self.ctx.log(note, "warning")
            fmt = _luks_format(settings, _passphrase(self.ctx))
            self.luks_fmts.append((fmt, self.opens.get(path, self.luks[path].name)))
            return fmt
        if path in self.pvs:
            return get_format("lvmpv")
        m = self.mkfs.get(path)
        if m is None:
            return None
        label = m.label
        if m.fstype == "vfat" and label:
            label = label.upper()[:11]
        kw: dict[str, Any] = {"label": label} if label else {}
        if m.options:
            kw["create_options"] = shlex.join(m.options)
        if m.mountpoint and m.fstype != "swap":
            kw["mountpoint"] = m.mountpoint
        return get_format(m.fstype, **kw)

    def _partition(self, p: CreatePartition) -> None:
        import parted
        from blivet.size import Size

        disk = self.devs[p.disk]
        ss = int(disk.format.sector_size) if disk.format.type == "disklabel" else 512
        start = p.start // ss
        end = (p.start + p.size) // ss - 1
        fmt = self._fmt(p.path)
        if p.role == "bios_grub":
            from blivet.formats import get_format

            fmt = get_format("biosboot")
        part = self.b.new_partition(size=Size(p.size), start=start, end=end, parents=[disk], fmt=fmt,
                                    part_type=parted.PARTITION_NORMAL, primary=True)
        self.b.create_device(part)
        self.devs[p.path] = part

    def _luks(self, a: LuksOpen) -> None:
        from blivet.devices import LUKSDevice

        parent = self.devs[a.device]
        dev = LUKSDevice(a.name, parents=[parent], fmt=self._fmt(a.path))
        self.b.create_device(dev)
        self.devs[a.path] = dev

    def _vg(self, a: VgCreate) -> None:
        vg = self.b.new_vg(name=a.name, parents=[self.devs[p] for p in a.pvs])
        self.b.create_device(vg)
        self.devs[f"/dev/{a.name}"] = vg

    def _lv(self, a: LvCreate) -> None:
        from blivet.size import Size

        vg = self.devs[f"/dev/{a.vg}"]
        size = Size(a.size) if a.size is not None else vg.free_space
        lv = self.b.new_lv(name=a.name, parents=[vg], size=size, fmt=self._fmt(a.path))
        self.b.create_device(lv)
        self.devs[a.path] = lv

    def name_luks(self) -> None:
        """blivet names a new LUKS mapping luks-<UUID> once the header exists; before it is
        opened (the next action at the earliest), give it the plan's name (crypttab uses it)."""
        for fmt, name in self.luks_fmts:
            if fmt.exists and fmt.map_name != name and not fmt.status:
                fmt.map_name = name

    # -- after do_it
    def fix_tables(self) -> None:
        """Make each partition's flags and GPT name exactly the plan's, in one table write per
        disk through blivet's disk label (no geometry changes: the kernel's view stays valid)."""
        import parted

        for d in self.plan.disks:
            parts = self.plan.partitions(d)
            if not parts:
                continue
            disk = self.devs[d]
            for p in parts:
                pp = disk.format.parted_disk.getPartitionBySector(p.start // int(disk.format.sector_size))
                if pp is None:
                    raise StepFailed("storage", p.describe(), "blivet did not create this partition")
                want = {_flag(f) for f in p.flags if f in _FLAG_NAMES}
                for fid in list(parted.partitionFlag):
                    if fid not in want and pp.isFlagAvailable(fid) and pp.getFlag(fid):
                        pp.unsetFlag(fid)
                for fid in want:
                    if not pp.getFlag(fid):
                        pp.setFlag(fid)
                if p.name and disk.format.label_type == "gpt":
                    pp.set_name(p.name)
            disk.format.commit_to_disk()

    def mount(self, m: Mount) -> None:
        """Mounting is not a blivet action: it goes through the System seam, as in the parted
        engine (blivet's own ``FS.mount`` costs ~5 s per filesystem under emulation, for the
        same ``mount`` call), and is logged; the unmount is on the teardown stack."""
        if m.device not in self.devs:
            raise StepFailed("storage", m.describe(), "blivet has no device for it")
        target = self.ctx.path(m.mountpoint)
        sysm = self.ctx.system
        sysm.makedirs(target)
        sysm.run(["mount", "-t", m.fstype, "-o", m.options, m.device, target])

        def undo() -> None:
            sysm.run(["umount", target])

        self.ctx.push_teardown(f"unmount {target}", undo)


def _flag(name: str) -> int:
    import _ped

    return int(_ped.partition_flag_get_by_name(_FLAG_NAMES[name]))


def _luks_format(s: LuksSettings, passphrase: str) -> Any:
    """blivet's LUKS format with the plan's settings. PBKDF parameters are LUKS2-only in blivet
    and libblockdev (LUKS1 accepts only data alignment/device): LUKS1 gets cryptsetup's defaults
    (PBKDF2, iteration count from a 2 s benchmark), see :func:`luks1_note`."""
    from blivet.formats import get_format
    from blivet.formats.luks import LUKS2PBKDFArgs

    kw: dict[str, Any] = {"passphrase": passphrase, "luks_version": s.version, "cipher": s.cipher,
                          "key_size": s.key_size}
    if s.version != "luks2":
        return get_format("luks", **kw)
    pbkdf = LUKS2PBKDFArgs(
        type=s.pbkdf,
        max_memory_kb=(s.memory_kib or 0) if s.pbkdf != "pbkdf2" else 0,
        iterations=s.iterations or 0,
        time_ms=(s.time_ms or 0) if not s.iterations else 0,
    )
    return get_format("luks", pbkdf_args=pbkdf, **kw)


def luks1_note(s: LuksSettings) -> str | None:
    if s.version == "luks1" and (s.iterations or s.time_ms):
        return ("blivet cannot set PBKDF parameters for LUKS1 (libblockdev accepts them for LUKS2 only): "
                "cryptsetup's LUKS1 defaults are used instead of the requested "
                + (f"{s.iterations} iterations" if s.iterations else f"{s.time_ms} ms"))
    return None
