"""Running kickstart %pre scripts before the file is read again (Anaconda's first pass).

:class:`PreRun` is the :data:`~installer.backend.answers.kickstart_pre.PreRunner` the CLI hands to
the kickstart loader for ``install`` (always, as Anaconda does) and for ``validate``/``plan``/
``install --dry-run`` with ``--run-pre``. Each script is written to a private 0700 directory under
/tmp, run with its interpreter on this system through the System seam, and its output goes to a
log beside it (and to its ``--log`` path). A failing script with ``--erroronfail`` stops loading
with ``FILE:LINE: %pre exited N`` naming the log and the last lines; nothing has been planned, so
nothing has been written to any disk. Without ``--erroronfail`` the failure is a note and the
file is read on.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from installer.backend.answers.kickstart_pre import PreScript
from installer.backend.errors import InvalidInput, Issue
from installer.backend.system import System

WORK_PARENT = "/tmp"


@dataclass(frozen=True)
class PreOutcome:
    script: PreScript
    returncode: int
    log: str


@dataclass
class PreRun:
    system: System
    say: Callable[[str], None] = field(default=lambda _line: None)
    outcomes: list[PreOutcome] = field(default_factory=list)

    def __call__(self, scripts: list[PreScript]) -> None:
        work = f"{WORK_PARENT}/azl-installer-pre-{secrets.token_hex(6)}"
        self.system.makedirs(work, mode=0o700)
        self.system.chmod(work, 0o700)
        for i, s in enumerate(scripts, 1):
            self._one(work, i, s)

    def _one(self, work: str, i: int, s: PreScript) -> None:
        body = s.body if s.body.endswith("\n") else s.body + "\n"
        path = f"{work}/pre-{i}.script"
        log = f"{work}/pre-{i}.log"
        self.system.write_file(path, body, mode=0o700)
        self.say(f"running {s.label} ({s.interpreter})")
        res = self.system.run([s.interpreter, path], check=False, cwd="/tmp")
        output = res.stdout + (("\n" + res.stderr) if res.stderr else "")
        self.system.write_file(log, output, mode=0o600)
        if s.log:
            self.system.write_file(s.log, output, mode=0o600)
        self.outcomes.append(PreOutcome(s, res.returncode, log))
        if res.returncode == 0:
            return
        tail = [ln.strip() for ln in output.splitlines() if ln.strip()][-3:]
        detail = f"%pre exited {res.returncode}; its output is in {log}" + (": " + " | ".join(tail) if tail else "")
        if s.error_on_fail:
            raise InvalidInput([Issue("%pre", detail + " (--erroronfail: the install stops here)", line=s.line,
                                      source=s.source)])
        self.say(f"{s.label}: {detail} (no --erroronfail: continuing)")
