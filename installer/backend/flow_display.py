"""Display helpers of the interactive flow: disk table rows, summary, erase warning, consent word."""

from __future__ import annotations

from installer.backend.flow_mapping import to_config
from installer.backend.flow_state import PACKAGE_SETS, FlowState
from installer.backend.machine import Machine
from installer.backend.sizes import format_size


def disk_rows(machine: Machine) -> list[tuple[str, str, str, str, str]]:
    """(path, size, model, transport, current contents) for a disk table."""
    return [(d.path, format_size(d.size), d.model or "", d.transport or "",
             ("INSTALLER MEDIUM - " if d.is_installer_medium else "") + d.contents())
            for d in machine.disks]


def summary_lines(state: FlowState, machine: Machine) -> list[str]:
    """The summary page's text: every choice, then exactly what will be erased (from the plan)."""
    from installer.backend.plan import make_plan

    cfg = to_config(state)
    plan = make_plan(cfg, machine)
    pset = next(p for p in PACKAGE_SETS if p.id == state.package_set)
    lines = [
        f"Installation type: {pset.title}",
        f"Language: {state.language}   Keyboard: {state.keyboard}   Time zone: {state.timezone}",
        f"Disk: {state.disk} ({state.layout} partitioning"
        + (f", {state.root_fs} root" if state.layout == "guided" else "")
        + (", LVM" if state.lvm and state.layout == "guided" else "") + ")",
        f"Encryption: {'LUKS (' + state.luks_version + ')' if state.encrypt else 'off'}",
        f"Host name: {state.hostname}",
        f"User: {state.username or '(none)'}" + (" (administrator)" if state.admin and state.username else ""),
        "Root account: " + ("locked" if cfg.root.locked else "password set"),
        "",
        *plan.summary,
    ]
    return lines


def confirm_word(state: FlowState) -> str:
    """What the user types on the summary page to consent: the erased disk's name, else 'yes'."""
    if state.disk:
        return state.disk.rsplit("/", 1)[-1]
    return "yes"


def confirmation_ok(state: FlowState, typed: str) -> bool:
    return typed.strip() == confirm_word(state)


def erase_lines(state: FlowState, machine: Machine) -> list[str]:
    """What choosing this disk will destroy, for the disk page (before a plan can be made)."""
    d = machine.disk(state.disk) if state.disk else None
    if d is None:
        return []
    if d.is_installer_medium:
        return [f"{d.path} is the installer medium: it cannot be the target."]
    return [f"{d.describe()} will be ERASED.", f"It holds now: {d.contents()}"]
