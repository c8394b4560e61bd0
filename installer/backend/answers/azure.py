"""Azure Linux 3.0 image configs (toolkit/imageconfigs/*.json) -> InstallConfig.

One SystemConfig is installed: the one named by ``system_config``, else the one with
``IsDefault``, else the first (with a warning). Errors name the key path, e.g.
``SystemConfigs[0].Encryption``, with the line and column in the JSON file. File references
(PackageLists, scripts, SSHPubKeyPaths, AdditionalFiles) are resolved relative to the config file;
package lists that are missing there fall back to the copies the installer ships. docs/kickstart.md
has the field table.
"""

from __future__ import annotations

import base64
import difflib
import json
import posixpath
import shlex
from importlib import resources
from pathlib import Path
from typing import Any

from installer.backend import validate
from installer.backend.answers.mapping import Builder, ForeignLoaded, Where, disk_ref, netmask_prefix, split_list
from installer.backend.answers.positions import node_positions
from installer.backend.config import Guided
from installer.backend.errors import InvalidInput, Issue
from installer.backend.sizes import parse_size

Path_ = tuple[Any, ...]

TOP_KEYS = {"Disks", "SystemConfigs"}
DISK_KEYS = {"PartitionTableType", "MaxSize", "TargetDisk", "Partitions", "Artifacts", "RawBinaries"}
PART_KEYS = {"ID", "Name", "Start", "End", "FsType", "Type", "TypeUUID", "Flags"}
SETTING_KEYS = {"ID", "MountPoint", "MountOptions", "MountIdentifier", "RemoveDocs", "OverlayBaseImage",
                "RdiffBaseImage"}
SC_KEYS = {"Name", "IsDefault", "IsKickStartBoot", "IsIsoInstall", "BootType", "Hostname", "PackageLists",
           "Packages", "KernelOptions", "KernelCommandLine", "PartitionSettings", "Users", "Groups",
           "Encryption", "Networks", "PackageRepos", "PreInstallScripts", "PostInstallScripts",
           "FinalizeImageScripts", "AdditionalFiles", "EnableGrubMkconfig", "EnableHidepid", "DisableRpmDocs",
           "OverrideRpmLocales", "RemoveRpmDb", "PreserveTdnfCache", "KickStart"}
USER_KEYS = {"Name", "UID", "Password", "PasswordHashed", "PasswordExpiresDays", "SSHPubKeys", "SSHPubKeyPaths",
             "PrimaryGroup", "SecondaryGroups", "StartupCommand", "HomeDirectory"}
NET_KEYS = {"BootProto", "GateWay", "Ip", "NetMask", "OnBoot", "NameServer", "NameServers", "Device"}
REPO_KEYS = {"Name", "BaseUrl", "Install", "GPGCheck", "RepoGPGCheck", "GPGKeys"}
CMDLINE_KEYS = {"SELinux", "SELinuxPolicy", "EnableFIPS", "CGroup", "ImaPolicy", "ExtraCommandLine"}

FS_MAP = {"fat32": "vfat", "fat16": "vfat", "vfat": "vfat", "ext4": "ext4", "xfs": "xfs", "linux-swap": "swap",
          "swap": "swap", "btrfs": "btrfs", "ext2": "ext4", "ext3": "ext4", "": None}
BIOS_FLAGS = {"grub", "bios_grub", "bios-grub"}
KNOWN_FLAGS = {"esp", "boot", "dmroot", *BIOS_FLAGS}
# The two package sets of imageconfigs/full.json (see installer/backend/payload/data/sets.json).
HYPERVISOR_LISTS = {"hyperv-packages", "virt-guest-packages"}
SET_BASE_LISTS = {
    "core": {"grub2-mkconfig", "core-packages-image"},
    "full": {"grub2-mkconfig", "core-packages-image", "developer-packages", "virtualization-host-packages",
             "core-tools-packages", "ssh-server", "selinux-full", "drtm"},
}
ESP_MIN = str(Guided.model_fields["esp_size"].default)  # the planner's minimum for an ESP
SHELLS = {"/bin/sh", "/bin/bash", "/usr/bin/sh", "/usr/bin/bash", "sh", "bash"}


def keypath(path: Path_) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


class _Az:
    def __init__(self, text: str, source: str, base_dir: Path) -> None:
        self.b = Builder(source)
        self.source = source
        self.base_dir = base_dir
        self.positions = node_positions(text)
        self.hints: dict[str, str] = {}

    # ------------------------------------------------------------- positions and messages
    def w(self, path: Path_) -> Where:
        loc = tuple(path)
        pos = None
        while pos is None:
            pos = self.positions.get((*loc, "=")) or self.positions.get(loc)
            if not loc:
                break
            loc = loc[:-1]
        return Where(self.source, pos[0] if pos else None, pos[1] if pos else None, keypath(path))

    def err(self, path: Path_, msg: str) -> None:
        self.b.error(self.w(path), msg)

    def warn(self, path: Path_, msg: str) -> None:
        self.b.warn(self.w(path), msg)

    def mark(self, loc: Path_, path: Path_) -> None:
        self.b.mark(loc, self.w(path))

    def keys(self, obj: Any, allowed: set[str], path: Path_) -> bool:
        if not isinstance(obj, dict):
            self.err(path, "must be an object ({...})")
            return False
        for k in obj:
            if k not in allowed:
                guess = difflib.get_close_matches(k, sorted(allowed), n=1)
                hint = f"; did you mean '{guess[0]}'?" if guess else ""
                self.err((*path, k), f"unknown key '{k}'{hint}")
        return True

    def typed(self, obj: dict[str, Any], key: str, kind: type | tuple[type, ...], path: Path_,
              default: Any = None) -> Any:
        v = obj.get(key)
        if v is None:
            return default
        if isinstance(v, bool) and kind in (int, (int, float)):
            self.err((*path, key), "must be a number")
            return default
        if not isinstance(v, kind):
            names = {str: "a string", bool: "true or false", list: "a list", dict: "an object",
                     int: "a whole number"}
            what = names.get(kind, "a number") if isinstance(kind, type) else "a number"
            self.err((*path, key), f"must be {what}")
            return default
        return v

    # ------------------------------------------------------------- files
    def read(self, rel: str, path: Path_, *, fallback: bool = False) -> bytes | None:
        p = Path(rel) if rel.startswith("/") else self.base_dir / rel
        try:
            return p.read_bytes()
        except ValueError:
            self.err(path, f"'{rel}' is not a file name")
            return None
        except OSError as exc:
            if fallback:
                shipped = resources.files("installer.backend.payload").joinpath("data", Path(rel).name)
                try:
                    return shipped.read_bytes()
                except (OSError, ModuleNotFoundError):
                    pass
                self.err(path, f"cannot read package list {p} ({exc.strerror}), and the installer ships no "
                               f"list named {Path(rel).name}")
                return None
            self.err(path, f"cannot read {p}: {exc.strerror}")
            return None


# ----------------------------------------------------------------------------- choose
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


# ----------------------------------------------------------------------------- storage
def _disks(az: _Az, data: dict[str, Any]) -> tuple[dict[str, tuple[int, dict[str, Any], Path_]], list[Any], str]:
    disks = data.get("Disks") or []
    by_id: dict[str, tuple[int, dict[str, Any], Path_]] = {}
    refs: list[Any] = []
    tables: set[str] = set()
    if not isinstance(disks, list):
        az.err(("Disks",), "must be a list")
        return by_id, refs, "gpt"
    for di, d in enumerate(disks):
        dp: Path_ = ("Disks", di)
        if not az.keys(d, DISK_KEYS, dp):
            continue
        table = az.typed(d, "PartitionTableType", str, dp, "gpt") or "gpt"
        if table not in ("gpt", "mbr"):
            az.err((*dp, "PartitionTableType"), f"'{table}': use gpt or mbr")
        tables.add(table)
        td = d.get("TargetDisk")
        az.mark(("storage", "disks", len(refs)), dp)
        if isinstance(td, dict) and td.get("Value"):
            if td.get("Type", "path") != "path":
                az.err((*dp, "TargetDisk", "Type"), "only Type 'path' is supported")
            refs.append(disk_ref(str(td["Value"])))
        elif di == 0:
            refs.append({"match": {"rule": "largest"}})
        else:
            az.err((*dp, "TargetDisk"), "needed for every disk after the first (Type: path, Value: /dev/...)")
        if d.get("RawBinaries"):
            az.warn((*dp, "RawBinaries"), "raw binaries are not written by azl-installer; ignored")
        parts = d.get("Partitions") or []
        if not isinstance(parts, list):
            az.err((*dp, "Partitions"), "must be a list")
            continue
        for pi, p in enumerate(parts):
            pp: Path_ = (*dp, "Partitions", pi)
            if not az.keys(p, PART_KEYS, pp):
                continue
            pid = p.get("ID")
            if not isinstance(pid, str) or not pid:
                az.err((*pp, "ID"), "every partition needs an ID")
                continue
            if pid in by_id:
                az.err((*pp, "ID"), f"duplicate partition ID '{pid}' (also {keypath(by_id[pid][2])})")
                continue
            by_id[pid] = (di, p, pp)
    if len(tables) > 1:
        az.err(("Disks",), "all disks must use the same PartitionTableType in azl-installer")
    return by_id, refs, (tables.pop() if len(tables) == 1 else "gpt")


def _flags(p: dict[str, Any]) -> list[str]:
    flags = p.get("Flags")
    return [f for f in flags if isinstance(f, str)] if isinstance(flags, list) else []


def _partition(az: _Az, di: int, p: dict[str, Any], pp: Path_, setting: dict[str, Any] | None,
               sp: Path_ | None, table: str, encrypt: bool) -> dict[str, Any] | None:
    start = az.typed(p, "Start", (int, float), pp, 0)
    end = az.typed(p, "End", (int, float), pp, 0)
    flags = _flags(p)
    for f in az.typed(p, "Flags", list, pp, []) or []:
        if not isinstance(f, str) or f not in KNOWN_FLAGS:
            az.err((*pp, "Flags"), f"unknown flag '{f}' (known: {', '.join(sorted(KNOWN_FLAGS))})")
    spec: dict[str, Any] = {"disk": di}
    if end == 0:
        spec["size"] = "rest"
    elif end <= start:
        az.err((*pp, "End"), f"End ({end}) must be after Start ({start}), or 0 for the rest of the disk")
        return None
    else:
        spec["size"] = f"{int(end - start)}MiB"
    fstype = str(p.get("FsType", "") or "")
    if fstype not in FS_MAP:
        az.err((*pp, "FsType"), f"'{fstype}' is not supported (use {', '.join(k for k in FS_MAP if k)})")
        return None
    if fstype in ("ext2", "ext3"):
        az.warn((*pp, "FsType"), f"{fstype} is created as ext4")
    mount = None
    if setting is not None and sp is not None:
        mount = az.typed(setting, "MountPoint", str, sp, "") or None
        opts = az.typed(setting, "MountOptions", str, sp, "")
        if opts:
            spec["mount_options"] = opts
        ident = setting.get("MountIdentifier", "") or ""
        if ident not in ("", "uuid", "partuuid", "partlabel"):
            az.err((*sp, "MountIdentifier"), f"'{ident}': use uuid, partuuid or partlabel")
        if ident == "partlabel" and (table != "gpt" or not p.get("Name")):
            az.err((*sp, "MountIdentifier"), "partlabel needs a GPT disk and a Name on the partition")
    if set(flags) & BIOS_FLAGS:
        spec["fs"] = "biosboot"
        if mount:
            az.err((*sp, "MountPoint") if sp else pp, "a BIOS boot partition cannot be mounted")
    elif "esp" in flags:
        spec["fs"] = "vfat"
        if spec["size"] != "rest" and parse_size(spec["size"], "MiB") < parse_size(ESP_MIN):
            az.warn((*pp, "End"), f"an ESP of {spec['size']} suits an image, not an installed system: "
                                  f"made {ESP_MIN}")
            spec["size"] = ESP_MIN
    else:
        spec["fs"] = FS_MAP[fstype] or "none"
    if mount:
        if spec["fs"] in ("none", "swap"):
            az.err((*sp, "MountPoint") if sp else pp, "this partition has no filesystem to mount (FsType)")
        spec["mount"] = mount
    if p.get("Name"):
        spec["label"] = str(p["Name"])
    if encrypt:
        spec["encrypt"] = True
    return spec


def _storage(az: _Az, data: dict[str, Any], idx: int, sc: dict[str, Any]) -> None:
    b = az.b
    scp: Path_ = ("SystemConfigs", idx)
    by_id, refs, table = _disks(az, data)
    st = b.section("storage")
    boot = sc.get("BootType", "") or ""
    if boot not in ("", "efi", "legacy", "none"):
        az.err((*scp, "BootType"), f"'{boot}': use efi, legacy or none")
    if boot in ("efi", "legacy"):
        st["firmware"] = "uefi" if boot == "efi" else "bios"
        az.mark(("storage", "firmware"), (*scp, "BootType"))
    if boot == "none":
        b.section("bootloader")["location"] = "none"
    settings = az.typed(sc, "PartitionSettings", list, scp, []) or []
    set_of: dict[str, tuple[dict[str, Any], Path_]] = {}
    for si, s in enumerate(settings):
        sp: Path_ = (*scp, "PartitionSettings", si)
        if not az.keys(s, SETTING_KEYS, sp):
            continue
        sid = s.get("ID")
        if not isinstance(sid, str) or sid not in by_id:
            az.err((*sp, "ID"), f"no partition with ID '{sid}' in Disks")
            continue
        if sid in set_of:
            az.err((*sp, "ID"), f"partition '{sid}' has two PartitionSettings")
            continue
        set_of[sid] = (s, sp)
        if s.get("RemoveDocs"):
            b.section("packages")["excludedocs"] = True
    enc_cfg = sc.get("Encryption")
    ep: Path_ = (*scp, "Encryption")
    enabled = False
    if enc_cfg is not None and az.keys(enc_cfg, {"Enable", "Password"}, ep):
        enabled = az.typed(enc_cfg, "Enable", bool, ep, False) is True
    dmroot = [pid for pid, (_, p, _) in by_id.items() if "dmroot" in _flags(p)]
    if enabled:
        root_ok = any(set_of.get(pid, ({}, ()))[0].get("MountPoint") == "/" for pid in dmroot)
        if not root_ok:
            az.err(ep, "encryption needs the root partition (MountPoint /) to carry the 'dmroot' flag")
        password = enc_cfg.get("Password") if isinstance(enc_cfg, dict) else None
        if not isinstance(password, str) or not password:
            az.err(ep, "Encryption.Password is needed: an unattended install cannot ask for one")
        else:
            b.secret_values.add(password)
            r = validate.passphrase(password)
            if not r.ok:
                az.err((*ep, "Password"), r.message)
            st["encryption"] = {"enabled": True, "passphrase": password}
            az.mark(("storage", "encryption"), ep)
    elif dmroot:
        az.warn(("Disks",), "the 'dmroot' flag does nothing without SystemConfigs Encryption.Enable")
    if not by_id:
        if settings:
            az.err((*scp, "PartitionSettings"), "there are no Disks to apply PartitionSettings to")
        return
    parts: list[dict[str, Any]] = []
    for pid, (di, p, pp) in by_id.items():
        found = set_of.get(pid)
        setting, spath = (found[0], found[1]) if found else (None, None)
        spec = _partition(az, di, p, pp, setting, spath, table, enabled and pid in dmroot)
        if spec is not None:
            az.mark(("storage", "partitions", len(parts)), spath or pp)
            parts.append(spec)
    if not any(p.get("mount") == "/" for p in parts):
        az.err((*scp, "PartitionSettings"), "no partition is mounted at / (add a PartitionSettings entry)")
    st["disks"] = refs
    st["table"] = table
    st["partitions"] = parts
    az.mark(("storage",), ("Disks",))


# ----------------------------------------------------------------------------- packages
def _packages(az: _Az, idx: int, sc: dict[str, Any]) -> None:
    scp: Path_ = ("SystemConfigs", idx)
    lists = az.typed(sc, "PackageLists", list, scp, []) or []
    stems: list[str] = []
    names: list[str] = []
    for li, rel in enumerate(lists):
        lp: Path_ = (*scp, "PackageLists", li)
        if not isinstance(rel, str):
            az.err(lp, "must be a file name")
            continue
        raw = az.read(rel, lp, fallback=True)
        if raw is None:
            continue
        try:
            pkgs = json.loads(raw)["packages"]
            if not isinstance(pkgs, list) or not all(isinstance(x, str) for x in pkgs):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            az.err(lp, f"{rel} is not a package list ({{\"packages\": [names]}})")
            continue
        stems.append(Path(rel).stem)
        names += pkgs
    extra = az.typed(sc, "Packages", list, scp, []) or []
    if not all(isinstance(x, str) for x in extra):
        az.err((*scp, "Packages"), "must be a list of package names")
        extra = []
    pk = az.b.section("packages")
    base, hv = set(stems) - HYPERVISOR_LISTS, set(stems) & HYPERVISOR_LISTS
    chosen = next((k for k, v in SET_BASE_LISTS.items() if v == base), None)
    if chosen and hv in (set(), HYPERVISOR_LISTS):
        pk["set"] = chosen
        pk["hypervisor_packages"] = "always" if hv else "never"
        if extra:
            pk["extra"] = list(dict.fromkeys(extra))
    elif names or extra:
        pk["set"] = "custom"
        pk["custom"] = list(dict.fromkeys(names + extra))
    az.mark(("packages",), (*scp, "PackageLists"))
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
        az.mark(("packages", "repositories", len(out)), rp)
        out.append(d)
    if out:
        pk["repositories"] = out


# ----------------------------------------------------------------------------- system
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
        az.mark(("bootloader", "append"), kp)
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
        az.mark(("system", "network", "interfaces", len(out)), np_)
        out.append(iface)
    if out:
        system["network"] = {"interfaces": out}


# ----------------------------------------------------------------------------- users, scripts
def _users(az: _Az, idx: int, sc: dict[str, Any]) -> list[str]:
    """Users and Groups; returns extra post-script lines (groupadd/usermod for new groups)."""
    b = az.b
    scp: Path_ = ("SystemConfigs", idx)
    groups = az.typed(sc, "Groups", list, scp, []) or []
    lines: list[str] = []
    new_groups: set[str] = set()
    for gi, g in enumerate(groups):
        gp: Path_ = (*scp, "Groups", gi)
        if not az.keys(g, {"Name", "GID"}, gp) or not g.get("Name"):
            az.err(gp, "every group needs a Name")
            continue
        gid = g.get("GID")
        opt = f" -g {int(gid)}" if isinstance(gid, int | str) and str(gid).isdigit() else ""
        name = shlex.quote(str(g["Name"]))
        lines.append(f"getent group {name} >/dev/null || groupadd{opt} {name}")
        new_groups.add(str(g["Name"]))
    users: list[dict[str, Any]] = []
    for ui, u in enumerate(az.typed(sc, "Users", list, scp, []) or []):
        up: Path_ = (*scp, "Users", ui)
        if not az.keys(u, USER_KEYS, up):
            continue
        name = u.get("Name")
        if not isinstance(name, str) or not name:
            az.err(up, "every user needs a Name")
            continue
        d: dict[str, Any] = {}
        pw = u.get("Password")
        if isinstance(pw, str) and pw:
            if u.get("PasswordHashed") is True:
                d["password_hash"] = pw
            else:
                b.secret_values.add(pw)
                d["password"] = pw
                az.warn((*up, "Password"), f"plaintext password of {name} was hashed; prefer PasswordHashed")
        keys = [str(k) for k in (az.typed(u, "SSHPubKeys", list, up, []) or [])]
        for kpi, rel in enumerate(az.typed(u, "SSHPubKeyPaths", list, up, []) or []):
            raw = az.read(str(rel), (*up, "SSHPubKeyPaths", kpi))
            if raw is not None:
                keys += [ln.strip() for ln in raw.decode("utf-8", "replace").splitlines()
                         if ln.strip() and not ln.startswith("#")]
        if keys:
            d["ssh_keys"] = keys
        if u.get("PasswordExpiresDays") not in (None, -1):
            az.warn((*up, "PasswordExpiresDays"), "password expiry is not set by azl-installer; ignored")
        if name == "root":
            b.data["root"] = d
            az.mark(("root",), up)
            continue
        if any(x["name"] == name for x in users):
            az.err((*up, "Name"), f"user {name} is defined twice")
        d["name"] = name
        if u.get("UID") not in (None, ""):
            d["uid"] = int(u["UID"]) if str(u["UID"]).isdigit() else u["UID"]
            az.mark(("users", len(users), "uid"), (*up, "UID"))
        if u.get("PrimaryGroup") not in (None, "", name):
            az.warn((*up, "PrimaryGroup"), "a primary group other than the user's own is not supported; ignored")
        if u.get("HomeDirectory") not in (None, "", f"/home/{name}"):
            az.warn((*up, "HomeDirectory"), "home directories are /home/NAME; ignored")
        if u.get("StartupCommand"):
            d["shell"] = u["StartupCommand"]
        sec = [str(x) for x in (az.typed(u, "SecondaryGroups", list, up, []) or [])]
        d["admin"] = "wheel" in sec
        d["groups"] = [x for x in sec if x != "wheel" and x not in new_groups]
        for x in sec:
            if x in new_groups:
                lines.append(f"usermod -aG {shlex.quote(x)} {shlex.quote(name)}")
        az.mark(("users", len(users)), up)
        users.append(d)
    if users:
        b.data["users"] = users
    return lines


def _interpreter(body: str) -> str:
    first = body.splitlines()[0] if body else ""
    if first.startswith("#!"):
        parts = first[2:].strip().split()
        if parts:
            return parts[0] if parts[0] != "/usr/bin/env" or len(parts) < 2 else f"/usr/bin/{parts[1]}"
    return "/bin/sh"


def _scripts(az: _Az, idx: int, sc: dict[str, Any], group_lines: list[str]) -> None:
    scp: Path_ = ("SystemConfigs", idx)
    pre: list[dict[str, Any]] = []
    post: list[dict[str, Any]] = []
    files = _additional_files(az, idx, sc)
    if files:
        az.mark(("scripts", "post", len(post)), (*scp, "AdditionalFiles"))
        post.append({"body": files, "interpreter": "/bin/sh", "chroot": True, "error_on_fail": True})
    if group_lines:
        az.mark(("scripts", "post", len(post)), (*scp, "Groups"))
        post.append({"body": "# Groups from the Azure Linux image config\nset -e\n" + "\n".join(group_lines) + "\n",
                     "interpreter": "/bin/sh", "chroot": True, "error_on_fail": True})
    for key, target, chroot in (("PreInstallScripts", pre, False), ("PostInstallScripts", post, True),
                                ("FinalizeImageScripts", post, True)):
        for si, s in enumerate(az.typed(sc, key, list, scp, []) or []):
            sp: Path_ = (*scp, key, si)
            if not az.keys(s, {"Path", "Args"}, sp) or not isinstance(s.get("Path"), str):
                az.err(sp, "every script needs a Path")
                continue
            raw = az.read(s["Path"], (*sp, "Path"))
            if raw is None:
                continue
            body = raw.decode("utf-8", "replace")
            interp = _interpreter(body)
            args = str(s.get("Args") or "")
            if args:
                if interp not in SHELLS:
                    az.err((*sp, "Args"), f"Args are supported for shell scripts only (this one runs {interp})")
                    continue
                lines = body.splitlines(True)
                head = lines[0] if lines and lines[0].startswith("#!") else ""
                body = head + f"set -- {args}\n" + "".join(lines[1:] if head else lines)
            az.mark(("scripts", "pre" if target is pre else "post", len(target)), sp)
            target.append({"body": body, "interpreter": interp, "chroot": chroot, "error_on_fail": True})
    if pre or post:
        az.b.data["scripts"] = {"pre": pre, "post": post}


def _additional_files(az: _Az, idx: int, sc: dict[str, Any]) -> str:
    """AdditionalFiles become one post script (in the target) that writes each file: the native
    answer file then carries the content and depends on no file next to it."""
    af = sc.get("AdditionalFiles")
    ap: Path_ = ("SystemConfigs", idx, "AdditionalFiles")
    if af is None:
        return ""
    if not isinstance(af, dict):
        az.err(ap, "must be an object {source: destination}")
        return ""
    out = ["# AdditionalFiles from the Azure Linux image config", "set -e"]
    for src, dst in af.items():
        fp: Path_ = (*ap, src)
        targets: list[tuple[str, str]] = []
        for item in dst if isinstance(dst, list) else [dst]:
            if isinstance(item, str):
                targets.append((item, "0644"))
            elif isinstance(item, dict) and isinstance(item.get("Path"), str):
                targets.append((item["Path"], str(item.get("Permissions") or "0644")))
            else:
                az.err(fp, "the destination must be a path or {Path, Permissions}")
        raw = az.read(src, fp)
        if raw is None:
            continue
        for dest, mode in targets:
            if not dest.startswith("/") or not mode.isdigit():
                az.err(fp, f"'{dest}' must be an absolute path with octal Permissions")
                continue
            q = shlex.quote(dest)
            out.append(f"mkdir -p {shlex.quote(posixpath.dirname(dest))}")
            text = raw.decode("utf-8", "replace")
            plain = raw == text.encode() and text.endswith("\n") and "\r" not in text
            if plain and "\nAZL_FILE_EOF\n" not in "\n" + text:
                out += [f"cat > {q} <<'AZL_FILE_EOF'", text[:-1], "AZL_FILE_EOF"]
            else:
                out += [f"base64 -d > {q} <<'AZL_FILE_EOF'", base64.b64encode(raw).decode(), "AZL_FILE_EOF"]
            out.append(f"chmod {mode} {q}")
    return "\n".join(out) + "\n" if len(out) > 2 else ""


# ----------------------------------------------------------------------------- entry point
def load_azure(text: str, source: str, *, base_dir: Path | None = None,
               system_config: str | None = None) -> ForeignLoaded:
    """Map one SystemConfig of an Azure Linux 3.0 image config onto InstallConfig."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput([Issue("", f"not valid JSON: {exc.msg}", line=exc.lineno, column=exc.colno,
                                  source=source)]) from None
    az = _Az(text, source, base_dir or Path("."))
    if not isinstance(data, dict):
        raise InvalidInput([Issue("", "an Azure Linux image config is a JSON object", line=1, source=source)])
    az.keys(data, TOP_KEYS, ())
    chosen = _choose(az, data, system_config)
    az.b.raise_if_issues()
    assert chosen is not None
    idx, sc = chosen
    scp: Path_ = ("SystemConfigs", idx)
    az.keys(sc, SC_KEYS, scp)
    try:
        _storage(az, data, idx, sc)
        _packages(az, idx, sc)
        _system(az, idx, sc)
        group_lines = _users(az, idx, sc)
        _scripts(az, idx, sc, group_lines)
    except InvalidInput:
        raise
    except Exception as exc:  # a mapping bug must still come out as a clean error
        az.err(scp, f"could not map this config ({type(exc).__name__}); please report it")
    az.b.data.setdefault("finish", "reboot")
    config = az.b.build()
    return ForeignLoaded(config, "azure", az.b.warnings, az.hints, source=source, origins=az.b.where)
