"""Azure image config -> the chosen SystemConfig's packages, repositories, kernel options and network."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from installer.backend.answers import json_bounded
from installer.backend.answers.azure_common import Path_, _Az
from installer.backend.answers.mapping import netmask_prefix, split_list

NET_KEYS = {"BootProto", "GateWay", "Ip", "NetMask", "OnBoot", "NameServer", "NameServers", "Device"}


REPO_KEYS = {"Name", "BaseUrl", "Install", "GPGCheck", "RepoGPGCheck", "GPGKeys"}


CMDLINE_KEYS = {"SELinux", "SELinuxPolicy", "EnableFIPS", "CGroup", "ImaPolicy", "ExtraCommandLine"}


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


def _packages(az: _Az, idx: int, sc: dict[str, Any]) -> None:
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
    if sc.get("DisableRpmDocs") is True:
        pk["excludedocs"] = True
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


def _system(az: _Az, idx: int, sc: dict[str, Any]) -> None:
    b = az.b
    scp: Path_ = ("SystemConfigs", idx)
    system = b.section("system")
    if sc.get("Hostname"):
        system["hostname"] = sc["Hostname"]
        az.mark(("system", "hostname"), (*scp, "Hostname"))
    ko = sc.get("KernelOptions")
    if isinstance(ko, dict) and any(v != "kernel" for v in ko.values()):
        az.warn((*scp, "KernelOptions"), "azl-installer installs the default kernel package ('kernel')")
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
            az.err((*kp, "EnableFIPS"), "FIPS mode is not supported by azl-installer")
        cg = kcl.get("CGroup", "") or ""
        if cg == "version_one":
            append.append("systemd.unified_cgroup_hierarchy=0")
        elif cg not in ("", "version_two"):
            az.err((*kp, "CGroup"), f"'{cg}': use version_one or version_two")
        for pol in az.typed(kcl, "ImaPolicy", list, kp, []) or []:
            append.append(f"ima_policy={pol}")
        if kcl.get("ExtraCommandLine"):
            append.append(str(kcl["ExtraCommandLine"]))
    if append:
        b.section("bootloader")["append"] = " ".join(append)
        # the generated arguments are valid: a bad one comes from ExtraCommandLine or ImaPolicy
        src = next((k for k in ("ExtraCommandLine", "ImaPolicy") if isinstance(kcl, dict) and kcl.get(k)), None)
        az.mark(("bootloader", "append"), (*kp, src) if src else kp)
    for key, what in (("EnableHidepid", "hidepid"), ("RemoveRpmDb", "removing the RPM database")):
        if sc.get(key) is True:
            az.warn((*scp, key), f"{what} is not supported; ignored")
    if sc.get("OverrideRpmLocales") not in (None, ""):
        az.warn((*scp, "OverrideRpmLocales"), "RPM locale filtering is not supported; all locales are installed")
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
