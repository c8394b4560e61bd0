"""Typed errors: each carries what a user needs to act on it, and maps to an exit code."""

from __future__ import annotations

from dataclasses import dataclass, field


class InstallerError(Exception):
    """Base class. `exit_code` follows the CLI contract."""

    exit_code = 1


@dataclass
class Issue:
    """One problem found in user input: where (file position, field path) and what."""

    path: str
    message: str
    line: int | None = None
    column: int | None = None
    source: str | None = None
    severity: str = "error"

    def format(self) -> str:
        where = self.source or "<input>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        field_part = f" {self.path}:" if self.path else ""
        return f"{where}:{field_part} {self.message}"


@dataclass
class InvalidInput(InstallerError):
    """Bad input of any kind (exit 2). Never carries a secret value."""

    issues: list[Issue] = field(default_factory=list)
    exit_code = 2

    def __str__(self) -> str:
        return "\n".join(i.format() for i in self.issues)


class RefusedForSafety(InstallerError):
    """The plan would touch something it must not (exit 3)."""

    exit_code = 3


class Cancelled(InstallerError):
    exit_code = 130


class StepFailed(InstallerError):
    """A step failed while applying; `action` names what was being done."""

    exit_code = 1

    def __init__(self, step_id: str, action: str, detail: str) -> None:
        super().__init__(f"{step_id}: {action}: {detail}")
        self.step_id = step_id
        self.action = action
        self.detail = detail


class CommandFailed(InstallerError):
    """A command run through the System seam exited non-zero."""

    def __init__(self, argv: list[str], returncode: int, stderr: str) -> None:
        from installer.backend.secrets import redact

        tail = stderr.strip().splitlines()[-5:]
        super().__init__(redact(f"{' '.join(argv)} exited {returncode}: {' | '.join(tail)}"))
        self.argv = argv
        self.returncode = returncode
        self.stderr = stderr


class DeviceNotAllowed(RefusedForSafety):
    """HostSystem refused a block device that the plan does not name."""
