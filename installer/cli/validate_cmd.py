"""`azl-installer validate FILE...`: every error as FILE:LINE:COL: field.path: message."""

from __future__ import annotations

import argparse

from installer.backend.answers.kickstart_pre import NeedsPre
from installer.backend.errors import InvalidInput
from installer.cli.common import (
    EXIT_INVALID,
    EXIT_OK,
    get_machine,
    load_answers,
    plan_for,
    print_issues,
    require_storage,
)


def add(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    p = sub.add_parser("validate", help="check answer files (native YAML/JSON, kickstart, Azure JSON)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--machine", help="also plan against this recorded machine (JSON)")
    p.add_argument("--ignore-unsupported", action="store_true",
                   help="kickstart: unsupported commands are warnings, not errors")
    p.add_argument("--run-pre", action="store_true",
                   help="kickstart: run the %%pre scripts on this system first, then read the file again "
                        "(as the install does); without it, a file that needs them is reported as such")
    p.add_argument("--unattended", action="store_true",
                   help="also refuse what an unattended install cannot do (a kickstart with no storage layout)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    rc = EXIT_OK
    for f in args.files:
        try:
            loaded = load_answers(f, args.ignore_unsupported, run_pre=args.run_pre)
            if args.unattended:
                require_storage(loaded)
            if args.machine:
                plan_for(loaded, get_machine(args.machine))
            print(f"{f}: ok ({loaded.format})")
        except NeedsPre as exc:
            print_issues(exc)
            print(f"{f}: needs %pre (kickstart): the rest of the file is valid; --run-pre checks it all")
        except InvalidInput as exc:
            print_issues(exc)
            rc = EXIT_INVALID
    return rc
