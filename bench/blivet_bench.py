#!/usr/bin/env python3
"""The same storage plans applied by the parted engine and by BlivetEngine in one QEMU run.

Boots the installer medium's live root (Debian 13, TCG, one vCPU) with virtio disks and runs
tests/blivet/guest_job.py: each plan is applied alternately by both engines (ROUNDS times),
timing the storage step (partition, encrypt, LVM, mkfs, mount) as the backend engine reports
it. Prints the medians per engine and the ratio blivet/parted (target: <= 1.5). Wall-clock
figures from an emulated guest on a shared host: compare the two columns, not absolute values.
Usage: python bench/blivet_bench.py [--rounds N] [--plans uefi-luks2,lvm-luks,bios-plain]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.blivet import cases  # noqa: E402
from tests.blivet.guest import run_job  # noqa: E402
from tests.vm.qemu import Medium  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--plans", default="uefi-luks2,lvm-luks,bios-plain")
    args = ap.parse_args(argv)
    info = REPO / "build" / "iso-info.json"
    if not info.exists():
        print("no ISO: run make iso first", file=sys.stderr)
        return 1
    known = {c["id"]: c for c in cases.CONFORMANCE}
    jobs = [{**known[p], "id": f"bench-{p}", "engines": ["parted", "blivet"] * args.rounds}
            for p in args.plans.split(",")]
    t0 = time.monotonic()
    r = run_job(Medium.load(info), REPO / "build" / "bench-blivet", jobs, name="bench-blivet")
    wall = time.monotonic() - t0
    out = REPO / "build" / "bench-blivet" / "result.json"
    out.write_text(json.dumps(r, indent=1))
    print(f"blivet bench: {args.rounds} round(s) per plan, one QEMU guest (TCG, 1 vCPU), {wall:.0f} s in all")
    print(f"{'plan':<22}{'parted s':>10}{'blivet s':>10}{'ratio':>8}   (median storage-step time)")
    ratios = []
    for c in r["cases"]:
        if "crash" in c:
            print(f"{c['id']:<22} crashed: {c['crash'][-300:]}")
            continue
        t: dict[str, list[float]] = {"parted": [], "blivet": []}
        for run in c["runs"]:
            if run.get("ok") and run.get("storage_s") is not None:
                t[run["engine"]].append(float(run["storage_s"]))
            elif not run.get("ok"):
                print(f"  {c['id']} {run['engine']} failed: {run.get('error') or run.get('plan_error')}")
        if t["parted"] and t["blivet"]:
            mp, mb = statistics.median(t["parted"]), statistics.median(t["blivet"])
            ratios.append(mb / mp)
            print(f"{c['id']:<22}{mp:>10.2f}{mb:>10.2f}{mb / mp:>8.2f}")
    if ratios:
        overall = statistics.geometric_mean(ratios)
        verdict = "meets" if overall <= 1.5 else "MISSES"
        print(f"{'geometric mean':<42}{overall:>8.2f}   ({verdict} the target blivet <= 1.5x parted)")
    print(f"raw results: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
