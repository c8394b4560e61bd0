"""Validation rules that both UIs and answer files share. Each returns a typed result: a code
(an enum each UI maps to its own words), a default English message, and a severity."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from installer.backend.grammar import has_control, show


class Severity(str, Enum):
    OK = "ok"
    WARNING = "warning"
    ERROR = "error"


class Code(str, Enum):
    OK = "ok"
    EMPTY = "empty"
    TOO_LONG = "too_long"
    TOO_SHORT = "too_short"
    BAD_CHARS = "bad_chars"
    BAD_START = "bad_start"
    BAD_LABEL = "bad_label"
    RESERVED = "reserved"
    SYSTEM_USER = "system_user"
    DUPLICATE = "duplicate"
    MISMATCH = "mismatch"
    WEAK = "weak"
    ALL_NUMERIC = "all_numeric"


@dataclass(frozen=True)
class Result:
    code: Code
    message: str = ""
    severity: Severity = Severity.OK

    @property
    def ok(self) -> bool:
        return self.severity != Severity.ERROR


OK = Result(Code.OK)


def _err(code: Code, msg: str) -> Result:
    return Result(code, msg, Severity.ERROR)


# ----------------------------------------------------------------------------- hostname
_LABEL = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?", re.ASCII)


def hostname(name: str) -> Result:
    """RFC 1123 host name: labels of 1-63 letters, digits and hyphens, not starting or ending
    with a hyphen; at most 253 characters; '_' is not allowed (Azure Linux rejects it too).
    /etc/hostname holds the first label's worth for the kernel (64 chars max)."""
    if not name:
        return _err(Code.EMPTY, "the host name cannot be empty")
    if len(name) > 253:
        return _err(Code.TOO_LONG, "the host name is longer than 253 characters")
    if name.endswith("."):
        name = name[:-1]
    for label in name.split("."):
        if not label:
            return _err(Code.BAD_LABEL, "the host name has an empty label (two dots in a row)")
        if len(label) > 63:
            return _err(Code.TOO_LONG, f"the label {show(label, 20)} is longer than 63 characters")
        if not _LABEL.fullmatch(label):
            if label.startswith("-") or label.endswith("-"):
                return _err(Code.BAD_START, f"the label {show(label)} starts or ends with a hyphen")
            return _err(Code.BAD_CHARS, f"the label {show(label)} may hold only letters, digits and hyphens")
    if name.replace(".", "").isdigit():
        return _err(Code.ALL_NUMERIC, "a host name cannot be all digits")
    if len(name.split(".")[0]) > 64:
        return _err(Code.TOO_LONG, "the first label must fit the kernel's 64-character limit")
    return OK


# ----------------------------------------------------------------------------- username
# Accounts that Azure Linux (and most distributions) ship or reserve.
SYSTEM_USERS = frozenset(
    [
        "root",
        "bin",
        "daemon",
        "adm",
        "lp",
        "sync",
        "shutdown",
        "halt",
        "mail",
        "operator",
        "games",
        "ftp",
        "nobody",
        "systemd-network",
        "systemd-resolve",
        "systemd-timesync",
        "systemd-journal-remote",
        "systemd-coredump",
        "systemd-oom",
        "dbus",
        "polkitd",
        "sshd",
        "chrony",
        "tss",
        "rpc",
        "rpcuser",
        "nfsnobody",
        "unbound",
        "tcpdump",
        "apache",
        "nginx",
        "postfix",
        "mysql",
        "messagebus",
        "avahi",
        "libstoragemgmt",
        "setroubleshoot",
        "saslauth",
        "dnsmasq",
        "qemu",
        "cockpit-ws",
    ]
)
# Names of groups the distribution ships (useradd --user-group would collide) and of tools.
# Not "admin": Azure Linux has no such group, Anaconda accepts it and many kickstarts use it.
RESERVED = frozenset(
    {
        "wheel",
        "sudo",
        "users",
        "nogroup",
        "input",
        "kvm",
        "render",
        "video",
        "audio",
        "disk",
        "tty",
        "utmp",
        "systemd",
    }
)
_USER_RE = re.compile(r"[a-z_][a-z0-9_-]*\$?", re.ASCII)


def username(name: str, existing: list[str] | None = None) -> Result:
    """useradd's rules (lowercase letters, digits, '_' and '-', starting with a letter or '_',
    at most 32 characters), not a system or reserved account, not already taken."""
    if not name:
        return _err(Code.EMPTY, "the user name cannot be empty")
    if len(name) > 32:
        return _err(Code.TOO_LONG, "the user name is longer than 32 characters")
    if not _USER_RE.fullmatch(name):
        if name[0].isdigit() or name[0] == "-":
            return _err(Code.BAD_START, "the user name must start with a lowercase letter or '_'")
        return _err(Code.BAD_CHARS, "the user name may hold only lowercase letters, digits, '_' and '-'")
    if name.isdigit():
        return _err(Code.ALL_NUMERIC, "the user name cannot be all digits")
    if name in SYSTEM_USERS:
        return _err(Code.SYSTEM_USER, f"'{name}' is a system account")
    if name in RESERVED:
        return _err(Code.RESERVED, f"'{name}' is a reserved name")
    if existing and name in existing:
        return _err(Code.DUPLICATE, f"a user named '{name}' is already defined")
    return OK


def suggest_username(full_name: str) -> str:
    """A derived suggestion, as installers offer: 'Ada Lovelace' -> 'ada'."""
    import unicodedata

    first = (full_name.strip().split() or [""])[0]
    ascii_ = unicodedata.normalize("NFKD", first).encode("ascii", "ignore").decode().lower()
    cleaned = re.sub(r"[^a-z0-9_-]", "", ascii_)
    if not cleaned or not (cleaned[0].isalpha() or cleaned[0] == "_"):
        cleaned = "user" + cleaned
    if username(cleaned).ok:
        return cleaned[:32]
    return (cleaned + "1")[:32]


# ----------------------------------------------------------------------------- secrets
MIN_PASSPHRASE = 8
MAX_SECRET_CHARS = 256  # a password or passphrase
MAX_SECRET_BYTES = 511  # ... in UTF-8 (libxcrypt hashes at most 512 bytes with the final NUL)
_WEAK_WORDS = (
    "password",
    "passw0rd",
    "azurelinux",
    "qwerty",
    "letmein",
    "123456",
    "admin",
    "welcome",
    "changeme",
    "secret",
)


def passphrase(value: str, confirmation: str | None = None, *, minimum: int = MIN_PASSPHRASE) -> Result:
    """Length, confirmation match, and a weak-pattern warning. The value never appears in the
    message."""
    if not value:
        return _err(Code.EMPTY, "the passphrase cannot be empty")
    bad = secret_problem(value)
    if bad is not None:
        return bad
    if len(value) < minimum:
        return _err(Code.TOO_SHORT, f"use at least {minimum} characters")
    if confirmation is not None and confirmation != value:
        return _err(Code.MISMATCH, "the two entries do not match")
    low = value.lower()
    classes = sum(bool(re.search(p, value)) for p in (r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]"))
    if any(w in low for w in _WEAK_WORDS) or len(set(value)) <= 3 or _sequential(low):
        return Result(Code.WEAK, "this is a common or predictable pattern", Severity.WARNING)
    if len(value) < 12 and classes < 3:
        return Result(Code.WEAK, "short and simple: longer or mixed characters are safer", Severity.WARNING)
    return OK


def secret_problem(value: str) -> Result | None:
    """Bounds every password and passphrase must keep (the value never appears in the message)."""
    if len(value) > MAX_SECRET_CHARS or len(value.encode()) > MAX_SECRET_BYTES:
        return _err(Code.TOO_LONG, f"use at most {MAX_SECRET_CHARS} characters ({MAX_SECRET_BYTES} bytes in UTF-8)")
    if has_control(value):
        return _err(Code.BAD_CHARS, "control characters and line breaks cannot be typed at a prompt; remove them")
    return None


def _sequential(s: str) -> bool:
    run = 1
    for a, b in zip(s, s[1:], strict=False):
        run = run + 1 if ord(b) - ord(a) == 1 else 1
        if run >= 5:
            return True
    return False


def strength(value: str) -> int:
    """0..4 for a strength meter."""
    if not value:
        return 0
    r = passphrase(value)
    if r.severity == Severity.ERROR:
        return 0
    if r.severity == Severity.WARNING:
        return 1
    score = 2 + (len(value) >= 14) + (len({c for c in value if not c.isalnum()}) > 0)
    return min(score, 4)
