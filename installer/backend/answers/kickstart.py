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
    Ks,
    _check_quotes,
    _flatten,
    _parse,
    _scan_secrets,
)
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
from installer.backend.answers.mapping import Builder, ForeignLoaded, Where
from installer.backend.answers.reader import Reader
from installer.backend.errors import InvalidInput, Issue


def load_kickstart(text: str, source: str, *, base_dir: Path | None = None,
                   ignore_unsupported: bool = False) -> ForeignLoaded:
    """Parse a kickstart file and map it onto InstallConfig. Raises InvalidInput (FILE:LINE)."""
    b = Builder(source)
    handler = makeVersion()
    lines, linemap = _flatten(text, source, base_dir or Path("."), b, reader=Reader(MAX_TOTAL_BYTES - len(text)),
                              commands=frozenset(handler.commands))
    _scan_secrets(lines, b)
    ks = Ks(handler, b, ignore_unsupported, linemap)
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
