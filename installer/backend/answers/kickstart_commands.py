"""Kickstart command mappers (everything but storage, which is kickstart_storage.py): accounts,
network, system settings, bootloader, packages, scripts, finish action and UI hints."""

from __future__ import annotations

import re
from typing import Any

from pykickstart import constants as K

from installer.backend.answers.kickstart_parse import Ks
from installer.backend.answers.mapping import netmask_prefix

# @^environment -> our package set: minimal environments are core, anything bigger is full.
CORE_ENVIRONMENTS = {"minimal-environment", "minimal", "core", "custom-environment"}


def _map_accounts(ks: Ks) -> None:
    h, b = ks.handler, ks.b
    if h.rootpw.seen:
        w = ks.first("rootpw") or ks.at(None, "rootpw")
        root: dict[str, Any] = {}
        if h.rootpw.password:
            if h.rootpw.isCrypted:
                root["password_hash"] = h.rootpw.password
            else:
                root["password"] = h.rootpw.password
                b.warn(w, "plaintext root password was hashed; prefer rootpw --iscrypted")
        if h.rootpw.lock:
            root["lock"] = True
        if h.rootpw.allow_ssh:
            root["allow_ssh"] = True
        b.data["root"] = root
        b.mark(("root",), w)
    users: list[dict[str, Any]] = []
    for i, u in enumerate(h.user.userList):
        w = ks.at(u.lineno, "user")
        if any(x["name"] == u.name for x in users):
            b.error(w, f"user {u.name} is defined twice")
        groups = [g for g in u.groups if g != "wheel"]
        d: dict[str, Any] = {"name": u.name, "groups": groups, "admin": "wheel" in u.groups}
        if u.password:
            if u.isCrypted:
                d["password_hash"] = u.password
            else:
                d["password"] = u.password
                b.warn(w, f"plaintext password of user {u.name} was hashed; prefer --iscrypted")
        if u.gecos:
            d["full_name"] = u.gecos
        if u.uid is not None:
            d["uid"] = u.uid
        if u.shell:
            d["shell"] = u.shell
        users.append(d)
        b.mark(("users", i), w)
    for k in h.sshkey.sshUserList:
        w = ks.at(k.lineno, "sshkey")
        if k.username == "root":
            b.data.setdefault("root", {}).setdefault("ssh_keys", []).append(k.key)
            b.mark(("root", "ssh_keys"), w)
            continue
        idx = next((i for i, u in enumerate(users) if u["name"] == k.username), None)
        if idx is None:
            b.error(w, f"no user '{k.username}' to add the key to: add a 'user --name={k.username}' command")
            continue
        users[idx].setdefault("ssh_keys", []).append(k.key)
        b.mark(("users", idx, "ssh_keys"), w)
    if users:
        b.data["users"] = users


def _map_network(ks: Ks) -> None:
    h, b = ks.handler, ks.b
    system = b.section("system")
    interfaces: list[dict[str, Any]] = []
    for nd in h.network.network:
        w = ks.at(nd.lineno, "network")
        if nd.hostname:
            if "hostname" in system and system["hostname"] != nd.hostname:
                b.error(w, "a different --hostname was given before: give one hostname")
            system["hostname"] = nd.hostname
            b.mark(("system", "hostname"), w)
        device = nd.device
        proto = (nd.bootProto or "dhcp").lower()
        if proto not in ("dhcp", "bootp", "static"):
            ks.unsupported(w, f"--bootproto={proto}")
            continue
        if device and re.fullmatch(r"([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}", device):
            ks.unsupported(w, "--device given as a MAC address (use the interface name)")
            continue
        if device in ("", "link", "bootif"):
            if proto == "static":
                b.error(w, "--bootproto=static needs --device=NAME (the interface to configure)")
            elif nd.nameserver or not nd.onboot:
                b.error(w, "--nameserver and --onboot need --device=NAME")
            continue
        iface: dict[str, Any] = {"name": device, "dhcp": proto != "static"}
        if proto == "static":
            if not nd.ip:
                b.error(w, "--bootproto=static needs --ip")
                continue
            try:
                prefix = netmask_prefix(nd.netmask) if nd.netmask else None
            except ValueError as exc:
                b.error(w, f"--netmask: {exc}")
                continue
            if prefix is None:
                b.error(w, "--bootproto=static needs --netmask")
                continue
            iface["addresses"] = [f"{nd.ip}/{prefix}"]
            if nd.gateway:
                iface["gateway"] = nd.gateway
        elif nd.ip or nd.gateway:
            b.warn(w, "--ip/--gateway are ignored with --bootproto=dhcp")
        if nd.nameserver:
            iface["dns"] = [s.strip() for s in nd.nameserver.split(",") if s.strip()]
        if not nd.onboot:
            iface["onboot"] = False
        if any(x["name"] == device for x in interfaces):
            b.error(w, f"interface {device} is configured twice")
            continue
        b.mark(("system", "network", "interfaces", len(interfaces)), w)
        interfaces.append(iface)
    if interfaces:
        system["network"] = {"interfaces": interfaces}


def _map_system(ks: Ks) -> None:
    h, b = ks.handler, ks.b
    system = b.section("system")
    if h.timezone.seen:
        w = ks.first("timezone") or ks.at(None)
        if h.timezone.ntpservers or h.timezone.nontp:
            ks.unsupported(w, "timezone --ntpservers/--nontp")
        if h.timezone.timezone:
            system["timezone"] = h.timezone.timezone
            b.mark(("system", "timezone"), w)
    if h.lang.seen:
        w = ks.first("lang") or ks.at(None)
        if h.lang.addsupport:
            ks.unsupported(w, "lang --addsupport")
        system["locale"] = h.lang.lang
        b.mark(("system", "locale"), w)
    if h.keyboard.seen:
        k = h.keyboard
        name = k.vc_keymap or (k.kbd[0] if k.kbd else "") or (k.x_layouts[0] if k.x_layouts else "")
        if name:
            system["keyboard"] = name.split("(")[0].strip()
            b.mark(("system", "keyboard"), ks.first("keyboard") or ks.at(None))
    if h.selinux.seen and h.selinux.selinux is not None:
        system["selinux"] = {K.SELINUX_DISABLED: "disabled", K.SELINUX_ENFORCING: "enforcing",
                             K.SELINUX_PERMISSIVE: "permissive"}[h.selinux.selinux]
    if h.services.seen:
        system["services"] = {"enable": list(h.services.enabled), "disable": list(h.services.disabled)}
        b.mark(("system", "services"), ks.first("services") or ks.at(None))
    if h.firewall.seen:
        w = ks.first("firewall") or ks.at(None)
        fw: dict[str, Any] = {"enabled": h.firewall.enabled is not False}
        ports = []
        for p in h.firewall.ports:
            m = re.fullmatch(r"(\d+(?:-\d+)?):(tcp|udp)", p.strip())
            if not m:
                b.error(w, f"--port={p}: use NUMBER:tcp or NUMBER:udp (named ports are not supported)")
                continue
            ports.append(f"{m.group(1)}/{m.group(2)}")
        fw["services"] = list(dict.fromkeys(h.firewall.services))
        fw["ports"] = ports
        system["firewall"] = fw
        b.mark(("system", "firewall"), w)
    _map_network(ks)
    if not system:
        b.data.pop("system", None)


def _map_bootloader(ks: Ks) -> None:
    h, b = ks.handler, ks.b
    if not h.bootloader.seen:
        return
    w = ks.first("bootloader") or ks.at(None)
    bl: dict[str, Any] = {}
    if h.bootloader.timeout is not None:
        bl["timeout"] = h.bootloader.timeout
    if h.bootloader.appendLine:
        bl["append"] = h.bootloader.appendLine
    loc = h.bootloader.location
    if any(t.startswith("--location") for t in next(a for n, _, a in ks.commands if n == "bootloader")):
        if loc == "none":
            bl["location"] = "none"
        elif loc not in ("mbr", None, ""):
            ks.unsupported(w, f"bootloader --location={loc}")
    b.data["bootloader"] = bl
    b.mark(("bootloader",), w)


def _map_packages(ks: Ks) -> None:
    h, b = ks.handler, ks.b
    pk: dict[str, Any] = {}
    url_where = ks.first("url")
    if url_where is not None:
        if h.url.mirrorlist or h.url.metalink:
            ks.unsupported(url_where, "url --mirrorlist/--metalink")
        elif h.url.url:
            b.mark(("packages", "repositories", 0), url_where)
            pk["repositories"] = [{"name": "ks-url", "baseurl": h.url.url}]
    for r in h.repo.repoList:
        w = ks.at(r.lineno, "repo")
        if not r.baseurl:
            ks.unsupported(w, "repo without --baseurl (mirrorlist/metalink)")
            continue
        b.mark(("packages", "repositories", len(pk.get("repositories", []))), w)
        pk.setdefault("repositories", []).append({"name": r.name, "baseurl": r.baseurl})
    p = h.packages
    header = next((w for n, w, _ in ks.headers if n == "%packages"), None)
    if p.seen and header is not None:
        names = list(p.packageList)
        for g in p.groupList:
            if g.name != "core":
                b.error(header, f"group @{g.name}: Azure Linux repositories have no comps groups; "
                                "list the packages instead (only @core and @^environments are mapped)")
        for g in p.excludedGroupList:
            b.error(header, f"excluding group -@{g.name} is not supported")
        has_core = any(g.name == "core" for g in p.groupList)
        if p.nocore:
            if has_core or p.environment:
                b.error(header, "--nocore contradicts @core/@^environment in the same %packages")
            elif not names:
                b.error(header, "--nocore needs at least one package name")
            pk["set"] = "custom"
            pk["custom"] = names
        else:
            env = p.environment
            pk["set"] = "full" if env and env not in CORE_ENVIRONMENTS else "core"
            if names:
                pk["extra"] = names
        if p.excludedList:
            pk["exclude"] = list(p.excludedList)
        if p.excludeDocs:
            pk["excludedocs"] = True
        b.mark(("packages",), header)
    if pk:
        b.data["packages"] = pk


def _map_scripts(ks: Ks) -> None:
    b = ks.b
    pre: list[dict[str, Any]] = []
    post: list[dict[str, Any]] = []
    for s in ks.handler.scripts:
        w = ks.at(s.lineno, "%pre" if s.type == K.KS_SCRIPT_PRE else "%post")
        if s.type not in (K.KS_SCRIPT_PRE, K.KS_SCRIPT_POST):
            continue  # refused with the section header in _check_support
        d: dict[str, Any] = {"body": s.script, "interpreter": s.interp or "/bin/sh"}
        if s.errorOnFail:
            d["error_on_fail"] = True
        if s.logfile:
            d["log"] = s.logfile
        if s.type == K.KS_SCRIPT_PRE:
            d["chroot"] = False
            b.mark(("scripts", "pre", len(pre)), w)
            pre.append(d)
        else:
            d["chroot"] = bool(s.inChroot)
            b.mark(("scripts", "post", len(post)), w)
            post.append(d)
    if pre or post:
        b.data["scripts"] = {"pre": pre, "post": post}


def _map_finish(ks: Ks) -> None:
    found = ks.seen("reboot")
    if not found:
        ks.b.data["finish"] = "none"  # Anaconda waits at the end unless told to reboot or power off
        return
    action = ks.handler.reboot.action
    ks.b.data["finish"] = {K.KS_REBOOT: "reboot", K.KS_SHUTDOWN: "poweroff"}.get(action, "none")
    ks.b.mark(("finish",), found[-1][1])


def _map_hints(ks: Ks) -> None:
    dm = ks.seen("text")
    if dm:
        ks.hints["display_mode"] = {K.DISPLAY_MODE_TEXT: "text", K.DISPLAY_MODE_GRAPHICAL: "graphical",
                                    K.DISPLAY_MODE_CMDLINE: "cmdline"}.get(ks.handler.displaymode.displayMode,
                                                                           "text")
        if ks.handler.displaymode.nonInteractive:
            ks.hints["non_interactive"] = "true"
    if any(c[0] == "network" for c in ks.commands) and any(n.activate for n in ks.handler.network.network):
        ks.hints["network_activate"] = ",".join(n.device or "default" for n in ks.handler.network.network
                                                if n.activate)
