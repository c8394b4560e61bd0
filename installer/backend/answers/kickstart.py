"""Kickstart files (Anaconda, Azure Linux 4.0's ISO) -> InstallConfig, through pykickstart.

pykickstart does the parsing (newest syntax version); this module resolves %include/%ksappend
against the file's directory, re-reports every parse error as FILE:LINE: message, refuses
commands and options that azl-installer does not carry out (``ignore_unsupported`` turns those
into warnings), and maps the rest onto InstallConfig. docs/kickstart.md has the full table.

The work is split: kickstart_parse.py (includes, secrets, parsing), kickstart_support.py (the
support table and its check), kickstart_storage.py and kickstart_commands.py (the mappers). Their
public names are re-exported here.
"""

from __future__ import annotations

from pathlib import Path

from pykickstart.version import makeVersion

from installer.backend.answers.bounds import MAX_TOTAL_BYTES
from installer.backend.answers.kickstart_commands import (
    CORE_ENVIRONMENTS,
    _map_accounts,
    _map_bootloader,
    _map_finish,
    _map_hints,
    _map_packages,
    _map_scripts,
    _map_system,
)
from installer.backend.answers.kickstart_parse import (
    MAX_INCLUDE_DEPTH,
    SECRET_OPTIONS,
    Flat,
    Ks,
    _check_quotes,
    _flatten,
    _parse,
    _scan_secrets,
    package_lines,
)
from installer.backend.answers.kickstart_pre import NeedsPre, PreRunner, needs_pre, pre_scripts
from installer.backend.answers.kickstart_storage import map_storage
from installer.backend.answers.kickstart_support import (
    ALIASES,
    KEEP_DATA,
    MULTI,
    NO_OP,
    SECTION_OPTIONS,
    SUPPORTED,
    _check_support,
)
from installer.backend.answers.mapping import Builder, ForeignLoaded, Where, issue_key
from installer.backend.answers.reader import Reader
from installer.backend.errors import InvalidInput, Issue


def load_kickstart(text: str, source: str, *, base_dir: Path | None = None,
                   ignore_unsupported: bool = False, run_pre: PreRunner | None = None) -> ForeignLoaded:
    """Parse a kickstart file and map it onto InstallConfig. Raises InvalidInput (FILE:LINE) with
    every problem found in one run; NeedsPre when %include files are missing that the %pre
    scripts would write and no ``run_pre`` was given (kickstart_pre.py: Anaconda's two passes)."""
    b = Builder(source)
    base = base_dir or Path(".")
    text = text.removeprefix("\ufeff")
    handler = makeVersion()
    commands = frozenset(handler.commands)

    def flatten(b: Builder, defer: bool) -> Flat:
        return _flatten(text, source, base, b, defer_missing=defer, reader=Reader(MAX_TOTAL_BYTES - len(text)),
                        commands=commands)

    flat = flatten(b, True)
    notes: list[str] = []
    pre_ran = False
    waiting: NeedsPre | None = None
    if flat.missing or run_pre is not None:
        scripts = pre_scripts(flat.text, lambda n: _where_of(flat.where, n, source))
        if scripts and run_pre is not None:
            b.raise_if_issues()  # a broken %ksappend: nothing runs
            run_pre(scripts)  # raises InvalidInput when a --erroronfail script fails
            pre_ran = True
            notes.append(f"ran {len(scripts)} %pre script(s), then read the file again")
            b = Builder(source)
            flat = flatten(b, False)
        elif scripts and flat.missing:
            waiting = needs_pre(flat.missing, scripts)
        else:
            for src, line, path in flat.missing:
                b.error(Where(src, line, path="%include"), f"%include {path}: cannot read: No such file or directory")
    _scan_secrets(flat.lines, b)
    ks = Ks(handler, b, ignore_unsupported, flat.where)
    ks.package_lines = package_lines(flat)
    _check_quotes(flat.lines, ks)
    _parse(ks, flat.text)
    parse_issues = len(b.issues)
    _check_support(ks)
    if waiting is not None:
        # what the %pre will write is unknown: check the syntax of the rest, map nothing
        _drop_echoes(b, parse_issues)
        if b.issues:
            raise InvalidInput(sorted([*b.issues, *waiting.issues], key=issue_key))
        raise waiting
    try:
        map_storage(ks)
        _map_accounts(ks)
        _map_system(ks)
        _map_bootloader(ks)
        _map_packages(ks)
        _map_scripts(ks)
        _map_finish(ks)
        _map_hints(ks)
    except InvalidInput as exc:
        b.issues.extend(exc.issues)
    except Exception as exc:  # a mapping bug must still come out as a clean error
        if not b.issues:
            b.error(Where(source), f"could not map this kickstart ({type(exc).__name__}); please report it")
    if pre_ran:
        b.data.setdefault("scripts", {})["pre"] = []  # they ran before planning: not again in the install
    _drop_echoes(b, parse_issues)
    config = b.build()
    loaded = ForeignLoaded(config, "kickstart", b.warnings, ks.hints, source=source, origins=b.where)
    loaded.notes = notes
    return loaded


def _where_of(where: list[Where], lineno: int | None, source: str) -> tuple[str, int | None]:
    if lineno is not None and 1 <= lineno <= len(where):
        w = where[lineno - 1]
        return w.source, w.line
    return source, None


def _drop_echoes(b: Builder, parse_issues: int) -> None:
    """Every problem is reported in one run, but only once per line: a line pykickstart could not
    parse gets no second message from the mappers (which saw its defaults)."""
    bad = {(i.source, i.line) for i in b.issues[:parse_issues] if i.line is not None}
    b.issues[parse_issues:] = [i for i in b.issues[parse_issues:] if (i.source, i.line) not in bad]


__all__ = [
    "ALIASES",
    "CORE_ENVIRONMENTS",
    "KEEP_DATA",
    "MAX_INCLUDE_DEPTH",
    "MULTI",
    "NO_OP",
    "SECRET_OPTIONS",
    "SECTION_OPTIONS",
    "SUPPORTED",
    "Issue",
    "Ks",
    "load_kickstart",
]
