"""Kickstart reading: %include/%ksappend flattening with a line map, secret collection, quote
checks and pykickstart parsing that collects every error as FILE:LINE: message."""

from __future__ import annotations

import difflib
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pykickstart.errors import KickstartError
from pykickstart.parser import KickstartParser

from installer.backend.answers.kickstart_support import ALIASES
from installer.backend.answers.kickstart_tokens import split, use_in_pykickstart
from installer.backend.answers.mapping import Builder, Where
from installer.backend.answers.reader import Reader, ReadRefused

MAX_INCLUDE_DEPTH = 8


SECRET_OPTIONS = ("--password", "--passphrase", "--backuppassphrase", "--hw-passphrase", "--wepkey", "--wpakey")


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
    package_lines: dict[str, Where] = field(default_factory=dict)
    """Each %packages entry ('@core', '-nano', 'vim') -> the line it is on (errors point there)."""

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

    def last(self, *names: str) -> Where | None:
        """Where the one that counts is, for a single-use command (the last one wins)."""
        found = self.seen(*names)
        return found[-1][1] if found else None

    def package_at(self, entry: str) -> Where | None:
        w = self.package_lines.get(entry)
        return Where(w.source, w.line, path="%packages") if w is not None else None

    def unsupported(self, where: Where, what: str) -> None:
        if self.ignore_unsupported:
            self.b.warn(where, f"{what} is not supported by azl-installer; ignored")
        else:
            self.b.error(where, f"{what} is not supported by azl-installer "
                                "(--ignore-unsupported makes this a warning)")


@dataclass
class Flat:
    """A kickstart with its includes inlined: the lines, where each came from, and the %include
    files that do not exist (when the caller defers them to the second pass)."""

    lines: list[str] = field(default_factory=list)
    where: list[Where] = field(default_factory=list)
    missing: list[tuple[str, int | None, str]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.lines)


SCRIPT_SECTIONS = ("%pre", "%pre-install", "%post", "%onerror", "%traceback", "%addon", "%anaconda", "%certificate")
_PACKAGE_LINE = re.compile(r"-?(@\^?)?[A-Za-z0-9_][A-Za-z0-9._+:~^*?\[\]-]*(\s+--\S+)*\s*(#.*)?", re.ASCII)


def _foreign_line(lines: list[str], section: str, commands: frozenset[str]) -> int | None:
    """The first line (1-based) of an included file that is not kickstart where it is included:
    a command line must start with a kickstart command or section keyword, a %packages line must
    be a package, group or exclusion. Such a file is refused without showing its content (an
    ``%include /etc/shadow`` must not print the file's lines back in error messages)."""
    for n, line in enumerate(lines, 1):
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        first = s.split()[0]
        if first.startswith("%"):
            section = "" if first == "%end" else first
            continue
        if section == "%packages":
            if not _PACKAGE_LINE.fullmatch(s):
                return n
        elif not section and first not in commands:
            return n
    return None


def _section_after(lines: list[str], section: str) -> str:
    for line in lines:
        s = line.strip()
        if s.startswith("%"):
            first = s.split()[0]
            if first not in ("%include", "%ksappend"):
                section = "" if first == "%end" else first
    return section


def _flatten(text: str, source: str, base_dir: Path, b: Builder, *, defer_missing: bool = False,
             reader: Reader | None = None, commands: frozenset[str] = frozenset()) -> Flat:
    """Inline %include/%ksappend files (paths relative to the including file), keeping a map
    from each line of the result to its file and line for error messages. With defer_missing, an
    %include of a file that does not exist is recorded in ``Flat.missing`` (a %pre may write it)."""
    flat = Flat()
    _flatten_into(flat, text, source, base_dir, b, defer_missing, 0, (), reader or Reader(), commands, "")
    return flat


def _flatten_into(flat: Flat, text: str, source: str, base_dir: Path, b: Builder, defer_missing: bool,
                  depth: int, chain: tuple[str, ...], reader: Reader, commands: frozenset[str],
                  section: str) -> str:
    """Returns the section open at the end of ``text`` (an include may open one)."""
    lines, where = flat.lines, flat.where
    for i, line in enumerate(text.splitlines(), 1):
        head, _, rest = line.strip().partition(" ")
        if head not in ("%include", "%ksappend"):
            lines.append(line + "\n")
            where.append(Where(source, i))
            if head.startswith("%"):
                section = "" if head == "%end" else head
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
        if defer_missing and head == "%include" and not path.exists():
            flat.missing.append((source, i, arg))
            continue
        try:
            sub = reader.read_text(path).removeprefix("\ufeff")  # regular files only, bounded, UTF-8, no NUL
        except ReadRefused as exc:
            b.error(w, f"{head} {arg}: {exc}")
            continue
        if commands and section not in SCRIPT_SECTIONS:
            bad = _foreign_line(sub.splitlines(), section, commands)
            if bad is not None:
                what = "package, group or exclusion" if section == "%packages" else "command"
                b.error(Where(str(path), bad, path=head), f"not a kickstart file: this line is no kickstart {what} "
                        f"(included by {source}:{i}; the content is not shown)")
                continue
        _flatten_into(flat, sub, str(path), path.parent, b, defer_missing, depth + 1, (*chain, key), reader,
                      commands, section)
        section = _section_after(sub.splitlines(), section)
    return section


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


_SECRET_NAMES = (*tuple(o.lstrip("-") for o in SECRET_OPTIONS), "plaintext", "iscrypted")
_SECRET_WORDS = ("pass", "pw", "secret", "plaintext", "wepkey", "wpakey")


def _secretish(option: str) -> bool:
    """An option that carries a secret, or looks like a misspelling of one (--passwd, --pasphrase,
    --plaintext=...): its value is treated as a secret in every message."""
    name = option.lstrip("-").lower()
    if not name:
        return False
    if name in _SECRET_NAMES or any(w in name for w in _SECRET_WORDS):
        return True
    return bool(difflib.get_close_matches(name, _SECRET_NAMES, n=1, cutoff=0.8))


def _scan_secrets(lines: list[str], b: Builder) -> None:
    """Collect secret values before parsing so no message (pykickstart's included) can echo them:
    every positional argument and option value of rootpw and sshpw (but sshpw's --username), and
    the value of every option that is, or resembles, a secret option, given as --opt=VALUE or as
    --opt VALUE."""
    for line in lines:
        try:
            toks = split(line, comments=True)
        except ValueError:
            toks = line.split()
        if not toks:
            continue
        whole = toks[0] in ("rootpw", "sshpw")
        for i, t in enumerate(toks[1:], 1):
            if not t.startswith("-"):
                if whole and not toks[i - 1].startswith("--username"):
                    b.secret_values.add(t)
                continue
            name, eq, value = t.partition("=")
            if (whole and eq and name != "--username") or _secretish(name):
                if eq:
                    b.secret_values.add(value)
                elif i + 1 < len(toks) and not toks[i + 1].startswith("-"):
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
            split(line, comments=True)
        except ValueError as exc:
            ks.b.error(ks.at(n, first), f"cannot split this line: {exc}")
            continue
        if first == "%end":
            in_section = ""
        elif first.startswith("%") and first not in ("%include", "%ksappend"):
            in_section = first


_LINE_RE = re.compile(r"\bline (\d+)")


def _parse(ks: Ks, flat: str) -> None:
    use_in_pykickstart()  # pykickstart's own line splitting, linear too
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


def package_entry_key(entry: str) -> str:
    """'@core --nodefaults' -> '@core', '  -nano ' -> '-nano': the key an entry is found by."""
    s = entry.split("#", 1)[0].strip()
    words = s.split()
    head = []
    for w in words:
        if w.startswith("--"):
            break
        head.append(w)
    return " ".join(head)


def package_lines(flat: Flat) -> dict[str, Where]:
    """Each entry of every %packages section -> the first line that names it."""
    out: dict[str, Where] = {}
    inside = False
    for line, w in zip(flat.lines, flat.where, strict=True):
        s = line.split("#", 1)[0].strip()
        if not s:
            continue
        head = s.split()[0]
        if head == "%packages":
            inside = True
        elif inside and head == "%end":
            inside = False
        elif inside and not head.startswith("%"):
            out.setdefault(package_entry_key(s), w)
    return out
