"""Helpers for the storage suite: plan for a loop disk, apply with an engine, read back."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import threading
from pathlib import Path
from typing import Any

from installer.backend import engine as backend_engine
from installer.backend.config import InstallConfig
from installer.backend.events import Event
from installer.backend.machine import Machine
from installer.backend.plan import Plan
from installer.backend.sizes import GiB
from installer.backend.steps.base import Step
from installer.backend.steps.storage import StorageAction
from installer.backend.storage import image
from installer.backend.storage.actions import Action, StoragePlan
from installer.backend.storage.build import plan_storage
from installer.backend.system import HostSystem, System

PW = "correct horse battery staple"
# test-only KDF settings: fast on purpose, never defaults (see config.Encryption)
FAST_KDF = {"pbkdf": "pbkdf2", "pbkdf_iterations": 1000}

GPT_TYPES = {
    "esp": "C12A7328-F81F-11D2-BA4B-00A0C93EC93B",
    "bios_grub": "21686148-6449-6E6F-744E-656564454649",
    "linux": "0FC63DAF-8483-4772-8E79-3D69D8477DE4",
    "swap": "0657FD6D-A4AB-43C4-84E5-0933C84B4F4F",
    "lvm": "E6D6D379-F507-44C2-A23C-238F2A3DF928",
}
MBR_TYPES = {"esp": "ef", "linux": "83", "swap": "82", "lvm": "8e"}


def loop_config(loop: str, storage: dict[str, Any]) -> tuple[InstallConfig, Machine]:
    cfg = InstallConfig.model_validate({"storage": storage})
    m = image.image_machine("/nonexistent", 8 * GiB, loop)
    return image.target_only(cfg, m), m


def plan_for(loop: str, storage: dict[str, Any]) -> tuple[InstallConfig, Machine, StoragePlan]:
    cfg, m = loop_config(loop, storage)
    return cfg, m, plan_storage(cfg, m)


def until(sp: StoragePlan, kind: str, include: bool = False) -> StoragePlan:
    """The plan cut before the first action of ``kind`` (for what the host cannot do)."""
    out: list[Action] = []
    for a in sp.actions:
        if a.kind == kind:
            if include:
                out.append(a)
            break
        out.append(a)
    return dataclasses.replace(sp, actions=out)


def run_plan(sp: StoragePlan, cfg: InstallConfig, m: Machine, target: Path, engine: str = "parted",
             system: System | None = None) -> tuple[backend_engine.Result, dict[str, Any], list[Event]]:
    """Apply through the backend engine (teardown on every exit path); returns the result, the
    state the step left, and the events."""
    action = StorageAction(sp, engine)
    state: dict[str, Any] = {}

    class Capture:
        def run(self, ctx: Any) -> None:
            from tests.storage.conftest import mounted_under

            state.update(ctx.state)
            state["mounted"] = mounted_under(target)

        def describe(self) -> dict[str, Any]:
            return {}

    plan = Plan(steps=[Step("storage", "storage", 10, [], action), Step("capture", "capture", 0, [], Capture())],
                summary=[], erase=list(sp.disks), allowed_devices=list(sp.disks), target_root=str(target))
    events: list[Event] = []
    sysm = system or HostSystem()
    res = backend_engine.apply(plan, cfg, m, sysm, events.append, threading.Event())
    return res, state, events


def sfdisk(loop: str) -> dict[str, Any]:
    out = subprocess.run(["sfdisk", "--json", loop], capture_output=True, text=True, check=True).stdout
    return json.loads(out)["partitiontable"]  # type: ignore[no-any-return]


def blkid(dev: str, tag: str) -> str:
    return subprocess.run(["blkid", "-p", "-s", tag, "-o", "value", dev], capture_output=True, text=True,
                          check=False).stdout.strip()


def expected_type(role: str, hint: str, flags: list[str]) -> str:
    if role == "esp":
        return "esp"
    if role == "bios_grub":
        return "bios_grub"
    if "lvm" in flags:
        return "lvm"
    if hint == "swap":
        return "swap"
    return "linux"
