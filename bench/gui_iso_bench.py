#!/usr/bin/env python3
"""Graphical medium benchmark: what the graphical stack adds to the ISO, and the smallest memory.

    python bench/gui_iso_bench.py                         # sizes only (from the built layers)
    python bench/gui_iso_bench.py --alternatives          # + what cage or an X server would add (apt, root)
    python bench/gui_iso_bench.py --memory 768 512 384    # + boot the graphical entry at each -m
    python bench/gui_iso_bench.py --install 512           # + walk the pages and install at each -m

Targets (issue 10): the graphical stack adds at most 60 MB compressed to the ISO; the first page
of the graphical installer is reached with at most 768 MiB.

Sizes are side by side with the baseline (the same ISO without the GUI layer, i.e. the text
installer's medium) and with the untrimmed PySide6-Essentials wheel. The memory probe boots
the ISO through GRUB's "Install Azure Linux (graphical)" entry (UEFI, TCG, 1 vCPU) for each
``-m`` from the largest down and stops at the first one that does not reach the welcome page.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.vm.qemu import GuestError, Medium  # noqa: E402
from tests.vm.test_graphical import medium_with_gui  # noqa: E402

MB = 1_000_000
TARGET_MB, TARGET_MIB = 60.0, 768


def cache_root() -> Path:
    """iso/build.py's cache directory (loaded by path: ``build`` is also the output directory)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("azl_iso_build", REPO / "iso" / "build.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return Path(mod.cache_root())


def gui_layer_info(medium: Medium) -> dict[str, object]:
    key = str(medium.info.get("gui_key", ""))
    path = cache_root() / f"gui-{key}" / "gui-info.json"
    return dict(json.loads(path.read_text())) if path.exists() else {}


def sizes(medium: Medium) -> dict[str, float]:
    info = medium.info
    gui = float(info.get("gui_bytes", 0) or 0)  # type: ignore[arg-type]
    iso = float(info["iso_bytes"])  # type: ignore[arg-type]
    layer = gui_layer_info(medium)
    return {
        "gui_layer_compressed_MB": gui / MB,
        "gui_layer_raw_MB": float(layer.get("raw_bytes", 0)) / MB,  # type: ignore[arg-type]
        "wheels_raw_MB": float(layer.get("wheel_bytes", 0)) / MB,  # type: ignore[arg-type]
        "wheels_kept_raw_MB": float(layer.get("kept_bytes", 0)) / MB,  # type: ignore[arg-type]
        "iso_MB": iso / MB,
        "iso_without_gui_MB": (iso - gui) / MB,
        "live_squashfs_MB": float(info["squashfs_bytes"]) / MB,  # type: ignore[arg-type]
        "repo_MB": float(info.get("repo_bytes", 0) or 0) / MB,  # type: ignore[arg-type]
    }


ALTERNATIVES = {
    "linuxfb (chosen)": [],
    "cage (Wayland kiosk) + Qt wayland": ["cage", "libwayland-client0", "libwayland-cursor0", "libwayland-egl1"],
    "Xorg fbdev + xinit (Qt xcb)": [
        "xserver-xorg-core", "xserver-xorg-video-fbdev", "xserver-xorg-input-libinput", "xinit",
        "libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "libxkbcommon-x11-0",
    ],
    "Xvnc (tigervnc) for VNC": ["tigervnc-standalone-server"],
}  # fmt: skip


def alternatives(os_root: Path) -> dict[str, float]:
    """Installed size (MB) apt would add to the live root for each alternative (simulated in an overlay)."""
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="gui-alt-", dir="/var/tmp") as tmp:
        t = Path(tmp)
        for d in ("upper", "work", "merged"):
            (t / d).mkdir()
        merged = t / "merged"
        subprocess.run(["mount", "-t", "overlay", "overlay", "-o",
                        f"lowerdir={os_root},upperdir={t / 'upper'},workdir={t / 'work'}", str(merged)],
                       check=True)  # fmt: skip
        try:
            for name, pkgs in ALTERNATIVES.items():
                if not pkgs:
                    out[name] = 0.0
                    continue
                sim = subprocess.run(
                    ["chroot", str(merged), "apt-get", "install", "-s", "--no-install-recommends", *pkgs],
                    capture_output=True, text=True, check=False,
                ).stdout  # fmt: skip
                new = sorted(set(re.findall(r"^Inst (\S+)", sim, re.M)))
                show = subprocess.run(
                    ["chroot", str(merged), "apt-cache", "show", "--no-all-versions", *new],
                    capture_output=True, text=True, check=False,
                ).stdout  # fmt: skip
                kib = sum(int(v) for v in re.findall(r"^Installed-Size: (\d+)", show, re.M))
                out[name] = kib * 1024 / MB
        finally:
            subprocess.run(["umount", "-l", str(merged)], check=False)
    return out


def first_page(medium: Medium, memory: int, workdir: Path, timeout: float) -> dict[str, object]:
    from tests.vm.qemu import blank_disk
    from tests.vm.test_graphical import boot_graphical

    d = workdir / f"m{memory}"
    d.mkdir(parents=True, exist_ok=True)
    disk = blank_disk(d / "disk0.qcow2", "10G")
    guest = boot_graphical(d, medium, memory, [disk])
    try:
        pattern = r"AZL-INSTALLER: GUI page=welcome mem_available_mib=(-?\d+)|AZL-INSTALLER: GUI (unavailable|exit)"
        m = guest.wait_for(pattern, timeout)
        if m.group(1) is None:
            return {"memory_mib": memory, "reached": False, "why": m.group(0)}
        return {"memory_mib": memory, "reached": True, "seconds": round(guest.elapsed(), 1),
                "mem_available_mib": int(m.group(1))}  # fmt: skip
    except GuestError as exc:
        return {"memory_mib": memory, "reached": False, "why": str(exc).splitlines()[0]}
    finally:
        guest.stop()
        disk.unlink(missing_ok=True)


def install_at(medium: Medium, memory: int, workdir: Path) -> dict[str, object]:
    """Boot at ``-m memory``, walk every page with QMP keys and run the encrypted core install;
    the outcome the GUI reports and the smallest MemAvailable on any page."""
    from tests.vm.qemu import blank_disk
    from tests.vm.test_graphical import boot_graphical, walk_installer

    d = workdir / f"install-m{memory}"
    d.mkdir(parents=True, exist_ok=True)
    disk = blank_disk(d / "disk0.qcow2", "10G")
    try:
        guest = boot_graphical(d, medium, memory, [disk])
        try:
            walk = walk_installer(guest, d / "screens", install=True)
            avail = [int(v) for v in re.findall(r"GUI page=\S+ mem_available_mib=(-?\d+)", guest.text)]
            return {"memory_mib": memory, "installed": walk.outcome == "finished", "outcome": walk.outcome,
                    "seconds": round(guest.elapsed(), 1), "min_mem_available_mib": min(avail) if avail else None}
        finally:
            guest.stop()
    except (GuestError, AssertionError) as exc:
        return {"memory_mib": memory, "installed": False, "why": str(exc).splitlines()[0] if str(exc) else "?"}
    finally:
        disk.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--info", type=Path, help="iso-info.json (default: build/, else build/gui/)")
    ap.add_argument("--alternatives", action="store_true")
    ap.add_argument("--memory", type=int, nargs="*", default=[])
    ap.add_argument("--install", type=int, nargs="*", default=[], metavar="MIB",
                    help="walk the pages and run the encrypted core install at each -m (largest first)")
    ap.add_argument("--timeout", type=float, default=900.0)
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args(argv)
    medium = Medium.load(args.info) if args.info else medium_with_gui()
    result: dict[str, object] = {"sizes": sizes(medium)}
    s = result["sizes"]
    assert isinstance(s, dict)
    print("== size: the graphical stack on the ISO (MB = 10^6 bytes)")
    print(f"  GUI layer (squashfs, zstd-19)   {s['gui_layer_compressed_MB']:8.1f} MB   target <= {TARGET_MB:.0f} MB: "
          f"{'ok' if s['gui_layer_compressed_MB'] <= TARGET_MB else 'OVER'}")  # fmt: skip
    print(f"  GUI layer raw                   {s['gui_layer_raw_MB']:8.1f} MB")
    print(f"  PySide6 wheels raw: whole / kept {s['wheels_raw_MB']:7.1f} / {s['wheels_kept_raw_MB']:.1f} MB "
          f"({s['wheels_kept_raw_MB'] / max(s['wheels_raw_MB'], 1e-9):.0%} kept)")  # fmt: skip
    print(
        f"  ISO with / without the GUI layer {s['iso_MB']:7.1f} / {s['iso_without_gui_MB']:.1f} MB "
        f"(+{s['gui_layer_compressed_MB'] / max(s['iso_without_gui_MB'], 1e-9):.1%}; repo on it: {s['repo_MB']:.0f} MB)"
    )
    if args.alternatives:
        os_dirs = sorted(cache_root().glob("os-*/.done"), key=lambda p: p.stat().st_mtime)
        alt = alternatives(os_dirs[-1].parent / "root")
        result["alternatives_installed_MB"] = alt
        print("== what a display stack adds to the live root (apt Installed-Size, before compression)")
        for name, mb in alt.items():
            print(f"  {name:36s} {mb:8.1f} MB")
    if args.memory:
        rows = []
        with tempfile.TemporaryDirectory(prefix="gui-mem-", dir=REPO / "build") as tmp:
            for mem in sorted(args.memory, reverse=True):
                row = first_page(medium, mem, Path(tmp), args.timeout)
                rows.append(row)
                print(f"== -m {mem}: {json.dumps(row)}", flush=True)
                if not row["reached"]:
                    break
        result["memory"] = rows
        ok = [int(r["memory_mib"]) for r in rows if r["reached"]]  # type: ignore[call-overload]
        smallest = min(ok) if ok else None
        result["smallest_memory_mib"] = smallest
        print(f"== smallest -m tried that reaches the first page: {smallest} MiB (target <= {TARGET_MIB})")
    if args.install:
        rows = []
        with tempfile.TemporaryDirectory(prefix="gui-inst-", dir=REPO / "build") as tmp:
            for mem in sorted(args.install, reverse=True):
                row = install_at(medium, mem, Path(tmp))
                rows.append(row)
                print(f"== install at -m {mem}: {json.dumps(row)}", flush=True)
                if not row["installed"]:
                    break
        result["install"] = rows
        done = [int(r["memory_mib"]) for r in rows if r["installed"]]  # type: ignore[call-overload]
        print(f"== smallest -m tried that completes an encrypted install: {min(done) if done else None} MiB "
              f"(target <= {TARGET_MIB})")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    shutil.rmtree(REPO / "build" / "__pycache__", ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
