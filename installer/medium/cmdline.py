"""Parse the ``inst.*`` options of the kernel command line (``/proc/cmdline``).

The forms are the ones kickstart users already type (Anaconda's boot options):

``inst.ks=hd:LABEL=NAME:/path``, ``inst.ks=hd:UUID=U:/path``, ``inst.ks=hd:/dev/vdb1:/path``
(or ``hd:vdb1:/path``), ``inst.ks=cdrom`` / ``inst.ks=cdrom:/path``, ``inst.ks=file:/path``,
``inst.ks=http://...`` / ``https://...``; the legacy spelling ``ks=`` is accepted too.
``inst.text`` and ``inst.cmdline`` pick the mode. Our own additions: ``inst.finish=`` (what the
medium does after a successful install: ``halt`` (wait), ``poweroff`` or ``reboot``; without it
the answer file's ``finish`` decides)
and ``inst.ks.timeout=`` (seconds to wait for the answer file's device or network, default 60).

Nothing here touches the machine: :func:`parse` takes the command line as a string.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_KS_PATH = "/ks.cfg"
DEFAULT_TIMEOUT = 60.0
OEMDRV_LABEL = "OEMDRV"


class KsKind(enum.Enum):
    """Where an ``inst.ks=`` answer file lives."""

    HD = "hd"
    CDROM = "cdrom"
    FILE = "file"
    HTTP = "http"


class Finish(enum.Enum):
    """What the medium does after a successful unattended install."""

    HALT = "halt"
    POWEROFF = "poweroff"
    REBOOT = "reboot"


@dataclass(frozen=True)
class KsSource:
    """One parsed ``inst.ks=`` value."""

    kind: KsKind
    raw: str
    path: str = DEFAULT_KS_PATH
    """Path of the file on the device (HD, CDROM) or on the live system (FILE)."""
    device: str | None = None
    """HD only: ``LABEL=X``, ``UUID=X``, ``PARTUUID=X`` or a device path like ``/dev/vdb1``."""
    url: str | None = None
    """HTTP only: the full ``http://`` or ``https://`` URL."""

    def describe(self) -> str:
        """A short human description, e.g. ``hd:LABEL=OEMDRV:/ks.cfg``."""
        if self.kind is KsKind.HTTP:
            return self.url or self.raw
        if self.kind is KsKind.HD:
            return f"hd:{self.device}:{self.path}"
        return f"{self.kind.value}:{self.path}"


@dataclass(frozen=True)
class MediumOptions:
    """The typed view of the kernel command line that the launcher acts on."""

    raw: str = ""
    ks: KsSource | None = None
    text: bool = False
    cmdline: bool = False
    finish: Finish | None = None
    """``inst.finish=``; None: the answer file's ``finish`` decides (halt when it says none)."""
    ks_timeout: float = DEFAULT_TIMEOUT
    consoles: tuple[str, ...] = ()
    """``console=`` device names in order (``ttyS0``, ``tty0``...), options stripped."""
    errors: tuple[str, ...] = field(default=())
    """Problems with inst.* options; the launcher refuses to install when there are any."""

    @property
    def unattended(self) -> bool:
        """True when no question may be asked (``inst.cmdline``)."""
        return self.cmdline

    @property
    def primary_console(self) -> str:
        """The tty that ``/dev/console`` points at: the last ``console=`` (tty0 means tty1)."""
        if not self.consoles:
            return "tty1"
        last = self.consoles[-1]
        return "tty1" if last in ("tty0", "tty") else last


class CmdlineError(ValueError):
    """An ``inst.ks=`` value that this medium cannot use."""


def split_cmdline(text: str) -> list[str]:
    """Split a kernel command line the way the kernel does: on blanks outside double quotes."""
    words: list[str] = []
    cur: list[str] = []
    in_quote = False
    started = False
    for ch in text:
        if ch == '"':
            in_quote = not in_quote
            started = True
            continue
        if ch.isspace() and not in_quote:
            if started:
                words.append("".join(cur))
                cur = []
                started = False
            continue
        cur.append(ch)
        started = True
    if started:
        words.append("".join(cur))
    return words


_HEX_ESCAPE = re.compile(r"\\x([0-9a-fA-F]{2})")


def unescape(value: str) -> str:
    r"""Decode ``\xNN`` escapes (how a label with a blank is written: ``LABEL=MY\x20DISK``)."""
    return _HEX_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value)


def _normalize_device(device: str) -> str:
    device = unescape(device)
    for prefix in ("LABEL=", "UUID=", "PARTUUID=", "PARTLABEL="):
        if device.upper().startswith(prefix):
            return prefix + device[len(prefix) :]
    if device.startswith("/dev/"):
        return device
    if re.fullmatch(r"[A-Za-z0-9._-]+", device):
        return "/dev/" + device
    raise CmdlineError(f"unknown device {device!r} (want LABEL=, UUID=, PARTUUID= or /dev/...)")


def _normalize_path(path: str, value: str) -> str:
    path = unescape(path)
    if not path.startswith("/"):
        raise CmdlineError(f"the path in {value!r} must start with '/'")
    if any(part == ".." for part in Path(path).parts):
        raise CmdlineError(f"the path in {value!r} must not contain '..'")
    return path


def parse_ks(value: str) -> KsSource:
    """Parse one ``inst.ks=`` value; raise :class:`CmdlineError` for forms we do not support."""
    if not value:
        raise CmdlineError(
            "inst.ks needs a location (hd:, cdrom:, file:, http:// or https://); "
            "a bare inst.ks (answer file from DHCP) is not supported"
        )
    lower = value.lower()
    if lower.startswith(("http://", "https://")):
        return KsSource(KsKind.HTTP, raw=value, path="", url=value)
    if lower.startswith("file:"):
        rest = value[len("file:") :]
        if rest.startswith("//"):
            rest = rest[2:]
        return KsSource(KsKind.FILE, raw=value, path=_normalize_path(rest, value))
    if lower == "cdrom":
        return KsSource(KsKind.CDROM, raw=value)
    if lower.startswith("cdrom:"):
        rest = value[len("cdrom:") :]
        # Anaconda also allows cdrom:DEVICE:/path; the device is ignored here (any CD is tried)
        if ":/" in rest:
            rest = rest[rest.rfind(":/") + 1 :]
        return KsSource(KsKind.CDROM, raw=value, path=_normalize_path(rest, value))
    if lower.startswith("hd:"):
        rest = value[len("hd:") :]
        cut = rest.rfind(":/")
        if cut <= 0:
            raise CmdlineError(f"{value!r}: want hd:DEVICE:/path, e.g. hd:LABEL=OEMDRV:/ks.cfg")
        device, path = rest[:cut], rest[cut + 1 :]
        return KsSource(
            KsKind.HD,
            raw=value,
            device=_normalize_device(device),
            path=_normalize_path(path, value),
        )
    if lower.startswith(("nfs:", "ftp:", "hmc", "bd:")):
        raise CmdlineError(f"{value!r}: this medium does not support {value.split(':')[0]}: sources")
    raise CmdlineError(f"{value!r}: unknown answer-file location")


def parse(text: str) -> MediumOptions:
    """Parse a whole kernel command line into :class:`MediumOptions`."""
    ks: KsSource | None = None
    text_mode = False
    cmdline = False
    finish: Finish | None = None
    timeout = DEFAULT_TIMEOUT
    consoles: list[str] = []
    errors: list[str] = []
    ks_values: list[str] = []
    for word in split_cmdline(text):
        key, eq, value = word.partition("=")
        if key == "console" and eq:
            consoles.append(value.split(",", 1)[0])
        elif key in ("inst.ks", "ks"):
            ks_values.append(value)
        elif key == "inst.text":
            text_mode = True
        elif key == "inst.cmdline":
            cmdline = True
        elif key == "inst.finish":
            try:
                finish = Finish(value)
            except ValueError:
                errors.append(f"inst.finish={value}: want halt, poweroff or reboot")
        elif key == "inst.ks.timeout":
            try:
                timeout = float(value)
                if timeout < 0:
                    raise ValueError(value)
            except ValueError:
                errors.append(f"inst.ks.timeout={value}: want a number of seconds")
    if len(ks_values) > 1:
        errors.append("inst.ks is given more than once: " + ", ".join(ks_values))
    if ks_values:
        try:
            ks = parse_ks(ks_values[-1])
        except CmdlineError as exc:
            errors.append(str(exc))
    return MediumOptions(
        raw=text.strip(),
        ks=ks,
        text=text_mode,
        cmdline=cmdline,
        finish=finish,
        ks_timeout=timeout,
        consoles=tuple(consoles),
        errors=tuple(errors),
    )


def ks_requested(opts: MediumOptions) -> bool:
    """True when the command line named an answer file (even one that failed to parse)."""
    if opts.ks is not None:
        return True
    return any(w.split("=", 1)[0] in ("inst.ks", "ks") for w in split_cmdline(opts.raw))


def read_proc_cmdline(path: Path = Path("/proc/cmdline")) -> MediumOptions:
    """Parse the running kernel's command line."""
    return parse(path.read_text(encoding="utf-8", errors="replace"))
