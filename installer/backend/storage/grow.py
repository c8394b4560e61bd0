"""Sharing free space among growing requests, as Anaconda (blivet's ``Chunk.grow_requests``) does.

Every growing request starts at its base size. The free units of a region (a free area of a disk,
or a volume group's free extents) are handed out in rounds: each request still growing gets a
share in proportion to its base size (truncated), a request that reaches its cap gives the excess
back and stops, and rounds repeat while the pool changes. What is left after that goes to the
first request that can still grow. Units are whole MiB for partitions and whole extents for
logical volumes, so every result stays aligned.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Growable:
    base: int  # units
    cap: int | None = None  # the largest total size in units (--maxsize), None: no cap
    growth: int = 0
    done: bool = False

    @property
    def size(self) -> int:
        return self.base + self.growth


def grow(requests: list[Growable], pool: int) -> int:
    """Distribute ``pool`` units among ``requests`` in place; return the units left over (only
    when every request reached its cap)."""
    for r in requests:
        r.growth = 0
        r.done = r.cap is not None and r.base >= r.cap
    base = sum(r.base for r in requests if not r.done)
    last = -1
    while pool > 0 and pool != last and any(not r.done for r in requests):
        last = pool
        round_base = base
        for r in requests:
            if r.done:
                continue
            share = (r.base * last) // round_base if round_base > 0 else last
            r.growth += share
            pool -= share
            if r.cap is not None and r.size >= r.cap:
                pool += r.size - r.cap
                r.growth = r.cap - r.base
                r.done = True
                base -= r.base
    if pool > 0:
        for r in requests:
            if r.done:
                continue
            room = pool if r.cap is None else min(pool, r.cap - r.size)
            r.growth += room
            pool -= room
            if pool == 0:
                break
    return pool
