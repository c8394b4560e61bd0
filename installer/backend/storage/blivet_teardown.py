"""Teardown for the blivet engine: only the plan's disks, with a diagnosis of what holds a mount.

blivet's ``exclusive_disks`` hides other *disks* only; an optical drive (the installer medium) or
a loop device stays in its tree, so ``devicetree.teardown_all()`` would unmount the medium.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from installer.backend.steps.base import StepContext

BLIVET_LOGGERS = ("blivet", "program")


def teardown_all(b: Any, ctx: StepContext, disks: list[str]) -> Callable[[], None]:
    """blivet's ``teardown_all()``, but only for the plan's disks, with a diagnosis.

    ``exclusive_disks`` hides other *disks* only: an optical drive or a loop device is no disk
    to blivet, so the installer medium (``/dev/sr0`` at ``/run/initramfs/live``) is in the tree,
    and ``teardown_all()`` unmounts it. With the text installer nothing holds the medium, so
    that umount succeeded, unnoticed; with the graphical installer the GUI layer's squashfs is
    loop-mounted from it (Qt runs from there), the umount fails and the install ended "failed".
    So the leaves on the plan's disks are torn down here, nothing else; what blivet sees mounted
    is logged first, and a failure names what holds the mount (storage/holders.py, from /proc:
    ``lsof``, blivet's own diagnosis, is not on the medium)."""

    def run() -> None:
        for path, fstype, mp, note in _mounted(b):
            ours = any(d.path == path and _on(d, disks) for d in b.devicetree.devices)
            ctx.log(f"blivet sees {path} ({fstype}) mounted at {mp}{note}"
                    + ("" if ours else " (not on the plan's disks: left alone)"), "debug")
        handler = _LogForward(ctx)
        for name in BLIVET_LOGGERS:
            logging.getLogger(name).setLevel(logging.DEBUG)
            logging.getLogger(name).addHandler(handler)
        failed: list[tuple[Any, Exception]] = []
        try:
            for leaf in list(b.devicetree.leaves):
                if leaf.protected or not _on(leaf, disks):
                    continue
                try:
                    leaf.teardown(recursive=True)
                except Exception as exc:  # blivet's StorageError/BlockDevError; FileNotFoundError: no lsof
                    failed.append((leaf, exc))
        finally:
            for name in BLIVET_LOGGERS:
                logging.getLogger(name).removeHandler(handler)
        still = [(d.path, mnt) for d in b.devicetree.devices if _on(d, disks) and (mnt := _mountpoint(d))]
        if still:
            raise RuntimeError("a filesystem could not be unmounted: "
                               + "; ".join(_explain(m, p) for p, m in still))
        for d, err in failed:  # not mounted any more (checked above): a LUKS/LVM close, the data is safe
            ctx.log(f"blivet could not tear down {d.path}: {_blivet_error(err)} ({_explain(None, d.path)})",
                    "warning")
        for d in b.devicetree.devices:
            if _on(d, disks) and d.type == "luks/dm-crypt" and d.exists and d.status:
                ctx.log(f"blivet left {d.path} open: {_explain(None, d.path)}", "warning")

    return run


def _blivet_error(exc: Exception) -> str:
    if isinstance(exc, FileNotFoundError):
        return f"blivet's diagnosis needs {exc.filename or 'lsof'}, which is not installed"
    return f"{type(exc).__name__}: {exc}"


class _LogForward(logging.Handler):
    """blivet's warnings and its 'teardown of X failed' lines, into the install log."""

    def __init__(self, ctx: StepContext) -> None:
        super().__init__(logging.DEBUG)
        self.ctx = ctx

    def emit(self, record: logging.LogRecord) -> None:
        msg = record.getMessage()
        if record.levelno >= logging.WARNING or "teardown of" in msg or "umount" in msg:
            self.ctx.log(f"blivet: {msg}", "debug")


def _mountpoint(d: Any) -> str | None:
    try:
        mp = getattr(d.format, "system_mountpoint", None)
    except Exception:  # a format blivet cannot query: nothing to unmount
        return None
    return str(mp) if mp else None


def _mounted(b: Any) -> list[tuple[str, str, str, str]]:
    """(device, fs type, mountpoint, note) of every filesystem blivet's tree sees mounted; the
    note says when blivet will leave it alone (protected or not controllable)."""
    out = []
    for d in b.devicetree.devices:
        mp = _mountpoint(d)
        if mp:
            note = " (protected: left alone)" if d.protected else ("" if d.controllable else " (not controllable)")
            out.append((d.path, str(d.format.type), mp, note))
    return out


def _on(d: Any, disks: list[str]) -> bool:
    """Whether blivet device ``d`` is one of the plan's disks or built on one."""
    return d.path in disks or any(getattr(a, "path", None) in disks for a in getattr(d, "ancestors", []))


def _explain(mountpoint: str | None, device: str) -> str:
    from installer.backend.storage.holders import explain

    return explain([mountpoint] if mountpoint else [], [device])
