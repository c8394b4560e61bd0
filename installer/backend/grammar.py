"""Grammars of the values that become command arguments or lines in files.

Each ``*_problem`` function returns None for a good value, else a message naming what is wrong
(the value is shown escaped and shortened, never raw). The InstallConfig field types
(installer/backend/config) apply them, so every answer-file format and both UIs go through the
same checks; the file writers call :func:`require_safe` again as a last line of defence.
docs/security.md lists what is validated where.
"""

from __future__ import annotations

import re
import shlex
import unicodedata
from urllib.parse import urlsplit

from installer.backend.errors import InvalidInput, Issue


# --------------------------------------------------------------------------- characters
def has_control(s: str) -> bool:
    """C0/C1 control characters, DEL, and Unicode line or paragraph separators."""
    return any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in s)


def show(value: str, limit: int = 40) -> str:
    """A value for a message: quoted, control characters escaped, shortened."""
    text = value if len(value) <= limit else value[:limit] + "..."
    out = "".join(c if unicodedata.category(c) not in ("Cc", "Zl", "Zp", "Cf") else
                  ("\\n" if c == "\n" else f"\\x{ord(c):02x}" if ord(c) < 256 else f"\\u{ord(c):04x}")
                  for c in text)
    return f"'{out}'"


def control_problem(value: str, what: str) -> str | None:
    if has_control(value):
        return f"{what} {show(value)} contains a control character or line break"
    return None


class UnsafeValue(InvalidInput):
    """A writer was handed a value the config model should have refused (exit 2)."""

    def __init__(self, message: str) -> None:
        super().__init__([Issue("", message)])


def require_safe(value: str, what: str, *, extra: str = "") -> str:
    """Raise UnsafeValue if ``value`` has a control character or one of ``extra``: for file
    writers, as defence in depth behind the model's own checks."""
    if has_control(value) or any(c in value for c in extra):
        raise UnsafeValue(f"refusing to write {what} {show(value)}: it contains a control character"
                          + (f" or one of {extra!r}" if extra else ""))
    return value


# --------------------------------------------------------------------------- packages
# RPM's Name grammar (rpmbuild's parsePreamble: letters, digits and . - _ + (and macro characters,
# which no built package keeps)), plus what dnf/tdnf accept in an install spec: NEVRA parts
# (: ~ ^), globs (* ? [ ]). Never a leading '-', which the package manager would read as an option.
_PACKAGE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._+:~^*?\[\]-]*", re.ASCII)
MAX_PACKAGE_NAME = 255


def package_problem(name: str) -> str | None:
    if not name:
        return "a package name cannot be empty"
    if len(name) > MAX_PACKAGE_NAME:
        return f"a package name is at most {MAX_PACKAGE_NAME} characters"
    if name.startswith("-"):
        return f"{show(name)} is not a package name: it starts with '-' (an option for the package manager)"
    if not _PACKAGE.fullmatch(name):
        return (f"{show(name)} is not a package name: use letters, digits and . _ + - (globs * ? [ ] "
                "and version parts : ~ ^ are allowed), starting with a letter, digit or '_'")
    return None


_RELEASEVER = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,31}", re.ASCII)


def releasever_problem(v: str) -> str | None:
    if not _RELEASEVER.fullmatch(v):
        return f"{show(v)} is not a release version such as 3.0"
    return None


# --------------------------------------------------------------------------- URLs
URL_SCHEMES = ("file", "http", "https", "ftp")
MAX_URL = 4096
# RFC 3986 characters (unreserved, reserved, '%'): no spaces, quotes, backslashes or braces
_URL_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+", re.ASCII)


def url_problem(url: str, schemes: tuple[str, ...] = URL_SCHEMES) -> str | None:
    allowed = ", ".join(f"{s}://" for s in schemes)
    if not url:
        return "a URL cannot be empty"
    if len(url) > MAX_URL:
        return f"a URL is at most {MAX_URL} characters"
    if has_control(url) or any(c.isspace() for c in url):
        return f"the URL {show(url)} contains a space, control character or line break"
    if not _URL_CHARS.fullmatch(url):
        return f"the URL {show(url)} has characters a URL cannot hold (percent-encode them)"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return f"{show(url)} is not a valid URL"
    if parts.scheme.lower() not in schemes:
        return f"{show(url)} is not a repository URL ({allowed})"
    if parts.scheme.lower() == "file":
        if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
            return f"{show(url)}: a file:// URL needs an absolute path (file:///srv/repo)"
    elif not parts.hostname:
        return f"{show(url)} has no host name"
    return None


def key_location_problem(v: str) -> str | None:
    """A GPG key: a URL, or an absolute path (made a file:// URL)."""
    if v.startswith("/"):
        return path_problem(v, "a key path")
    return url_problem(v, ("file", "http", "https"))


# --------------------------------------------------------------------------- kernel arguments
# key[=value]; no quotes, whitespace, or characters that the shell (sourcing /etc/default/grub)
# or GRUB's script language (grub.cfg) would interpret: " ' ` $ \ ; & | < > ( ) { } # * ? [ ]
_KARG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*(=[A-Za-z0-9_.,:/+=@%~!^-]*)?", re.ASCII)
MAX_CMDLINE = 2048  # the x86 kernel's COMMAND_LINE_SIZE


def kernel_arg_problem(token: str) -> str | None:
    if not _KARG.fullmatch(token):
        if any(c in token for c in "\"'"):
            return (f"kernel argument {show(token)}: quoted values are not supported (they would be "
                    "re-read by the shell and by GRUB)")
        return (f"{show(token)} is not a kernel argument such as console=ttyS0,115200 (letters, digits "
                "and _ . - in the name; no spaces, quotes or any of ` $ \\ ; & | < > ( ) { } # * ? [ ])")
    return None


def kernel_args_problem(append: str) -> str | None:
    if len(append) > MAX_CMDLINE:
        return f"the kernel arguments are longer than {MAX_CMDLINE} characters (the kernel's limit)"
    if has_control(append):
        return f"the kernel arguments {show(append)} contain a control character or line break"
    for token in append.split():
        p = kernel_arg_problem(token)
        if p:
            return p
    return None


def kernel_args(append: str) -> list[str]:
    """The tokens of a validated ``bootloader.append`` (whitespace-separated: no quoting)."""
    return append.split()


# --------------------------------------------------------------------------- network
IFNAMSIZ = 16
_IFNAME = re.compile(r"[A-Za-z0-9_.+@*?\[\]-]+", re.ASCII)


def interface_problem(name: str) -> str | None:
    """The kernel's dev_valid_name (1-15 bytes, not . or .., no '/', ':' or whitespace), printable
    ASCII only, and no leading '!' (systemd-networkd would read it as 'all but')."""
    if not name:
        return "an interface name cannot be empty"
    if has_control(name) or any(c.isspace() for c in name):
        return f"the interface name {show(name)} contains a space, control character or line break"
    if len(name.encode()) >= IFNAMSIZ:
        return f"the interface name {show(name)} is longer than {IFNAMSIZ - 1} characters (the kernel's limit)"
    if name in (".", ".."):
        return f"{show(name)} is not an interface name"
    if not _IFNAME.fullmatch(name):
        return (f"{show(name)} is not an interface name: letters, digits and _ . + @ - (globs * ? [ ] "
                "allowed); no '/', ':', '!', spaces or control characters")
    return None


_PORT = re.compile(r"([0-9]{1,5})(?:-([0-9]{1,5}))?/(tcp|udp)", re.ASCII)


def port_problem(p: str) -> str | None:
    m = _PORT.fullmatch(p)
    if not m or not 0 < int(m.group(1)) <= 65535 or (
            m.group(2) and not int(m.group(1)) <= int(m.group(2)) <= 65535):
        return f"{show(p)} is not a port such as 8080/tcp or 6000-6010/udp (ASCII digits 1-65535)"
    return None


_SERVICE = re.compile(r"[a-z0-9][a-z0-9_.+-]{0,63}", re.ASCII)


def firewall_service_problem(s: str) -> str | None:
    if not _SERVICE.fullmatch(s):
        return f"{show(s)} is not a firewall service name such as ssh or https"
    return None


_UNIT = re.compile(r"[A-Za-z0-9_.:@\\][A-Za-z0-9_.:@\\-]{0,254}", re.ASCII)


def unit_problem(u: str) -> str | None:
    """A systemd unit name (systemd's unit_name_is_valid characters), never starting with '-'."""
    if not _UNIT.fullmatch(u):
        return f"{show(u)} is not a systemd unit name such as sshd.service"
    return None


# --------------------------------------------------------------------------- accounts
_ACCOUNT = re.compile(r"[a-z_][a-z0-9_-]{0,31}\$?", re.ASCII)


def group_problem(g: str) -> str | None:
    """shadow-utils' default name rules (as for user names), at most 32 characters."""
    if not _ACCOUNT.fullmatch(g) or len(g) > 32:
        return (f"{show(g)} is not a group name: lowercase letters, digits, '_' and '-', starting with a "
                "letter or '_', at most 32 characters")
    return None


def gecos_problem(v: str) -> str | None:
    if len(v) > 256:
        return "the full name is longer than 256 characters"
    if has_control(v) or ":" in v:
        return "the full name cannot contain ':' or control characters (it is a field of /etc/passwd)"
    return None


_HASH = re.compile(r"\$[A-Za-z0-9./$=,]+", re.ASCII)


def hash_problem(v: str) -> str | None:
    if len(v) > 512 or not _HASH.fullmatch(v):
        return "password_hash must be a crypt(3) hash such as $6$... or $y$... (no spaces, ':' or line breaks)"
    return None


def ssh_key_problem(k: str) -> str | None:
    if len(k) > 16384:
        return "an SSH key is at most 16384 characters"
    if has_control(k):
        return "an SSH key must be one line (no line breaks or control characters)"
    return None


# --------------------------------------------------------------------------- paths
MAX_PATH = 4096


def path_problem(p: str, what: str = "a path") -> str | None:
    """An absolute, normalised path without whitespace, control characters or backslashes (it
    goes into fstab, argv and generated files)."""
    if not p.startswith("/"):
        return f"{what} {show(p)} must be an absolute path"
    if len(p) > MAX_PATH:
        return f"{what} is at most {MAX_PATH} characters"
    if has_control(p) or any(c.isspace() for c in p) or "\\" in p:
        return f"{what} {show(p)} contains a space, backslash or control character"
    if any(part in (".", "..") for part in p.split("/")) or "//" in p:
        return f"{what} {show(p)} must not contain '.', '..' or '//' components"
    return None


def name_problem(v: str, what: str, max_len: int = 255) -> str | None:
    """A single path component (a /dev/disk/by-id name, ...): no '/', not . or .."""
    if not v or v in (".", "..") or "/" in v or len(v) > max_len or has_control(v) or any(
            c.isspace() for c in v):
        return f"{show(v)} is not {what} (one name: no '/', spaces or control characters)"
    return None


_DEVICE_TAG = re.compile(r"(LABEL|UUID|PARTLABEL|PARTUUID)=[^\s/\\'\"`$]{1,128}", re.ASCII)


def device_spec_problem(v: str) -> str | None:
    """An existing partition: a /dev path, or LABEL=, UUID=, PARTLABEL=, PARTUUID= (fstab's forms)."""
    if v.startswith("/dev/"):
        return path_problem(v, "the device")
    if has_control(v) or not _DEVICE_TAG.fullmatch(v):
        return f"{show(v)} is not a device such as /dev/vda2, LABEL=x, UUID=x, PARTLABEL=x or PARTUUID=x"
    return None


def options_problem(v: str) -> str | None:
    """Extra command options (e.g. mkfs options): no control characters or line breaks."""
    if len(v) > 1024 or has_control(v):
        return f"the options {show(v)} contain a control character or line break"
    try:
        shlex.split(v)  # the planner splits them into arguments (1 KiB at most: shlex is quick)
    except ValueError as exc:
        return f"the options {show(v)} cannot be split into arguments ({exc})"
    return None


_MOUNT_OPTIONS = re.compile(r"[A-Za-z0-9_.,=:+/@-]+", re.ASCII)


def mount_options_problem(v: str) -> str | None:
    if not _MOUNT_OPTIONS.fullmatch(v) or len(v) > 1024:
        return f"{show(v)} is not a list of mount options such as defaults,noatime"
    return None


def label_problem(v: str) -> str | None:
    if not v or len(v) > 64 or has_control(v) or v.startswith("-") or "/" in v:
        return f"{show(v)} is not a label (1-64 characters, no '/', control characters or leading '-')"
    return None


_TZ = re.compile(r"[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*", re.ASCII)
_LOCALE_CHARS = re.compile(r"[A-Za-z0-9_.@-]{1,64}", re.ASCII)
_KEYMAP_CHARS = re.compile(r"[A-Za-z0-9_.+-]{1,64}", re.ASCII)
_CIPHER = re.compile(r"[a-z0-9][a-z0-9:()_-]{0,63}", re.ASCII)


def timezone_problem(v: str) -> str | None:
    if len(v) > 64 or not _TZ.fullmatch(v):
        return f"{show(v)} is not a timezone name such as Europe/Berlin"
    return None


def locale_problem(v: str) -> str | None:
    if not _LOCALE_CHARS.fullmatch(v):
        return f"{show(v)} is not a locale such as en_US.UTF-8"
    return None


def keymap_problem(v: str) -> str | None:
    if not _KEYMAP_CHARS.fullmatch(v) or v.startswith("-"):
        return f"{show(v)} is not a keyboard layout such as us or de-latin1"
    return None


def cipher_problem(v: str) -> str | None:
    if not _CIPHER.fullmatch(v):
        return f"{show(v)} is not a cipher specification such as aes-xts-plain64"
    return None
