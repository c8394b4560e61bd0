"""Resolve storage.disks (path, by-id, match rule) against the Machine."""

from __future__ import annotations

from fnmatch import fnmatch

from installer.backend.config import DiskMatch, DiskRef, Storage
from installer.backend.errors import InvalidInput, Issue
from installer.backend.machine import Disk, Machine
from installer.backend.sizes import format_size, parse_size

BY_ID = "/dev/disk/by-id/"


def _known(machine: Machine) -> str:
    return ", ".join(d.describe() for d in machine.disks) or "none"


def _excluded(d: Disk, m: DiskMatch) -> bool:
    names = {x.removeprefix(BY_ID).removeprefix("/dev/") for x in m.exclude}
    return d.path.removeprefix("/dev/") in names or bool(names & set(d.by_id))


def _why_not(d: Disk, m: DiskMatch) -> str | None:
    """None when the disk passes the filters, else the reason it does not."""
    if _excluded(d, m):
        return "ignored (exclude)"
    if d.read_only:
        return "read-only"
    if d.is_installer_medium:
        return "the installer medium"
    if d.holds_running_root:
        return "holds the running system"
    if m.ssd is not None and d.rotational == m.ssd:
        return "rotational" if m.ssd else "not rotational"
    if m.min_size is not None and d.size < parse_size(m.min_size, "MiB"):
        return f"smaller than {m.min_size}"
    if m.max_size is not None and d.size > parse_size(m.max_size, "MiB"):
        return f"larger than {m.max_size}"
    if m.model is not None and not fnmatch(d.model or "", m.model):
        return f"model '{d.model or ''}' does not match '{m.model}'"
    if m.serial is not None and not fnmatch(d.serial or "", m.serial):
        return f"serial '{d.serial or ''}' does not match '{m.serial}'"
    if m.transport is not None and (d.transport or "") != m.transport:
        return f"transport {d.transport or 'unknown'} is not {m.transport}"
    return None


def resolve_one(ref: DiskRef, machine: Machine, where: str, exclude: set[str] | None = None) -> Disk:
    exclude = exclude or set()
    if ref.path is not None:
        d = machine.disk(ref.path)
        if d is None:
            raise InvalidInput([Issue(f"{where}.path",
                                      f"no disk {ref.path} on this machine (disks: {_known(machine)})")])
        return d
    if ref.by_id is not None:
        name = ref.by_id.removeprefix(BY_ID)
        hits = [d for d in machine.disks if name in d.by_id]
        if not hits:
            raise InvalidInput([Issue(f"{where}.by_id", f"no disk has the id '{name}' (disks: {_known(machine)})")])
        return hits[0]
    assert ref.match is not None
    m = ref.match
    passed, reasons = [], []
    for d in machine.disks:
        why = "already chosen" if d.path in exclude else _why_not(d, m)
        if why is None:
            passed.append(d)
        else:
            reasons.append(f"{d.path}: {why}")
    if not passed:
        detail = "; ".join(reasons) or "the machine has no disks"
        raise InvalidInput([Issue(f"{where}.match", f"no disk matches ({detail})")])
    if m.rule in ("first", "all"):
        return passed[0]
    key = max if m.rule == "largest" else min
    best = key(d.size for d in passed)
    top = [d for d in passed if d.size == best]
    if len(top) > 1:
        names = ", ".join(d.path for d in top)
        raise InvalidInput([Issue(
            f"{where}.match",
            f"ambiguous: {len(top)} disks are equally {m.rule} ({names}, {format_size(best)} each); "
            "name one by path or by_id, or add a model/serial filter",
        )])
    return top[0]


def resolve_disks(storage: Storage, machine: Machine) -> list[Disk]:
    """The target disks in config order. Errors name the config field."""
    return [d for d, _ in resolve_refs(storage, machine)]


def resolve_refs(storage: Storage, machine: Machine) -> list[tuple[Disk, DiskRef]]:
    """Each target disk with the storage.disks entry that chose it (a match rule 'all' chooses
    several)."""
    out: list[Disk] = []
    refs: list[DiskRef] = []
    for i, ref in enumerate(storage.disks):
        if ref.match is not None and ref.match.rule == "all":  # every eligible disk not chosen yet
            chosen = {x.path for x in out}
            every = [d for d in machine.disks if d.path not in chosen and _why_not(d, ref.match) is None]
            if not every and not out:
                resolve_one(ref, machine, f"storage.disks.{i}", chosen)  # raises, naming why each disk is out
            out += every
            refs += [ref] * len(every)
            continue
        d = resolve_one(ref, machine, f"storage.disks.{i}", {x.path for x in out})
        if d.path in {x.path for x in out}:
            raise InvalidInput([Issue(f"storage.disks.{i}", f"{d.path} is listed twice")])
        if d.read_only:
            raise InvalidInput([Issue(f"storage.disks.{i}", f"{d.path} is read-only")])
        out.append(d)
        refs.append(ref)
    if not out:
        raise InvalidInput([Issue("storage.disks", "no target disk given")])
    return list(zip(out, refs, strict=True))
