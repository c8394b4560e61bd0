"""Commands inside the target: /proc, /sys, /dev and /run mounted into it once, torn down at the end.

All mounts go through ``ctx.system`` and push their teardown immediately, so the engine unmounts
them in reverse order on every exit path (success, failure, cancel).
"""

from __future__ import annotations

from collections.abc import Sequence

from installer.backend.steps.base import StepContext
from installer.backend.system import RunResult

_MOUNTS: tuple[tuple[str, list[str]], ...] = (
    ("proc", ["mount", "-t", "proc", "proc"]),
    ("sys", ["mount", "-t", "sysfs", "sysfs"]),
    ("dev", ["mount", "--bind", "/dev"]),
    ("run", ["mount", "-t", "tmpfs", "-o", "mode=0755,nosuid,nodev", "tmpfs"]),
)
STATE_KEY = "chroot_mounts"


def ensure_mounts(ctx: StepContext, *, efivars: bool = False) -> None:
    """Mount the API filesystems into the target (idempotent within one install)."""
    done: set[str] = ctx.state.setdefault(STATE_KEY, set())
    for name, argv in _MOUNTS:
        if name in done:
            continue
        where = ctx.path(name)
        ctx.system.makedirs(where)
        ctx.system.run([*argv, where])
        done.add(name)
        ctx.push_teardown(f"umount {where}", _umount(ctx, where, name))
    if efivars and "efivars" not in done:
        where = ctx.path("sys/firmware/efi/efivars")
        ctx.system.run(["mount", "-t", "efivarfs", "efivarfs", where])
        done.add("efivars")
        ctx.push_teardown(f"umount {where}", _umount(ctx, where, "efivars"))


def _umount(ctx: StepContext, where: str, name: str):  # type: ignore[no-untyped-def]
    def fn() -> None:
        ctx.system.run(["umount", where])
        ctx.state.get(STATE_KEY, set()).discard(name)

    return fn


def run_in_target(
    ctx: StepContext, argv: Sequence[str], *, check: bool = True, input: str | None = None,
    env: dict[str, str] | None = None,
) -> RunResult:
    """Run argv chrooted into the target, with the API filesystems mounted."""
    ensure_mounts(ctx)
    base_env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", "HOME": "/root"}
    return ctx.system.run(["chroot", ctx.target_root, *argv], check=check, input=input,
                          env={**base_env, **(env or {})})


def target_has(ctx: StepContext, *paths: str) -> str | None:
    """The first of paths (absolute, inside the target) that exists there, else None."""
    for p in paths:
        if ctx.system.run(["test", "-e", ctx.path(p)], check=False).returncode == 0:
            return p
    return None
