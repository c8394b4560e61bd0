"""The reference engine: pyparted for the table and partitions, the standard CLI tools for the
rest, all through the System seam (so it runs on any host, and records itself in dry-run)."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Callable
from pathlib import Path

from installer.backend.errors import CommandFailed, StepFailed
from installer.backend.sizes import MiB
from installer.backend.steps.base import StepContext
from installer.backend.storage.actions import (
    Action,
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

NODE_TIMEOUT = 10.0
HELPER = str(Path(__file__).with_name("parted_apply.py"))


def _helper_env() -> dict[str, str] | None:
    """Run the helper with ``python -S`` (no site: saves ~50 ms of start-up, most of the engine's
    overhead over typing the commands by hand) and only pyparted's directory on the path."""
    spec = importlib.util.find_spec("parted")
    if spec is None or spec.origin is None:
        return None
    return {"PYTHONPATH": str(Path(spec.origin).parent.parent)}


def luks_format_argv(device: str, s: LuksSettings) -> list[str]:
    argv = ["cryptsetup", "luksFormat", "--batch-mode", "--type", s.version, "--cipher", s.cipher,
            "--key-size", str(s.key_size), "--pbkdf", s.pbkdf]
    if s.memory_kib is not None and s.pbkdf != "pbkdf2":
        argv += ["--pbkdf-memory", str(s.memory_kib)]
    if s.parallel is not None and s.pbkdf != "pbkdf2":
        argv += ["--pbkdf-parallel", str(s.parallel)]
    if s.iterations is not None:
        argv += ["--pbkdf-force-iterations", str(s.iterations)]
    elif s.time_ms is not None:
        argv += ["--iter-time", str(s.time_ms)]
    return [*argv, "--key-file=-", device]


def mkfs_argv(a: Mkfs) -> list[str]:
    label: list[str] = []
    extra = list(a.options)
    if a.fstype == "vfat":
        if a.label:
            label = ["-n", a.label.upper()[:11]]
        return ["mkfs.vfat", "-F", "32", *label, *extra, a.device]
    if a.label:
        label = ["-L", a.label]
    if a.fstype == "swap":
        return ["mkswap", "-f", *label, *extra, a.device]
    if a.fstype == "xfs":
        return ["mkfs.xfs", "-f", "-q", *label, *extra, a.device]
    if a.fstype == "btrfs":
        return ["mkfs.btrfs", "-f", "-q", *label, *extra, a.device]
    if a.fstype in ("ext2", "ext3"):
        return [f"mkfs.{a.fstype}", "-F", "-q", *label, *extra, a.device]
    return ["mkfs.ext4", "-F", "-q", *label, *extra, a.device]


def table_spec(plan: StoragePlan, disk: str, table: str, remove: list[int] | None = None) -> str:
    parts = [{"number": p.number, "start": p.start, "size": p.size, "hint": p.fs_hint, "flags": p.flags,
              "name": p.name} for p in sorted(plan.partitions(disk), key=lambda p: p.number)]
    # added in number order: parted gives each the lowest free number, as the plan expects
    spec: dict[str, object] = {"table": table, "partitions": parts}
    if remove is not None:
        spec.update({"keep": True, "remove": remove})
    return json.dumps(spec, separators=(",", ":"))


class PartedEngine:
    name = "parted"

    def __init__(self, python: str | None = None) -> None:
        self.python = python or sys.executable

    def apply(self, plan: StoragePlan, ctx: StepContext) -> None:
        n = len(plan.actions)
        for i, action in enumerate(plan.actions):
            ctx.progress(i / n, action.describe(), current=i + 1, count=n)
            ctx.check_cancel()
            try:
                self._do(action, plan, ctx)
            except CommandFailed as exc:
                raise StepFailed("storage", action.describe(), str(exc)) from exc

    # -- one action
    def _do(self, a: Action, plan: StoragePlan, ctx: StepContext) -> None:
        sysm = ctx.system
        if isinstance(a, Deactivate):
            for m in a.mountpoints:
                sysm.run(["umount", m])
            for s in a.swaps:
                sysm.run(["swapoff", s])
            for h in a.holders:
                sysm.run(["dmsetup", "remove", "--retry", h])
        elif isinstance(a, Wipe):
            for p in a.partitions:  # an existing partition node may be gone already
                sysm.run(["wipefs", "-a", "-q", p], check=False)
            sysm.run(["wipefs", "-a", "-q", a.disk])
            # forget the old partitions: `partx -u` cannot move a partition's start, so the new
            # table is announced with a clean `partx -a` (exit 1 here just means there were none)
            sysm.run(["partx", "-d", a.disk], check=False)
        elif isinstance(a, CreateTable):
            env = _helper_env()
            flags = ["-S"] if env else []
            sysm.run([self.python, *flags, HELPER, a.disk, table_spec(plan, a.disk, a.table)], env=env)
            # exit 1 where the kernel already knows them (parted told it: kernels with a partition
            # parser, e.g. the medium's); the node wait below is the real check
            sysm.run(["partx", "-a", a.disk], check=False)
            sysm.run(["udevadm", "settle", f"--timeout={int(NODE_TIMEOUT)}"], check=False)
        elif isinstance(a, EditTable):
            if not a.remove and not plan.partitions(a.disk):
                return  # the table stays exactly as it is
            for gone in a.remove_paths:  # the removed partitions' signatures first, as a Wipe does
                sysm.run(["wipefs", "-a", "-q", gone], check=False)
            env = _helper_env()
            flags = ["-S"] if env else []
            sysm.run([self.python, *flags, HELPER, a.disk, table_spec(plan, a.disk, a.table, a.remove)], env=env)
            # only the changed entries, one by one: the kept partitions stay in use by the kernel as they are
            for n in a.remove:
                sysm.run(["partx", "-d", "--nr", f"{n}:{n}", a.disk], check=False)
            for new in plan.partitions(a.disk):
                sysm.run(["partx", "-a", "--nr", f"{new.number}:{new.number}", a.disk], check=False)
            sysm.run(["udevadm", "settle", f"--timeout={int(NODE_TIMEOUT)}"], check=False)
        elif isinstance(a, CreatePartition):
            sysm.wait_for_path(a.path, timeout=NODE_TIMEOUT)
            mine = plan.partitions(a.disk)
            if a is mine[-1]:  # stale signatures inside the new partitions: one wipefs for all
                sysm.run(["wipefs", "-a", "-q", *[p.path for p in mine]])
        elif isinstance(a, LuksFormat):
            sysm.run(luks_format_argv(a.device, a.settings), input=_passphrase(ctx))
        elif isinstance(a, LuksOpen):
            sysm.run(["cryptsetup", "open", "--type", "luks", "--key-file=-", a.device, a.name],
                     input=_passphrase(ctx))
            ctx.push_teardown(f"close {a.name}", _runner(ctx, ["cryptsetup", "close", a.name]))
        elif isinstance(a, PvCreate):
            sysm.run(["pvcreate", "--yes", "-ff", a.device])
        elif isinstance(a, VgCreate):
            sysm.run(["vgcreate", "--yes", a.name, *a.pvs])
            ctx.push_teardown(f"deactivate {a.name}", _runner(ctx, ["vgchange", "-an", a.name]))
        elif isinstance(a, LvCreate):
            size = ["-l", "100%FREE"] if a.size is None else ["-L", f"{a.size // MiB}m"]
            sysm.run(["lvcreate", "--yes", "-W", "y", "-n", a.name, *size, a.vg])
        elif isinstance(a, Mkfs):
            sysm.run(mkfs_argv(a))
        elif isinstance(a, Mount):
            target = ctx.path(a.mountpoint)
            sysm.makedirs(target)
            sysm.run(["mount", "-t", a.fstype, "-o", a.options, a.device, target])
            ctx.push_teardown(f"unmount {target}", _runner(ctx, ["umount", target]))
        else:  # pragma: no cover - a new action kind without engine support
            raise StepFailed("storage", a.describe(), f"the parted engine cannot do {a.kind}")


def _passphrase(ctx: StepContext) -> str:
    p = ctx.config.storage.encryption.passphrase
    if p is None:
        raise StepFailed("storage", "encrypt", "no passphrase in storage.encryption.passphrase")
    return p.get_secret_value()


def _runner(ctx: StepContext, argv: list[str]) -> Callable[[], None]:
    def run() -> None:
        ctx.system.run(argv)

    return run
