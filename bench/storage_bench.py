"""Storage benchmarks: planning time for 1, 16 and 64 disks, and storage apply on an 8 GiB
image compared, in the same run, with the same work typed by hand (sgdisk + mkfs).

Run as root: `make bench-storage` (or `.venv/bin/python bench/storage_bench.py`). Prints the
figures and ratios; targets: planning 64 disks < 50 ms, apply overhead ratio <= 1.10.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from installer.backend import engine as backend_engine
from installer.backend.config import InstallConfig
from installer.backend.machine import Disk, Machine
from installer.backend.plan import Plan
from installer.backend.sizes import GiB
from installer.backend.steps.base import Step
from installer.backend.steps.storage import StorageAction
from installer.backend.storage import image
from installer.backend.storage.build import plan_storage
from installer.backend.system import HostSystem

IMAGE_SIZE = 8 * GiB
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))


def synthetic(n: int) -> tuple[InstallConfig, Machine]:
    disks = [Disk(path=f"/dev/vd{chr(97 + i // 26) if i >= 26 else ''}{chr(97 + i % 26)}", size=(64 + i) * GiB,
                  model="Virtio Block Device", transport="virtio", serial=f"bench-{i}") for i in range(n)]
    parts = [{"mount": "/boot/efi", "fs": "vfat", "size": "512MiB"}, {"mount": "/boot", "size": "1GiB"},
             {"mount": "/", "size": "rest"}]
    parts += [{"mount": f"/srv/d{i}", "fs": "xfs", "size": "rest", "disk": i} for i in range(1, n)]
    cfg = InstallConfig.model_validate({"storage": {"disks": [{"path": d.path} for d in disks], "partitions": parts}})
    return cfg, Machine(firmware="uefi", disks=disks)


def bench_planning() -> dict[int, float]:
    out = {}
    for n in (1, 16, 64):
        cfg, m = synthetic(n)
        plan_storage(cfg, m)  # warm-up
        times = []
        for _ in range(20):
            t = time.perf_counter()
            plan_storage(cfg, m)
            times.append(time.perf_counter() - t)
        out[n] = statistics.median(times) * 1000
    return out


def installer_apply(img: Path, target: Path) -> float:
    with image.attached(str(img), IMAGE_SIZE) as loop:
        cfg = InstallConfig.model_validate({"storage": {"disks": [{"path": loop}], "firmware": "bios",
                                                        "guided": {"swap": "512MiB"}}})
        m = image.image_machine(str(img), IMAGE_SIZE, loop)
        t = time.perf_counter()
        sp = plan_storage(cfg, m)
        plan = Plan(steps=[Step("storage", "storage", 10, [], StorageAction(sp))], summary=[], erase=sp.disks,
                    allowed_devices=sp.disks, target_root=str(target))
        res = backend_engine.apply(plan, cfg, m, HostSystem(), lambda e: None, threading.Event())
        took = time.perf_counter() - t
        if not res.ok:
            raise SystemExit(f"installer apply failed: {res.error}")
    return took


def sh(*argv: str) -> None:
    subprocess.run(argv, check=True, capture_output=True)


def by_hand(img: Path, target: Path, tool: str = "parted") -> float:
    """The same layout the way a person would type it: BIOS boot, root ext4, swap at the end."""
    with image.attached(str(img), IMAGE_SIZE) as loop:
        t = time.perf_counter()
        sh("wipefs", "-a", "-q", loop)
        if tool == "sgdisk":
            sh("sgdisk", "-n", "1:2048:+1M", "-t", "1:ef02", "-n", "2:4096:-512M", "-t", "2:8300",
               "-n", "3:0:0", "-t", "3:8200", loop)
        else:
            sh("parted", "-s", loop, "mklabel", "gpt", "mkpart", "biosboot", "1MiB", "2MiB", "set", "1",
               "bios_grub", "on", "mkpart", "root", "ext4", "2MiB", "7680MiB", "mkpart", "swap", "linux-swap",
               "7680MiB", "100%")
        sh("partx", "-u", loop)
        sh("mkfs.ext4", "-F", "-q", f"{loop}p2")
        sh("mkswap", "-f", f"{loop}p3")
        target.mkdir(parents=True, exist_ok=True)
        sh("mount", f"{loop}p2", str(target))
        sh("umount", str(target))
        took = time.perf_counter() - t
    return took


def bench_apply() -> dict[str, float]:
    runs: dict[str, list[float]] = {"installer": [], "parted": [], "sgdisk": []}
    with tempfile.TemporaryDirectory(prefix="azl-bench-") as d:
        for i in range(ROUNDS):  # rotate the order, so all see the same host load
            names = list(runs)
            for name in names[i % 3:] + names[:i % 3]:
                img = Path(d) / "disk.img"
                img.unlink(missing_ok=True)
                target = Path(d) / "target"
                runs[name].append(installer_apply(img, target) if name == "installer" else by_hand(img, target, name))
    return {k: statistics.median(v) for k, v in runs.items()}


def main() -> int:
    plans = bench_planning()
    for n, ms in plans.items():
        print(f"planning {n:3d} disk(s): {ms:7.2f} ms" + ("   (target < 50 ms)" if n == 64 else ""))
    if os.geteuid() != 0:
        print("storage apply: skipped (needs root and loop devices)")
        return 0
    t = bench_apply()
    print(f"storage apply, 8 GiB image (BIOS/GPT, ext4 root, swap), median of {ROUNDS}:")
    print(f"  installer (pyparted + partx + mkfs + mount, UUID read-back): {t['installer']:.3f} s")
    print(f"  by hand with parted + mkfs:                                  {t['parted']:.3f} s  "
          f"ratio {t['installer'] / t['parted']:.2f}")
    print(f"  by hand with sgdisk + mkfs:                                  {t['sgdisk']:.3f} s  "
          f"ratio {t['installer'] / t['sgdisk']:.2f}")
    best = min(t["parted"], t["sgdisk"])
    print(f"  overhead ratio vs the faster hand baseline: {t['installer'] / best:.2f} (target <= 1.10)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
