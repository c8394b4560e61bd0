"""Logical volume sizes in a volume group, as Anaconda (blivet's ``grow_lvm``) computes them.

Fixed volumes take their size (rounded up to whole extents). A ``P%`` volume takes P percent of
what the fixed volumes leave (the group's free extents plus the percent volumes' own base), and
stays at that size. Growing volumes (``rest``, or ``grow: true`` from kickstart's ``--grow``)
start at their base size and share the free extents in proportion to it, capped by ``max_size``
(storage/grow.py). A volume that fills the group to its last extent is created with
``lvcreate -l 100%FREE`` (its size is ``None`` in the plan).
"""

from __future__ import annotations

from installer.backend.errors import InvalidInput, Issue
from installer.backend.sizes import format_size
from installer.backend.storage.actions import Action, LvCreate
from installer.backend.storage.grow import Growable, grow
from installer.backend.storage.naming import align_down, align_up
from installer.backend.storage.requests import LvReq


def _label(lv: LvReq) -> str:
    return lv.mount or ("swap" if lv.fs == "swap" else lv.name)


def place_lvs(lvs: list[LvReq], vg_size: dict[str, int], extent: dict[str, int]
              ) -> tuple[list[Action], dict[str, int]]:
    """LvCreate actions for every volume group, and each volume's size in bytes ("vg/lv")."""
    issues: list[Issue] = []
    out: list[Action] = []
    sizes: dict[str, int] = {}
    for vg, total in vg_size.items():
        ext = extent[vg]
        mine = [lv for lv in lvs if lv.vg == vg]
        units = total // ext
        base: dict[str, Growable] = {}
        fixed = 0
        pct: list[LvReq] = []
        for lv in mine:
            key = f"{vg}/{lv.name}"
            if lv.size.kind == "bytes":
                n = align_up(lv.size.value, ext) // ext
            elif lv.size.kind == "percent":
                pct.append(lv)
                continue
            else:
                n = max(align_up(max(lv.min_bytes, ext), ext) // ext, 1)
            grows = lv.size.kind == "rest" or lv.grow
            cap = align_down(lv.max_bytes, ext) // ext if (grows and lv.max_bytes is not None) else None
            g = Growable(n, cap)
            g.done = not grows
            base[key] = g
            fixed += n
        basis = max(0, units - fixed)
        if sum(lv.size.value for lv in pct) > 10000:
            issues.append(Issue(f"{pct[-1].where}.size", f"the percentages of volume group '{vg}' add up to more "
                                "than 100%"))
            continue
        for lv in pct:
            n = basis * lv.size.value // 10000
            g = Growable(n, None if lv.grow else n)
            g.done = not lv.grow
            base[f"{vg}/{lv.name}"] = g
        need = sum(g.base for g in base.values())
        if need > units:
            worst = next((lv for lv in reversed(mine) if lv.size.kind != "percent"), mine[-1])
            issues.append(Issue(f"{worst.where}.size",
                                f"volume group '{vg}' ({format_size(total)}) is too small for its logical volumes: "
                                f"they need {format_size(need * ext)}; {format_size((need - units) * ext)} short"))
            continue
        growers = [base[f"{vg}/{lv.name}"] for lv in mine if not base[f"{vg}/{lv.name}"].done]
        left = grow(growers, units - need) if growers else units - need
        for lv in mine:
            got = base[f"{vg}/{lv.name}"].size * ext
            sizes[f"{vg}/{lv.name}"] = got
            if got < lv.min_bytes:
                issues.append(Issue(f"{lv.where}.size", f"{_label(lv)} gets {format_size(got)} but needs at least "
                                    f"{format_size(lv.min_bytes)}; {format_size(lv.min_bytes - got)} short"))
        # the last growing volume that reaches the end of the group takes "100%FREE" (no rounding left)
        filler = next((lv for lv in reversed(mine) if not base[f"{vg}/{lv.name}"].done
                       and (lv.max_bytes is None or base[f"{vg}/{lv.name}"].size * ext < lv.max_bytes)), None)
        order = [lv for lv in mine if lv is not filler] + ([filler] if filler is not None else [])
        for lv in order:
            fills = lv is filler and left == 0
            out.append(LvCreate(vg, lv.name, None if fills else sizes[f"{vg}/{lv.name}"], lv.role))
    if issues:
        raise InvalidInput(issues)
    return out, sizes
