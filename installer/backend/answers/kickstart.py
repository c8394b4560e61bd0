"""Kickstart files (Anaconda, Azure Linux 4.0's ISO) -> InstallConfig, through pykickstart.

pykickstart does the parsing (newest syntax version); this module resolves %include/%ksappend
against the file's directory, re-reports every parse error as FILE:LINE: message, refuses
commands and options that azl-installer does not carry out (``ignore_unsupported`` turns those
into warnings), and maps the rest onto InstallConfig. docs/kickstart.md has the full table.
"""

from __future__ import annotations

import re
import shlex
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pykickstart import constants as K
from pykickstart.errors import KickstartError
from pykickstart.parser import KickstartParser
from pykickstart.version import makeVersion

from installer.backend.answers.kickstart_storage import map_storage
from installer.backend.answers.mapping import Builder, ForeignLoaded, Where, netmask_prefix
from installer.backend.errors import InvalidInput, Issue

MAX_INCLUDE_DEPTH = 8

# Commands that azl-installer carries out, with the pykickstart option dests each accepts.
SUPPORTED: dict[str, set[str]] = {
    "clearpart": {"type", "initAll", "disklabel", "drives", "devices"},
    "zerombr": set(),
    "ignoredisk": {"ignoredisk", "onlyuse"},
    "autopart": {"encrypted", "passphrase", "type", "fstype", "nohome", "noswap", "luks_version", "pbkdf",
                 "pbkdf_memory", "pbkdf_time", "pbkdf_iterations", "cipher"},
    "part": {"primOnly", "fstype", "grow", "maxSizeMB", "disk", "size", "fsopts", "label", "encrypted",
             "passphrase", "cipher", "luks_version", "pbkdf", "pbkdf_memory", "pbkdf_time", "pbkdf_iterations"},
    "reqpart": {"addBoot"},
    "volgroup": set(),
    "logvol": {"fstype", "grow", "maxSizeMB", "name", "percent", "size", "vgname", "label"},
    "bootloader": {"appendLine", "location", "timeout"},
    "rootpw": {"isCrypted", "lock", "allow_ssh"},
    "user": {"isCrypted", "name", "password", "shell", "uid", "gecos", "groups"},
    "sshkey": {"username"},
    "network": {"bootProto", "device", "gateway", "hostname", "ip", "nameserver", "netmask", "onboot", "activate"},
    "timezone": {"isUtc"},
    "lang": set(),
    "keyboard": {"vc_keymap", "x_layouts"},
    "selinux": {"selinux"},
    "services": {"disabled", "enabled"},
    "firewall": {"enabled", "ports", "services"},
    "url": {"url"},
    "repo": {"name", "baseurl"},
    "reboot": {"eject"},
    "text": {"nonInteractive"},
}
# Commands that real Anaconda-generated files carry and that already describe what azl-installer
# does: accepted without effect (and listed in docs/kickstart.md).
NO_OP: dict[str, str] = {
    "cdrom": "the installer medium's own repository is the default package source",
    "eula": "Azure Linux has no EULA step",
    "firstboot": "azl-installer installs no first-boot wizard",
    "skipx": "no X server is installed",
}
ALIASES = {"partition": "part", "poweroff": "reboot", "shutdown": "reboot", "halt": "reboot",
           "graphical": "text", "cmdline": "text"}
# Options that reuse existing partitions or data: ignoring them would destroy what they keep.
KEEP_DATA = {"onPart", "format", "preexist", "resize"}
MULTI = {"part", "volgroup", "logvol", "user", "sshkey", "network", "repo"}  # may appear more than once
SECTION_OPTIONS = {
    "%packages": {"--nocore", "--excludedocs"},
    "%pre": {"--interpreter", "--erroronfail", "--log", "--logfile"},
    "%post": {"--interpreter", "--erroronfail", "--log", "--logfile", "--nochroot"},
}
SECRET_OPTIONS = ("--password", "--passphrase", "--backuppassphrase", "--hw-passphrase", "--wepkey", "--wpakey")
# @^environment -> our package set: minimal environments are core, anything bigger is full.
CORE_ENVIRONMENTS = {"minimal-environment", "minimal", "core", "custom-environment"}


@dataclass
class Ks:
    """Everything the mappers need: the parsed handler, where each command came from, output."""

    handler: Any
    b: Builder
    ignore_unsupported: bool
    linemap: list[Where]
    commands: list[tuple[str, Where, list[str]]] = field(default_factory=list)
    headers: list[tuple[str, Where, list[str]]] = field(default_factory=list)
    hints: dict[str, str] = field(default_factory=dict)

    def at(self, lineno: int | None, cmd: str = "") -> Where:
        if lineno is not None and 1 <= lineno <= len(self.linemap):
            w = self.linemap[lineno - 1]
            return Where(w.source, w.line, path=cmd)
        return Where(self.b.source, None, path=cmd)

    def seen(self, *names: str) -> list[tuple[str, Where, list[str]]]:
        return [c for c in self.commands if c[0] in names]

    def first(self, *names: str) -> Where | None:
        found = self.seen(*names)
        return found[0][1] if found else None

    def unsupported(self, where: Where, what: str) -> None:
        if self.ignore_unsupported:
            self.b.warn(where, f"{what} is not supported by azl-installer; ignored")
        else:
            self.b.error(where, f"{what} is not supported by azl-installer "
                                "(--ignore-unsupported makes this a warning)")


# --------------------------------------------------------------------------- includes
def _flatten(text: str, source: str, base_dir: Path, b: Builder, depth: int = 0,
             chain: tuple[str, ...] = ()) -> tuple[list[str], list[Where]]:
    """Inline %include/%ksappend files (paths relative to the including file), keeping a map
    from each line of the result to its file and line for error messages."""
    lines: list[str] = []
    where: list[Where] = []
    for i, line in enumerate(text.splitlines(), 1):
        head, _, rest = line.strip().partition(" ")
        if head not in ("%include", "%ksappend"):
            lines.append(line + "\n")
            where.append(Where(source, i))
            continue
        w = Where(source, i, path=head)
        arg = rest.strip().strip("'\"")
        if not arg:
            b.error(w, f"{head} needs a file name")
            continue
        if arg.startswith("file://"):
            arg = arg[len("file://"):]
        if "://" in arg or arg.startswith(("nfs:", "hd:", "cdrom:", "bd:")):
            b.error(w, f"{head} {arg}: only local files are supported (put the file next to the kickstart)")
            continue
        path = Path(arg) if arg.startswith("/") else base_dir / arg
        key = str(path.resolve())
        if key in chain or depth >= MAX_INCLUDE_DEPTH:
            b.error(w, f"{head} {arg}: includes nest too deeply or include themselves")
            continue
        try:
            sub = path.read_text(encoding="utf-8")
        except OSError as exc:
            b.error(w, f"{head} {arg}: cannot read: {exc.strerror}")
            continue
        except UnicodeDecodeError:
            b.error(w, f"{head} {arg}: not UTF-8 text")
            continue
        sub_lines, sub_where = _flatten(sub, str(path), path.parent, b, depth + 1, (*chain, key))
        lines += sub_lines
        where += sub_where
    return lines, where


# --------------------------------------------------------------------------- parsing
class _Parser(KickstartParser):
    """Collects every error instead of stopping at the first, and records where each command
    and section header was."""

    def __init__(self, handler: Any) -> None:
        super().__init__(handler, followIncludes=False, errorsAreFatal=True, missingIncludeIsFatal=False,
                         unknownSectionIsFatal=True)
        self.errors: list[KickstartError] = []
        self.commands: list[tuple[str, int, list[str]]] = []
        self.headers: list[tuple[str, int, list[str]]] = []
        for name, section in self._sections.items():
            section.handleHeader = self._recording(name, section.handleHeader)

    def _recording(self, name: str, fn: Any) -> Any:
        def wrapped(lineno: int, args: list[str]) -> Any:
            self.headers.append((name, lineno, list(args)))
            return fn(lineno, args)
        return wrapped

    def _tryFunc(self, fn: Any) -> None:
        try:
            fn()
        except KickstartError as exc:
            self.errors.append(exc)

    def handleCommand(self, lineno: int, args: list[str]) -> Any:
        self.commands.append((args[0], lineno, list(args)))
        return super().handleCommand(lineno, args)


def _scan_secrets(lines: list[str], b: Builder) -> None:
    """Collect secret values before parsing so no message can echo them."""
    for line in lines:
        try:
            toks = shlex.split(line, comments=True)
        except ValueError:
            toks = line.split()
        if not toks:
            continue
        if toks[0] in ("rootpw", "sshpw"):
            b.secret_values.update(t for t in toks[1:] if not t.startswith("--"))
        for i, t in enumerate(toks):
            name, eq, value = t.partition("=")
            if name in SECRET_OPTIONS:
                if eq:
                    b.secret_values.add(value)
                elif i + 1 < len(toks):
                    b.secret_values.add(toks[i + 1])
    b.secret_values.discard("")


def _check_quotes(lines: list[str], ks: Ks) -> None:
    """pykickstart splits lines with shlex and lets ValueError escape: report those lines."""
    in_section = ""
    for n, line in enumerate(lines, 1):
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        first = s.split()[0]
        if in_section and not first.startswith("%"):
            if in_section == "%packages" and s.split("#")[0].strip() in ("-", "@", "-@", "@^", "-@^"):
                ks.b.error(ks.at(n, "%packages"), f"'{s}' names no package or group")
            continue
        try:
            shlex.split(line, comments=True)
        except ValueError as exc:
            ks.b.error(ks.at(n, first), f"cannot split this line: {exc}")
            continue
        if first == "%end":
            in_section = ""
        elif first.startswith("%") and first not in ("%include", "%ksappend"):
            in_section = first


_LINE_RE = re.compile(r"\bline (\d+)")


def _parse(ks: Ks, flat: str) -> None:
    parser = _Parser(ks.handler)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            parser.readKickstartFromString(flat)
        except KickstartError as exc:
            parser.errors.append(exc)
        except Exception as exc:  # pykickstart bug or odd input: still a clean error
            line = None
            cur = getattr(parser, "_line", "")
            for n, text in enumerate(flat.splitlines(True), 1):
                if text == cur:
                    line = n
                    break
            ks.b.error(ks.at(line), f"kickstart parse error: {type(exc).__name__}: {exc}")
    for e in parser.errors:
        msg = " ".join(str(e.message or "this line could not be parsed").split())
        ks.b.error(ks.at(e.lineno), msg)
    for wr in caught:
        text = " ".join(str(wr.message).split())
        text = _LINE_RE.sub(lambda m: ks.at(int(m.group(1))).label(ks.b.source) or m.group(0), text)
        ks.b.warn(None, f"kickstart: {text}")
    ks.commands = [(ALIASES.get(n, n), ks.at(ln, n), a) for n, ln, a in parser.commands]
    ks.headers = [(n, ks.at(ln, n), a) for n, ln, a in parser.headers]


def _check_support(ks: Ks) -> None:
    counts: dict[str, Where] = {}
    for name, where, args in ks.commands:
        if name in NO_OP:
            continue
        if name not in SUPPORTED:
            ks.unsupported(where, f"command '{where.path}'")
            continue
        if name not in MULTI:
            if name in counts:
                prev = counts[name]
                ks.b.error(where, f"'{where.path}' is given twice (first at {prev.label(ks.b.source)}); "
                                  "give it once")
            counts.setdefault(name, where)
        actions = ks.handler.commands[where.path].op._option_string_actions
        for tok in args[1:]:
            if not tok.startswith("-"):
                continue
            opt = tok.split("=", 1)[0]
            action = actions.get(opt)
            if action is None:
                cands = {a for s, a in actions.items() if s.startswith(opt)}
                action = cands.pop() if len(cands) == 1 else None
            if action is not None and action.dest in KEEP_DATA:
                ks.b.error(where, f"option {opt} of '{where.path}' keeps existing data, which azl-installer "
                                  "cannot do: it erases the target disks (not downgradable to a warning)")
            elif action is not None and action.dest not in SUPPORTED[name]:
                ks.unsupported(where, f"option {opt} of '{where.path}'")
    if "autopart" in counts:
        for name in ("part", "logvol", "volgroup", "reqpart"):
            w = ks.first(name)
            if w is not None:
                ks.b.error(w, f"'{w.path}' cannot be combined with autopart (at "
                              f"{counts['autopart'].label(ks.b.source)}): choose one")
    for name, where, args in ks.headers:
        allowed = SECTION_OPTIONS.get(name)
        if allowed is None:
            ks.unsupported(where, f"section {name}")
            continue
        for tok in args[1:]:
            opt = tok.split("=", 1)[0]
            if tok.startswith("-") and opt not in allowed:
                ks.unsupported(where, f"option {opt} of {name}")


# --------------------------------------------------------------------------- mapping
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


# --------------------------------------------------------------------------- entry point
def load_kickstart(text: str, source: str, *, base_dir: Path | None = None,
                   ignore_unsupported: bool = False) -> ForeignLoaded:
    """Parse a kickstart file and map it onto InstallConfig. Raises InvalidInput (FILE:LINE)."""
    b = Builder(source)
    lines, linemap = _flatten(text, source, base_dir or Path("."), b)
    _scan_secrets(lines, b)
    ks = Ks(makeVersion(), b, ignore_unsupported, linemap)
    _check_quotes(lines, ks)
    b.raise_if_issues()
    _parse(ks, "".join(lines))
    b.raise_if_issues()
    _check_support(ks)
    b.raise_if_issues()
    try:
        map_storage(ks)
        _map_accounts(ks)
        _map_system(ks)
        _map_bootloader(ks)
        _map_packages(ks)
        _map_scripts(ks)
        _map_finish(ks)
        _map_hints(ks)
    except InvalidInput:
        raise
    except Exception as exc:  # a mapping bug must still come out as a clean error
        b.error(Where(source), f"could not map this kickstart ({type(exc).__name__}); please report it")
    config = b.build()
    return ForeignLoaded(config, "kickstart", b.warnings, ks.hints, source=source, origins=b.where)


__all__ = ["Issue", "Ks", "load_kickstart"]
