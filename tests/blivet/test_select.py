"""Host-side (runs in ``make test``): engine selection. On this Debian 12 host blivet does not
load, so ``auto`` must fall back to the parted engine with a log line saying why, and dry-run
must never import blivet; the final event names the engine. Plus the blivet probe's pure half
(stacks -> notes) and the refusal for a stack that spans a disk that was not selected."""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import sys
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from installer.backend import engine
from installer.backend.config import InstallConfig
from installer.backend.errors import RefusedForSafety
from installer.backend.events import Event, Finished, LogLine
from installer.backend.machine import Disk, Machine, load_machine
from installer.backend.plan import Plan
from installer.backend.steps import storage
from installer.backend.steps.registry import PlanInfo
from installer.backend.storage import blivet_engine
from installer.backend.storage import engine as storage_engine
from installer.backend.storage.blivet_probe import enrich_with, stacks_from_tree
from installer.backend.storage.build import plan_storage
from installer.backend.storage.engine import select_engine
from installer.backend.system import RecordingSystem

PW = "correct horse battery staple"


class NotDryRun:
    """A RecordingSystem that is not one: the engine selection treats it as a real host, so the
    parted engine's commands are recorded instead of run (nothing touches a disk)."""

    def __init__(self) -> None:
        object.__setattr__(self, "_inner", RecordingSystem())

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._inner, name, value)


def _plan(engine_name: str | None) -> tuple[InstallConfig, Machine, Plan]:
    from tests.conftest import MACHINES

    cfg = InstallConfig.model_validate({"storage": {"guided": {}, "encryption": {"enabled": True, "passphrase": PW}}})
    m = load_machine(MACHINES / "two-disks.json")
    info = PlanInfo(cfg, m, "/mnt/sysimage", False, [])
    s = storage.plan(info)
    assert s is not None
    plan = Plan(steps=[s.step], summary=s.summary, erase=s.erase, allowed_devices=s.allowed_devices,
                storage_engine=engine_name)
    return cfg, m, plan


def _run(engine_name: str | None, system: Any) -> tuple[engine.Result, list[Event]]:
    cfg, m, plan = _plan(engine_name)
    events: list[Event] = []
    res = engine.apply(plan, cfg, m, system, events.append, threading.Event())
    return res, events


def _engine_lines(events: list[Event]) -> list[str]:
    return [e.message for e in events if isinstance(e, LogLine) and e.message.startswith("storage engine:")]


@pytest.mark.skipif(blivet_engine.available()[0], reason="blivet loads here")
def test_auto_falls_back_to_parted_with_a_log_line() -> None:
    sysm = NotDryRun()
    res, events = _run("auto", sysm)
    assert res.ok, res.error
    lines = _engine_lines(events)
    assert lines == ["storage engine: parted (auto: blivet is not installed (python module 'blivet' not found); "
                     "falling back to the parted engine)"]
    final = events[-1]
    assert isinstance(final, Finished) and final.storage_engine == "parted"
    argvs = [r.detail["argv"] for r in sysm._inner.records if r.kind == "run"]
    assert any("luksFormat" in a for a in argvs), "the parted engine ran"
    assert getattr(sys.modules.get("blivet"), "Blivet", None) is None, "the real blivet was not imported"


def test_auto_falls_back_when_blivet_is_broken(monkeypatch: pytest.MonkeyPatch) -> None:
    """blivet installed but not loadable (Debian 12's libblockdev 2.x): still parted, and why."""
    real_find, real_import = importlib.util.find_spec, importlib.import_module

    def find(name: str, *a: Any) -> Any:
        if name == "blivet":  # a real-looking blivet package directory
            fake = Path(storage_engine.__file__).parent / "blivet" / "__init__.py"
            return SimpleNamespace(name=name, origin=str(fake))
        return real_find(name, *a)

    def imp(name: str, *a: Any) -> Any:
        if name == "blivet":
            raise ValueError("requested plugin 'part' is not available\nmore")
        return real_import(name, *a)

    real_exists = Path.exists
    monkeypatch.setattr(Path, "exists", lambda p: p.name == "devicetree.py" or real_exists(p))
    monkeypatch.setattr(importlib.util, "find_spec", find)
    monkeypatch.setattr(importlib, "import_module", imp)
    assert select_engine("auto", dry_run=False) == (
        "parted", "auto: blivet does not load here (ValueError: requested plugin 'part' is not available); "
        "falling back to the parted engine")
    res, events = _run(None, NotDryRun())  # no --storage-engine: the step's default is auto
    assert res.ok and "blivet does not load here" in _engine_lines(events)[0]


def test_dry_run_never_imports_blivet(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom() -> tuple[bool, str]:
        raise AssertionError("dry-run must not look for blivet")

    monkeypatch.setattr(blivet_engine, "available", boom)
    for requested in ("auto", "blivet"):
        res, events = _run(requested, RecordingSystem())
        assert res.ok, res.error
        assert "recording the parted engine's transcript" in _engine_lines(events)[0]
        assert isinstance(events[-1], Finished) and events[-1].storage_engine == "parted"


def test_parted_requested() -> None:
    assert select_engine("parted", dry_run=False) == ("parted", "requested")
    with pytest.raises(ValueError):
        select_engine("lvm2", dry_run=False)


def test_cli_storage_engine_option() -> None:
    import subprocess

    bad = subprocess.run([sys.executable, "-m", "installer", "install", "examples/core-luks-uefi.yaml", "--dry-run",
                          "--storage-engine", "lvm"], capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and "invalid choice" in bad.stderr
    helptext = subprocess.run([sys.executable, "-m", "installer", "install", "--help"], capture_output=True,
                              text=True, check=False).stdout
    assert "--storage-engine {auto,blivet,parted}" in helptext


# --- discovery: blivet devices -> Machine stacks and notes (pure half of blivet_probe) -------
def _dev(**kw: Any) -> SimpleNamespace:
    kw.setdefault("format", SimpleNamespace(type=None))
    kw.setdefault("children", [])
    kw.setdefault("status", False)
    return SimpleNamespace(**kw)


def _machine() -> Machine:
    return Machine(firmware="bios", disks=[Disk(path="/dev/vda", size=10 * 2**30),
                                           Disk(path="/dev/vdb", size=3 * 2**30)])


def test_stacks_and_notes() -> None:
    vda, vdb = SimpleNamespace(path="/dev/vda"), SimpleNamespace(path="/dev/vdb")
    vg = _dev(type="lvmvg", name="vg0", disks=[vda], lvs=[1, 2, 3])
    luks = _dev(type="partition", name="vdb2", disks=[vdb],
                format=SimpleNamespace(type="luks", luks_version="luks2", status=False))
    m = enrich_with(_machine(), stacks_from_tree([vg, luks]))
    assert m.disks[0].notes == ["holds LVM volume group vg0 with 3 logical volumes"]
    assert m.disks[1].notes == ["holds a locked LUKS2 volume on vdb2"]
    cfg = InstallConfig.model_validate({"storage": {"disks": [{"path": "/dev/vda"}], "guided": {}}})
    sp = plan_storage(cfg, m)  # a stack on the selected disk alone: erased, and the summary says what
    assert "holds LVM volume group vg0 with 3 logical volumes" in sp.summary[0]


def test_stack_spanning_an_unselected_disk_is_refused() -> None:
    vda, vdb = SimpleNamespace(path="/dev/vda"), SimpleNamespace(path="/dev/vdb")
    vg = _dev(type="lvmvg", name="spanvg", disks=[vdb, vda], lvs=[1])
    m = enrich_with(_machine(), stacks_from_tree([vg]))
    assert m.disks[0].notes == ["holds LVM volume group spanvg with 1 logical volume (also on /dev/vdb)"]
    cfg = InstallConfig.model_validate({"storage": {"disks": [{"path": "/dev/vda"}], "guided": {}}})
    with pytest.raises(RefusedForSafety) as exc:
        plan_storage(cfg, m)
    assert "/dev/vda" in str(exc.value) and "/dev/vdb" in str(exc.value) and "spanvg" in str(exc.value)
    # both disks selected: the whole stack goes, no refusal
    both = InstallConfig.model_validate({"storage": {"disks": [{"path": "/dev/vda"}, {"path": "/dev/vdb"}],
                                                     "table": "mbr", "partitions": [{"mount": "/", "size": "rest"}]}})
    assert plan_storage(both, m).disks == ["/dev/vda", "/dev/vdb"]


def test_machine_json_round_trip_with_stacks() -> None:
    m = enrich_with(_machine(), stacks_from_tree([_dev(type="lvmvg", name="vg0",
                                                       disks=[SimpleNamespace(path="/dev/vda")], lvs=[])]))
    again = Machine.model_validate_json(m.model_dump_json())
    assert again == m and dataclasses.is_dataclass(Plan)
