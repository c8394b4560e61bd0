"""What every page shares: the flow state, the machine and the run options. Pure Python."""

from __future__ import annotations

from dataclasses import dataclass, field

from installer.backend.config import InstallConfig
from installer.backend.flow import FlowState
from installer.backend.machine import Machine


@dataclass
class GuiContext:
    state: FlowState
    machine: Machine
    dry_run: bool = False
    log_path: str | None = None
    # set once the user confirmed the summary: the exact config that is installed
    config: InstallConfig | None = None
    finish: str = "reboot"
    finish_confirmed: bool = False  # the user clicked Finish (closing the window does nothing)
    outcome: str = "not-started"  # not-started | running | finished | failed | cancelled
    errors: list[str] = field(default_factory=list)
