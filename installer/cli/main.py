"""Entry point: `azl-installer` / `python -m installer`.

Subcommand modules are imported only when that subcommand runs, so starting an interactive
installer (no subcommand) does not pay for the engine, YAML and answer-file importers.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from installer import __version__
from installer.cli import ui_cmd

# name -> (module with add(subparsers) and run(args), one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("installer.cli.validate_cmd", "check answer files (native YAML/JSON, kickstart, Azure JSON)"),
    "schema": ("installer.cli.schema_cmd", "print the answer file's JSON Schema"),
    "plan": ("installer.cli.plan_cmd", "show the install plan for an answer file"),
    "install": ("installer.cli.install_cmd", "install from an answer file"),
    "probe": ("installer.cli.probe_cmd", "show this machine's disks (--json to record them)"),
    "convert": ("installer.cli.convert_cmd", "print any answer file as a native file (or an Image Customizer config)"),
}


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="azl-installer",
        description="Install Azure Linux. With no command, start the interactive installer.",
    )
    p.add_argument("--version", action="version", version=f"azl-installer {__version__}")
    ui_cmd.add_options(p)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    chosen = next((a for a in argv if a in COMMANDS), None)
    for name, (module, help_text) in COMMANDS.items():
        if name == chosen:
            importlib.import_module(module).add(sub)
        else:
            sub.add_parser(name, help=help_text, add_help=False)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: usage errors are invalid input (exit 2)
        return int(exc.code or 0)
    try:
        if args.command is None:
            return ui_cmd.run(args)
        return int(args.func(args))
    except KeyboardInterrupt:
        print("cancelled", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
