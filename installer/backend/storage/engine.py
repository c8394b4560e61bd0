"""The storage engine interface: any engine that applies a StoragePlan through a StepContext.

An engine runs the plan's actions in order, reports progress per action, pushes the teardown
of everything it creates (mounts, opened LUKS volumes, active VGs) onto ``ctx`` as it goes, and
raises :class:`~installer.backend.errors.StepFailed` naming the action that failed. Reading
UUIDs back and writing fstab is engine-independent (see steps/storage.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from installer.backend.steps.base import StepContext
    from installer.backend.storage.actions import StoragePlan


class StorageEngine(Protocol):
    name: str

    def apply(self, plan: StoragePlan, ctx: StepContext) -> None: ...


def get_engine(name: str = "parted") -> StorageEngine:
    if name == "parted":
        from installer.backend.storage.engine_parted import PartedEngine

        return PartedEngine()
    if name == "blivet":
        from installer.backend.storage.blivet_engine import BlivetEngine

        return BlivetEngine()
    raise ValueError(f"unknown storage engine '{name}'")


ENGINES = ["parted"]  # the conformance suite runs every engine listed here (blivet: tests/blivet, in QEMU)
CHOICES = ["auto", "blivet", "parted"]  # --storage-engine


def select_engine(requested: str, dry_run: bool) -> tuple[str, str]:
    """(engine name, why) for ``--storage-engine``: ``auto`` is blivet where it imports (the
    installer medium), else the parted engine. Dry-run never imports blivet: it records the
    parted engine's transcript (blivet does its own I/O, so it has nothing to record)."""
    if requested not in CHOICES:
        raise ValueError(f"unknown storage engine '{requested}' (choose from {', '.join(CHOICES)})")
    if requested == "parted":
        return "parted", "requested"
    if dry_run:
        return "parted", f"dry-run with '{requested}': blivet is not loaded; recording the parted engine's transcript"
    from installer.backend.storage.blivet_engine import available

    ok, why = available()
    if requested == "blivet":
        return "blivet", "requested" if ok else f"requested, but {why}"
    return ("blivet", f"auto: {why}") if ok else ("parted", f"auto: {why}; falling back to the parted engine")
