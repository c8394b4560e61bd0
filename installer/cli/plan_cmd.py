"""`azl-installer plan FILE [--machine M.json] [--json]`: what would happen, touching nothing."""

from __future__ import annotations

import argparse
import json

from installer.backend.errors import InvalidInput, RefusedForSafety
from installer.cli.common import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_REFUSED,
    err,
    get_machine,
    load_answers,
    plan_for,
    print_issues,
    require_storage,
)


def add(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    p = sub.add_parser("plan", help="show the install plan for an answer file")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--machine", help="a recorded machine (JSON) instead of probing this one")
    p.add_argument("--target-root", help="plan a directory install into this directory")
    p.add_argument("--json", action="store_true", help="print the plan as JSON")
    p.add_argument("--ignore-unsupported", action="store_true")
    p.add_argument("--run-pre", action="store_true",
                   help="kickstart: run the %%pre scripts on this system first, then read the file again"
                        + (" (install always does, except with --dry-run)" if "install" in p.prog else ""))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        loaded = load_answers(args.file, args.ignore_unsupported, run_pre=args.run_pre)
        if not args.target_root:
            require_storage(loaded)
        machine = get_machine(args.machine)
        plan = plan_for(loaded, machine, target_root=args.target_root,
                         directory=bool(args.target_root))
    except InvalidInput as exc:
        print_issues(exc)
        return EXIT_INVALID
    except RefusedForSafety as exc:
        err(f"refused: {exc}")
        return EXIT_REFUSED
    print(json.dumps(plan.to_dict(), indent=2) if args.json else plan.render())
    return EXIT_OK
