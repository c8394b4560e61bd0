"""Kickstart's first pass, as Anaconda reads a file: only the %pre scripts, before anything else.

Anaconda parses a kickstart twice. The first pass ignores every command and every other section,
tolerates ``%include`` files that do not exist yet and collects the ``%pre`` scripts; they run on
the installer system; then the whole file is parsed again, so an ``%include`` of a file that a
``%pre`` script wrote works (the usual way to compute partitioning or networking on the machine).

Here the first pass is :func:`pre_scripts` over the flattened text (existing includes inlined,
missing ones left out). Running them is the caller's business: it passes a :data:`PreRunner`
(installer/backend/prerun.py runs them through the System seam); without one, a file whose
includes are missing but that has %pre scripts is reported as needing %pre (:class:`NeedsPre`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pykickstart.constants import KS_SCRIPT_PRE
from pykickstart.errors import KickstartError
from pykickstart.parser import KickstartParser, Script
from pykickstart.sections import NullSection, PreScriptSection
from pykickstart.version import makeVersion

from installer.backend.errors import InvalidInput, Issue


@dataclass(frozen=True)
class PreScript:
    """One %pre section, with where it is in the (possibly included) file."""

    body: str
    interpreter: str
    log: str | None
    error_on_fail: bool
    source: str
    line: int | None

    @property
    def label(self) -> str:
        return f"%pre at {self.source}:{self.line}" if self.line else f"%pre in {self.source}"


PreRunner = Callable[[list[PreScript]], None]
"""Runs the %pre scripts in order on the installer system; raises InvalidInput (exit 2) when one
with --erroronfail fails, naming its exit status and log."""


class NeedsPre(InvalidInput):
    """The file %includes files that do not exist yet and has %pre scripts that were not run
    (validate/plan/dry-run without --run-pre). ``issues`` name each missing include's line."""


class _PreParser(KickstartParser):
    """Only %pre sections; commands and every other section are ignored (Anaconda's pre pass)."""

    def handleCommand(self, lineno: int, args: list[str]) -> Any:
        return None

    def setupSections(self) -> None:
        self._sections: dict[str, Any] = {}
        self.registerSection(PreScriptSection(self.handler, dataObj=Script))
        for name in ("%pre-install", "%post", "%onerror", "%traceback", "%packages", "%addon", "%anaconda",
                     "%certificate"):
            self.registerSection(NullSection(self.handler, sectionOpen=name))


def pre_scripts(flat: str, where_of: Callable[[int | None], tuple[str, int | None]]) -> list[PreScript]:
    """The %pre scripts of a flattened kickstart, in order. Parse problems are left to the full
    pass (which reports them on their lines); a file that cannot be read here has no %pre."""
    parser = _PreParser(makeVersion(), followIncludes=False, errorsAreFatal=False, missingIncludeIsFatal=False,
                        unknownSectionIsFatal=False)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the full pass reports them, on their lines
            parser.readKickstartFromString(flat)
    except (KickstartError, ValueError):
        return []
    out = []
    for s in parser.handler.scripts:
        if s.type != KS_SCRIPT_PRE:
            continue
        source, line = where_of(s.lineno)
        out.append(PreScript(body=s.script, interpreter=s.interp or "/bin/sh", log=s.logfile,
                             error_on_fail=bool(s.errorOnFail), source=source, line=line))
    return out


def needs_pre(missing: list[tuple[str, int | None, str]], scripts: list[PreScript]) -> NeedsPre:
    """The NeedsPre error for missing includes that the %pre scripts are expected to write."""
    first = scripts[0]
    issues = [
        Issue("%include", f"%include {path}: the file does not exist yet; {first.label} is expected to write it "
                          "(Anaconda runs %pre first). Not checked: run with --run-pre to run the %pre scripts on "
                          "this machine (on the installer), then the whole file is read again", line=line,
                          source=source)
        for source, line, path in missing
    ]
    return NeedsPre(issues)
