"""Place the new partitions of one disk into its free regions.

Each request has a base size (an absolute size, a share of the disk, or for ``rest`` its minimum)
and may grow (``rest``, or ``grow: true`` as kickstart's ``--grow``). Requests go, in order, into
the first free region with room for their base; the rest of each region is then shared among its
growing requests as Anaconda shares it (storage/grow.py: in proportion to the base sizes, capped
by ``max_size``). Every partition starts and ends on a 1 MiB boundary; new partitions take the
lowest free numbers in the order of their positions (as parted numbers them). A request that
cannot fit is an InvalidInput naming the field and the shortfall.
"""

from __future__ import annotations

from dataclasses import dataclass

from installer.backend.errors import InvalidInput, Issue
from installer.backend.sizes import MiB, format_size
from installer.backend.storage.grow import Growable, grow
from installer.backend.storage.keep import DiskState
from installer.backend.storage.naming import align_down, align_up, partition_path, usable_range
from installer.backend.storage.requests import PartReq


@dataclass
class Placed:
    req: PartReq
    number: int
    path: str
    start: int
    size: int


def label(r: PartReq) -> str:
    if r.mount:
        return r.mount
    return {"esp": "ESP", "bios_grub": "BIOS boot", "pv": "LVM PV", "swap": "swap", "raid": "RAID member",
            "btrfs": "btrfs member"}.get(r.role, r.role)


def _bases(st: DiskState, reqs: list[PartReq]) -> list[Growable]:
    issues: list[Issue] = []
    start, end = usable_range(st.disk.size, st.table, st.disk.logical_sector_size)
    usable = max(0, end - start)
    out: list[Growable] = []
    for r in reqs:
        if r.size.kind == "bytes":
            if r.size.value % MiB:
                issues.append(Issue(f"{r.where}.size", f"{r.size} is not a multiple of 1 MiB "
                                    "(partitions are aligned to 1 MiB)"))
            n = align_up(r.size.value)
            if n <= 0:
                issues.append(Issue(f"{r.where}.size", "the size must be at least 1 MiB"))
            n = max(n, r.min_bytes if r.grow else 0)
        elif r.size.kind == "percent":
            n = align_down(usable * r.size.value // 10000)
            if n <= 0:
                issues.append(Issue(f"{r.where}.size", "the size must be at least 1 MiB"))
        else:
            n = align_up(max(r.min_bytes, MiB))
        grows = r.size.kind == "rest" or r.grow
        cap = align_down(r.max_bytes) // MiB if (grows and r.max_bytes is not None) else None
        out.append(Growable(max(n, 0) // MiB, cap if grows else n // MiB))
        if not grows:
            out[-1].done = True
    if issues:
        raise InvalidInput(issues)
    return out


def _too_small(st: DiskState, reqs: list[PartReq], bases: list[Growable]) -> Issue:
    d = st.disk
    need = sum(b.base for b in bases) * MiB
    start, end = usable_range(d.size, st.table, d.logical_sector_size)
    parts = ", ".join(f"{label(r)} {format_size(b.base * MiB)}" for r, b in zip(reqs, bases, strict=True))
    if st.fresh:
        usable = end - start
        return Issue(f"storage.disks.{st.index}",
                     f"{d.path} ({format_size(d.size)}) is too small for this layout: it needs "
                     f"{format_size(need + (d.size - usable))} ({parts} plus the partition table); "
                     f"{format_size(need - usable)} short")
    free = sum(b - a for a, b in st.regions)
    largest = max((b - a for a, b in st.regions), default=0)
    return Issue(f"storage.disks.{st.index}",
                 f"the free space of {d.path} ({format_size(free)} in {len(st.regions)} region(s), the largest "
                 f"{format_size(largest)}; the kept partitions stay) does not hold the new partitions: {parts}")


def place_disk(st: DiskState, reqs: list[PartReq]) -> list[Placed]:
    """Sizes, offsets and numbers of the new partitions of one disk (in request order)."""
    if not reqs:
        return []
    bases = _bases(st, reqs)
    if st.fresh and st.table == "msdos" and len(reqs) > 4:
        raise InvalidInput([Issue("storage.table", f"an MBR table holds at most 4 partitions; {st.disk.path} would "
                                  f"need {len(reqs)} (use table: gpt, or LVM)")])
    if len(reqs) > len(st.free_numbers):
        raise InvalidInput([Issue("storage.table", f"{st.disk.path} has room for {len(st.free_numbers)} more "
                                  f"partition(s) in its {'GPT' if st.table == 'gpt' else 'MBR'} table; the layout "
                                  f"puts {len(reqs)} there" + (" (an MBR table holds at most 4 primary "
                                                              "partitions: use GPT, or LVM)" if st.table == "msdos"
                                                              else ""))])
    free = [b - a for a, b in st.regions]
    where: list[int] = []
    for b in bases:
        k = next((k for k, f in enumerate(free) if f >= b.base * MiB), None)
        if k is None:
            raise InvalidInput([_too_small(st, reqs, bases)])
        free[k] -= b.base * MiB
        where.append(k)
    for k in range(len(st.regions)):
        mine = [bases[i] for i, w in enumerate(where) if w == k and not bases[i].done]
        if mine:
            grow(mine, free[k] // MiB)
    out: list[Placed] = []
    pos = {k: a for k, (a, _) in enumerate(st.regions)}
    for r, b, k in zip(reqs, bases, where, strict=True):
        size = b.size * MiB
        if size < r.min_bytes:
            raise InvalidInput([Issue(f"{r.where}.size", f"{label(r)} gets {format_size(size)} but needs at least "
                                      f"{format_size(r.min_bytes)}; {format_size(r.min_bytes - size)} short")])
        out.append(Placed(r, 0, "", pos[k], size))
        pos[k] += size
    numbers = iter(st.free_numbers)
    for p in sorted(out, key=lambda p: p.start):
        p.number = next(numbers)
        p.path = partition_path(st.disk.path, p.number)
    return out
