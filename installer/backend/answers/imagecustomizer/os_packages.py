"""Image Customizer ``os.packages`` -> InstallConfig packages.

The Image Customizer changes a base image, an Azure Linux core image with its ``kernel``; an
installer starts from nothing, so the base is the core set. ``install``/``installLists`` add
packages, ``remove``/``removeLists`` leave them out (removed first, then installed, as the Image
Customizer does: a name in both is installed; removing ``kernel`` and installing another
flavour such as kernel-hwe picks that kernel), ``update``/``updateLists``/
``updateExistingPackages`` are what installing from the repository does anyway (the newest
versions). List files are YAML or JSON ``{packages: [...]}`` next to the config. snapshotTime
and removePackageManager (preview features) are refused.
"""

from __future__ import annotations

from typing import Any

import yaml

from installer.backend.answers import yaml_bounded
from installer.backend.answers.imagecustomizer.common import Ic, Path_
from installer.backend.config_packages import PACKAGE_NAME
from installer.backend.payload.sets import is_kernel

PACKAGES_KEYS = {"updateExistingPackages", "installLists", "install", "removeLists", "remove", "updateLists",
                 "update", "snapshotTime", "removePackageManager"}
BASE_KERNEL = "kernel"


def _names(ic: Ic, pk: dict[str, Any], key: str, lists_key: str, pp: Path_) -> list[str]:
    out: list[str] = []
    for i, name in enumerate(ic.strings(pk, key, pp)):
        if PACKAGE_NAME.fullmatch(name):
            out.append(name)
        else:
            ic.err((*pp, key, i), f"'{name}' is not a package name")
    for li, rel in enumerate(ic.strings(pk, lists_key, pp)):
        lp: Path_ = (*pp, lists_key, li)
        raw = ic.read(rel, lp, "package list")
        if raw is None:
            continue
        try:
            doc = yaml_bounded.load(raw.decode("utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            ic.err(lp, f"package list {rel} is not YAML/JSON: {getattr(exc, 'problem', None) or exc}")
            continue
        pkgs = doc.get("packages") if isinstance(doc, dict) and set(doc) <= {"packages"} else None
        if not isinstance(pkgs, list) or not all(isinstance(x, str) and PACKAGE_NAME.fullmatch(x) for x in pkgs):
            ic.err(lp, f"package list {rel} is not {{packages: [names]}}")
            continue
        out += pkgs
    return list(dict.fromkeys(out))


def map_packages(ic: Ic, os_in: dict[str, Any]) -> None:
    pp: Path_ = ("os", "packages")
    pk_in = ic.obj(os_in.get("packages"), PACKAGES_KEYS, pp) or {}
    install = _names(ic, pk_in, "install", "installLists", pp)
    remove = _names(ic, pk_in, "remove", "removeLists", pp)
    _names(ic, pk_in, "update", "updateLists", pp)  # read and checked: the newest versions are installed anyway
    if pk_in.get("updateExistingPackages") not in (None, True, False):
        ic.err((*pp, "updateExistingPackages"), "must be true or false")
    for key, why in (("snapshotTime", "installing packages as of a past time (a preview feature)"),
                     ("removePackageManager", "removing the package manager (a preview feature)")):
        if pk_in.get(key) not in (None, "", False):
            ic.err((*pp, key), f"{why} is not supported by azl-installer")
    # the Image Customizer removes first, then installs: a package in both ends up installed
    remove = [n for n in remove if n not in install]
    kernels = [n for n in install if is_kernel(n)]
    pk = ic.b.section("packages")
    pk["set"] = "core"
    if BASE_KERNEL in remove:
        if not kernels:
            ic.err((*pp, "remove"), "removing the base image's kernel needs another kernel in install "
                                    "(kernel-hwe, kernel-64k, ...)")
        else:
            pk["kernel"] = kernels[0]
            install = [n for n in install if n != kernels[0]]
            remove = [n for n in remove if n != BASE_KERNEL]
    else:
        pk["kernel"] = BASE_KERNEL
    if install:
        pk["extra"] = install
    if remove:
        pk["exclude"] = remove
    ic.mark(("packages",), pp)
