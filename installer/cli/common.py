"""Helpers shared by the subcommands: loading inputs with clean errors, exit codes."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from installer.backend.answers.load import Loaded, load_file
from installer.backend.errors import InvalidInput, Issue
from installer.backend.machine import Machine, load_machine

if TYPE_CHECKING:
    from installer.backend.config import InstallConfig
    from installer.backend.plan import Plan

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INVALID = 2
EXIT_REFUSED = 3
EXIT_CANCELLED = 130


def err(msg: str) -> None:
    print(msg, file=sys.stderr)


def load_answers(path: str, ignore_unsupported: bool = False, *, run_pre: bool = False) -> Loaded:
    """Load an answer file, printing its warnings and notes. With run_pre, a kickstart's %pre
    scripts run on this system first and the file is read again (Anaconda's two passes)."""
    runner = None
    if run_pre:
        from installer.backend.prerun import PreRun
        from installer.backend.system import HostSystem

        runner = PreRun(HostSystem(), say=lambda line: err(f"{path}: {line}"))
    loaded = load_file(path, ignore_unsupported=ignore_unsupported, run_pre=runner)
    for w in loaded.warnings:
        err(f"{path}: warning: {w}")
    for n in loaded.notes:
        err(f"{path}: note: {n}")
    return loaded


def require_storage(loaded: Loaded) -> None:
    """An answer file that chose no storage layout (a kickstart without autopart/part/...) erases
    nothing unattended: an error naming what is missing, as Anaconda's cmdline mode stops there.
    (Interactively, the UIs open the storage screen instead.)"""
    if loaded.hints.get("storage") == "missing":
        from installer.backend.answers.kickstart_storage import STORAGE_MISSING

        raise InvalidInput([Issue("storage", STORAGE_MISSING, source=loaded.source)])


def get_machine(machine_path: str | None) -> Machine:
    if machine_path:
        return load_machine(machine_path)
    try:
        from installer.backend import probe  # type: ignore[attr-defined,unused-ignore]
    except ImportError as exc:  # pragma: no cover
        raise InvalidInput([Issue("", f"no disk probe available ({exc}); pass --machine M.json")]) from None
    return probe.probe_machine()


def print_issues(exc: InvalidInput) -> None:
    for issue in exc.issues:
        err(issue.format())


def existing_file(path: str) -> bool:
    return Path(path).is_file()


def plan_for(loaded: Loaded, machine: Machine, config: InstallConfig | None = None, **kw: Any) -> Plan:
    """make_plan, with plan-time issues located in the answer file (name, line, column)."""
    from installer.backend.plan import make_plan

    try:
        return make_plan(config or loaded.config, machine, **kw)
    except InvalidInput as exc:
        raise loaded.locate(exc) from None


MEDIUM_REPO_PATH = "/run/install/repo"  # where the installer medium exposes its repository


def assume_medium_repo_for_dry_run() -> str | None:
    """A dry run on a developer's machine has no medium: plan as if its repository were at the
    medium's path, so the whole flow can be tried (nothing is read from it in a dry run)."""
    import os

    if os.environ.get("AZL_MEDIUM_REPO"):
        return None
    os.environ["AZL_MEDIUM_REPO"] = MEDIUM_REPO_PATH
    return f"dry run: assuming the installer medium's repository at {MEDIUM_REPO_PATH}"
