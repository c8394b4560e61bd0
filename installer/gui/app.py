"""`azl-installer --ui gui`: the graphical installer. Returns the installer's exit codes."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from installer.gui.window import InstallerWindow

EXIT_INVALID, EXIT_CANCELLED = 2, 130
MEDIUM_MARKER = "/etc/azl-installer-medium"


def build(args: argparse.Namespace, *, high_contrast: bool | None = None) -> InstallerWindow:
    """Load the inputs and build the window (the QApplication must exist). Raises InvalidInput."""
    from installer.backend.flow import from_config, new_state
    from installer.gui.context import GuiContext
    from installer.gui.window import InstallerWindow

    # imported only when used: start-up time is part of the experience (bench/gui_bench.py)
    if getattr(args, "machine", None):
        from installer.backend.machine import load_machine

        machine = load_machine(args.machine)
    else:
        from installer.cli.common import get_machine

        machine = get_machine(None)
    answers = getattr(args, "answers", None)
    if answers:
        from installer.cli.common import load_answers

        loaded = load_answers(answers)
        storage_missing = loaded.hints.get("storage") == "missing"
        state = from_config(loaded.config, machine)
    else:
        storage_missing = False
        state = new_state(machine)
    dry = bool(getattr(args, "dry_run", False))
    log_path = None if dry else _log_path()
    ctx = GuiContext(state=state, machine=machine, dry_run=dry, log_path=log_path)
    hc = high_contrast if high_contrast is not None else os.environ.get("AZL_HIGH_CONTRAST") == "1"
    win = InstallerWindow(ctx, high_contrast=hc)
    if answers and getattr(args, "interactive", False):
        win.go_to("disk" if storage_missing else "summary")  # no storage layout chosen: the user does
    return win


def _log_path() -> str:
    d = "/var/log/azl-installer"
    try:
        os.makedirs(d, exist_ok=True)
        if os.access(d, os.W_OK):
            return f"{d}/install.log"
    except OSError:
        pass
    return "azl-installer.log"


def run(args: argparse.Namespace) -> int:
    from PySide6.QtWidgets import QApplication

    from installer.backend.errors import InvalidInput

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("azl-installer")
    QApplication.setApplicationDisplayName("Azure Linux installer")
    try:
        win = build(args)
    except InvalidInput as exc:
        for issue in exc.issues:
            print(issue.format(), file=sys.stderr)
        return EXIT_INVALID
    # quit when this window closes, not on "last window closed": that posts a Quit event which,
    # handled after exec() returned, would end every later event loop of an embedding app
    QApplication.setQuitOnLastWindowClosed(False)
    win.closed.connect(app.quit)
    win.show()
    app.exec()
    outcome = win.ctx.outcome
    if outcome == "finished":
        if win.ctx.finish_confirmed:
            _finish(win.ctx.finish, win.ctx.dry_run)
        return 0
    if outcome == "failed":
        return 1
    return EXIT_CANCELLED


def _finish(action: str, dry_run: bool) -> None:
    """Reboot or power off after the window closed (teardown already ran in the engine)."""
    if action == "none" or dry_run or not os.path.exists(MEDIUM_MARKER):
        return
    import subprocess

    subprocess.run(["systemctl", action], check=False)
