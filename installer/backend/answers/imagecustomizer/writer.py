"""Write an Image Customizer config from any InstallConfig (`convert --to imagecustomizer`), so an
install can be reproduced as an image build.

What the Image Customizer has no key for is carried the way it would be done by hand: network,
firewall, locale and keyboard files as ``additionalFiles`` with their content, the time zone as a
``postCustomization`` script. What cannot be expressed at all (LUKS, LVM, more than one disk,
percentage sizes, scripts that run outside the target) is listed in comments at the top, never
dropped silently. Secrets are never written: passwords only as hashes, no LUKS passphrase.
"""

from __future__ import annotations

import shlex
from typing import Any

import yaml

from installer.backend import grammar
from installer.backend.config import InstallConfig, PartitionSpec
from installer.backend.payload.sets import package_list, set_kernel, set_lists
from installer.backend.sizes import SizeSpec, parse_size
from installer.backend.sysconfig import files as sysfiles
from installer.backend.sysconfig import firewall, network

MiB = 1024 * 1024
FS = {"vfat": "fat32", "ext4": "ext4", "xfs": "xfs", "btrfs": "btrfs"}
TYPES = {"/boot/efi": "esp", "/boot": "xbootldr", "/": "root", "/home": "home", "/var": "var", "/srv": "srv",
         "/usr": "usr", "/var/tmp": "tmp"}


def _size(p: PartitionSpec, notes: list[str], where: str) -> str | None:
    spec = SizeSpec.parse(p.size)
    if spec.kind == "rest":
        if p.max_size:
            notes.append(f"{where}: max_size {p.max_size} is not expressed (the partition grows)")
        return "grow"
    if spec.kind != "bytes":
        notes.append(f"{where}: size {p.size} (a share of the disk) cannot be expressed: written as grow")
        return "grow"
    n = parse_size(p.size, "MiB")
    return f"{n // MiB}M" if n % MiB == 0 else f"{-(-n // MiB)}M"


def _storage(c: InstallConfig, notes: list[str]) -> dict[str, Any] | None:
    st = c.storage
    if st.partitions is None:
        notes.append("storage: the guided layout is not written (the Image Customizer keeps the base image's "
                     "partitions)")
        return None
    if len(st.disks) > 1 or any(p.disk for p in st.partitions):
        notes.append("storage: more than one disk cannot be expressed: only disk 0 is written")
    if st.table != "gpt":
        notes.append("storage: an MBR table cannot be expressed: written as gpt")
    if st.volume_groups or st.logical_volumes or any(p.vg for p in st.partitions):
        notes.append("storage: LVM cannot be expressed: volume groups and logical volumes are left out")
    if st.encryption.enabled or any(p.encrypt for p in st.partitions):
        notes.append("storage: LUKS encryption cannot be expressed: the partitions are written unencrypted")
    firmware = st.firmware if st.firmware != "auto" else "uefi"
    if st.firmware == "auto":
        notes.append("storage.firmware auto: written as bootType efi")
    parts, fss, ids = [], [], set()
    for i, p in enumerate(st.partitions):
        if p.disk or p.vg:
            continue
        pid = TYPES.get(p.mount or "", p.fs if p.fs in ("swap", "biosboot") else f"part{i}")
        pid = {"biosboot": "bios-grub", "xbootldr": "boot", "esp": "esp"}.get(pid, pid)
        while pid in ids:
            pid = f"{pid}{i}"
        ids.add(pid)
        part: dict[str, Any] = {"id": pid}
        if p.label:
            part["label"] = p.label
        ptype = "bios-grub" if p.fs == "biosboot" else ("swap" if p.fs == "swap" else TYPES.get(p.mount or ""))
        if ptype:
            part["type"] = ptype
        part["size"] = _size(p, notes, f"storage.partitions.{i}")
        parts.append(part)
        if p.fs in FS and p.mount:
            mount: dict[str, Any] = {"path": p.mount}
            if p.mount_options:
                mount["options"] = p.mount_options
            fss.append({"deviceId": pid, "type": FS[p.fs], "mountPoint": mount})
        elif p.fs == "swap":
            notes.append(f"storage.partitions.{i}: swap is written as an unformatted partition of type swap")
    return {"bootType": "efi" if firmware == "uefi" else "legacy",
            "disks": [{"partitionTableType": "gpt", "partitions": parts}], "filesystems": fss}


def _packages(c: InstallConfig, notes: list[str]) -> dict[str, Any]:
    pk = c.packages
    install: list[str] = []
    remove = list(pk.exclude)
    if pk.set == "full":
        core = {n for x in set_lists("core") for n in package_list(x)}
        install += [n for x in set_lists("full") for n in package_list(x) if n not in core]
    elif pk.set == "custom":
        install += pk.custom
        notes.append("packages.set custom: the base image's core packages stay; the custom list is installed on top")
    kernel = set_kernel(pk)
    if kernel and kernel != "kernel":
        install.append(kernel)
        remove.append("kernel")
    install += pk.extra
    if pk.hypervisor_packages != "auto":
        notes.append(f"packages.hypervisor_packages {pk.hypervisor_packages}: not expressed")
    if pk.repositories:
        notes.append("packages.repositories: give them to the Image Customizer with --rpm-source")
    out: dict[str, Any] = {}
    if install:
        out["install"] = list(dict.fromkeys(install))
    if remove:
        out["remove"] = list(dict.fromkeys(remove))
    return out


def _users(c: InstallConfig) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    r = c.root
    root: dict[str, Any] = {"name": "root"}
    if r.password_hash:
        root["password"] = {"type": "hashed", "value": r.password_hash}
    elif r.locked:
        root["password"] = {"type": "locked"}
    if r.ssh_keys:
        root["sshPublicKeys"] = list(r.ssh_keys)
    if len(root) > 1:
        out.append(root)
    for u in c.users:
        d: dict[str, Any] = {"name": u.name}
        if u.uid is not None:
            d["uid"] = u.uid
        if u.password_hash:
            d["password"] = {"type": "hashed", "value": u.password_hash}
        if u.password_max_days is not None:
            d["passwordExpiresDays"] = u.password_max_days
        if u.ssh_keys:
            d["sshPublicKeys"] = list(u.ssh_keys)
        if u.primary_group:
            d["primaryGroup"] = u.primary_group
        groups = list(dict.fromkeys((["wheel"] if u.admin else []) + u.groups))
        if groups:
            d["secondaryGroups"] = groups
        if u.shell != "/bin/bash":
            d["startupCommand"] = u.shell
        if u.home:
            d["homeDirectory"] = u.home
        out.append(d)
    return out


def _system_files(c: InstallConfig) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[str]]:
    """(additionalFiles, scripts, services to enable) for what the Image Customizer has no key for."""
    s = c.system
    files: list[dict[str, Any]] = [
        {"content": text, "destination": f"{network.NETWORK_DIR}/{name}", "permissions": "644"}
        for name, text in network.network_files(list(s.network.interfaces)).items()]
    files.append({"content": sysfiles.locale_conf(s.locale), "destination": "/etc/locale.conf", "permissions": "644"})
    files.append({"content": sysfiles.vconsole_conf(s.keyboard), "destination": "/etc/vconsole.conf",
                  "permissions": "644"})
    enable: list[str] = []
    if s.firewall.enabled:
        files.append({"content": firewall.ruleset(s.firewall), "destination": firewall.DEFAULT_PATHS[0],
                      "permissions": "600"})
        enable.append("nftables")
    tz = f"ln -sf ../usr/share/zoneinfo/{shlex.quote(s.timezone)} /etc/localtime\n"
    scripts = [{"name": "azl-installer: time zone", "content": tz}]
    return files, scripts, enable


def to_imagecustomizer(c: InstallConfig) -> str:
    notes: list[str] = []
    doc: dict[str, Any] = {}
    storage = _storage(c, notes)
    if storage:
        doc["storage"] = storage
    os_: dict[str, Any] = {"hostname": c.system.hostname}
    if storage:
        os_["bootloader"] = {"resetType": "hard-reset"}
    args = grammar.kernel_args(c.bootloader.append) + (["fips=1"] if c.system.fips else [])
    if args:
        os_["kernelCommandLine"] = {"extraCommandLine": args}
    if c.system.selinux:
        os_["selinux"] = {"mode": c.system.selinux}
    pk = _packages(c, notes)
    if c.system.fips:
        pk.setdefault("install", []).extend(x for x in ("dracut-fips",) if x not in pk.get("install", []))
    if pk:
        os_["packages"] = pk
    if c.groups:
        os_["groups"] = [{"name": g.name, **({"gid": g.gid} if g.gid is not None else {})} for g in c.groups]
    users = _users(c)
    if users:
        os_["users"] = users
    files, tz_scripts, fw_enable = _system_files(c)
    enable = list(dict.fromkeys(c.system.services.enable + fw_enable))
    services = {k: v for k, v in (("enable", enable), ("disable", c.system.services.disable)) if v}
    if services:
        os_["services"] = services
    os_["additionalFiles"] = files
    doc["os"] = os_
    post = list(tz_scripts)
    for i, s in enumerate(c.scripts.post):
        if not s.chroot:
            notes.append(f"scripts.post.{i}: runs outside the installed system (chroot: false): not expressed")
            continue
        post.append({"content": s.body, "interpreter": s.interpreter})
    for i, _ in enumerate(c.scripts.pre):
        notes.append(f"scripts.pre.{i}: a pre-install script has no Image Customizer counterpart: not expressed")
    doc["scripts"] = {"postCustomization": post}
    if c.bootloader.location == "none":
        notes.append("bootloader.location none: not expressed (the image gets a bootloader)")
    head = ["# Image Customizer config written by azl-installer (convert --to imagecustomizer).",
            "# Build it with: imagecustomizer --image-file <Azure Linux core image> --config-file THIS ...",
            "# Passwords are hashes only; nothing secret is written."]
    head += [f"# not expressed: {n}" for n in notes]
    return "\n".join(head) + "\n" + yaml.safe_dump(doc, sort_keys=False, default_flow_style=False, width=1000)
