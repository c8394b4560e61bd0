"""Image Customizer ``os``: hostname, bootloader.resetType, kernelCommandLine.extraCommandLine
(``fips=1`` turns FIPS mode on), selinux.mode, services, modules, imageHistory; overlays and uki
are refused with the reason."""

from __future__ import annotations

import re
import shlex
from typing import Any

from installer.backend.answers.imagecustomizer.common import Ic, Path_

OS_KEYS = {"hostname", "packages", "selinux", "kernelCommandLine", "additionalFiles", "additionalDirs", "groups",
           "users", "services", "modules", "overlays", "bootloader", "uki", "imageHistory"}
SELINUX = {"disabled": "disabled", "enforcing": "enforcing", "permissive": "permissive",
           "force-enforcing": "enforcing"}
_KARG = re.compile(r"^[A-Za-z0-9_.,:=/+@%-]+$")
_MODULE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_OPTION = re.compile(r"^[A-Za-z0-9_.,:=/+@%-]+$")
MODULES_LOAD = "/etc/modules-load.d/modules-load.conf"
MODULES_DISABLED = "/etc/modprobe.d/modules-disabled.conf"
MODULE_OPTIONS = "/etc/modprobe.d/module-options.conf"


def reset_bootloader(ic: Ic, os_in: dict[str, Any]) -> bool:
    bp: Path_ = ("os", "bootloader")
    bl = ic.obj(os_in.get("bootloader"), {"resetType"}, bp) or {}
    reset = bl.get("resetType")
    if reset not in (None, "", "hard-reset"):
        ic.err((*bp, "resetType"), f"'{reset}': use hard-reset")
    return reset == "hard-reset"


def map_system(ic: Ic, os_in: dict[str, Any]) -> None:
    op: Path_ = ("os",)
    system = ic.b.section("system")
    host = os_in.get("hostname")
    if host is not None:
        system["hostname"] = host
        ic.mark(("system", "hostname"), (*op, "hostname"))
    _cmdline(ic, os_in, system)
    sel = ic.obj(os_in.get("selinux"), {"mode"}, (*op, "selinux")) or {}
    mode = sel.get("mode")
    if mode not in (None, ""):
        if mode not in SELINUX:
            ic.err((*op, "selinux", "mode"), f"'{mode}': use disabled, enforcing, permissive or force-enforcing")
        else:
            system["selinux"] = SELINUX[mode]
            ic.mark(("system", "selinux"), (*op, "selinux", "mode"))
            if mode == "force-enforcing":
                bl = ic.b.section("bootloader")
                bl["append"] = " ".join(x for x in (bl.get("append", ""), "enforcing=1") if x)
    svc = ic.obj(os_in.get("services"), {"enable", "disable"}, (*op, "services")) or {}
    services = {k: ic.strings(svc, k, (*op, "services")) for k in ("enable", "disable")}
    both = set(services["enable"]) & set(services["disable"])
    if both:
        ic.err((*op, "services"), f"enabled and disabled at once: {', '.join(sorted(both))}")
    if services["enable"] or services["disable"]:
        system["services"] = {k: v for k, v in services.items() if v}
        ic.mark(("system", "services"), (*op, "services"))
        for k, names in services.items():
            for i in range(len(names)):
                ic.mark(("system", "services", k, i), (*op, "services", k, i))
    _modules(ic, os_in)
    history = os_in.get("imageHistory")
    if history not in (None, "", "none"):
        ic.err((*op, "imageHistory"), f"'{history}': use none (or leave it out)")
    elif history == "":
        ic.warn((*op, "imageHistory"), "the Image Customizer's history file is not written: azl-installer keeps its "
                                       "own install record instead")
    for key, why in (("overlays", "overlay file systems set up in the initramfs are an image feature "
                                  "azl-installer does not have"),
                     ("uki", "unified kernel images (the 'uki' preview feature) are not built by azl-installer")):
        if os_in.get(key) not in (None, [], {}):
            ic.err((*op, key), why)


def _cmdline(ic: Ic, os_in: dict[str, Any], system: dict[str, Any]) -> None:
    kp: Path_ = ("os", "kernelCommandLine")
    kcl = ic.obj(os_in.get("kernelCommandLine"), {"extraCommandLine"}, kp) or {}
    args: list[str] = []
    for i, a in enumerate(ic.get(kcl, "extraCommandLine", list, kp, []) or []):
        ap: Path_ = (*kp, "extraCommandLine", i)
        if not isinstance(a, str) or not a:
            ic.err(ap, "a kernel argument cannot be empty")
        elif not _KARG.match(a):
            ic.err(ap, f"{shlex.quote(a)} is not a plain kernel argument (letters, digits and _.,:=/+@%- only)")
        elif a == "fips=1":  # FIPS mode: the FIPS package set, dracut's module, boot= for a separate /boot
            system["fips"] = True
            ic.mark(("system", "fips"), ap)
        else:
            args.append(a)
    if args:
        bl = ic.b.section("bootloader")
        bl["append"] = " ".join(x for x in (bl.get("append", ""), *args) if x)
        ic.mark(("bootloader", "append"), kp)


def _modules(ic: Ic, os_in: dict[str, Any]) -> None:
    mp: Path_ = ("os", "modules")
    seen: set[str] = set()
    for i, m_raw in enumerate(ic.get(os_in, "modules", list, ("os",), []) or []):
        p: Path_ = (*mp, i)
        m = ic.obj(m_raw, {"name", "loadMode", "options"}, p)
        if m is None:
            continue
        name = m.get("name")
        if not isinstance(name, str) or not _MODULE.match(name):
            ic.err((*p, "name"), f"'{name}' is not a kernel module name")
            continue
        if name in seen:
            ic.err((*p, "name"), f"module {name} is listed twice")
            continue
        seen.add(name)
        mode = m.get("loadMode") or "inherit"
        if mode not in ("always", "auto", "disable", "inherit"):
            ic.err((*p, "loadMode"), f"'{mode}': use always, auto, disable or inherit")
            continue
        disabled = f"/^blacklist {name}$/d"
        if mode in ("always", "auto"):
            ic.post_lines.append((p, f"[ ! -f {MODULES_DISABLED} ] || sed -i '{disabled}' {MODULES_DISABLED}"))
        if mode == "always":
            ic.post_lines.append((p, f"mkdir -p /etc/modules-load.d && grep -qx {name} {MODULES_LOAD} 2>/dev/null "
                                     f"|| echo {name} >> {MODULES_LOAD}"))
        if mode == "disable":
            ic.post_lines.append((p, f"mkdir -p /etc/modprobe.d && grep -qx 'blacklist {name}' {MODULES_DISABLED} "
                                     f"2>/dev/null || echo 'blacklist {name}' >> {MODULES_DISABLED}"))
        opts = m.get("options")
        if opts is None:
            continue
        if not isinstance(opts, dict):
            ic.err((*p, "options"), "must be a mapping of option: value")
            continue
        if mode == "disable":
            ic.err((*p, "options"), f"module {name} is disabled: options cannot be set (the Image Customizer's rule)")
            continue
        pairs = []
        for k, v in opts.items():
            sv = str(v) if not isinstance(v, bool) else ("Y" if v else "N")
            if not _OPTION.match(str(k)) or not _OPTION.match(sv):
                ic.err((*p, "options", k), f"option {k}={v}: keys and values are one word without spaces")
                continue
            pairs.append(f"{k}={sv}")
        if pairs:
            line = f"options {name} {' '.join(pairs)}"
            ic.post_lines.append((p, f"mkdir -p /etc/modprobe.d && echo '{line}' >> {MODULE_OPTIONS}"))
