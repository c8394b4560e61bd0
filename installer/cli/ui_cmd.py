"""No subcommand: start an interactive installer (Textual on a terminal, Qt with a display)."""

from __future__ import annotations

import argparse
import os
import sys


def add_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--ui", choices=["tui", "gui"], help="which interactive installer to start")
    p.add_argument("--serial", action="store_true", help="lean text UI for a serial console")
    p.add_argument("--answers", metavar="FILE", help="prefill from an answer file")
    p.add_argument("--interactive", action="store_true",
                   help="with --answers: review in the UI (jumps to the summary)")
    p.add_argument("--dry-run", action="store_true", help="record instead of installing")
    p.add_argument("--machine", help="a recorded machine (JSON) instead of probing this one")


def choose_ui(args: argparse.Namespace) -> str:
    if args.ui:
        return str(args.ui)
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return "gui"
    return "tui"


def run(args: argparse.Namespace) -> int:
    ui = choose_ui(args)
    if args.dry_run:
        from installer.cli.common import assume_medium_repo_for_dry_run

        assume_medium_repo_for_dry_run()
    if ui == "gui":
        from installer.gui.app import run as run_gui

        return run_gui(args)
    if not sys.stdin.isatty() and not os.environ.get("AZL_FORCE_TUI"):
        print("azl-installer: no terminal for the text installer; use a subcommand "
              "(see --help)", file=sys.stderr)
        return 2
    from installer.tui.app import run as run_tui

    return run_tui(args)
