"""Entry point: `azl-installer` / `python -m installer`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from installer import __version__
from installer.cli import install_cmd, plan_cmd, schema_cmd, ui_cmd, validate_cmd

# Subcommand modules: each has add(subparsers). Other modules append themselves here.
COMMANDS = [validate_cmd, schema_cmd, plan_cmd, install_cmd]


def _optional_commands() -> list[object]:
    mods: list[object] = []
    for name in ("probe_cmd", "convert_cmd"):
        try:
            mods.append(__import__(f"installer.cli.{name}", fromlist=["add"]))
        except ModuleNotFoundError:
            continue
    return mods


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="azl-installer",
        description="Install Azure Linux. With no command, start the interactive installer.",
    )
    p.add_argument("--version", action="version", version=f"azl-installer {__version__}")
    ui_cmd.add_options(p)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for mod in [*COMMANDS, *_optional_commands()]:
        mod.add(sub)  # type: ignore[attr-defined]
    return p


class _Parser(argparse.ArgumentParser):
    pass


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
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
