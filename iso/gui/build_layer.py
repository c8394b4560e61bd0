#!/usr/bin/env python3
"""Build the GUI layer of the installer medium: ``gui-<hash>/gui.squashfs``.

The layer holds what the graphical installer needs and the live root lacks, so choosing the
text installer never pays for it and changing it never rebuilds the OS or live layers:

* ``site/``       PySide6-Essentials and shiboken6 (py3.13 abi3 wheels) trimmed by keep.txt to
                  QtCore/QtGui/QtWidgets/QtDBus and the linuxfb, vnc and evdev plugins;
* ``lib/``        the Debian 13 shared libraries Qt links and the live root lacks (debs.txt),
                  resolved by installing them into an overlay of the OS layer's root;
* ``fonts/``      DejaVu, with ``fonts.conf`` pointing fontconfig at it.

On the ISO it is ``/azl/gui.squashfs``; installer/medium/graphical.py mounts it at /run/azl-gui
when ``inst.graphical`` or ``inst.vnc`` is given. iso/build.py calls :func:`build_gui` after
the OS layer; ``python3 iso/gui/build_layer.py`` builds it alone (for the newest OS layer).
"""

from __future__ import annotations

import fnmatch
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ISO = HERE.parent
if str(ISO) not in sys.path:
    sys.path.insert(0, str(ISO))

import build as isobuild  # noqa: E402  (iso/build.py: stage(), digest(), run())

PYSIDE_VERSION = "6.12.0"
"""The PySide6-Essentials release on the medium (the same as the dev extras resolve to here)."""
WHEELS = [f"PySide6-Essentials=={PYSIDE_VERSION}", f"shiboken6=={PYSIDE_VERSION}"]
ARCH_LIBDIR = "usr/lib/x86_64-linux-gnu"
FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <dir>/run/azl-gui/fonts</dir>
  <cachedir>/tmp/azl-fontconfig</cachedir>
  <alias><family>sans-serif</family><prefer><family>DejaVu Sans</family></prefer></alias>
  <alias><family>monospace</family><prefer><family>DejaVu Sans Mono</family></prefer></alias>
</fontconfig>
"""


def patterns() -> list[str]:
    return [ln.strip() for ln in (HERE / "keep.txt").read_text().splitlines() if ln.strip() and not ln.startswith("#")]


def debs() -> tuple[list[str], list[str]]:
    """(packages installed with their dependencies, packages unpacked alone)."""
    names = [ln.split("#")[0].strip() for ln in (HERE / "debs.txt").read_text().splitlines()]
    names = [n for n in names if n]
    return [n for n in names if not n.startswith("!")], [n[1:] for n in names if n.startswith("!")]


def kept(name: str, pats: list[str]) -> bool:
    return not name.endswith("/") and any(fnmatch.fnmatch(name, p) for p in pats)


def fetch_wheels(dest: Path) -> list[Path]:
    dest.mkdir(parents=True, exist_ok=True)
    # Qt 6.10+ wheels are manylinux_2_34 (trixie has glibc 2.41)
    plats = [a for p in ("manylinux_2_34_x86_64", "manylinux_2_39_x86_64") for a in ("--platform", p)]
    isobuild.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", *isobuild.PIP_TARGET, *plats,
                  "-d", str(dest), *WHEELS])  # fmt: skip
    return sorted(dest.glob("*.whl"))


def unpack(wheels: list[Path], site: Path) -> dict[str, int]:
    pats = patterns()
    stats = {"wheel_files": 0, "kept_files": 0, "wheel_bytes": 0, "kept_bytes": 0}
    for whl in wheels:
        with zipfile.ZipFile(whl) as z:
            for info in z.infolist():
                stats["wheel_files"] += 1
                stats["wheel_bytes"] += info.file_size
                if not kept(info.filename, pats):
                    continue
                target = site / info.filename
                target.parent.mkdir(parents=True, exist_ok=True)
                with z.open(info) as src, target.open("wb") as out:
                    shutil.copyfileobj(src, out)
                if info.filename.endswith(".so") or ".so." in info.filename:
                    target.chmod(0o755)
                stats["kept_files"] += 1
                stats["kept_bytes"] += info.file_size
    return stats


def system_libs(os_root: Path, work: Path, lib: Path, fonts: Path) -> list[str]:
    """Install debs.txt into an overlay of the OS root; copy the new libraries and fonts out."""
    with_deps, alone = debs()
    upper, wdir, merged = work / "upper", work / "work", work / "merged"
    for d in (upper, wdir, merged):
        d.mkdir(parents=True, exist_ok=True)
    mounts: list[Path] = []
    try:
        isobuild.run(["mount", "-t", "overlay", "overlay", "-o",
                      f"lowerdir={os_root},upperdir={upper},workdir={wdir}", str(merged)])  # fmt: skip
        mounts.append(merged)
        for sub in ("proc", "sys", "dev"):
            isobuild.run(["mount", "--bind", f"/{sub}", str(merged / sub)])
            mounts.append(merged / sub)
        shutil.copy2("/etc/resolv.conf", merged / "etc" / "resolv.conf")
        env = {"DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
        isobuild.run(["chroot", str(merged), "apt-get", "update", "-qq"], env=env)
        isobuild.run(["chroot", str(merged), "apt-get", "install", "-y", "-qq", "--no-install-recommends",
                      *with_deps], env=env)  # fmt: skip
        isobuild.run(["chroot", str(merged), "sh", "-c",
                      "cd /tmp && apt-get download -qq " + " ".join(alone)
                      + " && for d in /tmp/*.deb; do dpkg -x \"$d\" /; done && rm -f /tmp/*.deb"],
                     env=env)  # fmt: skip
    finally:
        for m in reversed(mounts):
            subprocess.run(["umount", "-l", str(m)], check=False)
    added: list[str] = []
    new_libs = upper / ARCH_LIBDIR
    lib.mkdir(parents=True, exist_ok=True)
    for path in sorted(new_libs.glob("*.so*")) if new_libs.is_dir() else []:
        if path.is_symlink() or path.is_file():
            dest = lib / path.name
            if path.is_symlink():
                dest.symlink_to(Path(path.readlink()).name)
            else:
                shutil.copy2(path, dest)
            added.append(path.name)
    src_fonts = upper / "usr/share/fonts/truetype/dejavu"
    fonts.mkdir(parents=True, exist_ok=True)
    for ttf in sorted(src_fonts.glob("*.ttf")) if src_fonts.is_dir() else []:
        shutil.copy2(ttf, fonts / ttf.name)
    isobuild.run(["rm", "-rf", "--one-file-system", str(work)])
    return added


def needed(path: Path) -> list[str]:
    out = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True, check=False).stdout
    return [ln.split("[", 1)[1].rstrip("]") for ln in out.splitlines() if "(NEEDED)" in ln]


def unresolved(tree: Path, os_root: Path) -> dict[str, list[str]]:
    """NEEDED entries of the layer's ELF files that neither the layer nor the live root provides."""
    have = {p.name for p in (os_root / ARCH_LIBDIR).glob("*.so*")}
    have |= {p.name for p in (os_root / "usr/lib64").glob("*.so*")} | {"ld-linux-x86-64.so.2"}
    have |= {p.name for p in tree.rglob("*.so*")}
    missing: dict[str, list[str]] = {}
    for elf in sorted(tree.rglob("*.so*")):
        if elf.is_symlink() or not elf.is_file():
            continue
        lost = [n for n in needed(elf) if n not in have]
        if lost:
            missing[str(elf.relative_to(tree))] = lost
    return missing


def build_gui(os_dir: Path, os_key: str) -> tuple[Path, str]:
    """The cached GUI layer for this OS layer: (stage dir with gui.squashfs, key)."""
    # bump gui-vN when this file changes what the layer holds (its own edits do not rebuild it)
    key = isobuild.digest(["gui-v1", os_key, *WHEELS, HERE / "keep.txt", HERE / "debs.txt"])
    with isobuild.stage("gui", key) as (out, done):
        if not done:
            tree = out / "tree"
            stats = unpack(fetch_wheels(out / "wheels"), tree / "site")
            libs = system_libs(os_dir / "root", out / "overlay", tree / "lib", tree / "fonts")
            (tree / "fonts.conf").write_text(FONTS_CONF)
            missing = unresolved(tree, os_dir / "root")
            if missing:
                isobuild.log(f"gui: unresolved libraries: {missing}")
            raw = sum(p.stat().st_size for p in tree.rglob("*") if p.is_file() and not p.is_symlink())
            isobuild.run(["mksquashfs", str(tree), str(out / "gui.squashfs"), "-comp", "zstd",
                          "-Xcompression-level", "19", "-b", "1M", "-noappend", "-quiet",
                          "-processors", "2", "-all-root"])  # fmt: skip
            info = {
                **stats,
                "raw_bytes": raw,
                "squashfs_bytes": (out / "gui.squashfs").stat().st_size,
                "debian_libs": libs,
                "unresolved": missing,
                "pyside": PYSIDE_VERSION,
            }
            (out / "gui-info.json").write_text(json.dumps(info, indent=2) + "\n")
            isobuild.run(["rm", "-rf", "--one-file-system", str(tree), str(out / "wheels")])
    return isobuild.stage_dir("gui", key), key


def main() -> int:
    wheels, wheels_key = isobuild.build_wheels()
    os_dir, os_key = isobuild.build_os(wheels, wheels_key)  # cached: only hashes when up to date
    gui, key = build_gui(os_dir, os_key)
    print(json.dumps({"dir": str(gui), "key": key, **json.loads((gui / "gui-info.json").read_text())}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
