#!/usr/bin/env python3
"""Build the installer medium (``make iso``): a hybrid BIOS+UEFI ISO with a Debian 13 live root.

Layers, each cached under ``$AZL_CACHE/iso`` (default ``/var/cache/azl-installer/iso``) in a
directory named by a hash of its inputs, so a warm ``make iso`` only hashes and links:

1. ``wheels-<h>``  the installer's Python dependencies as py3.13 wheels (pip on the host);
2. ``os-<h>``      debootstrap trixie + iso/packages.txt + the wheels (iso/build-os.sh, ~3 min);
3. ``live-<h>``    iso/rootfs + iso/configure-live.sh -> LiveOS squashfs, vmlinuz, initrd (~3 min);
4. ``layer-<h>``   the installer's own source, byte-compiled for 3.13 (seconds): it sits on the
                   ISO as a plain directory ``/azl/site`` that the live root puts on sys.path, so
                   a source change never rebuilds the live root;
5. ``iso-<h>``     grub-mkrescue over the above, the fixture repository (``/repo``) if
                   build/fixture-repo exists, and iso/grub.cfg.

The result is linked at ``build/azl-installer.iso``; ``build/iso-info.json`` lists the sizes.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterable, Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
LABEL = "AZL_INSTALLER"
LIVE_ARGS = (
    f"root=live:CDLABEL={LABEL} rd.live.image rd.live.overlay.overlayfs=1 "
    "quiet loglevel=3 rd.udev.log_level=3 udev.log_level=3 systemd.show_status=false "
    "modprobe.blacklist=bochs,pcspkr,iTCO_wdt,kvm_amd,kvm_intel,floppy "
    "lsm=landlock,lockdown,yama,integrity,apparmor"
)
"""Kernel arguments of every boot entry (grub.cfg's @LIVE_ARGS@; the harness's direct boot).

``lsm=`` is Debian's default list without ``bpf``: with the BPF LSM active, systemd (PID 1) loads
its restrict-filesystems BPF program at start-up, which under emulation kept PID 1 in the kernel
for tens of seconds (soft-lockup warnings) right after the switch to the live root."""
EXTRA_WHEELS = ["blivet", "dasbus", "packaging"]
"""Dependencies of the blivet storage engine on the medium (libblockdev comes from Debian)."""
PIP_TARGET = [
    "--only-binary=:all:",
    "--python-version", "3.13",
    "--implementation", "cp",
    "--platform", "manylinux2014_x86_64",
    "--platform", "manylinux_2_17_x86_64",
    "--platform", "manylinux_2_28_x86_64",
    "--platform", "any",
]  # fmt: skip
LAYER_SKIP = {"__pycache__", ".mypy_cache", ".pytest_cache"}


def log(msg: str) -> None:
    print(f"iso: {msg}", file=sys.stderr, flush=True)


def cache_root() -> Path:
    return Path(os.environ.get("AZL_CACHE", "/var/cache/azl-installer")) / "iso"


def run(argv: list[str], **kw: object) -> None:
    log("$ " + " ".join(argv))
    subprocess.run(argv, check=True, **kw)  # type: ignore[call-overload]


def files_under(top: Path) -> Iterator[Path]:
    for path in sorted(top.rglob("*")):
        if any(part in LAYER_SKIP for part in path.relative_to(top).parts):
            continue
        if path.is_file() and not path.name.endswith((".pyc", ".pyo")):
            yield path


def digest(parts: Iterable[str | bytes | Path]) -> str:
    h = hashlib.sha256()
    for part in parts:
        if isinstance(part, Path):
            h.update(str(part.relative_to(REPO) if part.is_relative_to(REPO) else part).encode())
            h.update(b"\0")
            if part.is_file():
                h.update(part.read_bytes())
                h.update(b"x" if os.access(part, os.X_OK) else b"-")
        elif isinstance(part, str):
            h.update(part.encode())
        else:
            h.update(part)
        h.update(b"\0")
    return h.hexdigest()[:16]


def stage_dir(name: str, key: str) -> Path:
    return cache_root() / f"{name}-{key}"


@contextlib.contextmanager
def stage(name: str, key: str) -> Iterator[tuple[Path, bool]]:
    """Yield (final dir, done). When not done, the body fills a temp dir that becomes final."""
    final = stage_dir(name, key)
    if (final / ".done").exists():
        yield final, True
        return
    tmp = cache_root() / f".{name}-{key}.tmp"
    if tmp.exists():
        run(["rm", "-rf", "--one-file-system", str(tmp)])
    tmp.mkdir(parents=True)
    t0 = time.monotonic()
    yield tmp, False
    (tmp / ".done").write_text(f"{time.monotonic() - t0:.1f}\n")
    if final.exists():
        run(["rm", "-rf", "--one-file-system", str(final)])
    tmp.rename(final)
    log(f"{name} built in {time.monotonic() - t0:.0f} s: {final}")


def requirements() -> list[str]:
    data = tomllib.loads((REPO / "pyproject.toml").read_text())
    deps: list[str] = list(data["project"]["dependencies"])
    return deps + EXTRA_WHEELS


def build_wheels() -> tuple[Path, str]:
    reqs = requirements()
    key = digest(["wheels-v1", *reqs])
    with stage("wheels", key) as (out, done):
        if not done:
            pip = [sys.executable, "-m", "pip"]
            for req in reqs:
                got = subprocess.run(
                    [*pip, "download", "-q", "--no-deps", *PIP_TARGET, "-d", str(out), req],
                    check=False,
                )
                if got.returncode != 0:
                    # no wheel on the index (pure-Python sdist only): build one here
                    run([*pip, "wheel", "-q", "--no-deps", "-w", str(out), req])
            (out / "requirements.txt").write_text("\n".join(reqs) + "\n")
            run([*pip, "download", "-q", *PIP_TARGET, "--find-links", str(out), "-d", str(out),
                 "-r", str(out / "requirements.txt")])  # fmt: skip
    return stage_dir("wheels", key), key


def build_os(wheels: Path, wheels_key: str) -> tuple[Path, str]:
    key = digest(["os-v1", wheels_key, HERE / "build-os.sh", HERE / "packages.txt"])
    with stage("os", key) as (out, done):
        if not done:
            run(["bash", str(HERE / "build-os.sh"), str(out / "root"), str(wheels)])
    return stage_dir("os", key), key


def build_live(os_dir: Path, os_key: str) -> tuple[Path, str]:
    inputs: list[str | Path] = ["live-v1", os_key, HERE / "configure-live.sh"]
    inputs += list(files_under(HERE / "rootfs"))
    key = digest(inputs)
    with stage("live", key) as (out, done):
        if not done:
            root = out / "root"
            run(["cp", "-a", str(os_dir / "root"), str(root)])
            run(["bash", str(HERE / "configure-live.sh"), str(root), str(out)])
            raw = subprocess.run(
                ["du", "-sb", "--one-file-system", str(root)],
                check=True, capture_output=True, text=True,
            ).stdout.split()[0]  # fmt: skip
            (out / "root-bytes").write_text(raw + "\n")
            run(["mksquashfs", str(root), str(out / "squashfs.img"), "-comp", "zstd",
                 "-Xcompression-level", "19", "-b", "128K", "-noappend", "-quiet",
                 "-processors", "2"])  # fmt: skip
            run(["rm", "-rf", "--one-file-system", str(root)])
    return stage_dir("live", key), key


def layer_python() -> list[str]:
    """An interpreter of the live root's Python version (3.13) to byte-compile with."""
    for cand in ("python3.13", str(Path.home() / ".pyenv/versions/3.13.0/bin/python3.13")):
        exe = shutil.which(cand)
        if exe:
            return [exe]
    return []


def build_layer() -> tuple[Path, str]:
    src = REPO / "installer"
    files = list(files_under(src))
    key = digest(["layer-v1", REPO / "pyproject.toml", *files])
    with stage("layer", key) as (out, done):
        if not done:
            site = out / "site"
            for f in files:
                dest = site / "installer" / f.relative_to(src)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(f, dest)
            meta = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
            dist = site / f"azl_installer-{meta['version']}.dist-info"
            dist.mkdir()
            (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {meta['name']}\nVersion: {meta['version']}\n")
            (dist / "entry_points.txt").write_text("[console_scripts]\nazl-installer = installer.cli.main:main\n")
            (dist / "top_level.txt").write_text("installer\n")
            py = layer_python()
            if py:
                subprocess.run(
                    [*py, "-m", "compileall", "-q", "--invalidation-mode", "unchecked-hash",
                     str(site / "installer")],
                    check=False,
                )  # fmt: skip
            else:
                log("no python3.13 on the host: the layer ships without .pyc files")
    return stage_dir("layer", key), key


def fixture_repo() -> tuple[Path | None, str]:
    link = REPO / "build" / "fixture-repo"
    if not (link / "repodata" / "repomd.xml").is_file():
        return None, "no-repo"
    real = link.resolve()
    return real, digest(["repo", str(real), real / "repodata" / "repomd.xml"])


def link_or_copy(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dest)
    except OSError:
        shutil.copy2(src, dest)


def link_tree(src: Path, dest: Path) -> None:
    for path in sorted(src.rglob("*")):
        target = dest / path.relative_to(src)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif path.is_file() and path.name != ".done":
            link_or_copy(path, target)


def build_iso(
    live: Path, live_key: str, layer: Path, layer_key: str, gui: Path | None = None, gui_key: str = "no-gui"
) -> tuple[Path, str]:
    repo, repo_key = fixture_repo()
    key = digest(["iso-v1", live_key, layer_key, repo_key, HERE / "grub.cfg", Path(__file__), gui_key])
    final = stage_dir("iso", key)
    with stage("iso", key) as (out, done):
        if not done:
            tree = out / "tree"
            link_or_copy(live / "squashfs.img", tree / "LiveOS" / "squashfs.img")
            link_or_copy(live / "vmlinuz", tree / "boot" / "vmlinuz")
            link_or_copy(live / "initrd.img", tree / "boot" / "initrd.img")
            link_tree(layer / "site", tree / "azl" / "site")
            if gui is not None:  # the graphical layer (iso/gui/build_layer.py), mounted only by inst.graphical
                link_or_copy(gui / "gui.squashfs", tree / "azl" / "gui.squashfs")
            if repo is not None:
                link_tree(repo, tree / "repo")
            else:
                log("no fixture repository at build/fixture-repo: the ISO has no /repo")
            grub = (HERE / "grub.cfg").read_text().replace("@LIVE_ARGS@", LIVE_ARGS)
            (tree / "boot" / "grub").mkdir(parents=True, exist_ok=True)
            (tree / "boot" / "grub" / "grub.cfg").write_text(grub)
            (tree / "azl" / "build.json").write_text(
                json.dumps({"live": live_key, "layer": layer_key, "repo": repo_key}) + "\n"
            )
            run(["grub-mkrescue", "-o", str(out / "azl-installer.iso"), str(tree), "--",
                 "-volid", LABEL], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
            info = {
                "iso": str(final / "azl-installer.iso"),
                "label": LABEL,
                "cmdline": LIVE_ARGS,
                "kernel": str(final / "vmlinuz"),
                "initrd": str(final / "initrd.img"),
                "iso_bytes": (out / "azl-installer.iso").stat().st_size,
                "squashfs_bytes": (live / "squashfs.img").stat().st_size,
                "initrd_bytes": (live / "initrd.img").stat().st_size,
                "kernel_bytes": (live / "vmlinuz").stat().st_size,
                "live_root_raw_bytes": int((live / "root-bytes").read_text()),
                "repo_bytes": sum(p.stat().st_size for p in (tree / "repo").rglob("*")
                                  if p.is_file()) if repo else 0,
                "layer_bytes": sum(p.stat().st_size for p in (layer / "site").rglob("*")
                                   if p.is_file()),
                "keys": {"live": live_key, "layer": layer_key, "repo": repo_key},
                "gui_bytes": (gui / "gui.squashfs").stat().st_size if gui is not None else 0,
                "gui_key": gui_key,
                "repo_source": str(repo) if repo else None,
            }  # fmt: skip
            (out / "info.json").write_text(json.dumps(info, indent=2) + "\n")
            run(["rm", "-rf", str(tree)])
            # for direct kernel boot in the harness (the same files as on the ISO)
            link_or_copy(live / "vmlinuz", out / "vmlinuz")
            link_or_copy(live / "initrd.img", out / "initrd.img")
    return stage_dir("iso", key), key


def prune(in_use: set[Path], keep_others: int = 1) -> None:
    """Each source change makes a new layer and ISO (~0.5 GB): keep the ones this build uses and
    the newest other of each kind, delete older ones (the cache would otherwise fill the disk)."""
    root = cache_root()
    for kind in ("wheels", "os", "live", "layer", "gui", "iso"):
        dirs = sorted((d for d in root.glob(f"{kind}-*") if d.is_dir() and d not in in_use),
                      key=lambda d: d.stat().st_mtime, reverse=True)
        for old in dirs[keep_others:]:
            log(f"pruning old cache entry {old.name}")
            shutil.rmtree(old, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=REPO / "build", help="where to link the ISO")
    args = ap.parse_args(argv)
    if os.geteuid() != 0:
        log("building the medium needs root (debootstrap, chroot, mounts)")
        return 1
    cache_root().mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    with (cache_root() / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        wheels, wheels_key = build_wheels()
        os_dir, os_key = build_os(wheels, wheels_key)
        live, live_key = build_live(os_dir, os_key)
        layer, layer_key = build_layer()
        from gui.build_layer import build_gui  # iso/gui/: PySide6 + libraries, its own cached layer

        gui, gui_key = build_gui(os_dir, os_key)
        iso_dir, _ = build_iso(live, live_key, layer, layer_key, gui, gui_key)
        prune({wheels, os_dir, live, layer, gui, iso_dir})
    args.out.mkdir(parents=True, exist_ok=True)
    for name in ("azl-installer.iso", "info.json"):
        dest = args.out / ("iso-info.json" if name == "info.json" else name)
        if dest.is_symlink() or dest.exists():
            dest.unlink()
        dest.symlink_to(iso_dir / name)
    info = json.loads((iso_dir / "info.json").read_text())
    log(
        f"{args.out / 'azl-installer.iso'} -> {iso_dir / 'azl-installer.iso'} "
        f"({info['iso_bytes'] / 2**20:.0f} MiB; live squashfs "
        f"{info['squashfs_bytes'] / 2**20:.0f} MiB) in {time.monotonic() - t0:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
