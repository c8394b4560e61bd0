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
    raise ValueError(f"unknown storage engine '{name}'")


ENGINES = ["parted"]  # the conformance suite runs every engine listed here
