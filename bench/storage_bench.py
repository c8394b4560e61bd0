"""Storage benchmarks: planning time for 1, 16 and 64 disks, and storage apply on an 8 GiB
image compared, in the same run, with the same work typed by hand (sgdisk + mkfs).

Run as root: `make bench-storage` (or `.venv/bin/python bench/storage_bench.py`). Prints the
figures and ratios; targets: planning 64 disks < 50 ms, apply overhead ratio <= 1.10.
"""

from __future__ import annotations

import os
import resource
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
from installer.backend.machine import Disk, Machine, load_machine
from installer.backend.plan import Plan
from installer.backend.sizes import GiB
from installer.backend.steps.base import Step
from installer.backend.steps.storage import StorageAction
from installer.backend.storage import image
from installer.backend.storage.build import plan_storage
from installer.backend.system import HostSystem

IMAGE_SIZE = 8 * GiB
MACHINES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "machines"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))


def recorded_disks() -> list[Disk]:
    """The disks of the recorded machines (tests/fixtures/machines), the installer medium left out."""
    out = []
    for f in sorted(MACHINES.glob("*.json")):
        out += [d for d in load_machine(f).disks if not d.is_installer_medium and d.size >= 16 * GiB]
    return out


def synthetic(n: int) -> tuple[InstallConfig, Machine]:
    """``n`` disks cycled from the recorded ones, renamed /dev/sda.. so each path is unique."""
    base = recorded_disks()
    disks = []
    for i in range(n):
        name = f"/dev/sd{chr(97 + i // 26 - 1) if i >= 26 else ''}{chr(97 + i % 26)}"
        d = base[i % len(base)]
        disks.append(d.model_copy(update={"path": name, "by_id": [f"{x}-{i}" for x in d.by_id],
                                          "partitions": [p.model_copy(update={"path": f"{name}{p.number}"})
                                                         for p in d.partitions]}))
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


class Clock:
    """Wall time and CPU time (this process plus its children) between start() and stop()."""

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0

    @staticmethod
    def _cpu() -> float:
        c = resource.getrusage(resource.RUSAGE_CHILDREN)
        return time.process_time() + c.ru_utime + c.ru_stime

    def start(self) -> None:
        self._w, self._c = time.perf_counter(), self._cpu()

    def stop(self) -> tuple[float, float]:
        return time.perf_counter() - self._w, self._cpu() - self._c


def installer_apply(img: Path, target: Path) -> tuple[float, float]:
    with image.attached(str(img), IMAGE_SIZE) as loop:
        cfg = InstallConfig.model_validate({"storage": {"disks": [{"path": loop}], "firmware": "bios",
                                                        "guided": {"swap": "512MiB"}}})
        m = image.image_machine(str(img), IMAGE_SIZE, loop)
        clock = Clock()
        clock.start()
        sp = plan_storage(cfg, m)
        plan = Plan(steps=[Step("storage", "storage", 10, [], StorageAction(sp))], summary=[], erase=sp.disks,
                    allowed_devices=sp.disks, target_root=str(target))
        res = backend_engine.apply(plan, cfg, m, HostSystem(), lambda e: None, threading.Event())
        took = clock.stop()
        if not res.ok:
            raise SystemExit(f"installer apply failed: {res.error}")
    return took


def sh(*argv: str) -> None:
    subprocess.run(argv, check=True, capture_output=True)


def by_hand(img: Path, target: Path, tool: str = "parted") -> tuple[float, float]:
    """The same layout the way a person would type it: BIOS boot, root ext4, swap at the end, then
    the UUIDs for fstab (one blkid call), mount and umount."""
    with image.attached(str(img), IMAGE_SIZE) as loop:
        clock = Clock()
        clock.start()
        sh("wipefs", "-a", "-q", loop)
        if tool == "sgdisk":
            sh("sgdisk", "-n", "1:2048:+1M", "-t", "1:ef02", "-n", "2:4096:-512M", "-t", "2:8300",
               "-n", "3:0:0", "-t", "3:8200", loop)
            sh("partx", "-a", loop)  # sgdisk writes the table only
        else:  # parted also tells the kernel (BLKPG) about the new partitions
            sh("parted", "-s", loop, "mklabel", "gpt", "mkpart", "biosboot", "1MiB", "2MiB", "set", "1",
               "bios_grub", "on", "mkpart", "root", "ext4", "2MiB", "7680MiB", "mkpart", "swap", "linux-swap",
               "7680MiB", "100%")
        sh("mkfs.ext4", "-F", "-q", f"{loop}p2")
        sh("mkswap", "-f", f"{loop}p3")
        sh("blkid", "-s", "UUID", "-o", "value", f"{loop}p2", f"{loop}p3")
        target.mkdir(parents=True, exist_ok=True)
        sh("mount", f"{loop}p2", str(target))
        sh("umount", str(target))
        took = clock.stop()
    return took


def bench_apply() -> tuple[dict[str, float], dict[str, float]]:
    """Median wall time and median CPU time (seconds) per way of doing it."""
    runs: dict[str, list[tuple[float, float]]] = {"installer": [], "parted": [], "sgdisk": []}
    with tempfile.TemporaryDirectory(prefix="azl-bench-") as d:
        for i in range(ROUNDS):  # rotate the order, so all see the same host load
            names = list(runs)
            for name in names[i % 3:] + names[:i % 3]:
                img = Path(d) / "disk.img"
                img.unlink(missing_ok=True)
                target = Path(d) / "target"
                runs[name].append(installer_apply(img, target) if name == "installer" else by_hand(img, target, name))
    return ({k: statistics.median(w for w, _ in v) for k, v in runs.items()},
            {k: statistics.median(c for _, c in v) for k, v in runs.items()})


def main() -> int:
    plans = bench_planning()
    for n, ms in plans.items():
        print(f"planning {n:3d} recorded disk(s): {ms:7.2f} ms" + ("   (target < 50 ms)" if n == 64 else ""))
    if os.geteuid() != 0:
        print("storage apply: skipped (needs root and loop devices)")
        return 0
    t, cpu = bench_apply()
    print(f"storage apply, 8 GiB image (BIOS/GPT, ext4 root, swap), median of {ROUNDS}:")
    print(f"  installer (pyparted + partx + mkfs + mount, UUID read-back): {t['installer']:.3f} s")
    print(f"  by hand with parted + mkfs:                                  {t['parted']:.3f} s  "
          f"ratio {t['installer'] / t['parted']:.2f}")
    print(f"  by hand with sgdisk + mkfs:                                  {t['sgdisk']:.3f} s  "
          f"ratio {t['installer'] / t['sgdisk']:.2f}")
    hand = min(t["parted"], t["sgdisk"])
    print(f"  overhead ratio vs the faster hand baseline: {t['installer'] / hand:.2f} (target <= 1.10)")
    print(f"  CPU time (less sensitive to the other jobs on this host): installer {cpu['installer']:.3f} s, "
          f"parted by hand {cpu['parted']:.3f} s (ratio {cpu['installer'] / cpu['parted']:.2f}), "
          f"sgdisk by hand {cpu['sgdisk']:.3f} s (ratio {cpu['installer'] / cpu['sgdisk']:.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
