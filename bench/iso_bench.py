#!/usr/bin/env python3
"""Installer medium benchmark: sizes, boot time to the installer, smallest memory for an install.

    python bench/iso_bench.py                      # sizes + one UEFI boot to READY
    python bench/iso_bench.py --firmware uefi bios --runs 2
    python bench/iso_bench.py --min-mem            # + smallest -m for the encrypted core install

Targets (issue 5): live root <= 200 MB compressed (without the repo); QEMU start -> the
installer's first screen on the serial console <= 60 s; an encrypted core install in <= 512 MiB.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.vm import scenarios  # noqa: E402
from tests.vm.qemu import Guest, GuestError, GuestSpec, Medium  # noqa: E402

MB = 1_000_000


def sizes(medium: Medium) -> dict[str, float]:
    info = medium.info
    iso = float(info["iso_bytes"])  # type: ignore[arg-type]
    sq = float(info["squashfs_bytes"])  # type: ignore[arg-type]
    initrd = float(info["initrd_bytes"])  # type: ignore[arg-type]
    kernel = float(info["kernel_bytes"])  # type: ignore[arg-type]
    repo = float(info.get("repo_bytes", 0) or 0)  # type: ignore[arg-type]
    layer = float(info.get("layer_bytes", 0) or 0)  # type: ignore[arg-type]
    live = sq + initrd + kernel
    return {
        "iso_MB": iso / MB,
        "live_squashfs_MB": sq / MB,
        "live_system_MB": live / MB,
        "live_share_of_iso": live / iso,
        "live_root_raw_MB": float(info["live_root_raw_bytes"]) / MB,  # type: ignore[arg-type]
        "initrd_MB": initrd / MB,
        "kernel_MB": kernel / MB,
        "repo_MB": repo / MB,
        "installer_layer_MB": layer / MB,
    }


def boot_time(medium: Medium, firmware: str, memory: int, workdir: Path) -> dict[str, float]:
    """QEMU start -> READY marker and -> the text UI's first output on the serial console."""
    spec = GuestSpec(firmware=firmware, memory=memory, cdrom=medium.iso)
    with Guest(spec, workdir, f"boot-{firmware}") as guest:
        m = guest.wait_for(r"Install Azure Linux \(text mode on the serial console", 300)
        grub = guest.elapsed()
        # the third entry (text UI on ttyS0), chosen as a user would: two arrows down, Enter
        time.sleep(0.5)
        guest.send("\x1b[B")
        time.sleep(0.3)
        guest.send("\x1b[B")
        time.sleep(0.3)
        guest.send("\r")
        m = guest.wait_marker(("READY",), 600, start=m.end())
        ready = guest.elapsed()
        out: dict[str, float] = {"grub_menu_s": grub, "ready_s": ready}
        try:
            m = guest.wait_marker(("UI",), 60, start=m.end())
            out["ui_start_s"] = guest.elapsed()
            # the installer's first screen: the text UI's first drawing after "UI start"
            guest.wait_for(r"[^\s]{3}", 120, start=m.end())
            out["first_screen_s"] = guest.elapsed()
        except GuestError:
            pass
        return out


def min_memory(medium: Medium, workdir: Path, candidates: list[int]) -> tuple[int | None, dict]:
    answers = REPO / "tests" / "vm" / "answers" / "core-luks.yaml"
    tried: dict[int, str] = {}
    best: int | None = None
    for mem in sorted(candidates, reverse=True):
        d = workdir / f"mem{mem}"
        d.mkdir()
        try:
            r = scenarios.install(medium, d, answers, memory=mem, timeout=1800, name=f"m{mem}")
            tried[mem] = f"{r.marker} {r.detail}"
            ok = r.ok
        except GuestError as exc:
            tried[mem] = f"failed: {str(exc).splitlines()[0]}"
            ok = False
        for p in d.glob("*.qcow2"):
            p.unlink()
        print(f"  -m {mem}: {tried[mem]}", flush=True)
        if not ok:
            break
        best = mem
    return best, tried


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--firmware", nargs="+", default=["uefi"], choices=["uefi", "bios"])
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--memory", type=int, default=1024)
    ap.add_argument("--no-boot", action="store_true")
    ap.add_argument("--min-mem", action="store_true")
    ap.add_argument("--mem-candidates", type=int, nargs="+", default=[1024, 768, 512, 448, 384])
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args(argv)

    medium = Medium.load()
    result: dict[str, object] = {"sizes": sizes(medium)}
    s = result["sizes"]
    assert isinstance(s, dict)
    print(f"ISO: {s['iso_MB']:.0f} MB  (repo {s['repo_MB']:.0f} MB)")
    print(
        f"live system: {s['live_system_MB']:.0f} MB = squashfs {s['live_squashfs_MB']:.0f} MB "
        f"+ initrd {s['initrd_MB']:.0f} MB + kernel {s['kernel_MB']:.0f} MB "
        f"({100 * s['live_share_of_iso']:.0f}% of the ISO; live root raw "
        f"{s['live_root_raw_MB']:.0f} MB; target: live root <= 200 MB compressed)"
    )
    work = Path(tempfile.mkdtemp(prefix="iso-bench-", dir=REPO / "build"))
    try:
        if not args.no_boot:
            boots: list[dict[str, object]] = []
            for fw in args.firmware:
                for i in range(args.runs):
                    t = boot_time(medium, fw, args.memory, work / f"{fw}{i}")
                    boots.append({"firmware": fw, **t})
                    line = ", ".join(f"{k} {v:.1f}" for k, v in t.items())
                    print(f"boot {fw} #{i + 1} (-m {args.memory}, 1 vCPU, TCG): {line}", flush=True)
            result["boots"] = boots
            print("target: QEMU start -> installer's first screen on ttyS0 <= 60 s")
        if args.min_mem:
            best, tried = min_memory(medium, work, args.mem_candidates)
            result["min_memory_mib"] = best
            result["memory_tries"] = tried
            print(f"smallest -m for the encrypted core install: {best} MiB (target <= 512)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
