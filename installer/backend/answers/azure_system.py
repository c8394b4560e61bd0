"""Azure image config -> the chosen SystemConfig's packages, repositories, kernel options and network."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from installer.backend.answers import json_bounded
from installer.backend.answers.azure_common import Path_, _Az
from installer.backend.answers.azure_keys import CMDLINE, NETWORK, REPO
from installer.backend.answers.mapping import netmask_prefix, split_list
from installer.backend.config_packages import PACKAGE_NAME

NET_KEYS = set(NETWORK)


REPO_KEYS = set(REPO)


CMDLINE_KEYS = set(CMDLINE)


# The two package sets of imageconfigs/full.json (see installer/backend/payload/data/sets.json).
HYPERVISOR_LISTS = {"hyperv-packages", "virt-guest-packages"}


SET_BASE_LISTS = {
    "core": {"grub2-mkconfig", "core-packages-image"},
    "full": {"grub2-mkconfig", "core-packages-image", "developer-packages", "virtualization-host-packages",
             "core-tools-packages", "ssh-server", "selinux-full", "drtm"},
}


def _choose(az: _Az, data: dict[str, Any], wanted: str | None) -> tuple[int, dict[str, Any]] | None:
    scs = data.get("SystemConfigs")
    if not isinstance(scs, list) or not scs or not all(isinstance(s, dict) for s in scs):
        az.err(("SystemConfigs",), "no SystemConfig: add at least one object to SystemConfigs")
        return None
    names = [str(s.get("Name", "")) for s in scs]
    defaults = [i for i, s in enumerate(scs) if s.get("IsDefault") is True]
    for i in defaults[1:]:
        az.err(("SystemConfigs", i, "IsDefault"), f"more than one SystemConfig is IsDefault "
                                                  f"(also SystemConfigs[{defaults[0]}])")
    if wanted is not None:
        if wanted not in names:
            az.err(("SystemConfigs",), f"no SystemConfig named '{wanted}' (have: {', '.join(names)})")
            return None
        idx = names.index(wanted)
    elif defaults:
        idx = defaults[0]
    else:
        idx = 0
        if len(scs) > 1:
            az.warn(("SystemConfigs",), f"{len(scs)} SystemConfigs and none is IsDefault: installing the first, "
                                        f"'{names[0]}' (others: {', '.join(names[1:])})")
    az.hints["system_config"] = names[idx]
    az.hints["system_configs"] = "\n".join(names)
    return idx, scs[idx]


def _kernel(az: _Az, sc: dict[str, Any], scp: Path_) -> str | None:
    """KernelOptions: the toolkit installs ``default`` (kernels never come from the package lists);
    other entries are kernels the toolkit makes available to the build, not installed."""
    kp: Path_ = (*scp, "KernelOptions")
    ko = sc.get("KernelOptions")
    if ko is None:
        return None
    if not isinstance(ko, dict):
        az.err(kp, "must be an object such as {\"default\": \"kernel\"}")
        return None
    for name, value in ko.items():
        if name.startswith("_"):
            continue  # a comment, as the toolkit skips them
        if not isinstance(value, str) or not value.strip():
            az.err((*kp, name), "empty kernel entry: name a kernel package such as kernel or kernel-hwe")
        elif not PACKAGE_NAME.fullmatch(value.rsplit("/", 1)[-1]):
            az.err((*kp, name), f"'{value}' is not a package name")
        elif name != "default":
            az.warn((*kp, name), f"'{value}': the toolkit installs only KernelOptions.default; so does azl-installer")
    default = ko.get("default")
    if isinstance(default, str) and default.strip():
        az.mark(("packages", "kernel"), (*kp, "default"))
        return default.strip().rsplit("/", 1)[-1]
    return None


def _packages(az: _Az, idx: int, sc: dict[str, Any]) -> list[str]:
    """The package section; returns every package name of the lists and Packages (for the container check)."""
    scp: Path_ = ("SystemConfigs", idx)
    lists = az.typed(sc, "PackageLists", list, scp, []) or []
    stems: list[str] = []
    names: list[str] = []
    origin: dict[str, Path_] = {}  # package name -> where it was first named (for FILE:LINE errors)
    for li, rel in enumerate(lists):
        lp: Path_ = (*scp, "PackageLists", li)
        if not isinstance(rel, str):
            az.err(lp, "must be a file name")
            continue
        raw = az.read(rel, lp, fallback=True)
        if raw is None:
            continue
        try:
            pkgs = json_bounded.loads(raw.decode("utf-8"))["packages"]
            if not isinstance(pkgs, list) or not all(isinstance(x, str) for x in pkgs):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            az.err(lp, f"{rel} is not a package list ({{\"packages\": [names]}})")
            continue
        stems.append(Path(rel).stem)
        names += pkgs
        for x in pkgs:
            origin.setdefault(x, lp)
    extra = az.typed(sc, "Packages", list, scp, []) or []
    if not all(isinstance(x, str) for x in extra):
        az.err((*scp, "Packages"), "must be a list of package names")
        extra = []
    for j, x in enumerate(extra):
        origin.setdefault(x, (*scp, "Packages", j))
    pk = az.b.section("packages")
    base, hv = set(stems) - HYPERVISOR_LISTS, set(stems) & HYPERVISOR_LISTS
    chosen = next((k for k, v in SET_BASE_LISTS.items() if v == base), None)
    field = ""
    if chosen and hv in (set(), HYPERVISOR_LISTS):
        pk["set"] = chosen
        pk["hypervisor_packages"] = "always" if hv else "never"
        if extra:
            pk["extra"] = list(dict.fromkeys(extra))
            field = "extra"
    elif names or extra:
        pk["set"] = "custom"
        pk["custom"] = list(dict.fromkeys(names + extra))
        field = "custom"
    az.mark(("packages",), (*scp, "PackageLists"))
    for k, x in enumerate(pk.get(field, []) if field else []):
        az.mark(("packages", field, k), origin[x])
    kernel = _kernel(az, sc, scp)
    if kernel and not (pk.get("set", "core") in ("core", "full") and kernel == "kernel"):  # else the set's own
        pk["kernel"] = kernel
    elif kernel is None and sc.get("PartitionSettings"):
        where = (*scp, "KernelOptions") if "KernelOptions" in sc else scp
        if pk.get("set") == "custom":
            az.err(where, "KernelOptions.default is needed: the toolkit installs the kernel from it (kernels are "
                          "never taken from the package lists)")
        else:
            az.warn(where, "no KernelOptions.default (the toolkit requires it): the core set's kernel is installed")
    if sc.get("DisableRpmDocs") is True:
        pk["excludedocs"] = True
    locales = sc.get("OverrideRpmLocales")
    if locales not in (None, ""):
        pk["install_langs"] = locales
        az.mark(("packages", "install_langs"), (*scp, "OverrideRpmLocales"))
    repos = az.typed(sc, "PackageRepos", list, scp, []) or []
    out: list[dict[str, Any]] = []
    for ri, r in enumerate(repos):
        rp: Path_ = (*scp, "PackageRepos", ri)
        if not az.keys(r, REPO_KEYS, rp):
            continue
        d: dict[str, Any] = {"name": r.get("Name"), "baseurl": r.get("BaseUrl")}
        if r.get("GPGCheck") is False:
            d["gpgcheck"] = False
        if r.get("GPGKeys"):
            d["gpgkey"] = str(r["GPGKeys"]).split()
        here = ("packages", "repositories", len(out))
        az.mark(here, rp)
        for key, fld in (("Name", "name"), ("BaseUrl", "baseurl"), ("GPGKeys", "gpgkey")):
            if key in r:
                az.mark((*here, fld), (*rp, key))
        out.append(d)
    if out:
        pk["repositories"] = out
    return names + extra


def _system(az: _Az, idx: int, sc: dict[str, Any]) -> None:
    b = az.b
    scp: Path_ = ("SystemConfigs", idx)
    system = b.section("system")
    if sc.get("Hostname"):
        system["hostname"] = sc["Hostname"]
        az.mark(("system", "hostname"), (*scp, "Hostname"))
    kcl = sc.get("KernelCommandLine")
    kp: Path_ = (*scp, "KernelCommandLine")
    append: list[str] = []
    if kcl is not None and az.keys(kcl, CMDLINE_KEYS, kp):
        sel = kcl.get("SELinux", "") or ""
        if sel in ("enforcing", "permissive"):
            system["selinux"] = sel
        elif sel == "force_enforcing":
            system["selinux"] = "enforcing"
            append.append("enforcing=1")
        elif sel:
            az.err((*kp, "SELinux"), f"'{sel}': use enforcing, permissive or force_enforcing")
        if kcl.get("SELinuxPolicy"):
            az.warn((*kp, "SELinuxPolicy"), "only the default policy is installed; ignored")
        if kcl.get("EnableFIPS") is True:
            system["fips"] = True
            az.mark(("system", "fips"), (*kp, "EnableFIPS"))
        cg = kcl.get("CGroup", "") or ""
        if cg in ("version_one", "version_two"):
            append.append(f"systemd.unified_cgroup_hierarchy={0 if cg == 'version_one' else 1}")
        elif cg:
            az.err((*kp, "CGroup"), f"'{cg}': use version_one or version_two")
        for pi, pol in enumerate(az.typed(kcl, "ImaPolicy", list, kp, []) or []):
            if pol not in ("tcb", "appraise_tcb", "secure_boot", ""):
                az.err((*kp, "ImaPolicy", pi), f"'{pol}': use tcb, appraise_tcb or secure_boot")
            elif pol:
                append.append(f"ima_policy={pol}")
        extra_cl = kcl.get("ExtraCommandLine")
        if extra_cl:
            if not isinstance(extra_cl, str):
                az.err((*kp, "ExtraCommandLine"), "must be a string of kernel arguments")
            elif "`" in extra_cl:
                az.err((*kp, "ExtraCommandLine"), "the ` character is reserved (the toolkit's sed delimiter)")
            else:
                args = extra_cl.split()
                if "fips=1" in args:  # the toolkit's validator treats it as FIPS mode, as EnableFIPS
                    system["fips"] = True
                    az.mark(("system", "fips"), (*kp, "ExtraCommandLine"))
                    args = [a for a in args if a != "fips=1"]
                if args:
                    append.append(" ".join(args))
    if append:
        b.section("bootloader")["append"] = " ".join(append)
        # the generated arguments are valid: a bad one comes from ExtraCommandLine or ImaPolicy
        src = next((k for k in ("ExtraCommandLine", "ImaPolicy") if isinstance(kcl, dict) and kcl.get(k)), None)
        az.mark(("bootloader", "append"), (*kp, src) if src else kp)
    _networks(az, idx, sc, system)


def _networks(az: _Az, idx: int, sc: dict[str, Any], system: dict[str, Any]) -> None:
    nets = az.typed(sc, "Networks", list, ("SystemConfigs", idx), []) or []
    out: list[dict[str, Any]] = []
    for ni, n in enumerate(nets):
        np_: Path_ = ("SystemConfigs", idx, "Networks", ni)
        if not az.keys(n, NET_KEYS, np_):
            continue
        proto = (az.typed(n, "BootProto", str, np_, "dhcp") or "dhcp").lower()
        dev = az.typed(n, "Device", str, np_, "") or ""
        dns = split_list(n.get("NameServers")) + split_list(n.get("NameServer"))
        if proto not in ("dhcp", "static"):
            az.err((*np_, "BootProto"), f"'{proto}': use dhcp or static")
            continue
        if not dev:
            if proto == "static":
                az.err(np_, "a static network needs a Device")
            continue
        iface: dict[str, Any] = {"name": dev, "dhcp": proto == "dhcp"}
        if proto == "static":
            try:
                prefix = netmask_prefix(str(n.get("NetMask") or ""))
            except ValueError as exc:
                az.err((*np_, "NetMask"), str(exc))
                continue
            iface["addresses"] = [f"{n.get('Ip', '')}/{prefix}"]
            if n.get("GateWay"):
                iface["gateway"] = n["GateWay"]
        if dns:
            iface["dns"] = list(dict.fromkeys(dns))
        if n.get("OnBoot") is False:
            iface["onboot"] = False
        here = ("system", "network", "interfaces", len(out))
        az.mark(here, np_)
        for key, fld in (("Device", "name"), ("GateWay", "gateway"), ("Ip", "addresses")):
            if key in n:
                az.mark((*here, fld), (*np_, key))
        if "NameServers" in n or "NameServer" in n:
            az.mark((*here, "dns"), (*np_, "NameServers" if "NameServers" in n else "NameServer"))
        out.append(iface)
    if out:
        system["network"] = {"interfaces": out}
