"""What azl-installer carries out of a kickstart: the support table, and the check that refuses
(or, with ``ignore_unsupported``, warns about) every other command, option and section."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from installer.backend.answers.kickstart_parse import Ks
    from installer.backend.answers.mapping import Where


# Commands that azl-installer carries out, with the pykickstart option dests each accepts.
SUPPORTED: dict[str, set[str]] = {
    "clearpart": {"type", "initAll", "disklabel", "drives", "devices"},
    "zerombr": set(),
    "ignoredisk": {"ignoredisk", "onlyuse"},
    "autopart": {"encrypted", "passphrase", "type", "fstype", "nohome", "noswap", "noboot", "hibernation",
                 "luks_version", "pbkdf",
                 "pbkdf_memory", "pbkdf_time", "pbkdf_iterations", "cipher"},
    "part": {"primOnly", "fstype", "grow", "maxSizeMB", "disk", "size", "fsopts", "label", "encrypted",
             "passphrase", "cipher", "luks_version", "pbkdf", "pbkdf_memory", "pbkdf_time", "pbkdf_iterations",
             "onPart", "format", "mkfsopts"},
    "mount": {"reformat", "mkfs_opts", "mount_opts"},
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

# Commands that keep existing data by their nature: never ignored (ignoring `mount /dev/vda1 /`
# would leave a file with no storage command, whose default layout erases a disk).
KEEP_COMMANDS: dict[str, str] = {}


MULTI = {"part", "volgroup", "logvol", "user", "sshkey", "network", "repo", "mount"}  # may appear more than once


SECTION_OPTIONS = {
    "%packages": {"--nocore", "--excludedocs"},
    "%pre": {"--interpreter", "--erroronfail", "--log", "--logfile"},
    "%post": {"--interpreter", "--erroronfail", "--log", "--logfile", "--nochroot"},
}


def _multi(ks: Ks, name: str, spelled: str) -> bool:
    """Commands that may repeat are those pykickstart keeps a list for (part, user, network, ...)."""
    cmd = ks.handler.commands.get(spelled)
    if cmd is not None and hasattr(cmd, "dataList"):
        return cmd.dataList() is not None
    return name in MULTI


def _option_dest(ks: Ks, where: Where, tok: str) -> str | None:
    actions = ks.handler.commands[where.path].op._option_string_actions
    opt = tok.split("=", 1)[0]
    action = actions.get(opt)
    if action is None:
        cands = {a for s, a in actions.items() if s.startswith(opt)}
        action = cands.pop() if len(cands) == 1 else None
    return None if action is None else str(action.dest)


def _keeps_data(ks: Ks, where: Where, args: list[str]) -> bool:
    try:
        return any(_option_dest(ks, where, t) in KEEP_DATA for t in args[1:] if t.startswith("-"))
    except (KeyError, AttributeError):
        return False


def _check_support(ks: Ks) -> None:
    counts: dict[str, Where] = {}
    for name, where, args in ks.commands:
        if name in NO_OP:
            continue
        if name in KEEP_COMMANDS:
            ks.b.error(where, f"'{where.path}' {KEEP_COMMANDS[name]}; ignoring it could erase what it keeps, "
                              "so this is an error even with --ignore-unsupported")
            continue
        if name not in SUPPORTED:
            if _keeps_data(ks, where, args):
                ks.b.error(where, f"command '{where.path}' with an option that keeps existing data is not supported "
                                  "by azl-installer; ignoring it could erase what it keeps (not downgradable to a "
                                  "warning)")
            else:
                ks.unsupported(where, f"command '{where.path}'")
            continue
        if not _multi(ks, name, where.path):
            if name in counts:  # pykickstart parses it again over the first: the last one wins
                prev = counts[name]
                ks.b.warn(where, f"'{where.path}' replaces '{prev.path}' given before (at "
                                 f"{prev.label(ks.b.source)}): the last one counts")
            counts[name] = where
        actions = ks.handler.commands[where.path].op._option_string_actions
        for tok in args[1:]:
            if not tok.startswith("-"):
                continue
            opt = tok.split("=", 1)[0]
            action = actions.get(opt)
            if action is None:
                cands = {a for s, a in actions.items() if s.startswith(opt)}
                action = cands.pop() if len(cands) == 1 else None
            if action is not None and action.dest in KEEP_DATA and action.dest not in SUPPORTED[name]:
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
