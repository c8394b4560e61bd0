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
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.vm import scenarios  # noqa: E402
from tests.vm.qemu import Guest, GuestError, GuestSpec, Medium, live_append  # noqa: E402

MB = 1_000_000
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(guest: Guest) -> float:
    """User+system CPU seconds of the QEMU process so far (under TCG: close to an idle host's wall time)."""
    if guest.proc is None:
        return float("nan")
    try:
        fields = Path(f"/proc/{guest.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime (fields 14 and 15 of stat)


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


def boot_time(
    medium: Medium, firmware: str, memory: int, workdir: Path, report: bool = False, extra: str = ""
) -> dict[str, float]:
    """QEMU start -> READY marker and -> the text UI's first output on the serial console.

    Wall seconds (``*_s``) and the QEMU process's CPU seconds (``*_cpu``). With ``report`` the
    guest is booted directly (``-kernel``, no GRUB menu) with ``azl.bootreport``, and the
    launcher prints systemd-analyze's figures on the serial console (printed here too).
    """
    spec = GuestSpec(firmware=firmware, memory=memory, cdrom=medium.iso)
    if report:
        spec.kernel, spec.initrd = medium.kernel, medium.initrd
        spec.append = live_append(medium, "inst.text", "azl.bootreport", extra)
    with Guest(spec, workdir, f"boot-{firmware}") as guest:
        out: dict[str, float] = {}
        start = 0
        if not report:
            m = guest.wait_for(r"Install Azure Linux \(text mode on the serial console", 300)
            out["grub_menu_s"], out["grub_menu_cpu"] = guest.elapsed(), cpu_seconds(guest)
            # the third entry (text UI on ttyS0): two times Ctrl-N (GRUB's "next entry"; one byte, so
            # it cannot be split like an arrow key's escape sequence on a loaded host), then Enter
            time.sleep(1.0)
            for key in ("\x0e", "\x0e", "\r"):
                guest.send(key)
                time.sleep(0.5)
            start = m.end()
        m = guest.wait_marker(("READY",), 600, start=start)
        out["ready_s"], out["ready_cpu"] = guest.elapsed(), cpu_seconds(guest)
        try:
            m = guest.wait_marker(("UI",), 60, start=m.end())
            out["ui_start_s"], out["ui_start_cpu"] = guest.elapsed(), cpu_seconds(guest)
            # the installer's first screen: the text UI's first drawing after "UI start"
            guest.wait_for(r"[^\s]{3}", 120, start=m.end())
            out["first_screen_s"], out["first_screen_cpu"] = guest.elapsed(), cpu_seconds(guest)
        except GuestError:
            pass
        if report:
            try:
                r = guest.wait_for(r"--- boot report(.*?)--- end of boot report", 240, start=start)
                text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", r.group(1))
                print("\n".join(line.rstrip() for line in text.splitlines() if line.strip()), flush=True)
            except GuestError:
                print("(no boot report on the serial console)", flush=True)
            shutil.copyfile(guest.log_path, REPO / "build" / "iso-bench-boot-report.serial.log")
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
        for log in d.glob("*.serial.log"):
            text = log.read_text(errors="replace")
            for line in re.findall(r"Step durations: [^\r\n]*|Out of memory[^\r\n]*|oom-kill[^\r\n]*", text)[:5]:
                print(f"    {line}", flush=True)
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
    ap.add_argument("--iso-info", type=Path, default=REPO / "build" / "iso-info.json", help="the ISO to measure")
    ap.add_argument(
        "--boot-report",
        action="store_true",
        help="boot the kernel directly with azl.bootreport and print systemd-analyze's figures",
    )
    ap.add_argument(
        "--append", default="", help="with --boot-report: more kernel arguments (e.g. systemd.log_level=debug)"
    )
    args = ap.parse_args(argv)

    medium = Medium.load(args.iso_info)
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
                    t = boot_time(
                        medium, fw, args.memory, work / f"{fw}{i}", report=args.boot_report, extra=args.append
                    )
                    boots.append({"firmware": fw, **t})
                    pairs = [k[:-2] for k in t if k.endswith("_s")]
                    line = ", ".join(
                        f"{k} {t[k + '_s']:.1f} s wall / {t.get(k + '_cpu', float('nan')):.1f} s CPU" for k in pairs
                    )
                    how = "direct kernel, azl.bootreport" if args.boot_report else "GRUB serial entry"
                    print(f"boot {fw} #{i + 1} ({how}, -m {args.memory}, 1 vCPU, TCG): {line}", flush=True)
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
